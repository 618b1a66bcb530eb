// Reading a guest CPU exception out of the frame its fault stub left on the
// IST stack (layout in cpu_tables.hpp), and describing it in one line.
#pragma once

#include "backend.hpp"

#include <hl/guest_memory.hpp>
#include <hl/image.hpp>
#include <hl/sandbox.hpp>

namespace hl {

// The guest's registers where the exception struck, from the vCPU's at the
// stub's report and the frame on the IST stack (rax, rdx, rip, rflags, rsp);
// the error code too when error_code is not null (0 for vectors without one).
Registers registers_at_fault(unsigned vector, const Registers& registers, const GuestMemory& memory,
                             uint64_t* error_code);

// registers: the vCPU's registers at the stub's report; cr2: the vCPU's CR2.
GuestFault read_guest_fault(unsigned vector, const Registers& registers, uint64_t cr2,
                            const GuestMemory& memory, const Image& image);

// rax rbx rcx rdx rsi rdi rsp rbp r8..r15 rip rflags, by name.
std::vector<std::pair<const char*, uint64_t>> named_registers(const Registers& registers);

// "page fault (#PF) at main+0x12: write to 0x0 (null page: not mapped)"
std::string describe_guest_fault(const GuestFault& fault, const Layout& layout);

} // namespace hl
