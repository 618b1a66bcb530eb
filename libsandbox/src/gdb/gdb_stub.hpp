// The gdb stub on the run loop's side (run_loop.cpp): the guest's registers
// and memory as gdb sees them while it is stopped, the breakpoints as
// breakpoint instructions in guest memory (x86-64: int3; aarch64: brk #0),
// stepping as the architecture's single step (x86-64: the trap flag;
// aarch64: MDSCR_EL1.SS and PSTATE.SS), and the stops: before the first
// instruction, at a breakpoint or a step (the traps the guest's exception
// stubs report: x86-64's #BP and #DB, aarch64's brk and software step), at a
// Ctrl-C, and at the end of the run. gdb_stub_arch.hpp has what differs by
// architecture.
#pragma once

#include "arch.hpp"
#include "backend.hpp"
#include "gdb/gdb_connection.hpp"
#include "gdb/gdb_session.hpp"
#include "gdb/gdb_stub_arch.hpp"

#include <hl/guest_memory.hpp>
#include <hl/layout.hpp>
#include <hl/run_result.hpp>

#include <optional>

namespace hl {

// Snapshots hold the guest's own code: gdb's breakpoint instructions come out of guest
// memory while one is taken (lift) and go back after it, and after a
// restore brought back memory without them (place).
void lift_breakpoints(GdbServer::State& server, GuestMemory& memory);
void place_breakpoints(GdbServer::State& server, GuestMemory& memory);

class GdbStub final : public gdb::DebugTarget {
public:
    GdbStub(GdbServer::State& server, Vcpu& vcpu, GuestMemory& memory, const Layout& layout, const Image& image)
        : server_(server), vcpu_(vcpu), memory_(memory), layout_(layout), image_(image)
    {
    }

    // Whether gdb is still there: once it detached or went away, the guest runs undebugged.
    bool attached() const { return !server_.detached && server_.fd >= 0; }

    // What the run loop does with what the stub did: go on, or end the
    // stretch because gdb killed the guest.
    enum class Outcome { NotMine, GoOn, Killed };

    // At the start of a stretch: gdb's first stop, before the guest's first
    // instruction, the first time; then the single step again for a step or a
    // watched continue that a call's end cut short; and, for a debugger that
    // went away, its breakpoints out of guest memory.
    Outcome begin();
    // An exit, before the run loop handles it: a Ctrl-C (an interrupt no
    // timeout or cancel explains) or a breakpoint or step trap the guest's stubs
    // report is the stub's, which serves gdb, or steps on while a watchpoint
    // waits; any other exit is NotMine.
    Outcome before_exit(const VcpuExit& exit, bool interrupt_is_mine);
    // After the run loop handled an exit: a step that the exit ended stops,
    // a watched continue checks its watchpoints and steps on; at the end of
    // the stretch, gdb sees a fault, an abort or the exit limit where it
    // happened, then hears how the run ended (W for an exit, X with the
    // signal; nothing for a function guest that now waits for a call).
    Outcome after_exit(const RunResult& result, bool done, int signal);

    std::string read_registers() override;
    bool write_registers(std::string_view hex) override;
    std::optional<std::string> read_register(unsigned number) override;
    bool write_register(unsigned number, std::span<const uint8_t> value) override;
    std::string target_xml() override;
    std::optional<std::vector<uint8_t>> read_memory(uint64_t address, uint64_t length) override;
    bool write_memory(uint64_t address, std::span<const uint8_t> bytes) override;
    bool insert_breakpoint(gdb::BreakpointType type, uint64_t address, uint64_t length) override;
    bool remove_breakpoint(gdb::BreakpointType type, uint64_t address, uint64_t length) override;

private:
    // The guest stopped with its registers in the vCPU (at_report: in the
    // frame of the exception stub that reported): serves gdb until it lets
    // the guest go on, then puts the registers gdb left back into the vCPU,
    // with the single step armed for a step or a watched continue.
    Outcome stop(const gdb::StopEvent& why, bool at_report);
    // For an exit that is the stubs' report of one of gdb's traps: which; nullopt otherwise.
    std::optional<gdb_arch::Trap> trap_of(const VcpuExit& exit);
    // The original byte a breakpoint keeps for address; nullptr where there is none.
    uint8_t* kept_byte(uint64_t address);
    // Whether gdb sent a Ctrl-C (reads what came without waiting).
    bool interrupted();
    // A write watchpoint whose bytes changed since the last look: its address.
    std::optional<uint64_t> watch_hit();
    // Steps on with the single step armed (at_report: from the stub's frame).
    void step_on(bool at_report);
    // Every breakpoint out of guest memory, and forgotten.
    void remove_breakpoints();
    // A page the guest can reach that is its own, not the machine's stubs or tables.
    bool guest_owns(uint64_t address, uint64_t length, bool executable) const;

    // gdb is gone (detached, disconnected, told the guest ended): its
    // breakpoints, watchpoints and single step leave the guest, which runs on.
    void release();
    // A step of gdb's, or a trap of one of its breakpoints, that was on its
    // way when gdb went (the vCPU inside a stub): resumes the guest as if it
    // had not come. False for anything else.
    bool leftover_trap(const VcpuExit& exit);
    // The watchpoints' bytes as guest memory holds them now: no hit for
    // what the host or gdb wrote.
    void refresh_watches();

    GdbServer::State& server_;
    Vcpu& vcpu_;
    GuestMemory& memory_;
    const Layout& layout_;
    const Image& image_;
    arch::GdbThread thread_{};        // what gdb sees and edits while the guest is stopped
    bool thread_changed_ = false;
};

} // namespace hl
