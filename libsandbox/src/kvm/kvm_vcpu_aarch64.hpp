// A KVM vCPU for aarch64, started at EL0 with hl's translation tables and
// vectors (aarch64/boot_state.hpp). arm64 KVM has no bulk register requests:
// every register is one KVM_GET_ONE_REG or KVM_SET_ONE_REG.
#pragma once

#include "backend.hpp"

#include <linux/kvm.h>

#include <cstddef>
#include <cstdint>
#include <optional>

namespace hl {

class KvmVm;
class KvmDirtyRing;

class KvmVcpu final : public Vcpu {
public:
    // KVM_CREATE_VCPU, KVM_ARM_VCPU_INIT with the host's preferred target,
    // and the mmap of its kvm_run area; throws KvmError.
    explicit KvmVcpu(const KvmVm& vm);
    ~KvmVcpu() override;
    KvmVcpu(const KvmVcpu&) = delete;
    KvmVcpu& operator=(const KvmVcpu&) = delete;

    void set_boot_state(const BootState& state) override;
    // Runs until the next exit; the interrupt signal ends it with
    // Reason::Interrupted, with no race (interrupt_signal.hpp). A store KVM
    // cannot decode (KVM_EXIT_ARM_NISV) is an Mmio exit of size 0.
    VcpuExit run() override;
    void keep_registers_at_exit(bool) override {}   // nothing to keep: no KVM_CAP_SYNC_REGS on arm64
    Registers registers() override;
    // x0-x30, SP_EL0, the pc, PSTATE and SP_EL1.
    void set_registers(const Registers& registers) override;
    void set_thread_pointer(uint64_t address) override;   // TPIDR_EL0
    uint64_t thread_pointer() override;
    VectorRegisters vector_registers() override;
    uint64_t fault_address() override;                     // FAR_EL1
    VcpuState save_state() override;
    void restore_state(const VcpuState& state, FpuRestore fpu) override;
    void start_from_state(const BootState& boot, const VcpuState& state) override;
    void set_stop_flag(const std::atomic<bool>* flag) override { stop_flag_ = flag; }
    void set_run_signal_mask(const sigset_t& mask) override;
    // MDSCR_EL1.SS: with PSTATE.SS set, the guest steps one EL0 instruction
    // and takes a software step exception to hl's vectors.
    void set_single_step(bool on) override;

    int fd() const { return fd_; }
    void set_dirty_ring(KvmDirtyRing* ring) { dirty_ring_ = ring; }

    uint64_t get(uint64_t id);
    void set(uint64_t id, uint64_t value);

private:
    int fd_ = -1;
    kvm_run* run_ = nullptr;
    size_t run_size_ = 0;
    const std::atomic<bool>* stop_flag_ = nullptr;
    std::optional<sigset_t> run_signal_mask_;
    KvmDirtyRing* dirty_ring_ = nullptr;
    // The last exit was an MMIO access that the next KVM_RUN completes,
    // moving the pc past it: registers set before then would be moved too.
    bool mmio_pending_ = false;
    VcpuExit enter();
    void complete_pending_mmio();
    void set_system_registers(const BootState& state);
};

} // namespace hl
