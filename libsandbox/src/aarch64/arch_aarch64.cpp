// The architecture seam (arch.hpp) for aarch64, its exits: hypercalls as
// stores to the hypercall page (an MMIO exit each), faults reported by the
// vectors' stubs (guest_fault), system calls (svc, served only by a Linux
// personality, which is not ported yet), names. The machine itself is
// arch_machine.cpp's, core files core_notes.cpp's.
#include "arch.hpp"

#include "aarch64/exception_syndrome.hpp"
#include "aarch64/exception_vectors.hpp"
#include "aarch64/gdb_registers.hpp"
#include "aarch64/guest_fault.hpp"
#include "hypercalls.hpp"

#include <hl/abi.h>
#include <hl/units.hpp>

#include <map>
#include <mutex>

namespace hl::arch {
namespace {

bool on_hypercall_page(uint64_t address)
{
    return address >= HL_AARCH64_HYPERCALL_PHYS && address < HL_AARCH64_HYPERCALL_PHYS + HL_PAGE_SIZE;
}

// The names exception_mnemonic and exception_name hand out: one string each,
// for the life of the process (the classes hl does not name get theirs on demand).
const char* kept(std::string text)
{
    static std::mutex mutex;
    static auto* texts = new std::map<std::string, std::string>();
    std::lock_guard lock(mutex);
    return texts->try_emplace(text, text).first->second.c_str();
}

} // namespace

bool is_hypercall(const VcpuExit& exit)
{
    return exit.reason == VcpuExit::Reason::Mmio && on_hypercall_page(exit.address);
}

Hypercall hypercall(const VcpuExit& exit)
{
    Hypercall call;
    const uint64_t offset = exit.address - HL_AARCH64_HYPERCALL_PHYS;
    const std::string where = "the hypercall page at offset " + format_hex(offset);
    if (!exit.write) {
        call.violation = "a read of " + where + ": hypercalls are stores";
        return call;
    }
    if (exit.size == 0) {   // KVM could not decode the store (no syndrome): a pair, a writeback...
        call.violation = "a store to " + where + " that is not one plain `str`: hypercalls are one 32-bit `str w`";
        return call;
    }
    const uint64_t number = offset / 4;
    if (offset % 4 != 0 || number >= HL_CALL_COUNT || hypercall_name(static_cast<int>(number)) == nullptr) {
        call.violation = "a store to " + where + ", which is no hl hypercall";
        return call;
    }
    call.number = static_cast<int>(number);
    call.value = exit.value;
    if (exit.size != 4)
        call.violation = std::string(hypercall_name(call.number)) +
                         ": hypercalls are one 32-bit `str w`, got a store of " + std::to_string(exit.size) + " bytes";
    return call;
}

FaultReport fault_report(const VcpuExit& exit, Vcpu& vcpu, const GuestMemory& memory, const Image& image,
                         bool serving_system_calls)
{
    FaultReport report;
    if (exit.reason != VcpuExit::Reason::Mmio || !exit.write || exit.size != 4 ||
        exit.address != HL_AARCH64_FAULT_REPORT_PHYS)
        return report;
    const Registers registers = vcpu.registers();
    const unsigned slot = exit.value;
    // The page is EL1's alone, so only hl's stubs can store there; the check
    // keeps a report honest all the same.
    if (slot >= aarch64::kVectorSlots || registers.pc != aarch64::report_pc(slot)) {
        report.kind = FaultReport::Kind::Forged;
        report.forged_at = image.symbolize(registers.elr_el1).value_or(format_hex(registers.elr_el1));
        return report;
    }
    report.kind = FaultReport::Kind::Fault;
    const bool system_call = aarch64::slot_saves_registers(slot) &&
                             aarch64::slot_kind(slot) == aarch64::VectorKind::Synchronous &&
                             aarch64::exception_class(registers.esr_el1) == aarch64::ec::kSupervisorCall;
    if (system_call) {
        // svc #0: the number in x8, the arguments in x0-x5, the result back in x0.
        const Registers at = aarch64::registers_at_fault(slot, registers, memory);
        SystemCall call;
        call.number = at.x[8];
        for (size_t i = 0; i < call.args.size(); ++i)
            call.args[i] = at.x[i];
        call.resume = at;   // pc: ELR_EL1, the instruction after the svc
        report.system_call = call;
        if (serving_system_calls)
            return report;
    }
    report.fault = aarch64::read_guest_fault(slot, registers, memory, image);
    return report;
}

void return_from_system_call(Vcpu& vcpu, const SystemCall& call, int64_t result)
{
    // Straight back to EL0 after the svc, past the stub: the EL1 stack it
    // pushed to is unwound with SP_EL1 back at its top.
    Registers resume = call.resume;
    resume.x[0] = static_cast<uint64_t>(result);
    resume.pstate = resume.spsr_el1;
    resume.sp_el1 = aarch64::kEl1StackTop;
    vcpu.set_registers(resume);
}

std::string describe_fault(const GuestFault& fault, const Layout& layout)
{
    return aarch64::describe_guest_fault(fault, layout);
}

const char* exception_mnemonic(unsigned exception_class) { return kept(aarch64::class_mnemonic(exception_class)); }
const char* exception_name(unsigned exception_class) { return kept(aarch64::class_name(exception_class)); }

Registers registers_at_stop(Vcpu& vcpu, const GuestMemory& memory)
{
    const Registers registers = vcpu.registers();
    // Stopped at a stub's report: the guest's registers are those the
    // exception left (ELR, SPSR, the pushed x0 and x1).
    if (const int slot = aarch64::slot_at(registers.pc); slot >= 0)
        return aarch64::registers_at_fault(static_cast<unsigned>(slot), registers, memory);
    return registers;
}

std::vector<std::pair<const char*, uint64_t>> named_registers(const Registers& registers)
{
    return aarch64::named_registers(registers);
}

const std::vector<std::string>& kvm_tracepoints()
{
    // arm64 KVM's own (arch/arm64/kvm/trace_*.h): its exits with their
    // exception class, stage-2 faults, MMIO it decoded, the traps of the
    // guest's wfi/hvc/system registers; then the generic ones.
    static const std::vector<std::string> names = {
        "kvm_entry",     "kvm_exit",      "kvm_guest_fault",    "kvm_access_fault", "kvm_mmio_emulate", "kvm_mmio",
        "kvm_wfx_arm64", "kvm_hvc_arm64", "kvm_handle_sys_reg", "kvm_fpu",          "kvm_userspace_exit"};
    return names;
}

// The gdb stub's registers: aarch64/gdb_registers.cpp's, which every
// host's unit tests check (here arch::GdbThread is aarch64::GdbThread).
std::string gdb_target_xml() { return aarch64::gdb_target_xml(); }
std::string gdb_registers(const GdbThread& thread) { return aarch64::gdb_registers(thread); }
std::optional<std::string> gdb_register(const GdbThread& thread, unsigned number)
{
    return aarch64::gdb_register(thread, number);
}
bool gdb_set_registers(GdbThread& thread, std::span<const uint8_t> bytes)
{
    return aarch64::gdb_set_registers(thread, bytes);
}
bool gdb_set_register(GdbThread& thread, unsigned number, std::span<const uint8_t> value)
{
    return aarch64::gdb_set_register(thread, number, value);
}

std::optional<std::string> system_symbol(uint64_t pc)
{
    if (const int slot = aarch64::slot_at(pc); slot >= 0)
        return "vector stub " + std::to_string(slot);
    return std::nullopt;
}

bool resets_fpu_at(const Layout&, std::span<const uint8_t>, GuestAddr)
{
    // No aarch64 runtime resets its registers after the wait: restores load them.
    return false;
}

} // namespace hl::arch
