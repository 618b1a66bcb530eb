// What the gdb stub (gdb_stub.cpp) needs to know of the architecture: the
// breakpoint instruction gdb's breakpoints are written as, which of the
// stubs' reports are gdb's traps, and how a single step is armed. One
// implementation per architecture (gdb_stub_x86_64.cpp,
// gdb_stub_aarch64.cpp), chosen at build time like arch.hpp's.
#pragma once

#include "backend.hpp"

#include <cstdint>
#include <optional>
#include <span>

namespace hl::gdb_arch {

// gdb's software breakpoint, as bytes written over the guest's code
// (x86-64: int3, one byte; aarch64: brk #0, four). gdb's Z0 packets give
// this length as their kind (or 0 on x86-64, where it is implied).
std::span<const uint8_t> breakpoint_instruction();

// What a report of the guest's exception stubs is to gdb: the breakpoint
// instruction, the end of a single step, or none of its business.
enum class Trap { Breakpoint, Step };
std::optional<Trap> trap(unsigned vector);

// Whether the guest goes on after a breakpoint instruction of its own (not
// gdb's): x86-64's int3 is a trap, past which the guest resumes, so gdb
// stops there and the guest can go on; aarch64's brk leaves the pc on
// itself, so it stays the fault it is without gdb (gdb sees it stop there).
bool own_breakpoint_resumes();

// Where the breakpoint instruction that trapped stands, from the registers at
// its report (x86-64: one byte before rip, past the int3; aarch64: at the
// pc, which a brk leaves on itself).
uint64_t breakpoint_address(const Registers& at_report);

// The guest's registers after a stop, about to be set again: what resuming
// needs beyond what gdb sees (aarch64: the machine's PSTATE bits and an
// empty EL1 stack when the vCPU stood in a stub; x86-64: nothing).
Registers resumable(const Registers& registers);

// The single step: set_step arms or disarms it in the registers about to be
// set, and on the vCPU where the architecture keeps part of it elsewhere
// (aarch64: MDSCR_EL1.SS). take_step takes it out of registers read at a
// stop, saying whether it was there. arm_step and disarm_step put it on and
// take it off the vCPU as it stands, without moving anything else (a pending
// exit stays pending): armed there, the step ends one instruction on, or
// right after the instruction whose exit is pending.
void set_step(Vcpu& vcpu, Registers& registers, bool on);
bool take_step(Registers& registers);
void arm_step(Vcpu& vcpu);
void disarm_step(Vcpu& vcpu);

// Whether an instruction that made an exit (a hypercall) ends a step there:
// x86-64's trap flag is spent by the `out`, so the stub stops after the
// exit; on aarch64 the step exception still comes, on the next entry, and
// the stub stops at its report.
bool exit_ends_step();

} // namespace hl::gdb_arch
