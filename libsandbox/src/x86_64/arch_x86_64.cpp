// The architecture seam (arch.hpp) for x86-64: descriptor tables and fault
// stubs (cpu_tables), 4-level page tables (page_tables), port I/O hypercalls,
// faults reported by the stubs (guest_fault), XRSTOR-based resets
// (xstate_reset).
#include "arch.hpp"

#include "hypercalls.hpp"
#include "x86_64/cpu_tables.hpp"
#include "x86_64/guest_fault.hpp"
#include "x86_64/page_tables.hpp"
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

FaultReport fault_report(const VcpuExit& exit, Vcpu& vcpu, const GuestMemory& memory, const Image& image)
{
    FaultReport report;
    // The fault stubs report through the one page with no memory behind it.
    if (exit.reason != VcpuExit::Reason::Mmio || !exit.write || exit.address != HL_FAULT_REPORT_PHYS ||
        exit.size != 4)
        return report;
    const Registers registers = vcpu.registers();
    if (exit.value > cpu::kSyscallVector || registers.rip != cpu::report_rip(exit.value)) {
        report.kind = FaultReport::Kind::Forged;
        report.forged_at = image.symbolize(registers.rip).value_or(format_hex(registers.rip));
        return report;
    }
    report.kind = FaultReport::Kind::Fault;
    report.fault = read_guest_fault(exit.value, registers, vcpu.fault_address(), memory, image);
    return report;
}

std::string describe_fault(const GuestFault& fault, const Layout& layout)
{
    return describe_guest_fault(fault, layout);
}

const char* exception_mnemonic(unsigned vector) { return cpu::vector_mnemonic(vector); }
const char* exception_name(unsigned vector) { return cpu::vector_name(vector); }

std::optional<std::string> system_symbol(uint64_t pc)
{
    if (pc >= HL_STUBS_ADDR && pc < HL_STUBS_ADDR + cpu::kVectors * cpu::kStubSize)
        return std::string("fault stub ") + cpu::vector_mnemonic((pc - HL_STUBS_ADDR) / cpu::kStubSize);
    return std::nullopt;
}

bool resets_fpu_at(const Layout& layout, std::span<const uint8_t> memory, GuestAddr at)
{
    return cpu::resets_xstate_at(layout, memory, at);
}

} // namespace hl::arch
