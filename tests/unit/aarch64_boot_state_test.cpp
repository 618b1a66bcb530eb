// The aarch64 boot registers: the values a KVM vCPU gets before the guest's
// first instruction (verified on an emulated arm64 machine: tests/arm64.sh).
#include "aarch64/boot_state.hpp"
#include "aarch64/exception_vectors.hpp"

#include <catch2/catch.hpp>

using namespace hl;
using namespace hl::aarch64;

TEST_CASE("aarch64 boot: the guest starts at EL0 at its entry, with the boot info in x0")
{
    const BootRegisters b = boot_registers({.page_tables = 0xfe9000, .entry = 0x100040, .stack_top = 0xfe9000,
                                            .argument = HL_BOOT_INFO_ADDR});
    CHECK(b.pc == 0x100040);
    CHECK(b.sp_el0 == 0xfe9000);
    CHECK(b.x0 == HL_BOOT_INFO_ADDR);
    CHECK((b.pstate & 0xf) == 0);          // M[3:0] = EL0t
    CHECK((b.pstate & 0x3c0) == 0x3c0);    // D, A, I, F masked
    CHECK(b.ttbr0_el1 == 0xfe9000);
    CHECK(b.vbar_el1 == HL_AARCH64_VECTORS_ADDR);
    CHECK(b.vbar_el1 % 0x800 == 0);        // VBAR_EL1 is 2 KiB aligned
    CHECK(b.sp_el1 == kEl1StackTop);
}

TEST_CASE("aarch64 boot: the MMU, caches and WXN on, WFI and WFE trapping, FP open to EL0")
{
    const BootRegisters b = boot_registers({});
    const uint64_t s = b.sctlr_el1;
    CHECK((s & 1) == 1);                   // M
    CHECK((s & (1ull << 2)) != 0);         // C
    CHECK((s & (1ull << 12)) != 0);        // I
    CHECK((s & (1ull << 19)) != 0);        // WXN
    CHECK((s & (1ull << 16)) == 0);        // nTWI clear: wfi traps
    CHECK((s & (1ull << 18)) == 0);        // nTWE clear: wfe traps
    CHECK((s & (1ull << 1)) == 0);         // A: no alignment checks
    CHECK((s & (1ull << 25)) == 0);        // EE: little-endian at EL1
    CHECK((s & (1ull << 24)) == 0);        // E0E: little-endian at EL0
    CHECK(s == 0x34d8d81d);                // as KVM read it back on the emulated machine
    CHECK(((b.cpacr_el1 >> 20) & 3) == 3); // FPEN
    CHECK((b.tcr_el1 & 0x3f) == 25);       // T0SZ: 39-bit addresses
    CHECK(((b.tcr_el1 >> 14) & 3) == 0);   // TG0: 4 KiB granule
    CHECK((b.tcr_el1 & (1ull << 23)) != 0);  // EPD1
    CHECK(((b.tcr_el1 >> 32) & 7) == 1);   // IPS: 36 bits, beyond the 4 GiB of memory
    CHECK(b.mair_el1 == 0x04ff);
}
