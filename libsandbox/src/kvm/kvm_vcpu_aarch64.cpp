// KVM vCPU for aarch64: creation, KVM_RUN and its exits, registers, saved
// states (see kvm_vcpu_aarch64.hpp).
#include "kvm/kvm_vcpu_aarch64.hpp"

#include "aarch64/boot_state.hpp"
#include "aarch64/exception_vectors.hpp"
#include "interrupt_signal.hpp"
#include "kvm/kvm_dirty_ring.hpp"
#include "kvm/kvm_exit.hpp"
#include "kvm/kvm_saved_state_aarch64.hpp"
#include "kvm/kvm_system.hpp"
#include "kvm/kvm_vm.hpp"

#include <hl/error.hpp>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace hl {
namespace {

uint64_t core_register(size_t offset, uint64_t size)
{
    return KVM_REG_ARM64 | size | KVM_REG_ARM_CORE | (offset / sizeof(uint32_t));
}
#define CORE64(field) core_register(offsetof(struct kvm_regs, field), KVM_REG_SIZE_U64)

constexpr uint64_t kSctlr = ARM64_SYS_REG(3, 0, 1, 0, 0), kCpacr = ARM64_SYS_REG(3, 0, 1, 0, 2);
constexpr uint64_t kTtbr0 = ARM64_SYS_REG(3, 0, 2, 0, 0), kTcr = ARM64_SYS_REG(3, 0, 2, 0, 2);
constexpr uint64_t kEsr = ARM64_SYS_REG(3, 0, 5, 2, 0), kFar = ARM64_SYS_REG(3, 0, 6, 0, 0);
constexpr uint64_t kMair = ARM64_SYS_REG(3, 0, 10, 2, 0), kVbar = ARM64_SYS_REG(3, 0, 12, 0, 0);
constexpr uint64_t kTpidrEl0 = ARM64_SYS_REG(3, 3, 13, 0, 2);
constexpr uint64_t kMdscr = ARM64_SYS_REG(2, 0, 0, 2, 2), kMdscrSoftwareStep = 1;

uint64_t x_register(size_t n) { return CORE64(regs.regs[0]) + n * (sizeof(uint64_t) / sizeof(uint32_t)); }
uint64_t v_register(size_t n)
{
    return core_register(offsetof(struct kvm_regs, fp_regs.vregs[0]) + n * 16, KVM_REG_SIZE_U128);
}
const uint64_t kFpsr = core_register(offsetof(struct kvm_regs, fp_regs.fpsr), KVM_REG_SIZE_U32);
const uint64_t kFpcr = core_register(offsetof(struct kvm_regs, fp_regs.fpcr), KVM_REG_SIZE_U32);

} // namespace

KvmVcpu::KvmVcpu(const KvmVm& vm)
{
    interrupt::install_handler();
    // A store to the hypercall page that KVM cannot decode (a pair, a
    // writeback) comes out as an exit, not as a KVM_RUN failure.
    kvm_enable_cap nisv{};
    nisv.cap = KVM_CAP_ARM_NISV_TO_USER;
    if (ioctl(vm.fd(), KVM_CHECK_EXTENSION, KVM_CAP_ARM_NISV_TO_USER) > 0 && ioctl(vm.fd(), KVM_ENABLE_CAP, &nisv) < 0)
        throw_kvm_failure("KVM_ENABLE_CAP(KVM_CAP_ARM_NISV_TO_USER)");
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
    kvm_vcpu_init init{};
    if (ioctl(vm.fd(), KVM_ARM_PREFERRED_TARGET, &init) < 0 || ioctl(fd_, KVM_ARM_VCPU_INIT, &init) < 0) {
        const int error = errno;
        munmap(run_, run_size_);
        close(fd_);
        errno = error;
        throw_kvm_failure("KVM_ARM_VCPU_INIT");
    }
}

KvmVcpu::~KvmVcpu()
{
    munmap(run_, run_size_);
    close(fd_);
}

uint64_t KvmVcpu::get(uint64_t id)
{
    uint64_t value = 0;
    kvm_one_reg reg{.id = id, .addr = reinterpret_cast<uint64_t>(&value)};
    if (ioctl(fd_, KVM_GET_ONE_REG, &reg) < 0)
        throw_kvm_failure("KVM_GET_ONE_REG");
    return value;
}

void KvmVcpu::set(uint64_t id, uint64_t value)
{
    kvm_one_reg reg{.id = id, .addr = reinterpret_cast<uint64_t>(&value)};
    if (ioctl(fd_, KVM_SET_ONE_REG, &reg) < 0)
        throw_kvm_failure("KVM_SET_ONE_REG");
}

void KvmVcpu::set_system_registers(const BootState& state)
{
    const aarch64::BootRegisters b = aarch64::boot_registers(state);
    set(CORE64(sp_el1), b.sp_el1);
    set(kVbar, b.vbar_el1);
    set(kTtbr0, b.ttbr0_el1);
    set(kTcr, b.tcr_el1);
    set(kMair, b.mair_el1);
    set(kCpacr, b.cpacr_el1);
    set(kSctlr, b.sctlr_el1);   // last: the MMU goes on with everything it needs in place
}

void KvmVcpu::set_boot_state(const BootState& state)
{
    const aarch64::BootRegisters b = aarch64::boot_registers(state);
    set_system_registers(state);
    set(CORE64(regs.pc), b.pc);
    set(CORE64(regs.sp), b.sp_el0);
    set(x_register(0), b.x0);
    set(CORE64(regs.pstate), b.pstate);
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
    const int rc = ioctl(fd_, KVM_RUN, 0);
    const int error = errno;
    interrupt::leave_run(rc < 0);
    mmio_pending_ = false;   // this KVM_RUN completed any before it, whatever it returns
    if (rc < 0)
        return failed_run(error);
    VcpuExit exit = common_exit(*run_);
    switch (run_->exit_reason) {
    case KVM_EXIT_MMIO:
        mmio_pending_ = true;
        break;
    case KVM_EXIT_ARM_NISV:
        exit.reason = VcpuExit::Reason::Mmio;
        exit.address = run_->arm_nisv.fault_ipa;
        exit.size = 0;   // KVM could not decode the access
        exit.write = run_->arm_nisv.esr_iss & (1u << 6);   // ISS.WnR
        exit.detail = run_->arm_nisv.esr_iss;
        break;
    case KVM_EXIT_SYSTEM_EVENT:   // PSCI: EL0 cannot make the calls, but say what came
        exit.reason = VcpuExit::Reason::Shutdown;
        break;
    }
    return exit;
}

void KvmVcpu::complete_pending_mmio()
{
    if (!mmio_pending_)
        return;
    mmio_pending_ = false;
    complete_kvm_exit(fd_, run_, "KVM_RUN (completing an MMIO access)");
}

void KvmVcpu::set_run_signal_mask(const sigset_t& mask)
{
    // The kernel's sigset is the first 8 bytes of glibc's sigset_t: those say whether it changed.
    if (run_signal_mask_ && std::memcmp(&*run_signal_mask_, &mask, 8) == 0)
        return;
    set_kvm_signal_mask(fd_, mask);
    run_signal_mask_ = mask;
}

Registers KvmVcpu::registers()
{
    Registers r;
    for (size_t i = 0; i < r.x.size(); ++i)
        r.x[i] = get(x_register(i));
    r.sp = get(CORE64(regs.sp));
    r.pc = get(CORE64(regs.pc));
    r.pstate = get(CORE64(regs.pstate));
    r.sp_el1 = get(CORE64(sp_el1));
    r.elr_el1 = get(CORE64(elr_el1));
    r.spsr_el1 = get(CORE64(spsr[0]));
    r.esr_el1 = get(kEsr);
    r.far_el1 = get(kFar);
    return r;
}

void KvmVcpu::set_registers(const Registers& r)
{
    complete_pending_mmio();   // or the next entry would move the pc set here
    for (size_t i = 0; i < r.x.size(); ++i)
        set(x_register(i), r.x[i]);
    set(CORE64(regs.sp), r.sp);
    set(CORE64(regs.pc), r.pc);
    set(CORE64(regs.pstate), r.pstate);
    set(CORE64(sp_el1), r.sp_el1);
}

void KvmVcpu::set_single_step(bool on)
{
    // A system register: setting it leaves a pending MMIO access (and the pc it moves) alone.
    const uint64_t mdscr = get(kMdscr);
    const uint64_t wanted = on ? mdscr | kMdscrSoftwareStep : mdscr & ~kMdscrSoftwareStep;
    if (wanted != mdscr)
        set(kMdscr, wanted);
}

void KvmVcpu::set_thread_pointer(uint64_t address) { set(kTpidrEl0, address); }
uint64_t KvmVcpu::thread_pointer() { return get(kTpidrEl0); }
uint64_t KvmVcpu::fault_address() { return get(kFar); }

VectorRegisters KvmVcpu::vector_registers()
{
    VectorRegisters v;
    for (size_t i = 0; i < v.v.size(); ++i) {
        kvm_one_reg reg{.id = v_register(i), .addr = reinterpret_cast<uint64_t>(v.v[i].data())};
        if (ioctl(fd_, KVM_GET_ONE_REG, &reg) < 0)
            throw_kvm_failure("KVM_GET_ONE_REG");
    }
    uint32_t fpsr = 0, fpcr = 0;
    kvm_one_reg status{.id = kFpsr, .addr = reinterpret_cast<uint64_t>(&fpsr)};
    kvm_one_reg control{.id = kFpcr, .addr = reinterpret_cast<uint64_t>(&fpcr)};
    if (ioctl(fd_, KVM_GET_ONE_REG, &status) < 0 || ioctl(fd_, KVM_GET_ONE_REG, &control) < 0)
        throw_kvm_failure("KVM_GET_ONE_REG");
    v.fpsr = fpsr;
    v.fpcr = fpcr;
    return v;
}

VcpuState KvmVcpu::save_state()
{
    complete_pending_mmio();   // the saved pc is past the hypercall the guest waits at
    SavedAarch64State s{};
    s.version = SavedAarch64State::kVersion;
    const Registers r = registers();
    std::copy(r.x.begin(), r.x.end(), s.x);
    s.sp = r.sp;
    s.pc = r.pc;
    s.pstate = r.pstate;
    s.tpidr_el0 = thread_pointer();
    const VectorRegisters v = vector_registers();
    for (size_t i = 0; i < v.v.size(); ++i)
        std::memcpy(s.v[i], v.v[i].data(), 16);
    s.fpsr = v.fpsr;
    s.fpcr = v.fpcr;
    VcpuState state;
    state.resume_at = guest_addr(s.pc);
    state.bytes.resize(sizeof s);
    std::memcpy(state.bytes.data(), &s, sizeof s);
    return state;
}

void KvmVcpu::restore_state(const VcpuState& state, FpuRestore)
{
    SavedAarch64State s;
    if (state.bytes.size() != sizeof s)
        throw KvmError("a saved vCPU state of " + std::to_string(state.bytes.size()) + " bytes, expected " +
                       std::to_string(sizeof s) + " (another architecture's?)");
    std::memcpy(&s, state.bytes.data(), sizeof s);
    complete_pending_mmio();
    for (size_t i = 0; i < 31; ++i)
        set(x_register(i), s.x[i]);
    set(CORE64(regs.sp), s.sp);
    set(CORE64(regs.pc), s.pc);
    set(CORE64(regs.pstate), s.pstate);
    set(CORE64(sp_el1), aarch64::kEl1StackTop);
    set(kTpidrEl0, s.tpidr_el0);
    for (size_t i = 0; i < 32; ++i) {
        kvm_one_reg reg{.id = v_register(i), .addr = reinterpret_cast<uint64_t>(s.v[i])};
        if (ioctl(fd_, KVM_SET_ONE_REG, &reg) < 0)
            throw_kvm_failure("KVM_SET_ONE_REG");
    }
    kvm_one_reg status{.id = kFpsr, .addr = reinterpret_cast<uint64_t>(&s.fpsr)};
    kvm_one_reg control{.id = kFpcr, .addr = reinterpret_cast<uint64_t>(&s.fpcr)};
    if (ioctl(fd_, KVM_SET_ONE_REG, &status) < 0 || ioctl(fd_, KVM_SET_ONE_REG, &control) < 0)
        throw_kvm_failure("KVM_SET_ONE_REG");
}

void KvmVcpu::start_from_state(const BootState& boot, const VcpuState& state)
{
    set_system_registers(boot);
    restore_state(state, FpuRestore::Load);
}

} // namespace hl
