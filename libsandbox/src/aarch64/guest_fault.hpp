// Reading an aarch64 guest exception out of the state hl's vector stubs leave
// (exception_vectors.hpp): the guest's x0 and x1 on the EL1 stack, the rest
// in the vCPU's registers, and the one-line description. Pure: works on any
// host, with the registers a backend read.
#pragma once

#include "aarch64/registers.hpp"

#include <hl/guest_memory.hpp>
#include <hl/image.hpp>
#include <hl/run_result.hpp>

#include <string>
#include <utility>
#include <vector>

namespace hl::aarch64 {

// The guest's registers where the exception struck, from the vCPU's at the
// report of the stub of `slot`: pc from ELR_EL1, pstate from SPSR_EL1 (the
// flags the guest can set), sp is SP_EL0 already, and x0 and x1 from the
// stub's pushes when it made them (left as they are when the stack cannot be read).
Registers registers_at_fault(unsigned slot, const Registers& at_report, const GuestMemory& memory);

// The exception as a GuestFault: vector holds the exception class
// (exception_syndrome.hpp; ec::kIrq, ec::kFiq, ec::kSError for the
// asynchronous slots), error_code the whole ESR_EL1, rip the pc, address
// FAR_EL1 for an abort (0 when the CPU gave none).
GuestFault read_guest_fault(unsigned slot, const Registers& at_report, const GuestMemory& memory,
                            const Image& image);

// x0..x30, sp, pc, pstate, by name.
std::vector<std::pair<const char*, uint64_t>> named_registers(const Registers& registers);

// "data abort (DABT) at main+0x12 (0x100034): write to 0x0 (null page: not mapped)"
std::string describe_guest_fault(const GuestFault& fault, const Layout& layout);

} // namespace hl::aarch64
