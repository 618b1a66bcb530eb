// The aarch64 registers, as a backend reads them at an exit: the general
// registers of the guest at EL0 and, for reports from hl's vectors, the EL1
// exception registers (which the guest can neither read nor write).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace hl::aarch64 {

struct Registers {
    std::array<uint64_t, 31> x{};   // x0-x30 (x29 the frame pointer, x30 the link register)
    uint64_t sp = 0;                // SP_EL0: the guest's stack pointer
    uint64_t pc = 0;
    uint64_t pstate = 0;            // NZCV, DAIF, the exception level...
    // Set by an exception: its syndrome, the faulting address, where it
    // struck and the PSTATE then; SP_EL1 (the vectors' stack).
    uint64_t esr_el1 = 0, far_el1 = 0, elr_el1 = 0, spsr_el1 = 0, sp_el1 = 0;

    uint64_t program_counter() const { return pc; }
    uint64_t stack_pointer() const { return sp; }
    uint64_t frame_pointer() const { return x[29]; }
    void set_program_counter(uint64_t value) { pc = value; }
    void set_stack_pointer(uint64_t value) { sp = value; }
    // The register the entry point gets the boot info in (x0).
    void set_first_argument(uint64_t value) { x[0] = value; }
};

// The SIMD and floating-point registers: v0-v31 (16 bytes each), FPSR, FPCR.
struct VectorRegisters {
    std::array<std::array<uint8_t, 16>, 32> v{};
    uint32_t fpsr = 0, fpcr = 0;
};

} // namespace hl::aarch64
