// A KVM vCPU for x86-64, started directly in 64-bit mode at CPL3.
#pragma once

#include "backend.hpp"
#include "x86_64/boot_state.hpp"

#include <linux/kvm.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace hl {

class KvmVm;
class KvmDirtyRing;

class KvmVcpu final : public Vcpu {
public:
    // KVM_CREATE_VCPU and mmap of its kvm_run area; throws KvmError.
    explicit KvmVcpu(const KvmVm& vm);
    ~KvmVcpu() override;
    KvmVcpu(const KvmVcpu&) = delete;
    KvmVcpu& operator=(const KvmVcpu&) = delete;

    // Long mode, paging, CPL3 segments, GDT/IDT/TR, CPUID and the vector
    // extensions of x86_64/boot_state.hpp; throws KvmError.
    void set_boot_state(const BootState& state) override;

    // Runs until the next exit. The interrupt signal ends it with
    // Reason::Interrupted, with no race: the handler sets immediate_exit for a
    // KVM_RUN about to start (interrupt_signal.hpp).
    VcpuExit run() override;
    void keep_registers_at_exit(bool keep) override;
    Registers registers() override;
    void set_registers(const Registers& registers) override;
    void set_thread_pointer(uint64_t address) override;
    uint64_t thread_pointer() override;
    VectorRegisters vector_registers() override;
    uint64_t fault_address() override;
    VcpuState save_state() override;
    void restore_state(const VcpuState& state, FpuRestore fpu) override;
    void start_from_state(const BootState& boot, const VcpuState& state) override;
    void set_stop_flag(const std::atomic<bool>* flag) override { stop_flag_ = flag; }
    void set_run_signal_mask(const sigset_t& mask) override;
    void set_single_step(bool) override {}   // the trap flag is in RFLAGS

    int fd() const { return fd_; }
    // The VM's dirty ring for this vCPU, emptied when full so that run()
    // goes on (KVM_EXIT_DIRTY_RING_FULL never leaves run()); null: none.
    void set_dirty_ring(KvmDirtyRing* ring) { dirty_ring_ = ring; }

private:
    int fd_ = -1;
    kvm_run* run_ = nullptr;
    size_t run_size_ = 0;
    bool synced_registers_ = false;   // KVM_CAP_SYNC_REGS copies them into run_ at each exit
    bool synced_valid_ = false;       // and it did at the last exit: run_ holds the registers now
    const std::atomic<bool>* stop_flag_ = nullptr;
    std::optional<sigset_t> run_signal_mask_;   // the last KVM_SET_SIGNAL_MASK, not repeated
    KvmDirtyRing* dirty_ring_ = nullptr;
    VcpuExit enter();
    // KVM_GET_SREGS, or a restore's sregs still to be applied.
    kvm_sregs special_registers();
    // The last exit was an `out` that the next KVM_RUN completes (moving RIP
    // past it); where it is and the RFLAGS it leaves, as KVM reported them.
    struct PendingOut {
        bool registers_known;   // rip and rflags came with the exit (synced registers)
        uint64_t rip, rflags;
    };
    std::optional<PendingOut> pending_out_;
    // KVM_RUN returned since the last completion: KVM may hold the rest of
    // an exit's instruction (an `out`, an MMIO read) for the next entry.
    bool exit_pending_ = false;
    uint64_t xcr0_ = 0;                        // the guest's, as set by the host (xsetbv faults at CPL3)
    void set_xcr0(uint64_t xcr0);
    void set_xstate(const uint8_t* xsave);
    void set_xstate(const std::vector<uint8_t>& xsave);
    // An XSAVE image of size bytes with every component of xcr0 at its boot value.
    static std::vector<uint8_t> clean_xstate(size_t size, uint64_t xcr0);
    void complete_pending_io();
    // CPUID and the MSRs: what a vCPU needs before any state is set; returns
    // the boot registers for the rest.
    cpu::BootRegisters set_up_machine(const BootState& state);
    const PendingOut& pending_out_registers();
    static bool sync_registers_supported();
};

} // namespace hl
