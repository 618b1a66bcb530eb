// The small interface the sandbox's run loop needs from a virtual CPU. The KVM
// backend implements it (kvm_vcpu_x86_64); tests can feed made-up exits.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

namespace hl {

struct VcpuExit {
    enum class Reason {
        IoOut,          // `out`: port, size, value
        IoIn,           // `in`: port, size
        Mmio,           // access to an address with no memory behind it: address, size, write, value
        Hlt,
        Shutdown,       // triple fault
        FailEntry,      // the CPU state was refused on entry
        InternalError,  // the hypervisor could not emulate or deliver something
        Interrupted,    // a signal (timeout, cancellation) ended KVM_RUN
        Other,
    };
    Reason reason = Reason::Other;
    uint16_t port = 0;
    uint8_t size = 0;       // bytes per I/O access
    uint32_t value = 0;     // value written by `out` (first access) or an MMIO write
    bool write = false;     // MMIO: a write
    uint32_t count = 0;     // repetitions (rep outs)
    uint64_t address = 0;   // MMIO address
    uint64_t detail = 0;    // KVM's hardware reason or suberror, for messages
    uint32_t raw_reason = 0;
};

struct Registers {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
};

// The vCPU's whole state, opaque outside the backend that saved it.
struct VcpuState {
    std::vector<uint8_t> bytes;
    // The address of the instruction the guest resumes at.
    uint64_t resume_at = 0;
};

// How restore_state puts back the vector and FPU registers (x87, SSE, AVX,
// AVX-512, opmask, PKRU: every XSAVE component).
enum class XstateRestore {
    Load,          // from the saved state
    // Leave them: the state resumes at code the host checked to load the init
    // state into every component before anything reads them
    // (xstate_reset.hpp), on pages the guest cannot write.
    GuestResets,
};

class Vcpu {
public:
    virtual ~Vcpu() = default;
    // Runs the guest until its next exit.
    virtual VcpuExit run() = 0;
    // Asks for the registers at every exit to come cheaply (tracing reads
    // RIP at each exit); registers() then costs no system call.
    virtual void keep_registers_at_exit(bool keep) = 0;
    virtual Registers registers() = 0;
    // CR2: the faulting address of the last page fault.
    virtual uint64_t fault_address() = 0;
    // The state to resume from later; completes a pending I/O exit first so
    // that the saved RIP is past the `out`.
    virtual VcpuState save_state() = 0;
    // Puts back a saved state exactly, whatever the guest did since: every
    // register the guest can read or write.
    virtual void restore_state(const VcpuState& state, XstateRestore xstate) = 0;
    // A flag that, once set, makes run() return Interrupted without entering
    // the guest (closing the race with a cancelling signal); nullptr: none.
    virtual void set_stop_flag(const std::atomic<bool>* flag) = 0;
};

const char* exit_reason_name(VcpuExit::Reason reason);

} // namespace hl
