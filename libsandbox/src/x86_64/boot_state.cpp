// The x86-64 boot register state (see boot_state.hpp).
#include "x86_64/boot_state.hpp"

#include "x86_64/cpu_tables.hpp"

#include <hl/abi.h>

namespace hl::cpu {
namespace {

SegmentRegister user_segment(uint16_t selector, uint8_t type, bool code)
{
    return {.base = 0,
            .limit = 0xffffffff,
            .selector = selector,
            .type = type,
            .present = true,
            .dpl = 3,
            .db = !code, // a 64-bit code segment must have D clear
            .s = true,
            .l = code,
            .g = true};
}

constexpr uint64_t kCr0 = 1u << 0 /* PE */ | 1u << 1 /* MP */ | 1u << 4 /* ET */ | 1u << 5 /* NE */ |
                          1u << 16 /* WP */ | 1ull << 31 /* PG */;
// No SCE: `syscall` never reaches CPL0. PVM runs it all the same, at CPL3,
// into LSTAR's stub; elsewhere it is #UD. The host serves either as a Linux
// system call (linux/) or reports it as a fault.
constexpr uint64_t kEfer = 1u << 8 /* LME */ | 1u << 10 /* LMA */ | 1u << 11 /* NXE */;
// IOPL 0: `out` reaches only the ports the TSS I/O bitmap opens (the hl
// ports), and cli/sti/popf cannot touch IF. (PVM-based KVM ignores IOPL 3
// anyway: measured, the bitmap is what works on both kinds of host.)
constexpr uint64_t kRflags = 0x2;

} // namespace

BootRegisters boot_registers(const BootState& state, const GuestFeatures& features)
{
    BootRegisters r;
    r.cs = user_segment(kUserCodeSelector, 0xb, true);
    r.ss = r.ds = r.es = r.fs = r.gs = user_segment(kUserDataSelector, 0x3, false);
    r.tr = {.base = HL_TSS_ADDR, .limit = kTssLimit, .selector = kTssSelector, .type = 0xb /* busy 64-bit TSS */,
            .present = true};
    r.gdt = {.base = HL_GDT_ADDR, .limit = kGdtLimit};
    r.idt = {.base = HL_IDT_ADDR, .limit = kIdtLimit};
    r.cr0 = kCr0;
    r.cr3 = state.page_tables;
    r.cr4 = features.cr4;
    r.efer = kEfer;
    r.rip = state.entry;
    r.rsp = state.stack_top;
    r.rdi = state.argument;
    r.rflags = kRflags;
    r.msrs = {Msr{0xc0000081 /* STAR */, uint64_t{kKernelCodeSelector} << 32},
              Msr{0xc0000082 /* LSTAR */, kSyscallStub},
              Msr{0xc0000083 /* CSTAR */, kSyscallStub},
              Msr{0xc0000084 /* SFMASK */, 0}}; // RFLAGS stay the caller's: nothing to put back
    r.xcr0 = features.xcr0;
    return r;
}

} // namespace hl::cpu
