// The boot info block and argv the guest finds at HL_BOOT_INFO_ADDR.
#pragma once

#include <hl/layout.hpp>

#include <span>
#include <string>
#include <vector>

namespace hl {

// Writes struct hl_boot_info, then the argv pointer array, then the strings,
// into memory (all of guest memory). Throws LayoutError when they do not fit
// in HL_BOOT_INFO_MAX_SIZE or an argument holds a NUL byte.
void write_boot_info(std::span<uint8_t> memory, const Layout& layout, const std::vector<std::string>& argv);

} // namespace hl
