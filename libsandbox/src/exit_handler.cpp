// One VM exit, decided (see exit_handler.hpp).
#include "exit_handler.hpp"

#include "arch.hpp"
#include "hypercalls.hpp"
#include "linux/linux_syscalls.hpp"

#include <hl/abi.h>
#include <hl/units.hpp>

#include <cinttypes>
#include <cstdio>

namespace hl {
namespace {

ExitOutcome end_run(RunResult& result, RunResult::Ending ending, std::string message)
{
    result.ending = ending;
    result.message = std::move(message);
    return {.done = true, .hypercall = std::nullopt};
}

// The endings a hypercall and a system call share, worded once.
void end_exited(RunResult& result, int status)
{
    result.ending = RunResult::Ending::Exited;
    result.exit_status = status;
}

void end_aborted(RunResult& result, const std::string& why)
{
    end_run(result, RunResult::Ending::Aborted, "guest aborted: " + why);
}

void end_output_closed(RunResult& result, const std::string& why)
{
    end_run(result, RunResult::Ending::OutputClosed, "guest stopped: " + why);
}

std::string describe_unbacked_access(const VcpuExit& exit)
{
    char text[112];
    std::snprintf(text, sizeof text, "%s of %u bytes at guest-physical 0x%" PRIx64 ", which has no memory behind it",
                  exit.write ? "write" : "read", exit.size, exit.address);
    return text;
}

ExitOutcome handle_hypercall(const VcpuExit& exit, ExitContext& context, RunResult& result)
{
    HypercallOutcome served = dispatch_hypercall(exit, context.memory, context.output, &context.host_functions,
                                                  &context.input);
    ExitOutcome outcome;
    if (served.call.name)
        outcome.hypercall = served.call;
    using A = HypercallOutcome::Action;
    switch (served.action) {
    case A::Continue:
        return outcome;
    case A::Exit:
        end_exited(result, served.status);
        break;
    case A::Abort:
        end_aborted(result, served.message);
        break;
    case A::Ready:
        if (context.phase == Phase::Call)
            end_run(result, RunResult::Ending::Faulted, "bad hypercall: ready: hl_serve called during a call");
        else
            result.ending = RunResult::Ending::Ready;
        break;
    case A::Return:
        if (context.phase != Phase::Call)
            end_run(result, RunResult::Ending::Faulted, "bad hypercall: return: no call is in progress");
        else
            result.ending = RunResult::Ending::Returned;
        break;
    case A::Violation:
        end_run(result, RunResult::Ending::Faulted, "bad hypercall: " + served.message);
        break;
    case A::OutputClosed:
        end_output_closed(result, served.message);
        break;
    }
    outcome.done = true;
    return outcome;
}

ExitOutcome handle_system_call(const VcpuExit& exit, const arch::FaultReport& report, ExitContext& context,
                               RunResult& result)
{
    const arch::SystemCall& call = *report.system_call;
    linux_abi::SyscallEnv env{context.memory, context.layout, context.output, context.input, *context.process,
                              context.strict_syscalls};
    linux_abi::SyscallOutcome served = linux_abi::serve_system_call(call, env);
    ExitOutcome outcome;
    outcome.hypercall = served.record;
    using A = linux_abi::SyscallOutcome::Action;
    switch (served.action) {
    case A::Resume:
        if (served.thread_pointer)
            context.vcpu.set_thread_pointer(*served.thread_pointer);
        arch::return_from_system_call(context.vcpu, call, served.result);
        return outcome;
    case A::Exit:
        end_exited(result, served.status);
        break;
    case A::Fault:
        result.fault = arch::fault_report(exit, context.vcpu, context.memory, context.image).fault;
        end_run(result, RunResult::Ending::Faulted, "guest fault: " + served.message);
        break;
    case A::Abort:
        end_aborted(result, served.message);
        result.signal = served.signal;
        break;
    case A::OutputClosed:
        end_output_closed(result, served.message);
        break;
    }
    outcome.done = true;
    return outcome;
}

} // namespace

ExitOutcome handle_exit(const VcpuExit& exit, ExitContext& context, RunResult& result)
{
    using R = VcpuExit::Reason;
    using E = RunResult::Ending;
    if (arch::is_hypercall(exit))
        return handle_hypercall(exit, context, result);
    const arch::FaultReport report =
        arch::fault_report(exit, context.vcpu, context.memory, context.image, context.process != nullptr);
    if (report.kind == arch::FaultReport::Kind::Forged)
        return end_run(result, E::Faulted,
                       "bad hypercall: the guest wrote to the fault report page itself, at " + report.forged_at);
    if (report.kind == arch::FaultReport::Kind::Fault && report.system_call && context.process)
        return handle_system_call(exit, report, context, result);
    if (report.kind == arch::FaultReport::Kind::Fault) {
        result.fault = report.fault;
        return end_run(result, E::Faulted, "guest fault: " + arch::describe_fault(*result.fault, context.layout));
    }
    switch (exit.reason) {
    case R::IoOut:
    case R::IoIn: // not hypercalls on this architecture
        break;
    case R::Mmio:
        return end_run(result, E::Faulted, "guest fault: " + describe_unbacked_access(exit));
    case R::Interrupted:
        if (context.timer.expired())
            return end_run(result, E::TimedOut, "guest timed out after " + format_duration(context.timeout));
        if (context.cancel.load())
            return end_run(result, E::Cancelled, context.phase == Phase::Call ? "call cancelled" : "run cancelled");
        return {}; // a stray signal: carry on
    case R::Shutdown:
        return end_run(result, E::Faulted, "guest fault: triple fault (the CPU could not deliver an exception)");
    case R::Hlt:
        return end_run(result, E::Faulted, "guest fault: unexpected hlt");
    case R::FailEntry:
        return end_run(result, E::HostError,
                       "KVM refused to enter the guest (hardware reason " + std::to_string(exit.detail) + ")");
    case R::InternalError:
        return end_run(result, E::HostError, "KVM internal error (suberror " + std::to_string(exit.detail) + ")");
    case R::Other:
        break;
    }
    return end_run(result, E::HostError, "unexpected KVM exit reason " + std::to_string(exit.raw_reason));
}

} // namespace hl
