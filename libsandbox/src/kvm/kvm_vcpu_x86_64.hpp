// A KVM vCPU for x86-64, started directly in 64-bit mode at CPL3.
#pragma once

#include "vcpu.hpp"

#include <linux/kvm.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace hl {

class KvmVm;

// The CPU state the guest starts in; addresses are guest addresses.
struct BootState {
    uint64_t cr3 = 0;          // PML4
    uint64_t entry = 0;        // first instruction
    uint64_t stack_top = 0;    // initial %rsp
    uint64_t argument = 0;     // initial %rdi (the boot info)
};

class KvmVcpu final : public Vcpu {
public:
    // KVM_CREATE_VCPU and mmap of its kvm_run area; throws KvmError.
    explicit KvmVcpu(const KvmVm& vm);
    ~KvmVcpu() override;
    KvmVcpu(const KvmVcpu&) = delete;
    KvmVcpu& operator=(const KvmVcpu&) = delete;

    // Long mode, paging, CPL3 segments, GDT/IDT/TR, CPUID and the vector
    // extensions of cpu_features.hpp; throws KvmError.
    void set_boot_state(const BootState& state);

    // Runs until the next exit. A signal sent with interrupt_signal() to the
    // thread inside run() ends it with Reason::Interrupted, with no race: the
    // signal handler also sets immediate_exit for a run about to start. One
    // that lands while the thread is outside run() (writing guest output,
    // tracing, in a host function) is not lost: the next run() returns
    // Interrupted without entering the guest.
    VcpuExit run() override;
    void keep_registers_at_exit(bool keep) override;
    Registers registers() override;
    uint64_t fault_address() override;
    VcpuState save_state() override;
    void restore_state(const VcpuState& state, XstateRestore xstate) override;
    void set_stop_flag(const std::atomic<bool>* flag) override { stop_flag_ = flag; }

    // The signal (a real-time one) hl uses to interrupt KVM_RUN; its handler
    // is installed on first vCPU creation. Without SA_RESTART: a system call
    // that blocks on the thread when it lands fails with EINTR.
    static int interrupt_signal();
    // Installs the signal's handler, once per process (the first vCPU does).
    static void install_interrupt_handler();
    // Drops a signal this thread got outside run() before now (one meant for
    // an earlier run), so that it does not interrupt the next one.
    static void forget_missed_interrupt();

private:
    int fd_ = -1;
    kvm_run* run_ = nullptr;
    size_t run_size_ = 0;
    bool synced_registers_ = false;   // KVM_CAP_SYNC_REGS copies them into run_ at each exit
    const std::atomic<bool>* stop_flag_ = nullptr;
    // The last exit was an `out` that the next KVM_RUN completes (moving RIP
    // past it); where it is and the RFLAGS it leaves, as KVM reported them.
    struct PendingOut {
        bool registers_known;   // rip and rflags came with the exit (synced registers)
        uint64_t rip, rflags;
    };
    std::optional<PendingOut> pending_out_;
    uint64_t xcr0_ = 0;                        // the guest's, as set by the host (xsetbv faults at CPL3)
    void set_xcr0(uint64_t xcr0);
    void set_xstate(const uint8_t* xsave);
    void set_xstate(const std::vector<uint8_t>& xsave);
    // An XSAVE image of size bytes with every component of xcr0 at its boot value.
    static std::vector<uint8_t> clean_xstate(size_t size, uint64_t xcr0);
    void complete_pending_io();
    const PendingOut& pending_out_registers();
    static bool sync_registers_supported();
};

} // namespace hl
