// The gdb stub's aarch64 side (gdb_stub_arch.hpp): brk #0 breakpoints and
// software steps, both reported by hl's vectors like any exception from EL0
// (brk: EC 0x3c, with ELR_EL1 on the brk; a step: EC 0x32, with ELR_EL1 on
// the next instruction).
//
// Why steps are armed by hand (MDSCR_EL1.SS with PSTATE.SS) and not with
// KVM_SET_GUEST_DEBUG's KVM_GUESTDBG_SINGLESTEP: the step exception then
// goes to the guest's EL1 like x86-64's #DB, through the vectors that
// already report every exception, so the stub's state machine is the same on
// both; KVM's guest debugging instead takes every debug exception to the host
// as KVM_EXIT_DEBUG, a second path for the exits, the vectors and the
// snapshots to know about. Steps stop at EL0: MDSCR_EL1.KDE stays clear, so
// the vectors themselves run unstepped, and KVM's emulation of the OS Lock
// only clears MDSCR_EL1.MDE (hardware breakpoints and watchpoints), which
// software step does not need. tests/arm64/kvm_probe.cpp checks both traps
// on the arm64 machine.
#include "gdb/gdb_stub_arch.hpp"

#include "aarch64/boot_state.hpp"
#include "aarch64/exception_syndrome.hpp"
#include "aarch64/exception_vectors.hpp"

namespace hl::gdb_arch {
namespace {

constexpr uint8_t kBrk0[] = {0x00, 0x00, 0x20, 0xd4};   // brk #0 (0xd4200000), little-endian
constexpr uint64_t kPstateSoftwareStep = 1ull << 21;       // PSTATE.SS

} // namespace

std::span<const uint8_t> breakpoint_instruction() { return kBrk0; }

std::optional<Trap> trap(unsigned exception_class)
{
    if (exception_class == aarch64::ec::kBrk)
        return Trap::Breakpoint;
    if (exception_class == aarch64::ec::kSoftwareStepLower)
        return Trap::Step;
    return std::nullopt;
}

bool own_breakpoint_resumes() { return false; }

uint64_t breakpoint_address(const Registers& at_report) { return at_report.pc; }

Registers resumable(const Registers& registers)
{
    // Back to EL0 from wherever the vCPU stood (a stub's report included):
    // the machine's PSTATE with the guest's flags, and the EL1 stack the stub
    // pushed x0 and x1 to unwound (as return_from_system_call does).
    Registers resume = registers;
    resume.pstate = (registers.pstate & aarch64::kEl0PstateBits) | aarch64::kBootPstate;
    resume.sp_el1 = aarch64::kEl1StackTop;
    return resume;
}

void set_step(Vcpu& vcpu, Registers& registers, bool on)
{
    // PSTATE.SS set: the next EL0 instruction runs, then the step exception comes.
    if (on)
        registers.pstate |= kPstateSoftwareStep;
    else
        registers.pstate &= ~kPstateSoftwareStep;
    vcpu.set_single_step(on);
}

bool take_step(Registers& registers)
{
    const bool was = registers.pstate & kPstateSoftwareStep;
    registers.pstate &= ~kPstateSoftwareStep;
    return was;
}

// MDSCR_EL1.SS alone, so that the registers (which setting them would move
// back onto a pending hypercall's store) stay untouched. Armed with
// PSTATE.SS clear (KVM's finishing of a pending store clears it, a restored
// state never holds it), the step exception comes before the next
// instruction: right after the one that made the exit. Disarmed, PSTATE.SS
// has no effect.
void arm_step(Vcpu& vcpu) { vcpu.set_single_step(true); }
void disarm_step(Vcpu& vcpu) { vcpu.set_single_step(false); }

// KVM finishing a hypercall's store clears PSTATE.SS (it advances the step
// state machine as the instruction would), so the step exception comes as
// soon as the guest runs again: the stop is at its report.
bool exit_ends_step() { return false; }

} // namespace hl::gdb_arch
