// The hypervisor seam: what the sandbox needs of a VM and its vCPU. The KVM
// backend (kvm/) implements it; tests drive the sandbox with a scripted fake
// (tests/unit/fake_backend.hpp). Nothing here knows KVM or <linux/kvm.h>.
#pragma once

#include "registers.hpp"

#include <hl/guest_addr.hpp>

#include <array>
#include <atomic>
#include <csignal>
#include <cstdint>
#include <memory>
#include <vector>

namespace hl {

// One return from running the guest.
struct VcpuExit {
    enum class Reason {
        IoOut,          // `out`: port, size, value
        IoIn,           // `in`: port, size
        Mmio,           // access to an address with no memory behind it: address, size, write, value
        Hlt,
        Shutdown,       // triple fault
        FailEntry,      // the CPU state was refused on entry
        InternalError,  // the hypervisor could not emulate or deliver something
        Interrupted,    // a signal (timeout, cancellation) ended the run
        Other,
    };
    Reason reason = Reason::Other;
    uint16_t port = 0;
    uint8_t size = 0;       // bytes per I/O access
    uint32_t value = 0;     // value written by `out` (first access) or an MMIO write
    bool write = false;     // MMIO: a write
    uint32_t count = 0;     // repetitions (rep outs)
    uint64_t address = 0;   // MMIO address
    uint64_t detail = 0;    // the hypervisor's hardware reason or suberror, for messages
    uint32_t raw_reason = 0;
};

const char* exit_reason_name(VcpuExit::Reason reason);

// Where the guest starts; addresses are guest addresses. The rest of the
// boot state (modes, descriptor tables, features) is the architecture's,
// which the backend applies (kvm/kvm_vcpu_boot_x86_64.cpp).
struct BootState {
    uint64_t page_tables = 0;  // the root translation table
    uint64_t entry = 0;        // first instruction
    uint64_t stack_top = 0;    // initial stack pointer
    uint64_t argument = 0;     // first argument register (the boot info)
};

// The vCPU's whole state, opaque outside the backend that saved it.
struct VcpuState {
    std::vector<uint8_t> bytes;
    // The instruction the guest resumes at.
    GuestAddr resume_at{};
};

// How restore_state puts back the floating-point and vector registers (on
// x86-64 every XSAVE component: x87, SSE, AVX, AVX-512, opmask, PKRU).
enum class FpuRestore {
    Load,          // from the saved state
    // Leave them: the state resumes at code the host checked to load their
    // init state before anything reads them (arch::resets_fpu_at), on pages
    // the guest cannot write.
    GuestResets,
};

class Vcpu {
public:
    virtual ~Vcpu() = default;
    // Sets the state the guest boots in; throws KvmError.
    virtual void set_boot_state(const BootState& state) = 0;
    // Runs the guest until its next exit. The interrupt signal
    // (interrupt_signal.hpp) ends a run, or the next one, with Interrupted.
    virtual VcpuExit run() = 0;
    // Asks for the registers at every exit to come cheaply (tracing reads
    // the PC at each exit); registers() then costs no system call.
    virtual void keep_registers_at_exit(bool keep) = 0;
    virtual Registers registers() = 0;
    // Sets the general registers the guest resumes with (a served system
    // call's result and return address); throws KvmError.
    virtual void set_registers(const Registers& registers) = 0;
    // Sets the thread pointer the guest's TLS is addressed from (x86-64: the
    // FS base); throws KvmError.
    virtual void set_thread_pointer(uint64_t address) = 0;
    // The thread pointer now (for a core file); throws KvmError.
    virtual uint64_t thread_pointer() = 0;
    // The x87, SSE and AVX registers now (registers.hpp), for a debugger
    // and a core file; throws KvmError.
    virtual VectorRegisters vector_registers() = 0;
    // The faulting address of the last page fault (x86-64: CR2).
    virtual uint64_t fault_address() = 0;
    // The state to resume from later; completes a pending I/O exit first so
    // that the saved PC is past it.
    virtual VcpuState save_state() = 0;
    // Puts back a saved state exactly, whatever the guest did since: every
    // register the guest can read or write.
    virtual void restore_state(const VcpuState& state, FpuRestore fpu) = 0;
    // Instead of set_boot_state on a new vCPU, for a guest that resumes a
    // state saved elsewhere (a sandbox from a snapshot): what boot sets up
    // that a saved state does not hold (x86-64: CPUID, the system-call MSRs),
    // then the state, as restore_state with FpuRestore::Load.
    virtual void start_from_state(const BootState& boot, const VcpuState& state) = 0;
    // A flag that, once set, makes run() return Interrupted without entering
    // the guest (closing the race with a cancelling signal); nullptr: none.
    virtual void set_stop_flag(const std::atomic<bool>* flag) = 0;
    // The signal mask while the guest runs, in place of the thread's (the
    // profiler's signal, blocked outside it, ends a run); throws KvmError.
    virtual void set_run_signal_mask(const sigset_t& mask) = 0;
    // A debugger's single step, where the architecture keeps it outside the
    // registers (aarch64: MDSCR_EL1.SS, with PSTATE.SS in the registers);
    // x86-64's trap flag is in RFLAGS, which set_registers sets. Leaves a
    // pending exit pending; throws KvmError.
    virtual void set_single_step(bool on) = 0;
};

class Vm {
public:
    virtual ~Vm() = default;
    // Backs guest physical [0, size) with host memory at host_address.
    virtual void map_memory(void* host_address, uint64_t size) = 0;
    // Turns on the log of the pages the guest writes (for restores).
    virtual void enable_dirty_log() = 0;
    // ORs into `pages` (one bit per page) the pages the guest wrote since the
    // last call, and clears the log.
    virtual void collect_dirty_pages(std::vector<uint64_t>& pages) = 0;
    // The VM's one vCPU; throws KvmError.
    virtual std::unique_ptr<Vcpu> create_vcpu() = 0;
};

} // namespace hl
