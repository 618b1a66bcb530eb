// Sandbox: the machine recipe (constructor) and the run loop.
#include <hl/sandbox.hpp>

#include "boot_info.hpp"
#include "call_frame.hpp"
#include "cpu_tables.hpp"
#include "exit_handler.hpp"
#include "kvm_vcpu_x86_64.hpp"
#include "kvm_vm.hpp"
#include "page_tables.hpp"
#include "run_timer.hpp"

#include <hl/guest_memory.hpp>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/syscall.h>
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
    case RunResult::Ending::Ready: return "ready";
    case RunResult::Ending::Returned: return "returned";
    case RunResult::Ending::Cancelled: return "cancelled";
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
    // Lifecycle: New -> (run) -> Done, or New -> (initialize) -> Ready <-> calls.
    enum class State { New, Done, Ready } state = State::New;
    std::string poisoned;                     // why calls are refused until a restore
    std::shared_ptr<InterruptHandle::State> interrupt;
    // Snapshots: guest memory equals the snapshot `base` plus the pages the
    // guest (KVM's dirty log) and the host (GuestMemory) wrote since.
    uint64_t next_snapshot_id = 1;
    uint64_t base = 0;
    bool fresh_per_call = false;
    Snapshot after_init;
    std::vector<HostFunction> host_functions;
    bool dirty_since_after_init = false;

    Machine(Image&& img, SandboxOptions&& opts)
        : image(std::move(img)), options(std::move(opts)),
          layout(Layout::compute(image.segments(), image.note(), options.memory_size)),
          memory(layout), vm(), vcpu(vm)
    {
    }
};

struct InterruptHandle::State {
    std::atomic<bool> cancel{false};
    std::atomic<pid_t> thread{0};
};

struct Snapshot::Data {
    uint64_t id = 0;
    const void* owner = nullptr;              // the Machine that took it
    std::vector<uint8_t> memory;
    VcpuState vcpu;
};

void InterruptHandle::cancel() const
{
    if (!state_)
        return;
    state_->cancel.store(true);
    // The thread sees the flag before it enters the guest, or the signal takes it out.
    if (const pid_t thread = state_->thread.load())
        syscall(SYS_tgkill, getpid(), thread, KvmVcpu::interrupt_signal());
}

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
    m.interrupt = std::make_shared<InterruptHandle::State>();
    m.vcpu.set_stop_flag(&m.interrupt->cancel);
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

// The run loop shared by run(), initialize() and call(): KVM_RUN and the exit
// handler until the handler says the stretch is over.
static RunResult execute(Sandbox::Machine& m, Phase phase);

RunResult Sandbox::run(const std::vector<std::string>& argv)
{
    Machine& m = *machine_;
    if (m.state != Machine::State::New)
        throw Error("this sandbox has already run; create a new one for another run");
    write_boot_info(m.memory.host_view(), m.layout, argv);
    m.state = Machine::State::Done;
    RunResult result = execute(m, Phase::Program);
    if (result.ending == RunResult::Ending::Ready)
        m.state = Machine::State::Ready;
    return result;
}

RunResult Sandbox::initialize(std::vector<std::string> argv)
{
    if (argv.empty())
        argv.push_back(machine_->image.name());
    return run(argv);
}

bool Sandbox::ready() const
{
    return machine_->state == Machine::State::Ready && machine_->poisoned.empty();
}

const std::string& Sandbox::poisoned() const { return machine_->poisoned; }

InterruptHandle Sandbox::interrupt_handle() const
{
    InterruptHandle handle;
    handle.state_ = machine_->interrupt;
    return handle;
}

void Sandbox::add_host_function(HostFunction function)
{
    auto& all = machine_->host_functions;
    const std::string& name = function.name;
    const bool identifier = !name.empty() && name.size() < HL_EXPORT_NAME_MAX &&
                            (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_') &&
                            std::all_of(name.begin(), name.end(), [](char c) {
                                return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
                            });
    if (!identifier)
        throw CallError("host function name '" + name + "' is not a C identifier of at most " +
                        std::to_string(HL_EXPORT_NAME_MAX - 1) + " characters");
    if (std::any_of(all.begin(), all.end(), [&](const HostFunction& f) { return f.name == name; }))
        throw CallError("host function '" + name + "' is already registered");
    all.push_back(std::move(function));
}

void Sandbox::set_fresh_per_call(bool fresh)
{
    machine_->fresh_per_call = fresh;
}

namespace {

void require_ready(const Sandbox::Machine& m, const std::string& what)
{
    if (m.state != Sandbox::Machine::State::Ready)
        throw CallError("cannot " + what + ": the guest is not ready for calls (" +
                        (m.state == Sandbox::Machine::State::New ? "call initialize() first" : "it did not call hl_serve") + ")");
}

} // namespace

Snapshot Sandbox::snapshot()
{
    Machine& m = *machine_;
    require_ready(m, "take a snapshot");
    if (!m.poisoned.empty())
        throw CallError("cannot take a snapshot of a poisoned sandbox: " + m.poisoned);
    auto data = std::make_shared<Snapshot::Data>();
    data->id = m.next_snapshot_id++;
    data->owner = &m;
    data->vcpu = m.vcpu.save_state();
    // From here on KVM logs the guest's writes; what it logged so far is moot.
    m.vm.enable_dirty_log();
    std::vector<uint64_t> discard(m.memory.host_dirty().size());
    m.vm.collect_dirty_pages(discard);
    m.memory.clear_host_dirty();
    const auto all = m.memory.host_view();
    data->memory.assign(all.begin(), all.end());
    m.base = data->id;
    Snapshot snapshot;
    snapshot.data_ = std::move(data);
    return snapshot;
}

void Sandbox::restore(const Snapshot& snapshot)
{
    Machine& m = *machine_;
    if (snapshot.empty() || snapshot.data_->owner != &m)
        throw CallError("cannot restore: the snapshot was not taken from this sandbox");
    const Snapshot::Data& data = *snapshot.data_;
    const auto memory = m.memory.host_view();
    std::vector<uint64_t> dirty = m.memory.host_dirty();
    m.vm.collect_dirty_pages(dirty);
    if (m.base == data.id) {
        // Only the pages written since this snapshot differ from it.
        for (size_t word = 0; word < dirty.size(); ++word)
            for (uint64_t bits = dirty[word]; bits; bits &= bits - 1) {
                const uint64_t page = word * 64 + static_cast<uint64_t>(std::countr_zero(bits));
                std::memcpy(memory.data() + page * HL_PAGE_SIZE, data.memory.data() + page * HL_PAGE_SIZE, HL_PAGE_SIZE);
            }
    } else {
        std::memcpy(memory.data(), data.memory.data(), memory.size());
    }
    m.memory.clear_host_dirty();
    m.vcpu.restore_state(data.vcpu);
    m.base = data.id;
    m.state = Machine::State::Ready;
    m.poisoned.clear();
    m.dirty_since_after_init = m.after_init.empty() || m.after_init.data_->id != data.id;
}

RunResult Sandbox::call(std::string_view name, const std::vector<Value>& args)
{
    Machine& m = *machine_;
    require_ready(m, "call");
    if (!m.poisoned.empty())
        throw CallError("cannot call " + std::string(name) + ": the sandbox is poisoned (" + m.poisoned +
                        "); restore a snapshot first");
    const Export* e = m.image.find_export(name);
    if (!e) {
        std::string known;
        for (const Export& x : m.image.exports())
            known += (known.empty() ? "" : ", ") + x.name;
        throw CallError("no export named '" + std::string(name) + "'; the image exports: " +
                        (known.empty() ? "nothing" : known));
    }
    check_call_arguments(*e, args);
    if (m.fresh_per_call) {
        if (m.after_init.empty())
            m.after_init = snapshot();
        else if (m.dirty_since_after_init)
            restore(m.after_init);
    }
    write_call_frame(m.memory, *e, args);
    m.dirty_since_after_init = true;
    RunResult result = execute(m, Phase::Call);
    if (result.ending == RunResult::Ending::Returned) {
        std::string error;
        if (auto value = read_call_result(m.memory, *e, error)) {
            result.value = std::move(*value);
            return result;
        }
        result.ending = RunResult::Ending::Faulted;
        result.message = "bad return value: " + error;
    }
    if (result.ending == RunResult::Ending::Exited)
        result.message = "the guest exited with status " + std::to_string(result.exit_status) + " during a call";
    m.poisoned = result.message;
    return result;
}

static RunResult execute(Sandbox::Machine& m, Phase phase)
{
    RunResult result;
    TraceSink* const sink = m.options.trace;
    const RunTimer timer(m.options.timeout, KvmVcpu::interrupt_signal());
    // A cancel meant for an earlier stretch must not stop this one.
    m.interrupt->cancel.store(false);
    m.interrupt->thread.store(static_cast<pid_t>(syscall(SYS_gettid)));
    ExitContext context{phase, m.vcpu, m.memory, m.image, m.layout, m.options.output, m.host_functions, timer,
                        m.options.timeout, m.interrupt->cancel};
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
