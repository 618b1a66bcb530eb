// Core files of a stopped guest: what the sandbox keeps of where the guest
// stopped, and the ELF core written from it (core/core_writer.hpp).
#include "sandbox_machine.hpp"

#include "arch.hpp"
#include "core/core_format.hpp"
#include "core/core_writer.hpp"
#include "pages.hpp"
#include "snapshot/file_io.hpp"
#include "snapshot/sha256.hpp"

#include <hl/confine.hpp>
#include <hl/units.hpp>

#include <algorithm>
#include <csignal>

namespace hl {
namespace {

bool leaves_core(RunResult::Ending ending)
{
    using E = RunResult::Ending;
    return ending == E::Faulted || ending == E::Aborted || ending == E::TimedOut || ending == E::ExitLimit;
}

std::string joined(const std::vector<std::string>& words)
{
    std::string out;
    for (const std::string& word : words)
        out += (out.empty() ? "" : " ") + word;
    return out;
}

void write_core(const Sandbox::Machine& m, int fd)
{
    const Sandbox::Machine::Stop& stop = *m.stop;
    CoreContents c;
    c.machine = arch::core_machine();
    c.thread_note = arch::core_thread_note(stop.thread);
    if (stop.vectors) {
        arch::CoreVectorNotes notes = arch::core_vector_notes(*stop.vectors);
        c.fpu_note = std::move(notes.fpregset);
        c.xstate_note = std::move(notes.xstate);
    }
    const std::string program = std::filesystem::path(m.image.name()).filename().string();
    c.process_note = arch::core_process_note({program, joined(m.argv.empty() ? std::vector{program} : m.argv)});
    c.stop = {{std::string(core::kKeyVersion), HL_VERSION},
              {std::string(core::kKeyImage), m.image.name()},
              {std::string(core::kKeyImageSha256), to_hex(sha256(m.image.bytes()))},
              {std::string(core::kKeyEnding), stop.ending},
              {std::string(core::kKeyMessage), stop.message},
              {std::string(core::kKeyWhere), stop.where}};
    // What the guest can reach, but for the machine's own pages (its stubs,
    // the exception stack): the host put them there, and the guest's own
    // memory says all a debugger needs.
    const std::span<const uint8_t> memory = m.memory.host_view();
    // Pages never written (and not in the snapshot memory is mapped from)
    // are zeros: holes, not even looked at, so that writing a core of a
    // large guest costs what it holds, not its size.
    const std::vector<bool> candidates = SnapshotMemory::pages_that_may_hold_data(memory, m.backing.get());
    c.may_hold_data = [&candidates](uint64_t address) { return candidates[address / kPage]; };
    const std::vector<Region> system = arch::system_regions();
    const auto is_system = [&system](const Region& region) {
        return std::any_of(system.begin(), system.end(), [&](const Region& s) { return s.start == region.start; });
    };
    for (const Region& region : m.layout.regions())
        if (region.permission.user && !is_system(region))
            c.memory.push_back({region.start, memory.subspan(region.start, region.size), region.permission.writable,
                                region.permission.executable});
    write_core_file(fd, c);
}

} // namespace

int stop_signal(const RunResult& result)
{
    switch (result.ending) {
    case RunResult::Ending::Aborted: return result.signal ? result.signal : SIGABRT;
    case RunResult::Ending::TimedOut: return SIGALRM;
    case RunResult::Ending::ExitLimit: return SIGXCPU;
    case RunResult::Ending::Cancelled:
    case RunResult::Ending::HostError: return SIGKILL;
    case RunResult::Ending::OutputClosed: return SIGPIPE;
    default: return result.fault ? arch::signal_for_exception(result.fault->vector) : SIGSEGV;
    }
}

void keep_stop(Sandbox::Machine& m, RunResult& result)
{
    m.stop.reset();
    if (!leaves_core(result.ending))
        return;
    const std::string path = m.options.core_file.string();
    auto cannot = [&](const std::string& why) {
        if (!path.empty())
            result.core_error = "cannot write the core file " + path + ": " + why;
    };
    Sandbox::Machine::Stop stop;
    try {
        stop.thread.registers = arch::registers_at_stop(*m.vcpu, m.memory);
        stop.thread.thread_pointer = m.vcpu->thread_pointer();
        try {
            stop.vectors = m.vcpu->vector_registers();   // the stubs leave them as the guest had them
        } catch (const KvmError&) {
            // A core without them still has the rest.
        }
    } catch (const KvmError& error) {
        return cannot(error.what());
    }
    stop.thread.signal = stop_signal(result);
    stop.ending = ending_name(result.ending);
    stop.message = result.message;
    const uint64_t pc = stop.thread.registers.program_counter();
    stop.where = arch::system_symbol(pc).value_or(m.image.symbolize(pc).value_or(format_hex(pc)));
    m.stop = std::move(stop);
    if (path.empty())
        return;
    // Creating a file is what a confined thread may not do: say so rather
    // than have the filter end the process.
    if (this_thread_confined())
        return cannot("this thread is confined (hl::confine_this_thread); write it with Sandbox::write_core "
                      "into a file made before");
    try {
        // Guest memory is private to whoever debugs the guest, as a process's core is.
        write_file_whole(m.options.core_file, "core file", 0600, [&m](int fd) { write_core(m, fd); });
        result.core_file = path;
    } catch (const std::exception& error) {
        result.core_error = error.what();
    }
}

void Sandbox::write_core(int fd) const
{
    const Machine& m = *machine_;
    if (!m.stop)
        throw CallError("no core file to write: the guest has not stopped on a fault, an abort, a timeout or its "
                        "exit limit since it last ran or was restored");
    hl::write_core(m, fd);
}

bool Sandbox::has_core() const { return machine_->stop.has_value(); }

} // namespace hl
