// The aarch64 boot registers (see boot_state.hpp). Bit positions from the
// Arm ARM's register descriptions (D19: SCTLR_EL1, TCR_EL1, MAIR_EL1, CPACR_EL1).
#include "aarch64/boot_state.hpp"

#include "aarch64/exception_vectors.hpp"
#include "aarch64/translation_tables.hpp"

namespace hl::aarch64 {
namespace {

// TCR_EL1: 39-bit addresses through TTBR0 (T0SZ), 4 KiB granule (TG0 0),
// table walks cacheable write-back and inner shareable, TTBR1 walks off
// (EPD1: the guest has no upper half), 36-bit intermediate physical
// addresses (IPS 0b001), enough for memory and the pages beyond it at 4 GiB.
constexpr uint64_t kTcr = (64 - kVirtualAddressBits) | (1ull << 8) /* IRGN0 */ | (1ull << 10) /* ORGN0 */ |
                          (3ull << 12) /* SH0 */ | (1ull << 23) /* EPD1 */ | (1ull << 32) /* IPS */;

// MAIR_EL1: attribute 0 normal memory, write-back read/write-allocate;
// attribute 1 device nGnRE (translation_tables.hpp's indexes).
constexpr uint64_t kMair = (0xffull << (8 * kNormalMemory)) | (0x04ull << (8 * kDeviceMemory));

// SCTLR_EL1: the bits that read as one in ARMv8.0 (RES1), then the MMU
// (M), data and instruction caches (C, I), stack alignment checks at EL1
// and EL0 (SA, SA0), `dc zva` (DZE), CTR_EL0 (UCT) and cache maintenance
// (UCI) at EL0, which C libraries and JITs use, and WXN: no page is both
// writable and executable, whatever a descriptor says. WFI and WFE at EL0
// trap (nTWI, nTWE clear): with nothing to wake it, a guest waiting for an
// interrupt would hang, so it faults instead. Alignment checks (A) stay
// off, as on Linux.
constexpr uint64_t kSctlrRes1 = (1ull << 11) | (1ull << 20) | (1ull << 22) | (1ull << 23) | (1ull << 28) |
                                (1ull << 29);
constexpr uint64_t kSctlr = kSctlrRes1 | (1ull << 0) /* M */ | (1ull << 2) /* C */ | (1ull << 3) /* SA */ |
                            (1ull << 4) /* SA0 */ | (1ull << 12) /* I */ | (1ull << 14) /* DZE */ |
                            (1ull << 15) /* UCT */ | (1ull << 19) /* WXN */ | (1ull << 26) /* UCI */;

// CPACR_EL1.FPEN = 0b11: floating point and SIMD do not trap at EL0 or EL1.
constexpr uint64_t kCpacr = 3ull << 20;

} // namespace

BootRegisters boot_registers(const BootState& state)
{
    return BootRegisters{
        .pc = state.entry,
        .sp_el0 = state.stack_top,
        .x0 = state.argument,
        .pstate = kBootPstate,
        .sp_el1 = kEl1StackTop,
        .vbar_el1 = HL_AARCH64_VECTORS_ADDR,
        .ttbr0_el1 = state.page_tables,
        .tcr_el1 = kTcr,
        .mair_el1 = kMair,
        .sctlr_el1 = kSctlr,
        .cpacr_el1 = kCpacr,
    };
}

} // namespace hl::aarch64
