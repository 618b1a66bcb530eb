// What lies at a guest address, for the one-line message of a fault there
// ("null page", "stack guard page: stack overflow", "rodata: read-only, not
// executable"), on every architecture. Pure.
#pragma once

#include <hl/layout.hpp>

#include <string>

namespace hl {

std::string fault_place(uint64_t address, const Layout& layout);

} // namespace hl
