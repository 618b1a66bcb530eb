// The gdb stub on the run loop's side, the same for every architecture:
// the stops, steps and watched continues, the breakpoints' bookkeeping,
// memory and registers as gdb sees them (see gdb_stub.hpp). What differs by
// architecture (the breakpoint instruction, how a step is armed, which
// reports are traps) is gdb_stub_arch.hpp's.
#include "gdb/gdb_stub.hpp"

#include "gdb/gdb_stub_arch.hpp"
#include "gdb/rsp_packets.hpp"

#include <algorithm>
#include <csignal>
#include <cstring>

namespace hl {
namespace {

using gdb_arch::Trap;

// Writes bytes over guest code at address (in guest memory the gdb stub
// checked the guest owns). The guest may have run that code already: on
// aarch64 its instruction cache is not coherent with what the host writes,
// and KVM cleans it only when it maps a page, so the range is cleaned here
// (on x86-64 the builtin is nothing).
void write_code(GuestMemory& memory, uint64_t address, std::span<const uint8_t> bytes)
{
    uint8_t* at = memory.host_view().data() + address;
    std::copy(bytes.begin(), bytes.end(), at);
    memory.mark_host_dirty(guest_addr(address), bytes.size());
    __builtin___clear_cache(reinterpret_cast<char*>(at), reinterpret_cast<char*>(at + bytes.size()));
}

// Writes gdb's breakpoint instruction at address.
void write_breakpoint(GuestMemory& memory, uint64_t address)
{
    write_code(memory, address, gdb_arch::breakpoint_instruction());
}

} // namespace

void lift_breakpoints(GdbServer::State& server, GuestMemory& memory)
{
    for (const auto& [address, original] : server.breakpoints)
        write_code(memory, address, original);
}

void place_breakpoints(GdbServer::State& server, GuestMemory& memory)
{
    const std::span<const uint8_t> instruction = gdb_arch::breakpoint_instruction();
    for (auto& [address, original] : server.breakpoints) {
        // What the guest's code holds there now, unless it is the breakpoint instruction still.
        const std::span<const uint8_t> now = memory.host_view().subspan(address, instruction.size());
        if (!std::equal(now.begin(), now.end(), instruction.begin()))
            original.assign(now.begin(), now.end());
        write_breakpoint(memory, address);
    }
}

using Mode = GdbServer::State::Mode;

GdbStub::Outcome GdbStub::begin()
{
    if (!attached()) {
        release();
        return Outcome::NotMine;
    }
    if (!server_.began) {
        server_.began = true;
        return stop(gdb::StopEvent{}, false);
    }
    if (server_.mode != Mode::Free) {
        refresh_watches();   // the host wrote the call's frame; a restore put back memory
        step_on(false);
    }
    return Outcome::GoOn;
}

GdbStub::Outcome GdbStub::before_exit(const VcpuExit& exit, bool interrupt_is_mine)
{
    if (!attached()) {
        release();
        return leftover_trap(exit) ? Outcome::GoOn : Outcome::NotMine;
    }
    if (exit.reason == VcpuExit::Reason::Interrupted) {
        if (!interrupt_is_mine)
            return Outcome::NotMine;
        // Data on gdb's connection signals this thread; only a Ctrl-C stops the guest.
        if (!interrupted()) {
            if (!attached())
                release();
            return Outcome::GoOn;
        }
        // Not inside hl's stubs (an exception's, a system call's): the stop waits for the guest's own code.
        // x86-64 stops at the stub's next exit (after_exit); on aarch64 no exit ends a step there, so a
        // step armed now stops at the first instruction of the guest's own after the stub's eret.
        if (arch::system_symbol(vcpu_.registers().program_counter())) {
            server_.interrupt_pending = true;
            if (!gdb_arch::exit_ends_step())
                gdb_arch::arm_step(vcpu_);
            return Outcome::GoOn;
        }
        return stop(gdb::StopEvent{.signal = SIGINT}, false);
    }
    const auto trap = trap_of(exit);
    if (!trap)
        return Outcome::NotMine;
    if (*trap == Trap::Breakpoint) {
        const uint64_t at = gdb_arch::breakpoint_address(arch::registers_at_stop(vcpu_, memory_));
        const bool gdbs = server_.breakpoints.count(at) > 0;
        if (!gdbs && !gdb_arch::own_breakpoint_resumes())
            return Outcome::NotMine;   // the guest's own brk: a fault, which gdb sees in after_exit
        return stop(gdb::StopEvent{.software_breakpoint = gdbs}, true);
    }
    // A step of gdb's, one of a watched continue, or the guest's own (x86-64: its trap flag).
    if (const auto hit = watch_hit())
        return stop(gdb::StopEvent{.watch = *hit}, true);
    if (server_.interrupt_pending)
        return stop(gdb::StopEvent{.signal = SIGINT}, true);
    if (server_.mode == Mode::Watch) {
        step_on(true);
        return Outcome::GoOn;
    }
    return stop(gdb::StopEvent{}, true);
}

GdbStub::Outcome GdbStub::after_exit(const RunResult& result, bool done, int signal)
{
    if (!attached()) {
        release();
        return Outcome::NotMine;
    }
    if (done) {
        using E = RunResult::Ending;
        const E e = result.ending;
        // A function guest that got ready or returned waits for its next
        // call: gdb goes on waiting too, for a stop in a call to come. The
        // single step of a step or a watched continue comes back with that call
        // (begin()); until then it is no part of the guest (snapshots).
        if (e == E::Ready || e == E::Returned) {
            gdb_arch::disarm_step(vcpu_);
            return Outcome::NotMine;
        }
        if (e != E::Exited && e != E::HostError && e != E::Cancelled && e != E::OutputClosed)
            stop(gdb::StopEvent{.signal = signal}, true);   // where it faulted, aborted, ran out of exits
        if (attached() && server_.waiting) {
            gdb::StopEvent end;
            end.kind = e == E::Exited ? gdb::StopEvent::Kind::Exited : gdb::StopEvent::Kind::Terminated;
            end.status = result.exit_status & 0xff;
            end.signal = signal;
            server_.send(gdb::stop_reply(end));
        }
        server_.hang_up();
        release();   // before a core file is written of the guest
        return Outcome::NotMine;
    }
    // The instruction made an exit (a hypercall, a served system call), which takes the trap flag along
    // on x86-64; on aarch64 the step's report still comes, and before_exit stops there.
    if (!gdb_arch::exit_ends_step())
        return Outcome::NotMine;
    if (const auto hit = server_.mode != Mode::Free ? watch_hit() : std::nullopt)
        return stop(gdb::StopEvent{.watch = *hit}, false);
    if (server_.interrupt_pending || server_.mode == Mode::Step)
        return stop(gdb::StopEvent{.signal = server_.interrupt_pending ? SIGINT : SIGTRAP}, false);
    if (server_.mode == Mode::Watch) {
        step_on(false);
        return Outcome::GoOn;
    }
    return Outcome::NotMine;
}

void GdbStub::release()
{
    if (server_.breakpoints.empty() && server_.watches.empty() && server_.mode == Mode::Free)
        return;
    // A trap already on its way (the vCPU in a stub when gdb went) is still ours: leftover_trap.
    server_.leftover_step = server_.mode != Mode::Free;
    for (const auto& [address, original] : server_.breakpoints)
        server_.lifted.insert(address);
    remove_breakpoints();
    server_.watches.clear();
    server_.interrupt_pending = false;
    server_.mode = Mode::Free;
    gdb_arch::disarm_step(vcpu_);
}

bool GdbStub::leftover_trap(const VcpuExit& exit)
{
    if (!server_.leftover_step && server_.lifted.empty())
        return false;
    const auto trap = trap_of(exit);
    if (!trap) {
        // The guest went on without one (a signal is no progress): nothing of gdb's is left.
        if (exit.reason != VcpuExit::Reason::Interrupted) {
            server_.leftover_step = false;
            server_.lifted.clear();
        }
        return false;
    }
    Registers registers = gdb_arch::resumable(arch::registers_at_stop(vcpu_, memory_));
    const uint64_t at = gdb_arch::breakpoint_address(registers);
    if (*trap == Trap::Breakpoint && server_.lifted.count(at))
        registers.set_program_counter(at);   // back onto the instruction the breakpoint stood for
    else if (*trap != Trap::Step || !server_.leftover_step)
        return false;                        // the guest's own: a fault as ever
    gdb_arch::set_step(vcpu_, registers, false);
    vcpu_.set_registers(registers);
    server_.leftover_step = false;
    server_.lifted.clear();
    return true;
}

void GdbStub::refresh_watches()
{
    for (auto& watch : server_.watches)
        if (const auto now = memory_.read_view(guest_addr(watch.address), watch.bytes.size()); now.ok())
            watch.bytes.assign(now.bytes.begin(), now.bytes.end());
}

GdbStub::Outcome GdbStub::stop(const gdb::StopEvent& why, bool at_report)
{
    server_.interrupt_pending = false;
    thread_.registers = at_report ? arch::registers_at_stop(vcpu_, memory_) : vcpu_.registers();
    // The vCPU stands in the stub (the guest's registers go back when it
    // goes on), or it holds the step flag of a step that an exit ended.
    thread_changed_ = gdb_arch::take_step(thread_.registers) || at_report;
    if (why.software_breakpoint)   // onto gdb's breakpoint instruction, which the guest executed
        thread_.registers.set_program_counter(gdb_arch::breakpoint_address(thread_.registers));
    thread_.thread_pointer = vcpu_.thread_pointer();
    try {
        thread_.vectors = vcpu_.vector_registers();
    } catch (const KvmError&) {
        thread_.vectors.reset();   // gdb sees the x87, SSE and AVX registers as unavailable
    }
    // gdb waits for a stop reply once it let the guest go; before the first
    // instruction it asks with '?'.
    if (server_.waiting)
        server_.send(gdb::stop_reply(why));
    server_.waiting = false;
    gdb::Session session(*this);
    for (;;) {
        const auto event = attached() ? server_.next(true) : std::nullopt;
        if (!event) {
            // gdb went away: the guest runs on, undebugged.
            if (thread_changed_)
                vcpu_.set_registers(gdb_arch::resumable(thread_.registers));
            server_.mode = Mode::Free;
            release();
            return Outcome::GoOn;
        }
        if (event->kind == gdb::RspEvent::Kind::Interrupt)
            continue;                     // stopped already
        const gdb::Session::Answer answer = session.handle(event->data, why);
        server_.no_ack = server_.no_ack || session.no_ack();
        if (answer.send)
            server_.send(answer.reply);
        if (!answer.resume)
            continue;
        const gdb::Resume resume = *answer.resume;
        if (resume == gdb::Resume::Kill) {
            server_.hang_up();
            release();
            return Outcome::Killed;
        }
        refresh_watches();   // gdb may have written memory under a watchpoint: no hit
        server_.mode = resume == gdb::Resume::Step                                   ? Mode::Step
                       : resume == gdb::Resume::Continue && !server_.watches.empty() ? Mode::Watch
                                                                                      : Mode::Free;
        Registers registers = gdb_arch::resumable(thread_.registers);
        gdb_arch::set_step(vcpu_, registers, server_.mode != Mode::Free);
        if (thread_changed_ || server_.mode != Mode::Free)
            vcpu_.set_registers(registers);
        if (thread_.thread_pointer != vcpu_.thread_pointer())
            vcpu_.set_thread_pointer(thread_.thread_pointer);
        if (resume == gdb::Resume::Detach) {
            server_.hang_up();
            release();
        }
        server_.waiting = resume == gdb::Resume::Continue || resume == gdb::Resume::Step;
        return Outcome::GoOn;
    }
}

std::optional<Trap> GdbStub::trap_of(const VcpuExit& exit)
{
    if (exit.reason != VcpuExit::Reason::Mmio)
        return std::nullopt;
    const arch::FaultReport report = arch::fault_report(exit, vcpu_, memory_, image_);
    if (report.kind != arch::FaultReport::Kind::Fault || report.system_call)
        return std::nullopt;
    return gdb_arch::trap(report.fault.vector);
}

void GdbStub::step_on(bool at_report)
{
    if (!at_report) {
        gdb_arch::arm_step(vcpu_);
        return;
    }
    Registers registers = gdb_arch::resumable(arch::registers_at_stop(vcpu_, memory_));
    gdb_arch::set_step(vcpu_, registers, true);
    vcpu_.set_registers(registers);
}

std::optional<uint64_t> GdbStub::watch_hit()
{
    for (auto& watch : server_.watches) {
        const auto now = memory_.read_view(guest_addr(watch.address), watch.bytes.size());
        if (now.ok() && !std::equal(now.bytes.begin(), now.bytes.end(), watch.bytes.begin())) {
            watch.bytes.assign(now.bytes.begin(), now.bytes.end());
            return watch.address;
        }
    }
    return std::nullopt;
}

bool GdbStub::interrupted()
{
    bool interrupt = false;
    // Look at what came; keep packets (gdb sends none while the guest runs) for the next stop.
    std::deque<gdb::RspEvent> kept;
    while (auto event = server_.next(false)) {
        if (event->kind == gdb::RspEvent::Kind::Interrupt)
            interrupt = true;
        else
            kept.push_back(std::move(*event));
    }
    server_.events = std::move(kept);
    return interrupt;
}

void GdbStub::remove_breakpoints()
{
    lift_breakpoints(server_, memory_);
    server_.breakpoints.clear();
}

std::string GdbStub::read_registers() { return arch::gdb_registers(thread_); }

bool GdbStub::write_registers(std::string_view hex)
{
    std::vector<uint8_t> bytes;
    if (!gdb::from_hex(hex, bytes) || !arch::gdb_set_registers(thread_, bytes))
        return false;
    thread_changed_ = true;
    return true;
}

std::optional<std::string> GdbStub::read_register(unsigned number) { return arch::gdb_register(thread_, number); }

bool GdbStub::write_register(unsigned number, std::span<const uint8_t> value)
{
    if (!arch::gdb_set_register(thread_, number, value))
        return false;
    thread_changed_ = true;
    return true;
}

std::string GdbStub::target_xml() { return arch::gdb_target_xml(); }

bool GdbStub::guest_owns(uint64_t address, uint64_t length, bool executable) const
{
    if (length == 0 || address + length < address || address + length > layout_.memory_size())
        return false;
    const std::vector<Region> system = arch::system_regions();
    for (uint64_t page = address & ~uint64_t{0xfff}; page < address + length; page += 0x1000) {
        const Region* region = layout_.region_at(guest_addr(page));
        if (!region || !region->permission.user || (executable && !region->permission.executable))
            return false;
        if (std::any_of(system.begin(), system.end(), [&](const Region& s) { return s.start == region->start; }))
            return false;
    }
    return true;
}

uint8_t* GdbStub::kept_byte(uint64_t address)
{
    auto it = server_.breakpoints.upper_bound(address);
    if (it == server_.breakpoints.begin())
        return nullptr;
    --it;   // the last breakpoint at or below address
    const uint64_t offset = address - it->first;
    return offset < it->second.size() ? &it->second[offset] : nullptr;
}

std::optional<std::vector<uint8_t>> GdbStub::read_memory(uint64_t address, uint64_t length)
{
    const auto view = memory_.read_view(guest_addr(address), length);
    if (!view.ok() || length == 0)
        return view.ok() ? std::optional<std::vector<uint8_t>>(std::vector<uint8_t>{}) : std::nullopt;
    std::vector<uint8_t> bytes(view.bytes.begin(), view.bytes.end());
    // gdb sees its breakpoints' original bytes, not their instructions.
    for (uint64_t i = 0; i < length; ++i)
        if (const uint8_t* original = kept_byte(address + i))
            bytes[i] = *original;
    return bytes;
}

bool GdbStub::write_memory(uint64_t address, std::span<const uint8_t> bytes)
{
    if (!guest_owns(address, bytes.size(), false))
        return false;
    for (size_t i = 0; i < bytes.size(); ++i) {
        // Under a breakpoint, the byte it keeps changes; its instruction stays.
        if (uint8_t* original = kept_byte(address + i))
            *original = bytes[i];
        else
            memory_.host_view()[address + i] = bytes[i];
    }
    memory_.mark_host_dirty(guest_addr(address), bytes.size());
    // gdb may have patched code the guest ran (see write_code).
    char* at = reinterpret_cast<char*>(memory_.host_view().data() + address);
    __builtin___clear_cache(at, at + bytes.size());
    return true;
}

bool GdbStub::insert_breakpoint(gdb::BreakpointType type, uint64_t address, uint64_t length)
{
    if (type == gdb::BreakpointType::WriteWatch) {
        const auto now = memory_.read_view(guest_addr(address), length);
        if (!now.ok() || length == 0 || length > 8)
            return false;
        server_.watches.push_back({address, std::vector<uint8_t>(now.bytes.begin(), now.bytes.end())});
        return true;
    }
    // gdb's kind is the instruction's length (x86-64's 1 may come as 0);
    // aligned to it, breakpoints never overlap.
    const uint64_t size = gdb_arch::breakpoint_instruction().size();
    if (type != gdb::BreakpointType::Software || (length != size && !(size == 1 && length == 0)) ||
        address % size != 0 || !guest_owns(address, size, true))
        return false;
    if (server_.breakpoints.count(address))
        return true;
    const std::span<const uint8_t> original = memory_.host_view().subspan(address, size);
    server_.breakpoints[address].assign(original.begin(), original.end());
    write_breakpoint(memory_, address);
    return true;
}

bool GdbStub::remove_breakpoint(gdb::BreakpointType type, uint64_t address, uint64_t length)
{
    if (type == gdb::BreakpointType::WriteWatch) {
        std::erase_if(server_.watches, [&](const auto& w) { return w.address == address && w.bytes.size() == length; });
        return true;
    }
    if (type != gdb::BreakpointType::Software)
        return false;
    const auto it = server_.breakpoints.find(address);
    if (it == server_.breakpoints.end())
        return true;
    write_code(memory_, address, it->second);
    server_.breakpoints.erase(it);
    return true;
}

} // namespace hl
