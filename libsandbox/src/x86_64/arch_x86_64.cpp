// The architecture seam (arch.hpp) for x86-64: descriptor tables and fault
// stubs (cpu_tables), 4-level page tables (page_tables), port I/O hypercalls,
// faults reported by the stubs (guest_fault), system calls (system_call),
// XRSTOR-based resets (xstate_reset).
#include "arch.hpp"

#include "hypercalls.hpp"
#include "x86_64/cpu_tables.hpp"
#include "x86_64/guest_fault.hpp"
#include "x86_64/page_tables.hpp"
#include "x86_64/system_call.hpp"
#include "x86_64/xstate_reset.hpp"

#include <hl/abi.h>
#include <hl/units.hpp>

namespace hl::arch {
namespace {

constexpr PagePermission kSupervisor{.user = false, .writable = true, .executable = false};
constexpr PagePermission kUserReadExec{.user = true, .writable = false, .executable = true};
constexpr PagePermission kUserReadWrite{.user = true, .writable = true, .executable = false};

} // namespace

std::vector<Region> system_regions()
{
    return {
        {"gdt", HL_GDT_ADDR, HL_PAGE_SIZE, kSupervisor},
        {"idt", HL_IDT_ADDR, HL_PAGE_SIZE, kSupervisor},
        {"tss", HL_TSS_ADDR, HL_PAGE_SIZE, kSupervisor},
        {"stubs", HL_STUBS_ADDR, HL_PAGE_SIZE, kUserReadExec},
        {"ist stack", HL_IST_STACK_ADDR, HL_IST_STACK_SIZE, kUserReadWrite},
    };
}

uint64_t translation_table_bytes(uint64_t memory_size)
{
    return page_table_pages(memory_size) * HL_PAGE_SIZE;
}

uint64_t write_machine_structures(const Layout& layout, std::span<uint8_t> memory)
{
    const uint64_t root = write_page_tables(layout, memory);
    cpu::write_cpu_tables(memory);
    return root;
}

uint64_t root_table_address(const Layout& layout)
{
    return layout.page_tables_start(); // the PML4 is the first page of the tables
}

bool is_hypercall(const VcpuExit& exit)
{
    return exit.reason == VcpuExit::Reason::IoOut || exit.reason == VcpuExit::Reason::IoIn;
}

Hypercall hypercall(const VcpuExit& exit)
{
    Hypercall call;
    const bool ours = exit.port >= HL_PORT_BASE && exit.port < HL_PORT_BASE + HL_CALL_COUNT &&
                      hypercall_name(exit.port - HL_PORT_BASE) != nullptr;
    if (exit.reason == VcpuExit::Reason::IoIn) {
        call.violation = "`in` from port " + format_hex(exit.port) + ": hl ports are write-only";
        return call;
    }
    if (!ours) {
        call.violation = "`out` to port " + format_hex(exit.port) + ", which is not an hl hypercall port";
        return call;
    }
    call.number = exit.port - HL_PORT_BASE;
    call.value = exit.value;
    if (exit.size != 4 || exit.count != 1)
        call.violation = std::string(hypercall_name(call.number)) + ": hypercalls are one 32-bit `out`, got " +
                         std::to_string(exit.count) + " x " + std::to_string(exit.size) + " bytes";
    return call;
}

FaultReport fault_report(const VcpuExit& exit, Vcpu& vcpu, const GuestMemory& memory, const Image& image,
                         bool serving_system_calls)
{
    FaultReport report;
    // The stubs report through the one page with no memory behind it: the
    // fault stubs their vector, the `syscall` stub the system call number.
    const bool system_call = exit.address == HL_SYSCALL_REPORT_PHYS;
    if (exit.reason != VcpuExit::Reason::Mmio || !exit.write || exit.size != 4 ||
        (exit.address != HL_FAULT_REPORT_PHYS && !system_call))
        return report;
    const Registers registers = vcpu.registers();
    const unsigned vector = system_call ? cpu::kSyscallVector : exit.value;
    if ((!system_call && exit.value >= cpu::kVectors) || registers.rip != cpu::report_rip(vector)) {
        report.kind = FaultReport::Kind::Forged;
        report.forged_at = image.symbolize(registers.rip).value_or(format_hex(registers.rip));
        return report;
    }
    report.kind = FaultReport::Kind::Fault;
    if (system_call && serving_system_calls) {
        report.system_call = cpu::decode_system_call(registers_at_fault(vector, registers, memory, nullptr));
        if (report.system_call)
            return report;
    }
    // CR2 means something only for a page fault, and reading it costs a request of the vCPU.
    constexpr unsigned kPageFault = 14;
    const uint64_t cr2 = vector == kPageFault ? vcpu.fault_address() : 0;
    report.fault = read_guest_fault(vector, registers, cr2, memory, image);
    if (vector == cpu::kSyscallVector ||
        (vector == cpu::kInvalidOpcodeVector && cpu::is_syscall_instruction(memory, report.fault.rip)))
        report.system_call = cpu::decode_system_call(registers_at_fault(vector, registers, memory, nullptr));
    return report;
}

Registers registers_at_stop(Vcpu& vcpu, const GuestMemory& memory)
{
    const Registers registers = vcpu.registers();
    // Stopped at a stub's report (an exception, or a system call whose
    // serving ended the stretch, as an abort): the guest's registers are
    // those the stub's frame, or `syscall`, kept.
    for (unsigned vector = 0; vector <= cpu::kSyscallVector; ++vector)
        if (registers.rip == cpu::report_rip(vector))
            return registers_at_fault(vector, registers, memory, nullptr);
    return registers;
}

std::vector<std::pair<const char*, uint64_t>> named_registers(const Registers& registers)
{
    return hl::named_registers(registers);
}

std::string describe_fault(const GuestFault& fault, const Layout& layout)
{
    return describe_guest_fault(fault, layout);
}

const char* exception_mnemonic(unsigned vector) { return cpu::vector_mnemonic(vector); }
const char* exception_name(unsigned vector) { return cpu::vector_name(vector); }

const std::vector<std::string>& kvm_tracepoints()
{
    static const std::vector<std::string> names = {"kvm_entry", "kvm_exit",       "kvm_pio",           "kvm_mmio",
                                                   "kvm_emulate_insn", "kvm_fpu", "kvm_page_fault", "kvm_inj_exception",
                                                   "kvm_userspace_exit"};
    return names;
}

std::optional<std::string> system_symbol(uint64_t pc)
{
    if (pc >= HL_STUBS_ADDR && pc < HL_STUBS_ADDR + cpu::kVectors * cpu::kStubSize)
        return std::string("fault stub ") + cpu::vector_mnemonic((pc - HL_STUBS_ADDR) / cpu::kStubSize);
    if (pc >= cpu::kSyscallStub && pc < cpu::kSyscallStub + cpu::kStubSize)
        return std::string("syscall stub");
    return std::nullopt;
}

bool resets_fpu_at(const Layout& layout, std::span<const uint8_t> memory, GuestAddr at)
{
    return cpu::resets_xstate_at(layout, memory, at);
}

} // namespace hl::arch
