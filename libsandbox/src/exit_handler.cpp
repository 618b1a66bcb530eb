// One VM exit, decided (see exit_handler.hpp).
#include "exit_handler.hpp"

#include "x86_64/cpu_tables.hpp"
#include "x86_64/guest_fault.hpp"
#include "hypercalls.hpp"

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

std::string describe_unbacked_access(const VcpuExit& exit)
{
    char text[112];
    std::snprintf(text, sizeof text, "%s of %u bytes at guest-physical 0x%" PRIx64 ", which has no memory behind it",
                  exit.write ? "write" : "read", exit.size, exit.address);
    return text;
}

ExitOutcome handle_io(const VcpuExit& exit, ExitContext& context, RunResult& result)
{
    HypercallOutcome served = dispatch_hypercall(exit, context.memory, context.output, &context.host_functions);
    ExitOutcome outcome;
    if (served.call.name)
        outcome.hypercall = served.call;
    using A = HypercallOutcome::Action;
    switch (served.action) {
    case A::Continue:
        return outcome;
    case A::Exit:
        result.ending = RunResult::Ending::Exited;
        result.exit_status = served.status;
        break;
    case A::Abort:
        end_run(result, RunResult::Ending::Aborted, "guest aborted: " + served.message);
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
        end_run(result, RunResult::Ending::OutputClosed, "guest stopped: " + served.message);
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
    switch (exit.reason) {
    case R::IoOut:
    case R::IoIn:
        return handle_io(exit, context, result);
    case R::Mmio:
        // The fault stubs report through the one page with no memory behind it.
        if (exit.write && exit.address == HL_FAULT_REPORT_PHYS && exit.size == 4) {
            const Registers registers = context.vcpu.registers();
            if (exit.value > cpu::kSyscallVector || registers.rip != cpu::report_rip(exit.value))
                return end_run(result, E::Faulted,
                               "bad hypercall: the guest wrote to the fault report page itself, at " +
                                   context.image.symbolize(registers.rip).value_or(format_hex(registers.rip)));
            result.fault = read_guest_fault(exit.value, registers, context.vcpu.fault_address(), context.memory,
                                            context.image);
            return end_run(result, E::Faulted, "guest fault: " + describe_guest_fault(*result.fault, context.layout));
        }
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
