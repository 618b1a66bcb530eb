// KVM vCPU for x86-64: creation, KVM_RUN and its exit decoding, registers.
// The boot state is in kvm_vcpu_boot_x86_64.cpp, saved states in
// kvm_vcpu_state_x86_64.cpp.
#include "kvm/kvm_vcpu_x86_64.hpp"

#include "interrupt_signal.hpp"

#include "x86_64/cpu_tables.hpp"
#include "kvm/kvm_dirty_ring.hpp"
#include "kvm/kvm_exit.hpp"
#include "kvm/kvm_system.hpp"
#include "kvm/kvm_vm.hpp"

#include <hl/abi.h>
#include <hl/error.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <mutex>
#include <string>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace hl {

KvmVcpu::KvmVcpu(const KvmVm& vm)
{
    interrupt::install_handler();
    fd_ = ioctl(vm.fd(), KVM_CREATE_VCPU, 0);
    if (fd_ < 0)
        throw_kvm_failure("KVM_CREATE_VCPU");
    run_size_ = KvmSystem::get().vcpu_mmap_size();
    void* p = mmap(nullptr, run_size_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
    if (p == MAP_FAILED) {
        close(fd_);
        throw_kvm_failure("mmap of the vCPU run area");
    }
    run_ = static_cast<kvm_run*>(p);
}

KvmVcpu::~KvmVcpu()
{
    munmap(run_, run_size_);
    close(fd_);
}

VcpuExit KvmVcpu::run()
{
    for (;;) {
        VcpuExit exit = enter();
        if (exit.raw_reason != KVM_EXIT_DIRTY_RING_FULL || dirty_ring_ == nullptr)
            return exit;
        dirty_ring_->drain();
    }
}

VcpuExit KvmVcpu::enter()
{
    interrupt::enter_run(&run_->immediate_exit);
    if (stop_before_run(stop_flag_)) {
        VcpuExit stopped;
        stopped.reason = VcpuExit::Reason::Interrupted;
        return stopped;
    }
    pending_out_.reset(); // KVM_RUN completes it before anything else
    const int rc = ioctl(fd_, KVM_RUN, 0);
    const int error = errno;
    synced_valid_ = synced_registers_;
    // A signal after this point finds no run to stop: it is remembered for the next.
    interrupt::leave_run(rc < 0);
    if (rc < 0)
        return failed_run(error);
    exit_pending_ = true;
    VcpuExit exit = common_exit(*run_);
    switch (run_->exit_reason) {
    case KVM_EXIT_IO: {
        exit.reason = run_->io.direction == KVM_EXIT_IO_OUT ? VcpuExit::Reason::IoOut : VcpuExit::Reason::IoIn;
        exit.port = run_->io.port;
        exit.size = run_->io.size;
        exit.count = run_->io.count;
        if (exit.reason == VcpuExit::Reason::IoOut && exit.size <= 4)
            std::memcpy(&exit.value, reinterpret_cast<const uint8_t*>(run_) + run_->io.data_offset, exit.size);
        if (exit.reason == VcpuExit::Reason::IoOut)
            pending_out_ = PendingOut{synced_registers_, run_->s.regs.regs.rip, run_->s.regs.regs.rflags};
        break;
    }
    case KVM_EXIT_HLT:
        exit.reason = VcpuExit::Reason::Hlt;
        break;
    }
    return exit;
}

bool KvmVcpu::sync_registers_supported()
{
    static const bool supported =
        (ioctl(KvmSystem::get().fd(), KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS) & (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS)) ==
        (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS);
    return supported;
}

void KvmVcpu::set_run_signal_mask(const sigset_t& mask)
{
    // The kernel's sigset is the first 8 bytes of glibc's sigset_t: those say whether it changed.
    if (run_signal_mask_ && std::memcmp(&*run_signal_mask_, &mask, 8) == 0)
        return;
    set_kvm_signal_mask(fd_, mask);
    run_signal_mask_ = mask;
}

void KvmVcpu::keep_registers_at_exit(bool keep)
{
    // Until the next exit, run_ holds what an earlier one left, if anything.
    if (!synced_registers_)
        synced_valid_ = false;
    synced_registers_ = keep && sync_registers_supported();
    run_->kvm_valid_regs = synced_registers_ ? KVM_SYNC_X86_REGS : 0;
}

Registers KvmVcpu::registers()
{
    kvm_regs r{};
    if (run_->kvm_dirty_regs & KVM_SYNC_X86_REGS)
        r = run_->s.regs.regs; // set by restore_state, not yet applied
    else if (synced_registers_ && synced_valid_)
        r = run_->s.regs.regs;
    else if (ioctl(fd_, KVM_GET_REGS, &r) < 0)
        throw_kvm_failure("KVM_GET_REGS");
    return Registers{r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rsp, r.rbp, r.r8, r.r9, r.r10,
                     r.r11, r.r12, r.r13, r.r14, r.r15, r.rip, r.rflags};
}

void KvmVcpu::set_registers(const Registers& r)
{
    // An `out` completes on the next entry over whatever is set now (RIP past
    // it); an MMIO write, the stubs' way of exiting, completed at its exit.
    if (pending_out_)
        complete_pending_io();
    const kvm_regs regs{.rax = r.rax, .rbx = r.rbx, .rcx = r.rcx, .rdx = r.rdx, .rsi = r.rsi, .rdi = r.rdi,
                        .rsp = r.rsp, .rbp = r.rbp, .r8 = r.r8, .r9 = r.r9, .r10 = r.r10, .r11 = r.r11,
                        .r12 = r.r12, .r13 = r.r13, .r14 = r.r14, .r15 = r.r15, .rip = r.rip, .rflags = r.rflags};
    if (sync_registers_supported()) {
        run_->s.regs.regs = regs; // applied by the next KVM_RUN: no request of its own
        run_->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
        return;
    }
    if (ioctl(fd_, KVM_SET_REGS, &regs) < 0)
        throw_kvm_failure("KVM_SET_REGS");
}

void KvmVcpu::set_thread_pointer(uint64_t address)
{
    if (run_->kvm_dirty_regs & KVM_SYNC_X86_SREGS) {
        run_->s.regs.sregs.fs.base = address; // a restore's sregs, not applied yet
        return;
    }
    kvm_sregs sregs{};
    if (ioctl(fd_, KVM_GET_SREGS, &sregs) < 0)
        throw_kvm_failure("KVM_GET_SREGS");
    sregs.fs.base = address;
    if (ioctl(fd_, KVM_SET_SREGS, &sregs) < 0)
        throw_kvm_failure("KVM_SET_SREGS");
}

kvm_sregs KvmVcpu::special_registers()
{
    if (run_->kvm_dirty_regs & KVM_SYNC_X86_SREGS)
        return run_->s.regs.sregs; // a restore's, not applied yet
    kvm_sregs sregs{};
    if (ioctl(fd_, KVM_GET_SREGS, &sregs) < 0)
        throw_kvm_failure("KVM_GET_SREGS");
    return sregs;
}

uint64_t KvmVcpu::thread_pointer() { return special_registers().fs.base; }

uint64_t KvmVcpu::fault_address() { return special_registers().cr2; }

} // namespace hl
