// Sandbox: the machine recipe (constructor) and the run loop.
#include <hl/sandbox.hpp>

#include "boot_info.hpp"
#include "cpu_tables.hpp"
#include "exit_handler.hpp"
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

void load_segments(const Image& image, GuestMemory& memory)
{
    // Memory is fresh and zeroed, so bss (memsz past filesz) needs no work.
    for (const Segment& segment : image.segments()) {
        const auto bytes = image.segment_bytes(segment);
        std::memcpy(memory.host_view().data() + segment.vaddr, bytes.data(), bytes.size());
    }
}

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

namespace {

// The trace event for one exit; built only when a sink is attached.
ExitEvent make_event(const VcpuExit& exit, const ExitOutcome& outcome, const RunResult& result, Vcpu& vcpu,
                     const Image& image)
{
    ExitEvent event;
    event.sequence = result.exits;
    event.reason = exit_reason_name(exit.reason);
    try {
        event.rip = vcpu.registers().rip;
        if (event.rip >= HL_STUBS_ADDR && event.rip < HL_STUBS_ADDR + cpu::kVectors * cpu::kStubSize)
            event.symbol = std::string("fault stub ") + cpu::vector_mnemonic((event.rip - HL_STUBS_ADDR) / cpu::kStubSize);
        else
            event.symbol = image.symbolize(event.rip).value_or("");
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

} // namespace

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
    ExitContext context{m.vcpu, m.memory, m.image, m.layout, m.options.output, timer, m.options.timeout};
    KernelTrace* const kernel = sink ? m.options.kernel_trace : nullptr;
    const Clock::time_point start = Clock::now();
    // steady_clock is CLOCK_MONOTONIC, the clock kernel events are stamped with.
    const uint64_t start_ns = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(start.time_since_epoch()).count());
    m.vcpu.keep_registers_at_exit(sink != nullptr); // each event reads RIP
    if (kernel)
        kernel->start();
    auto since_start = [start] {
        return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
    };

    for (bool done = false; !done;) {
        // Clocks are read only for a sink: with none, the loop is KVM_RUN and the handler.
        const uint64_t entry_ns = sink ? since_start() : 0;
        VcpuExit exit;
        ExitOutcome outcome;
        try {
            exit = m.vcpu.run();
            ++result.exits;
            outcome = handle_exit(exit, context, result);
        } catch (const KvmError& error) {
            result.ending = RunResult::Ending::HostError;
            result.message = error.what();
            outcome.done = true;
        }
        done = outcome.done;
        if (sink) {
            const uint64_t exit_ns = since_start();
            if (kernel)
                kernel->drain(*sink, start_ns, result.exits); // what the kernel saw during this KVM_RUN
            ExitEvent event = make_event(exit, outcome, result, m.vcpu, m.image);
            event.entry_ns = entry_ns;
            event.exit_ns = exit_ns;
            event.handled_ns = since_start();
            sink->on_exit(event);
        }
    }
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
