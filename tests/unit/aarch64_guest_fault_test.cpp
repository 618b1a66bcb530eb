// aarch64 fault reports: the guest's registers from what the vector stubs
// leave, and the line the user reads. Pure: runs on every host.
#include "aarch64/exception_syndrome.hpp"
#include "aarch64/exception_vectors.hpp"
#include "aarch64/guest_fault.hpp"
#include "aarch64/system_pages.hpp"
#include "elf_builder.hpp"
#include "test_layouts.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <string>

using namespace hl;
using namespace hl::aarch64;

namespace {

Layout aarch64_layout()
{
    constexpr uint64_t kMemory = 16ull << 20;
    return Layout::compute(test::typical_segments(), test::typical_note(), kMemory, machine_map(kMemory));
}

GuestFault fault(unsigned exception_class, uint64_t esr_low, uint64_t address, std::string where = "main+0x34")
{
    return GuestFault{.vector = exception_class, .error_code = (uint64_t{exception_class} << 26) | esr_low,
                      .rip = 0x100034, .address = address, .where = std::move(where), .registers = {}};
}

} // namespace

TEST_CASE("aarch64 faults: aborts name the access, the address and what lives there")
{
    const Layout layout = aarch64_layout();
    // DFSC 0b000111: translation fault, level 3; bit 6: a write.
    CHECK(describe_guest_fault(fault(ec::kDataAbortLower, 0x47, 0), layout) ==
          "data abort (DABT) at main+0x34 (0x100034): write to 0x0 (null page)");
    CHECK(describe_guest_fault(fault(ec::kDataAbortLower, 0x0f, 0x100010), layout) ==
          "data abort (DABT) at main+0x34 (0x100034): read from 0x100010 (image segment 0: read-only, executable)");
    CHECK(describe_guest_fault(fault(ec::kDataAbortLower, 0x0f, HL_AARCH64_EL1_STACK_ADDR), layout) ==
          "data abort (DABT) at main+0x34 (0x100034): read from 0x4000 (el1 stack: host only)");
    const uint64_t guard = layout.stack_top() - layout.stack_size() - 16;
    CHECK(describe_guest_fault(fault(ec::kDataAbortLower, 0x47, guard), layout) ==
          "data abort (DABT) at main+0x34 (0x100034): write to " + format_hex(guard) +
              " (stack guard page: stack overflow)");
    CHECK(describe_guest_fault(fault(ec::kInstructionAbortLower, 0x0f, 0x108000, "0x108000"), layout) ==
          "instruction abort (IABT) at 0x108000: execute at 0x108000 (heap: read-write, not executable)");
    CHECK(describe_guest_fault(fault(ec::kDataAbortLower, 0x61, 0x104001), layout) ==
          "data abort (DABT) at main+0x34 (0x100034): misaligned write to 0x104001");
    CHECK(describe_guest_fault(fault(ec::kDataAbortLower, 0x447, 0), layout) ==
          "data abort (DABT) at main+0x34 (0x100034): write at an address the CPU did not report");
}

TEST_CASE("aarch64 faults: other exceptions name themselves")
{
    const Layout layout = aarch64_layout();
    CHECK(describe_guest_fault(fault(ec::kUnknown, 0, 0, "0x100010"), layout) ==
          "undefined instruction (UNDEF) at 0x100010");
    CHECK(describe_guest_fault(fault(ec::kSupervisorCall, 0, 0), layout) ==
          "system call (SVC) at main+0x34 (0x100034): hl guests make hypercalls, not system calls");
    CHECK(describe_guest_fault(fault(ec::kBrk, 0x3e8, 0), layout) ==
          "breakpoint instruction (brk) (BRK) at main+0x34 (0x100034): brk #0x3e8");
    CHECK(describe_guest_fault(fault(ec::kSpAlignment, 0, 0), layout) ==
          "stack pointer alignment fault (SPALIGN) at main+0x34 (0x100034), syndrome 0x98000000");
}

TEST_CASE("aarch64 faults: the guest's registers come from the vCPU, ELR, SPSR and the stub's pushes")
{
    const Layout layout = aarch64_layout();
    GuestMemory memory(layout);
    const Image image = Image::parse("img", test::ElfBuilder().build());
    const uint64_t saved[2] = {0x1111, 0x2222};
    std::memcpy(memory.host_view().data() + kEl1StackTop - 16, saved, sizeof saved);
    Registers at_report;
    for (size_t i = 0; i < at_report.x.size(); ++i)
        at_report.x[i] = 0x100 + i;
    at_report.x[0] = 8;                       // the stub's slot number
    at_report.x[1] = HL_AARCH64_FAULT_REPORT_ADDR;
    at_report.sp = 0xfe0000;
    at_report.pc = report_pc(8);
    at_report.pstate = 0x3c5;                 // EL1h, masked
    at_report.sp_el1 = kEl1StackTop - 16;
    at_report.elr_el1 = 0x100040;
    at_report.spsr_el1 = 0x6000'03c0;         // Z and C set, EL0t
    at_report.esr_el1 = (uint64_t{ec::kDataAbortLower} << 26) | 0x47;
    at_report.far_el1 = 0x8;

    const GuestFault f = read_guest_fault(8, at_report, memory, image);
    CHECK(f.vector == ec::kDataAbortLower);
    CHECK(f.error_code == at_report.esr_el1);
    CHECK(f.address == 0x8);
    CHECK(f.rip == 0x100040);
    CHECK(f.where == image.symbolize(0x100040).value_or("0x100040"));
    REQUIRE(f.registers.size() == 34);
    // The names by their text: two equal literals need not share an address.
    CHECK(std::string(f.registers[0].first) == "x0");
    CHECK(f.registers[0].second == 0x1111);
    CHECK(f.registers[1].second == 0x2222);
    CHECK(f.registers[2].second == 0x102);
    CHECK(std::string(f.registers[31].first) == "sp");
    CHECK(f.registers[31].second == 0xfe0000);
    CHECK(f.registers[32].second == 0x100040);
    CHECK(std::string(f.registers[33].first) == "pstate");
    CHECK(f.registers[33].second == 0x6000'0000);

    // Stopped in the stub before its push (a timeout there): x0 and x1 are live, not on the stack.
    Registers entering = at_report;
    entering.pc = HL_AARCH64_VECTORS_ADDR + 8 * kVectorSlotSize;
    entering.x[0] = 0x3333;
    entering.sp_el1 = kEl1StackTop;
    CHECK(registers_at_fault(8, entering, memory).x[0] == 0x3333);
    entering.pc += 4;   // pushed
    entering.sp_el1 = kEl1StackTop - 16;
    CHECK(registers_at_fault(8, entering, memory).x[0] == 0x1111);
    // PSTATE: what EL0 sets itself (NZCV, DIT, SSBS), nothing of the machine's.
    entering.spsr_el1 = 0x6100'13c0;
    CHECK(registers_at_fault(8, entering, memory).pstate == 0x6100'1000);

    // A stub for EL1 saved nothing: x0 and x1 are what the vCPU holds.
    const Registers el1 = registers_at_fault(vector_slot(VectorOrigin::CurrentElSpx, VectorKind::Synchronous),
                                             at_report, memory);
    CHECK(el1.x[0] == 8);
    // An SError leaves its syndrome; an IRQ none, and no address.
    const GuestFault serror = read_guest_fault(vector_slot(VectorOrigin::LowerEl64, VectorKind::SError), at_report,
                                               memory, image);
    CHECK(serror.vector == ec::kSError);
    CHECK(serror.address == 0);
    const GuestFault irq = read_guest_fault(vector_slot(VectorOrigin::LowerEl64, VectorKind::Irq), at_report,
                                            memory, image);
    CHECK(irq.vector == ec::kIrq);
    CHECK(irq.error_code == 0);
}
