// The run loop: the vCPU, the exit handler, the trace events, cancellation,
// the profiler's samples.
#include "sandbox_machine.hpp"

#include "arch.hpp"
#include "gdb/gdb_stub.hpp"
#include "interrupt_signal.hpp"
#include "profile/profile_signal.hpp"
#include "profile/profile_timer.hpp"
#include "profile/sampler.hpp"
#include "run_timer.hpp"

#include <hl/abi.h>
#include <hl/profile.hpp>

#include <csignal>
#include <optional>
#include <signal.h>
#include <utility>
#include <sys/syscall.h>
#include <unistd.h>

namespace hl {

const char* exit_reason_name(VcpuExit::Reason reason)
{
    using R = VcpuExit::Reason;
    switch (reason) {
    case R::IoOut: return "io-out";
    case R::IoIn: return "io-in";
    case R::Mmio: return "mmio";
    case R::Hlt: return "hlt";
    case R::Shutdown: return "shutdown";
    case R::FailEntry: return "fail-entry";
    case R::InternalError: return "internal-error";
    case R::Interrupted: return "interrupted";
    case R::Other: return "other";
    }
    return "?";
}

void InterruptHandle::cancel() const
{
    if (!state_)
        return;
    state_->cancel.store(true);
    // The thread sees the flag before it enters the guest, or the signal takes it out.
    if (const pid_t thread = state_->thread.load())
        syscall(SYS_tgkill, getpid(), thread, interrupt::signal_number());
}

namespace {

// The stretch (run, initialisation or call) this thread is executing, for run_interrupted().
thread_local const ExitContext* t_stretch = nullptr;

// Publishes a stretch for its lifetime; a host function may run a stretch of another sandbox inside.
class CurrentStretch {
public:
    explicit CurrentStretch(const ExitContext& context) : outer_(std::exchange(t_stretch, &context)) {}
    ~CurrentStretch() { t_stretch = outer_; }
    CurrentStretch(const CurrentStretch&) = delete;
    CurrentStretch& operator=(const CurrentStretch&) = delete;

private:
    const ExitContext* outer_;
};

} // namespace

ExitEvent make_exit_event(const VcpuExit& exit, const ExitOutcome& outcome, const RunResult& result, Vcpu& vcpu,
                     const Image& image)
{
    ExitEvent event;
    event.sequence = result.exits;
    event.reason = exit_reason_name(exit.reason);
    try {
        event.rip = vcpu.registers().program_counter();
        event.symbol = arch::system_symbol(event.rip).value_or(image.symbolize(event.rip).value_or(""));
    } catch (const KvmError&) {
        // The run already ends with this error; the event just lacks a RIP.
    }
    event.io = exit.reason == VcpuExit::Reason::IoOut || exit.reason == VcpuExit::Reason::IoIn;
    event.port = exit.port;
    event.size = exit.size;
    event.value = exit.value;
    event.hypercall = outcome.hypercall;
    if (outcome.done) {
        event.final = true;
        event.ending = ending_name(result.ending);
        event.exit_status = result.exit_status;
        event.message = result.ending == RunResult::Ending::Exited
                            ? "guest exited with status " + std::to_string(result.exit_status)
                            : result.message;
        event.fault = result.fault ? &*result.fault : nullptr;
    }
    return event;
}


bool run_interrupted()
{
    return t_stretch && (t_stretch->timer.expired() || t_stretch->cancel.load());
}

RunResult execute(Sandbox::Machine& m, Phase phase)
{
    RunResult result;
    TraceSink* const sink = m.options.trace;
    // A cancel or a deadline meant for an earlier stretch must not stop this one.
    m.interrupt->cancel.store(false);
    interrupt::forget_missed();
    // Also for a debugger that went away: begin() takes what it left out of the guest.
    std::optional<GdbStub> debugger;
    if (m.options.gdb && (m.options.gdb->state().began || m.options.gdb->connection_fd() >= 0))
        debugger.emplace(m.options.gdb->state(), *m.vcpu, m.memory, m.layout, m.image);
    // No deadline while a person at the debugger sets the pace (a stretch
    // that gdb leaves, by detaching, runs its rest without one too).
    const RunTimer timer(debugger && debugger->attached() ? std::chrono::nanoseconds{0} : m.options.timeout,
                         interrupt::signal_number());
    Profile* const profile = m.options.profile;
    std::optional<ProfileSignal> profile_signal;   // before its timer, after it when they go
    std::optional<ProfileTimer> profile_timer;
    if (profile) {
        profile_signal.emplace(*m.vcpu);
        profile_timer.emplace(m.options.profile_hz, profile_signal_number());
        profile_signal->own(profile_timer->tag());
    }
    m.interrupt->thread.store(static_cast<pid_t>(syscall(SYS_gettid)));
    ExitContext context{phase, *m.vcpu, m.memory, m.image, m.layout, m.options.output, m.options.input,
                        m.host_functions, timer, m.options.timeout, m.interrupt->cancel,
                        m.process ? &*m.process : nullptr, m.options.strict_syscalls};
    const CurrentStretch current(context);
    KernelTrace* const kernel = sink ? m.options.kernel_trace : nullptr;
    const Clock::time_point start = Clock::now();
    // steady_clock is CLOCK_MONOTONIC, the clock kernel events are stamped with.
    const uint64_t start_ns = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(start.time_since_epoch()).count());
    // Each trace event reads RIP; a fresh call's restore reads where the guest
    // stopped; each system call reads and writes the registers.
    // A profile's samples read RIP and RBP.
    m.vcpu->keep_registers_at_exit(sink != nullptr || m.fresh_per_call || m.process || profile || debugger);
    if (kernel)
        kernel->start();
    auto since_start = [start] {
        return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
    };

    bool done = false;
    // gdb killed the guest: the stretch ends so.
    auto killed = [&result](GdbStub::Outcome outcome) {
        if (outcome != GdbStub::Outcome::Killed)
            return false;
        result.ending = RunResult::Ending::Cancelled;
        result.message = "guest killed by the debugger";
        return true;
    };
    if (debugger)
        done = killed(debugger->begin());   // the first stop, before the first instruction

    while (!done) {
        // Clocks are read only for a sink: with none, the loop is KVM_RUN and the handler.
        const uint64_t entry_ns = sink ? since_start() : 0;
        VcpuExit exit;
        ExitOutcome outcome;
        try {
            exit = m.vcpu->run();
            // The profiler's interrupt is not the guest's exit: sampled, not counted or traced.
            if (profile_signal && exit.reason == VcpuExit::Reason::Interrupted) {
                if (const uint64_t ticks = profile_signal->take_ticks()) {
                    take_sample(*m.vcpu, m.memory, m.image, *profile, ticks);
                    if (!timer.expired() && !m.interrupt->cancel.load())
                        continue;
                }
            }
            if (debugger) {
                // A Ctrl-C in gdb, and the breakpoints and steps the guest's stubs report, are gdb's.
                const auto outcome = debugger->before_exit(exit, !timer.expired() && !m.interrupt->cancel.load());
                if (outcome != GdbStub::Outcome::NotMine) {
                    done = killed(outcome);
                    continue;
                }
            }
            ++result.exits;
            outcome = handle_exit(exit, context, result);
        } catch (const KvmError& error) {
            result.ending = RunResult::Ending::HostError;
            result.message = error.what();
            outcome.done = true;
        }
        if (!outcome.done && m.options.max_exits && result.exits >= m.options.max_exits) {
            // A guest that only makes hypercalls never times out on CPU alone: bound its exits too.
            result.ending = RunResult::Ending::ExitLimit;
            result.message = "guest stopped after " + std::to_string(result.exits) + " exits, its limit";
            outcome.done = true;
        }
        // A profiled run inside a host function may have taken this run's ticks: they belong here, at the call.
        if (profile_signal && !outcome.done)
            if (const uint64_t ticks = profile_signal->take_handed())
                take_sample(*m.vcpu, m.memory, m.image, *profile, ticks);
        if (debugger && killed(debugger->after_exit(result, outcome.done, stop_signal(result))))
            outcome.done = true;
        done = done || outcome.done;
        if (sink) {
            const uint64_t exit_ns = since_start();
            if (kernel)
                kernel->drain(*sink, start_ns, result.exits); // what the kernel saw during this KVM_RUN
            ExitEvent event = make_exit_event(exit, outcome, result, *m.vcpu, m.image);
            event.entry_ns = entry_ns;
            event.exit_ns = exit_ns;
            event.handled_ns = since_start();
            sink->on_exit(event);
        }
    }
    m.interrupt->thread.store(0);
    result.duration = Clock::now() - start;
    if (kernel) {
        kernel->stop();
        kernel->drain(*sink, start_ns, result.exits);
    }
    if (sink)
        sink->on_run_end(result);
    return result;
}

} // namespace hl
