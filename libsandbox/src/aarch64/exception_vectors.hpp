// The aarch64 exception vector table the host writes for an EL0-only guest
// (VBAR_EL1 = HL_AARCH64_VECTORS_ADDR, on an EL1-only read+execute page).
// Pure: writes instruction words into a span standing for guest memory.
//
// Each of the 16 entries (4 kinds x 4 origins) is a stub that reports its
// slot number by storing it to HL_AARCH64_FAULT_REPORT_ADDR (an MMIO exit).
// A stub for an exception from EL0 first pushes x0 and x1 on the EL1 stack:
//   [SP_EL1] x0, [SP_EL1 + 8] x1
// and, if the host resumes it, pops them and returns with `eret` to
// ELR_EL1 (the instruction after an `svc`, the faulting one otherwise). A
// host serving a system call there writes the result into the x0 slot. A
// stub for an exception at EL1 (inside a stub: nothing else runs there)
// touches no stack and never returns.
#pragma once

#include <cstdint>
#include <span>

#include <hl/abi.h>

namespace hl::aarch64 {

// The PSTATE bits EL0 sets itself: NZCV, DIT (bit 24) and SSBS (bit 12)
// (msr dit / msr ssbs). The rest (the exception level, the masks, SS...) are
// the machine's, never the guest's to report or to carry in a snapshot file.
inline constexpr uint64_t kEl0PstateBits = (0xfull << 28) | (1ull << 24) | (1ull << 12);

inline constexpr unsigned kVectorSlots = 16;
inline constexpr uint64_t kVectorSlotSize = 0x80;
inline constexpr uint64_t kEl1StackTop = HL_AARCH64_EL1_STACK_ADDR + HL_AARCH64_EL1_STACK_SIZE;

// The slots, in table order: (origin) x (synchronous, IRQ, FIQ, SError).
enum class VectorOrigin { CurrentElSp0, CurrentElSpx, LowerEl64, LowerEl32 };
enum class VectorKind { Synchronous, Irq, Fiq, SError };
constexpr unsigned vector_slot(VectorOrigin origin, VectorKind kind)
{
    return static_cast<unsigned>(origin) * 4 + static_cast<unsigned>(kind);
}
constexpr VectorOrigin slot_origin(unsigned slot) { return static_cast<VectorOrigin>(slot / 4); }
constexpr VectorKind slot_kind(unsigned slot) { return static_cast<VectorKind>(slot % 4); }
// Whether the slot's stub saved the guest's x0 and x1 on the EL1 stack.
constexpr bool slot_saves_registers(unsigned slot) { return slot_origin(slot) == VectorOrigin::LowerEl64; }

// Writes the table at HL_AARCH64_VECTORS_ADDR into memory (all of guest memory).
void write_exception_vectors(std::span<uint8_t> memory);

// Where the vCPU stands at a genuine stub's report store: anything else
// storing to the report page is not one of hl's stubs.
uint64_t report_pc(unsigned slot);
// The slot whose stub code holds pc, or -1.
int slot_at(uint64_t pc);

} // namespace hl::aarch64
