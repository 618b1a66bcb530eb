// The gdb stub's x86-64 side (gdb_stub_arch.hpp): int3 breakpoints, the
// #BP and #DB the guest's exception stubs report, and steps as the trap
// flag, which lives in RFLAGS alone.
#include "gdb/gdb_stub_arch.hpp"

namespace hl::gdb_arch {
namespace {

constexpr uint8_t kInt3[] = {0xcc};
constexpr uint64_t kTrapFlag = 0x100;
constexpr unsigned kDebugVector = 1, kBreakpointVector = 3;

} // namespace

std::span<const uint8_t> breakpoint_instruction() { return kInt3; }

std::optional<Trap> trap(unsigned vector)
{
    if (vector == kBreakpointVector)
        return Trap::Breakpoint;
    if (vector == kDebugVector)
        return Trap::Step;
    return std::nullopt;
}

bool own_breakpoint_resumes() { return true; }

uint64_t breakpoint_address(const Registers& at_report) { return at_report.rip - 1; }

Registers resumable(const Registers& registers) { return registers; }

void set_step(Vcpu&, Registers& registers, bool on)
{
    if (on)
        registers.rflags |= kTrapFlag;
    else
        registers.rflags &= ~kTrapFlag;
}

bool take_step(Registers& registers)
{
    const bool was = registers.rflags & kTrapFlag;
    registers.rflags &= ~kTrapFlag;
    return was;
}

void arm_step(Vcpu& vcpu)
{
    Registers registers = vcpu.registers();
    registers.rflags |= kTrapFlag;
    vcpu.set_registers(registers);
}

void disarm_step(Vcpu& vcpu)
{
    Registers registers = vcpu.registers();
    if (registers.rflags & kTrapFlag) {
        registers.rflags &= ~kTrapFlag;
        vcpu.set_registers(registers);
    }
}

bool exit_ends_step() { return true; }

} // namespace hl::gdb_arch
