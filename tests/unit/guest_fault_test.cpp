// Fault descriptions: what the user reads when a guest faults.
#include "x86_64/guest_fault.hpp"
#include "test_layouts.hpp"

#include <catch2/catch.hpp>

using namespace hl;

namespace {

GuestFault page_fault(uint64_t address, uint64_t error_code)
{
    return GuestFault{.vector = 14, .error_code = error_code, .rip = 0x100034, .address = address,
                      .where = "main+0x34", .registers = {}};
}

} // namespace

TEST_CASE("page faults name the access, the address and what lives there")
{
    const Layout layout = test::typical_layout();
    CHECK(describe_guest_fault(page_fault(0, 0x6), layout) ==
          "page fault (#PF) at main+0x34 (0x100034): write to 0x0 (null page)");
    CHECK(describe_guest_fault(page_fault(0x100010, 0x7), layout) ==
          "page fault (#PF) at main+0x34 (0x100034): write to 0x100010 (image segment 0: read-only, executable)");
    CHECK(describe_guest_fault(page_fault(0x108000, 0x15), layout) ==
          "page fault (#PF) at main+0x34 (0x100034): execute at 0x108000 (heap: read-write, not executable)");
    CHECK(describe_guest_fault(page_fault(HL_GDT_ADDR, 0x5), layout) ==
          "page fault (#PF) at main+0x34 (0x100034): read from 0x1000 (gdt: host only)");
    const uint64_t guard = layout.stack_top() - layout.stack_size() - 16;
    CHECK(describe_guest_fault(page_fault(guard, 0x6), layout) ==
          "page fault (#PF) at main+0x34 (0x100034): write to 0xfe4ff0 (stack guard page: stack overflow)");
    CHECK(describe_guest_fault(page_fault(1ull << 32, 0x4), layout) ==
          "page fault (#PF) at main+0x34 (0x100034): read from 0x100000000 (outside guest memory)");
}

TEST_CASE("other exceptions name themselves, with the error code when the CPU gives one")
{
    const Layout layout = test::typical_layout();
    GuestFault ud{.vector = 6, .error_code = 0, .rip = 0x100010, .address = 0, .where = "0x100010", .registers = {}};
    CHECK(describe_guest_fault(ud, layout) == "invalid opcode (#UD) at 0x100010");
    GuestFault gp{.vector = 13, .error_code = 0x402, .rip = 0x100010, .address = 0, .where = "f", .registers = {}};
    CHECK(describe_guest_fault(gp, layout) == "general protection fault (#GP) at f (0x100010), error code 0x402");
    GuestFault de{.vector = 0, .error_code = 0, .rip = 0x100010, .address = 0, .where = "f+0x2", .registers = {}};
    CHECK(describe_guest_fault(de, layout) == "divide error (#DE) at f+0x2 (0x100010)");
}
