// KVM vCPU for x86-64: the state the guest boots in (x86_64/boot_state.hpp),
// in KVM's structures.
#include "kvm/kvm_vcpu_x86_64.hpp"
#include "kvm/kvm_saved_state_x86_64.hpp"

#include "x86_64/boot_state.hpp"
#include "kvm/kvm_cpu_x86_64.hpp"
#include "kvm/kvm_system.hpp"

#include <sys/ioctl.h>
#include <tuple>

namespace hl {

cpu::BootRegisters KvmVcpu::set_up_machine(const BootState& state)
{
    // CPUID first: KVM accepts CR4.OSXSAVE/PKE and XCR0 bits only for features CPUID lists.
    if (ioctl(fd_, kKvmSetCpuid2, KvmCpu::get().supported_cpuid()) < 0)
        throw_kvm_failure("KVM_SET_CPUID2");
    const cpu::BootRegisters boot =
        cpu::boot_registers(state, cpu::guest_features(KvmCpu::get().supported_features()));
    struct {
        uint32_t nmsrs = 0, pad = 0;
        kvm_msr_entry entries[std::tuple_size_v<decltype(boot.msrs)>];
    } msrs;
    for (const cpu::Msr& msr : boot.msrs)
        msrs.entries[msrs.nmsrs++] = {.index = msr.index, .reserved = 0, .data = msr.value};
    // The header of kvm_msrs is 8 bytes in C; g++ lays the kernel's struct out differently (see kvm_cpu_x86_64.hpp).
    constexpr unsigned long kSetMsrs = _IOC(_IOC_WRITE, KVMIO, 0x89, kKvmCpuidHeaderSize);
    if (ioctl(fd_, kSetMsrs, &msrs) != static_cast<int>(msrs.nmsrs))
        throw_kvm_failure("KVM_SET_MSRS");
    return boot;
}

void KvmVcpu::start_from_state(const BootState& boot, const VcpuState& state)
{
    set_up_machine(boot);
    restore_state(state, FpuRestore::Load);
}

void KvmVcpu::set_boot_state(const BootState& state)
{
    synced_valid_ = false;   // the registers are set by request, not in run_
    const cpu::BootRegisters boot = set_up_machine(state);

    kvm_sregs sregs{};
    if (ioctl(fd_, KVM_GET_SREGS, &sregs) < 0)
        throw_kvm_failure("KVM_GET_SREGS");
    sregs.cs = to_kvm(boot.cs);
    sregs.ss = to_kvm(boot.ss);
    sregs.ds = to_kvm(boot.ds);
    sregs.es = to_kvm(boot.es);
    sregs.fs = to_kvm(boot.fs);
    sregs.gs = to_kvm(boot.gs);
    sregs.tr = to_kvm(boot.tr);
    sregs.gdt.base = boot.gdt.base;
    sregs.gdt.limit = boot.gdt.limit;
    sregs.idt.base = boot.idt.base;
    sregs.idt.limit = boot.idt.limit;
    sregs.cr0 = boot.cr0;
    sregs.cr3 = boot.cr3;
    sregs.cr4 = boot.cr4;
    sregs.efer = boot.efer;
    if (ioctl(fd_, KVM_SET_SREGS, &sregs) < 0)
        throw_kvm_failure("KVM_SET_SREGS");

    kvm_regs regs{};
    regs.rip = boot.rip;
    regs.rsp = boot.rsp;
    regs.rdi = boot.rdi;
    regs.rflags = boot.rflags;
    if (ioctl(fd_, KVM_SET_REGS, &regs) < 0)
        throw_kvm_failure("KVM_SET_REGS");

    set_xcr0(boot.xcr0);
    set_xstate(clean_xstate(KvmCpu::get().xsave_size(), boot.xcr0));
}

} // namespace hl
