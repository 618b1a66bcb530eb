// Sandbox: the machine recipe (constructor), runs, calls and host functions.
// The run loop is in run_loop.cpp, snapshots in sandbox_snapshot.cpp.
#include <hl/sandbox.hpp>

#include "arch.hpp"
#include "boot_info.hpp"
#include "call_frame.hpp"
#include "kvm/kvm_backend.hpp"
#include "linux/file_namespace.hpp"
#include "linux/linux_stack.hpp"
#include "sandbox_machine.hpp"

#include <hl/guest_memory.hpp>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace hl {

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
    case RunResult::Ending::ExitLimit: return "exit limit";
    case RunResult::Ending::OutputClosed: return "output closed";
    case RunResult::Ending::HostError: return "host error";
    }
    return "?";
}



namespace {

void load_segments(const Image& image, GuestMemory& memory)
{
    // Memory is fresh and zeroed, so bss (memsz past filesz) and the rest of the
    // pages of a segment that starts or ends mid-page need no work.
    for (const Segment& segment : image.segments()) {
        const auto bytes = image.segment_bytes(segment);
        std::memcpy(memory.host_view().data() + segment.vaddr, bytes.data(), bytes.size());
    }
}

// A static Linux executable, and an hl image linked against musl, start as
// execve leaves a process: the stack pointer at argc, argv, the environment
// and the auxiliary vector. Only a Linux executable loses the first argument
// register: an hl image's keeps the boot info's address, which musl's _start
// does not look at.
void start_linux_process(Sandbox::Machine& m, const std::vector<std::string>& argv)
{
    linux_abi::LinuxStart start;
    start.entry = m.image.entry();
    start.program_headers_at = m.image.program_headers_address();
    start.program_headers = m.image.program_header_bytes();
    start.program_header_size = m.image.program_header_size();
    start.program_header_count = m.image.program_header_count();
    start.argv = argv;
    start.environment = m.options.environment;
    for (size_t done = 0; done < start.random.size();) {
        const ssize_t n = getrandom(start.random.data() + done, start.random.size() - done, 0);
        if (n < 0 && errno != EINTR)
            throw Error(std::string("getrandom failed: ") + std::strerror(errno));
        done += n > 0 ? static_cast<size_t>(n) : 0;
    }
    Registers registers = m.vcpu->registers();
    registers.set_stack_pointer(linux_abi::write_linux_stack(m.memory.host_view(), m.layout, start));
    if (m.image.personality() == Personality::Linux)
        registers.set_first_argument(0);
    m.vcpu->set_registers(registers);
}

} // namespace

Sandbox::Sandbox(Image image, SandboxOptions options) : Sandbox(std::move(image), std::move(options), create_kvm_vm())
{
}

Sandbox::Sandbox(Image image, SandboxOptions options, std::unique_ptr<Vm> vm)
{
    // The recipe: layout and memory are built by Machine's members.
    machine_ = std::make_unique<Machine>(std::move(image), std::move(options), std::move(vm));
    Machine& m = *machine_;
    m.files = linux_abi::FileNamespace::open(m.options.directories);
    SnapshotMemory::prepare(); // before the thread may be confined
    load_segments(m.image, m.memory);
    const uint64_t page_tables = arch::write_machine_structures(m.layout, m.memory.host_view());
    m.vm->map_memory(m.memory.host_address(), m.memory.size());
    m.vcpu = m.vm->create_vcpu();
    m.vcpu->set_boot_state({.page_tables = page_tables,
                            .entry = m.image.entry(),
                            .stack_top = m.layout.stack_top(),
                            .argument = HL_BOOT_INFO_ADDR});
    m.arm_interrupt();
    if (m.image.serves_system_calls()) {
        m.process = LinuxProcess::for_layout(m.layout, m.files);
        m.give_process_terminals();
    }
}

Sandbox::~Sandbox() = default;
Sandbox::Sandbox(Sandbox&&) noexcept = default;
Sandbox& Sandbox::operator=(Sandbox&&) noexcept = default;

const Image& Sandbox::image() const { return machine_->image; }
const Layout& Sandbox::layout() const { return machine_->layout; }
std::vector<int> Sandbox::mapped_directory_fds() const { return machine_->files->directory_fds(); }


RunResult Sandbox::run(const std::vector<std::string>& argv)
{
    Machine& m = *machine_;
    if (m.state != Machine::State::New)
        throw Error("this sandbox has already run; create a new one for another run");
    // An hl image linked against musl gets both: the boot info for hl's layer, the stack for musl.
    if (m.image.personality() == Personality::Hl)
        write_boot_info(m.memory.host_view(), m.layout, argv,
                        {.abi_version = m.image.note().abi_version, .flags = boot_flags(m.options)});
    if (m.process)
        start_linux_process(m, argv);
    m.state = Machine::State::Done;
    m.argv = argv;
    RunResult result = execute(m, Phase::Program);
    keep_stop(m, result);
    if (result.ending == RunResult::Ending::Ready) {
        m.state = Machine::State::Ready;
        m.at_initial_state = true;
    }
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
    if (!valid_function_name(name))
        throw CallError("host function name '" + name + "' is not a C identifier of at most " +
                        std::to_string(HL_EXPORT_NAME_MAX - 1) + " characters");
    if (std::any_of(all.begin(), all.end(), [&](const HostFunction& f) { return f.name == name; }))
        throw CallError("host function '" + name + "' is already registered");
    all.push_back(std::move(function));
}


void require_ready(const Sandbox::Machine& m, const std::string& what)
{
    if (m.state != Sandbox::Machine::State::Ready)
        throw CallError("cannot " + what + ": the guest is not ready for calls (" +
                        (m.state == Sandbox::Machine::State::New ? "call initialize() first" : "it did not call hl_serve") + ")");
}

const Export& Sandbox::export_for_call(std::string_view name) const
{
    const Export* e = machine_->image.find_export(name);
    if (!e)
        throw CallError(unknown_export_error(machine_->image, name));
    return *e;
}

RunResult Sandbox::call(std::string_view name, const std::vector<Value>& args)
{
    Machine& m = *machine_;
    require_ready(m, "call");
    if (!m.poisoned.empty())
        throw CallError("cannot call " + std::string(name) + ": the sandbox is poisoned (" + m.poisoned +
                        "); restore a snapshot first");
    const Export* e = m.image.find_export(name);
    if (!e)
        throw CallError(unknown_export_error(m.image, name));
    check_call_arguments(*e, args);
    if (m.fresh_per_call)
        return_to_initial_state(*this, m);
    write_call_frame(m.memory, *e, args);
    m.at_initial_state = false;
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
    keep_stop(m, result);
    return result;
}


} // namespace hl
