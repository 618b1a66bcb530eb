// KVM vCPU for x86-64: the state the guest boots in -- 64-bit mode at CPL3,
// paging on, the host's GDT/IDT/TSS, the features of cpu_features.hpp.
#include "kvm/kvm_vcpu_x86_64.hpp"

#include "x86_64/cpu_features.hpp"
#include "x86_64/cpu_tables.hpp"
#include "kvm/kvm_system.hpp"

#include <hl/abi.h>

#include <sys/ioctl.h>

namespace hl {
namespace {

kvm_segment user_segment(uint16_t selector, uint8_t type, bool code)
{
    kvm_segment s{};
    s.base = 0;
    s.limit = 0xffffffff;
    s.selector = selector;
    s.type = type;
    s.present = 1;
    s.dpl = 3;
    s.db = code ? 0 : 1; // a 64-bit code segment must have D clear
    s.s = 1;
    s.l = code ? 1 : 0;
    s.g = 1;
    return s;
}

constexpr uint64_t kCr0 = 1u << 0 /* PE */ | 1u << 1 /* MP */ | 1u << 4 /* ET */ | 1u << 5 /* NE */ |
                          1u << 16 /* WP */ | 1ull << 31 /* PG */;
constexpr uint64_t kEfer = 1u << 8 /* LME */ | 1u << 10 /* LMA */ | 1u << 11 /* NXE */;
// IOPL 0: `out` reaches only the ports the TSS I/O bitmap opens (the hl
// ports), and cli/sti/popf cannot touch IF. (PVM-based KVM ignores IOPL 3
// anyway: measured, the bitmap is what works on both kinds of host.)
constexpr uint64_t kRflags = 0x2;

} // namespace

void KvmVcpu::set_boot_state(const BootState& state)
{
    // CPUID first: KVM accepts CR4.OSXSAVE/PKE and XCR0 bits only for features CPUID lists.
    if (ioctl(fd_, kKvmSetCpuid2, KvmSystem::get().supported_cpuid()) < 0)
        throw_kvm_failure("KVM_SET_CPUID2");
    const cpu::GuestFeatures features = cpu::guest_features(KvmSystem::get().supported_features());

    kvm_sregs sregs{};
    if (ioctl(fd_, KVM_GET_SREGS, &sregs) < 0)
        throw_kvm_failure("KVM_GET_SREGS");
    sregs.cs = user_segment(cpu::kUserCodeSelector, 0xb, true);
    sregs.ss = sregs.ds = sregs.es = sregs.fs = sregs.gs = user_segment(cpu::kUserDataSelector, 0x3, false);
    sregs.tr = kvm_segment{};
    sregs.tr.base = HL_TSS_ADDR;
    sregs.tr.limit = cpu::kTssLimit;
    sregs.tr.selector = cpu::kTssSelector;
    sregs.tr.type = 0xb; // busy 64-bit TSS
    sregs.tr.present = 1;
    sregs.gdt.base = HL_GDT_ADDR;
    sregs.gdt.limit = cpu::kGdtLimit;
    sregs.idt.base = HL_IDT_ADDR;
    sregs.idt.limit = cpu::kIdtLimit;
    sregs.cr0 = kCr0;
    sregs.cr3 = state.page_tables;
    sregs.cr4 = features.cr4;
    sregs.efer = kEfer;
    if (ioctl(fd_, KVM_SET_SREGS, &sregs) < 0)
        throw_kvm_failure("KVM_SET_SREGS");

    kvm_regs regs{};
    regs.rip = state.entry;
    regs.rsp = state.stack_top;
    regs.rdi = state.argument;
    regs.rflags = kRflags;
    if (ioctl(fd_, KVM_SET_REGS, &regs) < 0)
        throw_kvm_failure("KVM_SET_REGS");

    // `syscall` goes to a stub that reports it (PVM runs syscall even with
    // EFER.SCE clear; elsewhere it is #UD, reported as such).
    struct {
        uint32_t nmsrs = 4, pad = 0;
        kvm_msr_entry entries[4];
    } msrs;
    msrs.entries[0] = {.index = 0xc0000081 /* STAR */, .reserved = 0, .data = uint64_t{cpu::kKernelCodeSelector} << 32};
    msrs.entries[1] = {.index = 0xc0000082 /* LSTAR */, .reserved = 0, .data = cpu::kSyscallStub};
    msrs.entries[2] = {.index = 0xc0000083 /* CSTAR */, .reserved = 0, .data = cpu::kSyscallStub};
    msrs.entries[3] = {.index = 0xc0000084 /* SFMASK */, .reserved = 0, .data = 0x200 /* IF */};
    // The header of kvm_msrs is 8 bytes in C; g++ lays the kernel's struct out differently (see kvm_system.hpp).
    constexpr unsigned long kSetMsrs = _IOC(_IOC_WRITE, KVMIO, 0x89, kKvmCpuidHeaderSize);
    if (ioctl(fd_, kSetMsrs, &msrs) != 4)
        throw_kvm_failure("KVM_SET_MSRS");

    set_xcr0(features.xcr0);
    set_xstate(clean_xstate(KvmSystem::get().xsave_size(), features.xcr0));
}

} // namespace hl
