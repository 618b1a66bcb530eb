// The x86-64 system structures the host builds for a CPL3-only guest: GDT,
// IDT, TSS and the fault stubs. Pure: writes bytes into a span standing for
// guest memory at the addresses fixed in <hl/abi.h>.
//
// Every exception vector goes through an interrupt gate to a stub on the
// user-executable stub page, running at CPL3 on the IST1 stack (so even a
// stack overflow reports). A stub pushes %rax and %rdx and writes its vector
// to HL_FAULT_REPORT_ADDR (an MMIO exit); the host then reads the frame at %rsp:
//   [rsp] rdx, [rsp+8] rax, [rsp+16] error code (only for vectors that push
//   one), then rip, cs, rflags, rsp, ss as the CPU pushed them.
#pragma once

#include <cstdint>
#include <span>

#include <hl/abi.h>

namespace hl::cpu {

inline constexpr uint16_t kKernelCodeSelector = 0x08;
inline constexpr uint16_t kUserCodeSelector = 0x18 | 3;
inline constexpr uint16_t kUserDataSelector = 0x20 | 3;
inline constexpr uint16_t kTssSelector = 0x28;
inline constexpr uint16_t kGdtLimit = 7 * 8 - 1;
inline constexpr uint16_t kIdtLimit = 32 * 16 - 1;
inline constexpr uint32_t kTssIoBitmapOffset = 104;
// Bitmap bytes covering every port up to the last hl port.
inline constexpr uint32_t kTssIoBitmapBytes = (HL_PORT_BASE + HL_CALL_COUNT + 7) / 8;
inline constexpr uint32_t kTssLimit = kTssIoBitmapOffset + kTssIoBitmapBytes; // + the 0xff terminator, - 1
inline constexpr unsigned kVectors = 32;
// The flags popf at CPL3 can change (the arithmetic flags, TF, DF, NT, AC,
// ID); the others are the machine's: kMachineFlags, what boot sets (bit 1).
inline constexpr uint64_t kUserChangeableFlags =
    0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x100 | 0x400 | 0x800 | 0x4000 | 0x40000 | 0x200000;
inline constexpr uint64_t kMachineFlags = 0x2;
inline constexpr unsigned kStubSize = 16;
// `syscall` lands on one more stub (LSTAR), which writes the system call
// number (%eax) to HL_SYSCALL_REPORT_ADDR, touching no stack and no register:
// the host then serves the call or reports this pseudo-vector as a fault.
inline constexpr unsigned kSyscallVector = 32;
inline constexpr uint64_t kSyscallStub = HL_STUBS_ADDR + kSyscallVector * kStubSize;

// Where the vCPU stands after a genuine stub's report write (for
// kSyscallVector, the `syscall` stub's): anything else writing to the report
// page is the guest forging a fault.
uint64_t report_rip(unsigned vector);

// Writes GDT, IDT, TSS and stubs into memory (all of guest memory).
void write_cpu_tables(std::span<uint8_t> memory);

// Whether the CPU pushes an error code for this vector.
bool vector_has_error_code(unsigned vector);
// "#PF", "#UD", ... and a readable name: "page fault", "invalid opcode".
const char* vector_mnemonic(unsigned vector);
const char* vector_name(unsigned vector);

} // namespace hl::cpu
