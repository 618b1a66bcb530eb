// hl::KernelTrace: what KVM in the kernel saw of this thread's vCPU, read
// from its tracepoints with perf_event_open, to merge into a Sandbox's
// trace (SandboxOptions::kernel_trace). Many exits never reach user space;
// these events show them. Which tracepoints fire depends on the host: on
// VMX/SVM, kvm_exit gives every exit; on PVM-based KVM kvm_exit stays silent
// while kvm_pio, kvm_emulate_insn, kvm_fpu and kvm_userspace_exit fire.
#pragma once

#include <hl/version.hpp>

#include <hl/trace.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace hl {

class KernelTrace {
public:
    // Opens the KVM tracepoints this host has, for the calling thread (the
    // one that will call Sandbox::run), disabled until start(). Throws
    // hl::Error with one line saying why when the host does not allow it.
    static std::unique_ptr<KernelTrace> open_for_this_thread();
    virtual ~KernelTrace() = default;

    virtual void start() = 0;
    virtual void stop() = 0;
    // Hands every kernel event recorded so far to sink, in time order, as
    // ExitEvents with origin "kernel", times relative to run_start_ns
    // (CLOCK_MONOTONIC) and sequence set to `sequence` (the user-space exit
    // they preceded).
    virtual void drain(TraceSink& sink, uint64_t run_start_ns, uint64_t sequence) = 0;

    // Tracepoints opened, each with how many times it fired.
    virtual std::vector<std::pair<std::string, uint64_t>> counts() const = 0;
    // Returns to user space counted by the kernel (kvm_userspace_exit), or
    // -1 when the host lacks that tracepoint.
    virtual int64_t userspace_exits() const = 0;
    // Records the kernel dropped because the buffer was full.
    virtual uint64_t lost() const = 0;
};

} // namespace hl
