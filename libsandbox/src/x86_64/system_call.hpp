// Linux system calls on x86-64: `syscall` with the number in rax and the
// arguments in rdi, rsi, rdx, r10, r8, r9; the result comes back in rax, and
// rcx and r11 hold the return address and RFLAGS. The instruction reaches the
// host one of two ways, and both end up here: under PVM-based KVM it jumps,
// still at CPL3, to LSTAR's stub, which reports to the host (EFER.SCE is
// ignored there); elsewhere, with EFER.SCE clear, it raises #UD.
#pragma once

#include "arch.hpp"
#include "registers.hpp"

#include <hl/guest_memory.hpp>

#include <optional>

namespace hl::cpu {

inline constexpr unsigned kInvalidOpcodeVector = 6;

// The call made by the `syscall` instruction at registers.rip, with the
// registers the guest had there; nullopt when it could not resume after it
// (a return address that is not canonical: only a guest that jumped to the
// stub itself gets there).
std::optional<arch::SystemCall> decode_system_call(const Registers& at_instruction);

// Whether the instruction at `at` is `syscall` (0f 05), read as the guest can.
bool is_syscall_instruction(const GuestMemory& memory, uint64_t at);

} // namespace hl::cpu
