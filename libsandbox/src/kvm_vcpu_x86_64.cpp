// KVM vCPU for x86-64: the CPL3 boot state and the KVM_RUN exit decoding.
#include "kvm_vcpu_x86_64.hpp"

#include "cpu_tables.hpp"
#include "kvm_system.hpp"
#include "kvm_vm.hpp"

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
namespace {

// The kvm_run of the vCPU this thread is running, for the signal handler.
thread_local kvm_run* t_running __attribute__((tls_model("initial-exec"))) = nullptr;
// The signal landed while this thread ran no vCPU: the next run() does not enter.
thread_local volatile sig_atomic_t t_missed __attribute__((tls_model("initial-exec"))) = 0;

void on_interrupt_signal(int)
{
    // Async-signal-safe: plain stores. If the thread is in KVM_RUN the signal
    // itself ends it; if it is about to enter, immediate_exit does; if it is
    // elsewhere (a blocked write of guest output, a trace sink), t_missed does.
    if (t_running)
        t_running->immediate_exit = 1;
    else
        t_missed = 1;
}

} // namespace

void KvmVcpu::install_interrupt_handler()
{
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction action {};
        action.sa_handler = on_interrupt_signal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = 0; // no SA_RESTART: KVM_RUN must return EINTR
        sigaction(KvmVcpu::interrupt_signal(), &action, nullptr);
    });
}

namespace {

[[noreturn]] void fail(const char* what)
{
    throw KvmError(std::string(what) + " failed: " + std::strerror(errno));
}

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
constexpr uint64_t kCr4 = 1u << 5 /* PAE */ | 1u << 9 /* OSFXSR */ | 1u << 10 /* OSXMMEXCPT */;
constexpr uint64_t kEfer = 1u << 8 /* LME */ | 1u << 10 /* LMA */ | 1u << 11 /* NXE */;
// IOPL 0: `out` reaches only the ports the TSS I/O bitmap opens (the hl
// ports), and cli/sti/popf cannot touch IF. (PVM-based KVM ignores IOPL 3
// anyway: measured, the bitmap is what works on both kinds of host.)
constexpr uint64_t kRflags = 0x2;

} // namespace

int KvmVcpu::interrupt_signal()
{
    return SIGRTMIN + 2;
}

void KvmVcpu::forget_missed_interrupt()
{
    t_missed = 0;
}

KvmVcpu::KvmVcpu(const KvmVm& vm)
{
    install_interrupt_handler();
    fd_ = ioctl(vm.fd(), KVM_CREATE_VCPU, 0);
    if (fd_ < 0)
        fail("KVM_CREATE_VCPU");
    run_size_ = KvmSystem::get().vcpu_mmap_size();
    void* p = mmap(nullptr, run_size_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
    if (p == MAP_FAILED) {
        close(fd_);
        fail("mmap of the vCPU run area");
    }
    run_ = static_cast<kvm_run*>(p);
}

KvmVcpu::~KvmVcpu()
{
    munmap(run_, run_size_);
    close(fd_);
}

void KvmVcpu::set_boot_state(const BootState& state)
{
    if (ioctl(fd_, kKvmSetCpuid2, KvmSystem::get().supported_cpuid()) < 0)
        fail("KVM_SET_CPUID2");

    kvm_sregs sregs{};
    if (ioctl(fd_, KVM_GET_SREGS, &sregs) < 0)
        fail("KVM_GET_SREGS");
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
    sregs.cr3 = state.cr3;
    sregs.cr4 = kCr4;
    sregs.efer = kEfer;
    if (ioctl(fd_, KVM_SET_SREGS, &sregs) < 0)
        fail("KVM_SET_SREGS");

    kvm_regs regs{};
    regs.rip = state.entry;
    regs.rsp = state.stack_top;
    regs.rdi = state.argument;
    regs.rflags = kRflags;
    if (ioctl(fd_, KVM_SET_REGS, &regs) < 0)
        fail("KVM_SET_REGS");

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
        fail("KVM_SET_MSRS");

    kvm_fpu fpu{};
    fpu.fcw = 0x37f;      // x87 default control word
    fpu.mxcsr = 0x1f80;   // SSE: all exceptions masked, round to nearest
    if (ioctl(fd_, KVM_SET_FPU, &fpu) < 0)
        fail("KVM_SET_FPU");
}

VcpuExit KvmVcpu::run()
{
    t_running = run_;
    // After publishing t_running: a stop requested from now on either is seen
    // here or its signal finds t_running and sets immediate_exit.
    std::atomic_signal_fence(std::memory_order_seq_cst);
    if (t_missed || (stop_flag_ && stop_flag_->load())) {
        t_missed = 0;
        t_running = nullptr;
        VcpuExit stopped;
        stopped.reason = VcpuExit::Reason::Interrupted;
        return stopped;
    }
    pending_out_.reset(); // KVM_RUN completes it before anything else
    const int rc = ioctl(fd_, KVM_RUN, 0);
    const int error = errno;
    // A signal after this point finds no run to stop; deadlines re-fire.
    t_running = nullptr;
    VcpuExit exit;
    if (rc < 0) {
        run_->immediate_exit = 0;
        if (error == EINTR || error == EAGAIN) {
            exit.reason = VcpuExit::Reason::Interrupted;
            return exit;
        }
        errno = error;
        fail("KVM_RUN");
    }
    exit.raw_reason = run_->exit_reason;
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
    case KVM_EXIT_MMIO:
        exit.reason = VcpuExit::Reason::Mmio;
        exit.address = run_->mmio.phys_addr;
        exit.size = static_cast<uint8_t>(run_->mmio.len);
        exit.write = run_->mmio.is_write;
        if (exit.write)
            std::memcpy(&exit.value, run_->mmio.data, std::min<size_t>(exit.size, sizeof exit.value));
        break;
    case KVM_EXIT_HLT:
        exit.reason = VcpuExit::Reason::Hlt;
        break;
    case KVM_EXIT_SHUTDOWN:
        exit.reason = VcpuExit::Reason::Shutdown;
        break;
    case KVM_EXIT_FAIL_ENTRY:
        exit.reason = VcpuExit::Reason::FailEntry;
        exit.detail = run_->fail_entry.hardware_entry_failure_reason;
        break;
    case KVM_EXIT_INTERNAL_ERROR:
        exit.reason = VcpuExit::Reason::InternalError;
        exit.detail = run_->internal.suberror;
        break;
    case KVM_EXIT_INTR:
        exit.reason = VcpuExit::Reason::Interrupted;
        break;
    default:
        exit.reason = VcpuExit::Reason::Other;
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

void KvmVcpu::keep_registers_at_exit(bool keep)
{
    synced_registers_ = keep && sync_registers_supported();
    run_->kvm_valid_regs = synced_registers_ ? KVM_SYNC_X86_REGS : 0;
}

Registers KvmVcpu::registers()
{
    kvm_regs r{};
    if (run_->kvm_dirty_regs & KVM_SYNC_X86_REGS)
        r = run_->s.regs.regs; // set by restore_state, not yet applied
    else if (synced_registers_)
        r = run_->s.regs.regs;
    else if (ioctl(fd_, KVM_GET_REGS, &r) < 0)
        fail("KVM_GET_REGS");
    return Registers{r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rsp, r.rbp, r.r8, r.r9, r.r10,
                     r.r11, r.r12, r.r13, r.r14, r.r15, r.rip, r.rflags};
}

namespace {

// The saved state: regs, sregs and fpu, back to back, and where it was saved.
struct SavedState {
    kvm_regs regs;
    kvm_sregs sregs;
    kvm_fpu fpu;
    uint64_t stopped_at_out;  // 1: saved with an `out` pending, now complete; regs.rip is past it
    uint64_t out_rip;         // that `out`
};

} // namespace

void KvmVcpu::complete_pending_io()
{
    // KVM finishes an `out` (moves RIP past it) on the next KVM_RUN; with
    // immediate_exit it does so and returns at once without entering the guest.
    run_->immediate_exit = 1;
    const int rc = ioctl(fd_, KVM_RUN, 0);
    const int error = errno;
    run_->immediate_exit = 0;
    pending_out_.reset();
    if (rc < 0 && error != EINTR) {
        errno = error;
        fail("KVM_RUN (completing I/O)");
    }
}

const KvmVcpu::PendingOut& KvmVcpu::pending_out_registers()
{
    if (!pending_out_->registers_known) {
        // Before the completion, KVM still shows RIP at the `out`.
        kvm_regs regs{};
        if (ioctl(fd_, KVM_GET_REGS, &regs) < 0)
            fail("KVM_GET_REGS");
        *pending_out_ = PendingOut{true, regs.rip, regs.rflags};
    }
    return *pending_out_;
}

VcpuState KvmVcpu::save_state()
{
    SavedState s{};
    if (pending_out_) {
        s.stopped_at_out = 1;
        s.out_rip = pending_out_registers().rip;
    }
    complete_pending_io(); // also applies any registers restore_state left for the next entry
    if (ioctl(fd_, KVM_GET_REGS, &s.regs) < 0)
        fail("KVM_GET_REGS");
    if (ioctl(fd_, KVM_GET_SREGS, &s.sregs) < 0)
        fail("KVM_GET_SREGS");
    if (ioctl(fd_, KVM_GET_FPU, &s.fpu) < 0)
        fail("KVM_GET_FPU");
    VcpuState state;
    state.bytes.resize(sizeof s);
    std::memcpy(state.bytes.data(), &s, sizeof s);
    return state;
}

void KvmVcpu::note_fpu_reload_after_this_out()
{
    if (pending_out_)
        fpu_reload_out_ = pending_out_registers().rip;
}

void KvmVcpu::restore_state(const VcpuState& state)
{
    if (state.bytes.size() != sizeof(SavedState))
        throw KvmError("vCPU state of the wrong size: not saved by this backend");
    SavedState s;
    std::memcpy(&s, state.bytes.data(), sizeof s);
    // Each ioctl is a trip through the (nested) hypervisor, so two are saved
    // where that changes nothing in the state the guest resumes with.
    //
    // The `out` the guest is stopped at completes on the next entry: RIP moves
    // past it and RFLAGS stay as they were at it, whatever registers are set
    // now. When it is the very `out` this state was saved at, with the same
    // RFLAGS, that lands on the saved RIP and RFLAGS (the text is read-only, so
    // it is the same instruction): the next entry may complete it.
    bool same_out = false;
    if (pending_out_ && s.stopped_at_out && sync_registers_supported()) {
        const PendingOut& at = pending_out_registers();
        same_out = at.rip == s.out_rip && at.rflags == s.regs.rflags;
    }
    if (!same_out)
        complete_pending_io(); // finish what the last exit left pending, then overwrite
    // The guest resumes right after an `out` it promised to follow by loading
    // a clean FPU state (HL_READY_RELOADS_FPU): the saved FPU would be replaced
    // before anything could read it.
    const bool guest_reloads_fpu = s.stopped_at_out && fpu_reload_out_ == s.out_rip;
    if (!guest_reloads_fpu && ioctl(fd_, KVM_SET_FPU, &s.fpu) < 0)
        fail("KVM_SET_FPU");
    if (sync_registers_supported()) {
        // Regs and sregs go to the next KVM_RUN, which applies them on entry.
        run_->s.regs.regs = s.regs;
        run_->s.regs.sregs = s.sregs;
        run_->kvm_dirty_regs |= KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
        return;
    }
    if (ioctl(fd_, KVM_SET_SREGS, &s.sregs) < 0)
        fail("KVM_SET_SREGS");
    if (ioctl(fd_, KVM_SET_REGS, &s.regs) < 0)
        fail("KVM_SET_REGS");
}

uint64_t KvmVcpu::fault_address()
{
    if (run_->kvm_dirty_regs & KVM_SYNC_X86_SREGS)
        return run_->s.regs.sregs.cr2;
    kvm_sregs sregs{};
    if (ioctl(fd_, KVM_GET_SREGS, &sregs) < 0)
        fail("KVM_GET_SREGS");
    return sregs.cr2;
}

} // namespace hl
