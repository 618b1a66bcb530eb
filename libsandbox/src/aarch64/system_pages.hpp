// The system pages at the bottom of the aarch64 memory map (<hl/abi.h>):
// the exception vectors and the EL1 stack, both out of EL0's reach. Pure.
#pragma once

#include <hl/layout.hpp>

namespace hl::aarch64 {

std::vector<Region> system_regions();
// The aarch64 part of the memory map, for Layout::compute on any host.
MachineMap machine_map(uint64_t memory_size);

} // namespace hl::aarch64
