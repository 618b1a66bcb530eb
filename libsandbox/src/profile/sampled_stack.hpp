// The stack of one sample (profile/sampler.cpp), walked as the guest's
// architecture makes its calls and frames: profile/sampled_stack_x86_64.cpp
// and profile/sampled_stack_aarch64.cpp, one of which is built.
#pragma once

#include "registers.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace hl {

class GuestMemory;
struct Symbol;

// The guest's pc, then the return addresses up its stack. `function` is the
// symbol that holds the pc, null when none does (the system pages, a
// stripped image).
std::vector<uint64_t> sampled_stack(const Registers& registers, const Symbol* function, const GuestMemory& memory);

// The 8 bytes at a guest address, or nullopt when the guest may not read them.
std::optional<uint64_t> read_guest_u64(const GuestMemory& memory, uint64_t address);

} // namespace hl
