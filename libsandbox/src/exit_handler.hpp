// The run loop's decision for one VM exit: serve a hypercall and go on, or
// end the run (exit, abort, fault, ABI violation, timeout, host error) and
// say why in the RunResult.
#pragma once

#include "run_timer.hpp"
#include "backend.hpp"
#include "linux/linux_process.hpp"

#include <hl/guest_memory.hpp>
#include <hl/image.hpp>
#include <hl/sandbox.hpp>
#include <hl/trace.hpp>

#include <atomic>
#include <optional>

namespace hl {

// What the guest is doing: running its program (run/initialize) or a call.
enum class Phase { Program, Call };

// What one exit handler needs of the machine, borrowed for one run.
struct ExitContext {
    Phase phase;
    Vcpu& vcpu;
    GuestMemory& memory;
    const Image& image;
    const Layout& layout;
    const OutputFn& output;
    const InputFn& input;
    const std::vector<HostFunction>& host_functions;
    const RunTimer& timer;
    std::chrono::nanoseconds timeout;
    const std::atomic<bool>& cancel;   // an InterruptHandle asked to stop
    // The Linux personality's process: system calls are served; null: they are faults.
    LinuxProcess* process = nullptr;
    bool strict_syscalls = false;
};

struct ExitOutcome {
    bool done = false;                         // the run is over; result says how
    std::optional<HypercallRecord> hypercall;  // set for hypercalls and served system calls
};

// Handles exit; when it ends the run, fills result's ending, status, message and fault.
ExitOutcome handle_exit(const VcpuExit& exit, ExitContext& context, RunResult& result);

// The trace event for exit, handled as outcome says, the result.exits-th of
// its run; the run loop builds one only when a sink is attached (run_loop.cpp).
ExitEvent make_exit_event(const VcpuExit& exit, const ExitOutcome& outcome, const RunResult& result, Vcpu& vcpu,
                          const Image& image);

} // namespace hl
