// The x86-64 general registers, as a backend reads them at an exit.
#pragma once

#include <cstdint>

namespace hl {

struct Registers {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
    uint64_t pc() const { return rip; }
};

} // namespace hl
