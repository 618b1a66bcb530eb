// The aarch64 register state a guest boots in, as plain values: the MMU on
// with the host's translation tables (translation_tables.hpp), the host's
// vectors and EL1 stack, floating point and SIMD open to EL0, and the guest
// itself at EL0 with every interrupt masked. Pure: a backend turns it into
// its own register writes (kvm/kvm_vcpu_aarch64.cpp).
#pragma once

#include "backend.hpp"

#include <cstdint>

namespace hl::aarch64 {

struct BootRegisters {
    uint64_t pc = 0, sp_el0 = 0, x0 = 0, pstate = 0;
    uint64_t sp_el1 = 0, vbar_el1 = 0;
    uint64_t ttbr0_el1 = 0, tcr_el1 = 0, mair_el1 = 0, sctlr_el1 = 0, cpacr_el1 = 0;
};

// PSTATE at boot: EL0 (EL0t), D, A, I and F masked.
inline constexpr uint64_t kBootPstate = 0x3c0;

BootRegisters boot_registers(const BootState& state);

} // namespace hl::aarch64
