// hl::GuestAddr: an address in the guest's address space. It is neither a
// host pointer nor an offset into a host buffer: its bytes are reached only
// through GuestMemory's checked views, and the Layout answers what is mapped
// there. A number the guest hands over (a request field, a register) becomes
// a GuestAddr where the host reads it, so that line says whose number it is;
// the conversion back (value_of) is for messages and arithmetic on the map.
#pragma once

#include <hl/version.hpp>

#include <cstdint>

namespace hl {

enum class GuestAddr : uint64_t {};

constexpr GuestAddr guest_addr(uint64_t value) { return static_cast<GuestAddr>(value); }
constexpr uint64_t value_of(GuestAddr address) { return static_cast<uint64_t>(address); }

} // namespace hl
