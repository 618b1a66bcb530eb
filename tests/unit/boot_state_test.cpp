// The x86-64 boot register state (x86_64/boot_state.hpp), without KVM.
#include "x86_64/boot_state.hpp"
#include "x86_64/cpu_tables.hpp"

#include <hl/abi.h>

#include <catch2/catch.hpp>

using namespace hl;
using namespace hl::cpu;

namespace {

BootRegisters typical()
{
    return boot_registers({.page_tables = 0xff5000, .entry = 0x100000, .stack_top = 0xff5000, .argument = 0x10000},
                          guest_features({.xcr0 = 0x207}));
}

} // namespace

TEST_CASE("boot state: 64-bit code and data at CPL3, flat, with the host's descriptor tables")
{
    const BootRegisters r = typical();
    CHECK(r.cs.selector == kUserCodeSelector);
    CHECK(r.cs.dpl == 3);
    CHECK(r.cs.l);
    CHECK_FALSE(r.cs.db);                    // D must be clear in a 64-bit code segment
    for (const SegmentRegister* data : {&r.ss, &r.ds, &r.es, &r.fs, &r.gs}) {
        CHECK(data->selector == kUserDataSelector);
        CHECK(data->dpl == 3);
        CHECK(data->base == 0);              // no thread pointer until the guest sets one
        CHECK_FALSE(data->l);
    }
    CHECK(r.tr.base == HL_TSS_ADDR);
    CHECK(r.tr.type == 0xb);                 // a busy 64-bit TSS, as after LTR
    CHECK(r.gdt.base == HL_GDT_ADDR);
    CHECK(r.idt.base == HL_IDT_ADDR);
}

TEST_CASE("boot state: paging, long mode and NX on, syscall off, interrupts off, IOPL 0")
{
    const BootRegisters r = typical();
    CHECK((r.cr0 & 0x80010001) == 0x80010001);   // PG, WP, PE
    CHECK(r.cr3 == 0xff5000);
    CHECK((r.efer & 0xd00) == 0xd00);            // LME, LMA, NXE
    CHECK((r.efer & 1) == 0);                    // SCE: `syscall` is not a system call here
    CHECK(r.rflags == 0x2);                      // IF clear, IOPL 0: only the TSS bitmap opens ports
    CHECK(r.cr4 == guest_features({.xcr0 = 0x207}).cr4);
    CHECK(r.xcr0 == 0x207);
}

TEST_CASE("boot state: the entry, stack and boot info, and `syscall` aimed at its stub")
{
    const BootRegisters r = typical();
    CHECK(r.rip == 0x100000);
    CHECK(r.rsp == 0xff5000);
    CHECK(r.rdi == 0x10000);
    CHECK(r.msrs[1].index == 0xc0000082);        // LSTAR
    CHECK(r.msrs[1].value == kSyscallStub);
    CHECK(r.msrs[2].value == kSyscallStub);      // CSTAR, for a compatibility-mode syscall
    CHECK(r.msrs[3].value == 0);                 // SFMASK keeps the caller's RFLAGS
}
