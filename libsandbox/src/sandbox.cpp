// Sandbox: the machine recipe (constructor) and the run loop.
#include <hl/sandbox.hpp>

#include "boot_info.hpp"
#include "cpu_tables.hpp"
#include "guest_fault.hpp"
#include "hypercalls.hpp"
#include "kvm_vcpu_x86_64.hpp"
#include "kvm_vm.hpp"
#include "page_tables.hpp"
#include "run_timer.hpp"

#include <hl/guest_memory.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace hl {

using Clock = std::chrono::steady_clock;

int64_t write_to_host_fd(int fd, std::span<const uint8_t> bytes)
{
    size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR)
            continue; // the run timer's signal may land here
        if (n <= 0)
            return done ? static_cast<int64_t>(done) : HL_EIO;
        done += static_cast<size_t>(n);
    }
    return static_cast<int64_t>(done);
}

const char* ending_name(RunResult::Ending ending)
{
    switch (ending) {
    case RunResult::Ending::Exited: return "exited";
    case RunResult::Ending::Aborted: return "aborted";
    case RunResult::Ending::Faulted: return "faulted";
    case RunResult::Ending::TimedOut: return "timed out";
    case RunResult::Ending::HostError: return "host error";
    }
    return "?";
}

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

// Members in construction order: each step of the recipe needs the ones above it.
struct Sandbox::Machine {
    Image image;
    SandboxOptions options;
    Layout layout;
    GuestMemory memory;
    KvmVm vm;
    KvmVcpu vcpu;
    bool ran = false;

    Machine(Image&& img, SandboxOptions&& opts)
        : image(std::move(img)), options(std::move(opts)),
          layout(Layout::compute(image.segments(), image.note(), options.memory_size)),
          memory(layout), vm(), vcpu(vm)
    {
    }
};

namespace {

std::string describe_unbacked_access(const VcpuExit& exit)
{
    char text[96];
    std::snprintf(text, sizeof text, "%s of %u bytes at guest-physical 0x%llx, which has no memory behind it",
                  exit.write ? "write" : "read", exit.size, static_cast<unsigned long long>(exit.address));
    return text;
}

void load_segments(const Image& image, GuestMemory& memory)
{
    // Memory is fresh and zeroed, so bss (memsz past filesz) needs no work.
    for (const Segment& segment : image.segments()) {
        const auto bytes = image.segment_bytes(segment);
        std::memcpy(memory.host_view().data() + segment.vaddr, bytes.data(), bytes.size());
    }
}

// One step of the run loop: what the host made of one exit.
struct Step {
    bool done = false;
    std::string call;   // decoded hypercall, for the trace
};

} // namespace

Sandbox::Sandbox(Image image, SandboxOptions options)
{
    // The recipe: layout, memory, VM and vCPU are built by Machine's members.
    machine_ = std::make_unique<Machine>(std::move(image), std::move(options));
    Machine& m = *machine_;
    load_segments(m.image, m.memory);
    const uint64_t cr3 = write_page_tables(m.layout, m.memory.host_view());
    cpu::write_cpu_tables(m.memory.host_view());
    m.vm.map_memory(m.memory.host_address(), m.memory.size());
    m.vcpu.set_boot_state({.cr3 = cr3,
                           .entry = m.image.entry(),
                           .stack_top = m.layout.stack_top(),
                           .argument = HL_BOOT_INFO_ADDR});
}

Sandbox::~Sandbox() = default;

const Image& Sandbox::image() const { return machine_->image; }
const Layout& Sandbox::layout() const { return machine_->layout; }

RunResult Sandbox::run(const std::vector<std::string>& argv)
{
    Machine& m = *machine_;
    if (m.ran)
        throw Error("this sandbox has already run; create a new one for another run");
    m.ran = true;
    write_boot_info(m.memory.host_view(), m.layout, argv);

    RunResult result;
    TraceSink* const sink = m.options.trace;
    const RunTimer timer(m.options.timeout, KvmVcpu::interrupt_signal());
    const Clock::time_point start = Clock::now();
    auto since_start = [start] {
        return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
    };
    auto finish = [&](RunResult::Ending ending, std::string message) {
        result.ending = ending;
        result.message = std::move(message);
        return Step{.done = true, .call = {}};
    };

    // Handles one exit; sets result and returns done when the run is over.
    auto handle = [&](const VcpuExit& exit) -> Step {
        using R = VcpuExit::Reason;
        switch (exit.reason) {
        case R::IoOut:
        case R::IoIn: {
            HypercallOutcome outcome = dispatch_hypercall(exit, m.memory, m.options.output);
            Step step;
            if (sink)
                step.call = describe_hypercall(outcome);
            using A = HypercallOutcome::Action;
            switch (outcome.action) {
            case A::Continue:
                return step;
            case A::Exit:
                result.exit_status = outcome.status;
                step.done = true;
                result.ending = RunResult::Ending::Exited;
                return step;
            case A::Abort:
                finish(RunResult::Ending::Aborted, "guest aborted: " + outcome.message);
                break;
            case A::Violation:
                finish(RunResult::Ending::Faulted, "bad hypercall: " + outcome.message);
                break;
            }
            step.done = true;
            return step;
        }
        case R::Interrupted:
            if (timer.expired())
                return finish(RunResult::Ending::TimedOut,
                              "guest timed out after " + format_duration(m.options.timeout));
            return {}; // a stray signal: carry on
        case R::Shutdown:
            return finish(RunResult::Ending::Faulted,
                          "guest fault: triple fault (the CPU could not deliver an exception)");
        case R::Hlt:
            return finish(RunResult::Ending::Faulted, "guest fault: unexpected hlt");
        case R::Mmio:
            if (exit.write && exit.address == HL_FAULT_REPORT_PHYS && exit.size == 4) {
                result.fault = read_guest_fault(exit.value, m.vcpu.registers(), m.vcpu.fault_address(),
                                                m.memory, m.image);
                return finish(RunResult::Ending::Faulted,
                              "guest fault: " + describe_guest_fault(*result.fault, m.layout));
            }
            return finish(RunResult::Ending::Faulted, "guest fault: " + describe_unbacked_access(exit));
        case R::FailEntry:
            return finish(RunResult::Ending::HostError,
                          "KVM refused to enter the guest (hardware reason " + std::to_string(exit.detail) + ")");
        case R::InternalError:
            return finish(RunResult::Ending::HostError,
                          "KVM internal error (suberror " + std::to_string(exit.detail) + ")");
        case R::Other:
            break;
        }
        return finish(RunResult::Ending::HostError, "unexpected KVM exit reason " + std::to_string(exit.raw_reason));
    };

    for (Step step; !step.done;) {
        VcpuExit exit;
        try {
            exit = m.vcpu.run();
        } catch (const KvmError& error) {
            finish(RunResult::Ending::HostError, error.what());
            break;
        }
        ++result.exits;
        const uint64_t exit_ns = sink ? since_start() : 0;
        step = handle(exit);
        if (sink) {
            ExitEvent event;
            event.sequence = result.exits;
            event.exit_ns = exit_ns;
            event.reason = exit_reason_name(exit.reason);
            event.rip = m.vcpu.registers().rip;
            event.symbol = m.image.symbolize(event.rip).value_or("");
            event.port = exit.port;
            event.value = exit.value;
            event.call = std::move(step.call);
            if (step.done)
                event.outcome = result.ending == RunResult::Ending::Exited
                                    ? "guest exited with status " + std::to_string(result.exit_status)
                                    : result.message;
            event.handled_ns = since_start();
            sink->on_exit(event);
        }
    }
    result.duration = Clock::now() - start;
    return result;
}

} // namespace hl
