// GuestMemory's checked views at their edges: the end of memory, ranges that
// wrap around 2^64, the host's own pages, read-only pages, empty ranges.
#include "test_layouts.hpp"

#include <hl/guest_memory.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <type_traits>

using namespace hl;

// A guest address and a host number do not mix without saying so: the views
// take a GuestAddr, and no integer turns into one, or one into an integer, silently.
static_assert(!std::is_convertible_v<uint64_t, GuestAddr>);
static_assert(!std::is_convertible_v<GuestAddr, uint64_t>);
static_assert(!std::is_invocable_v<decltype(&GuestMemory::read_view), const GuestMemory&, uint64_t, uint64_t>);

namespace {

// The typical layout in 16Mi: system pages at the bottom, image at 0x100000,
// heap from 0x107000, guard page 0xfe4000, stack up to 0xff5000, page tables to
// the end (0x1000000).
struct Fixture {
    Layout layout = test::typical_layout();
    GuestMemory memory{layout};

    std::string read_error(uint64_t address, uint64_t length) { return memory.read_view(guest_addr(address), length).error; }
    std::string write_error(uint64_t address, uint64_t length) { return memory.write_view(guest_addr(address), length).error; }
    bool nothing_dirty() const
    {
        return std::all_of(memory.host_dirty().begin(), memory.host_dirty().end(), [](uint64_t w) { return w == 0; });
    }
};

} // namespace

TEST_CASE("guest memory: the layout the checked-view tests rely on")
{
    Fixture f;
    CHECK(f.memory.size() == 0x1000000);
    CHECK(f.layout.heap_start() == 0x107000);
    CHECK(f.layout.heap_start() + f.layout.heap_size() == 0xfe4000);
    CHECK(f.layout.stack_top() == 0xff5000);
    CHECK(f.layout.page_tables_start() == 0xff5000);
}

TEST_CASE("guest memory: a view gives the host bytes of exactly that range")
{
    Fixture f;
    const auto read = f.memory.read_view(guest_addr(0x107010), 32);
    REQUIRE(read.ok());
    CHECK(read.bytes.data() == f.memory.host_address() + 0x107010);
    CHECK(read.bytes.size() == 32);
    const auto write = f.memory.write_view(guest_addr(0x107010), 32);
    REQUIRE(write.ok());
    CHECK(write.bytes.data() == f.memory.host_address() + 0x107010);
    CHECK(write.bytes.size() == 32);
}

TEST_CASE("guest memory: the last bytes of memory are in bounds, one past the end is not")
{
    Fixture f;
    // The last byte is a page-table byte: in bounds, so refused for its permission.
    CHECK(f.read_error(0xffffff, 1) == "address 0xffffff (page tables) is not readable by the guest");
    CHECK(f.read_error(0xfff000, 0x1000) == "address 0xfff000 (page tables) is not readable by the guest");
    CHECK(f.read_error(0x1000000, 1) == "range 0x1000000+1 is outside guest memory (16Mi)");
    CHECK(f.read_error(0xffffff, 2) == "range 0xffffff+2 is outside guest memory (16Mi)");
    CHECK(f.read_error(0, 0x1000001) == "range 0x0+16777217 is outside guest memory (16Mi)");
    CHECK(f.write_error(0x1000000, 1) == "range 0x1000000+1 is outside guest memory (16Mi)");
    // The last bytes the guest owns: the top of its stack, right below the page tables.
    CHECK(f.memory.write_view(guest_addr(0xff4fff), 1).ok());
    CHECK(f.memory.write_view(guest_addr(0xfe5000), 0x10000).ok()); // the whole stack
    CHECK(f.write_error(0xff4fff, 2) == "address 0xff5000 (page tables) is not writable by the guest");
}

TEST_CASE("guest memory: an address + length that wraps around 2^64 is outside memory")
{
    Fixture f;
    // Each end, computed naively, would land inside memory: 0x10008 is boot info.
    CHECK(f.read_error(UINT64_MAX - 7, 0x10010) == "range 0xfffffffffffffff8+65552 is outside guest memory (16Mi)");
    CHECK(f.read_error(UINT64_MAX, 2) == "range 0xffffffffffffffff+2 is outside guest memory (16Mi)");
    CHECK(f.read_error(0x107000, UINT64_MAX) == "range 0x107000+18446744073709551615 is outside guest memory (16Mi)");
    CHECK(f.read_error(0x107000, 0ull - 0x107000 + 0x10) ==
          "range 0x107000+18446744073708474384 is outside guest memory (16Mi)");
    CHECK(f.write_error(UINT64_MAX - 7, 0x10010) == "range 0xfffffffffffffff8+65552 is outside guest memory (16Mi)");
}

TEST_CASE("guest memory: the host's own pages are refused, alone or at the end of a range")
{
    Fixture f;
    CHECK(f.read_error(HL_GDT_ADDR, 8) == "address 0x1000 (gdt) is not readable by the guest");
    CHECK(f.read_error(HL_IDT_ADDR + 0xff8, 8) == "address 0x2ff8 (idt) is not readable by the guest");
    CHECK(f.read_error(HL_TSS_ADDR, 1) == "address 0x3000 (tss) is not readable by the guest");
    CHECK(f.write_error(HL_TSS_ADDR, 1) == "address 0x3000 (tss) is not writable by the guest");
    CHECK(f.read_error(0xff5000, 8) == "address 0xff5000 (page tables) is not readable by the guest");
    // A range that starts on a guest page and runs into the host's: the first refused byte is named.
    CHECK(f.read_error(0xff4ff8, 16) == "address 0xff5000 (page tables) is not readable by the guest");
    CHECK(f.read_error(0xfff, 2) == "address 0xfff is not mapped for the guest");
    // Unmapped: the null page, the fault report page, the gap below the boot info, the stack guard.
    CHECK(f.read_error(0, 1) == "address 0x0 is not mapped for the guest");
    CHECK(f.read_error(HL_FAULT_REPORT_ADDR, 4) == "address 0x5000 is not mapped for the guest");
    CHECK(f.write_error(0x9ff8, 16) == "address 0xa000 is not mapped for the guest"); // the IST stack's end
    CHECK(f.read_error(0xfe3ff8, 16) == "address 0xfe4000 is not mapped for the guest");
    CHECK(f.nothing_dirty()); // a refused write view marks nothing
}

TEST_CASE("guest memory: read-only pages are readable but refused for writing")
{
    Fixture f;
    CHECK(f.memory.read_view(guest_addr(HL_STUBS_ADDR), 16).ok());
    CHECK(f.write_error(HL_STUBS_ADDR, 16) == "address 0x4000 (stubs) is not writable by the guest");
    CHECK(f.memory.read_view(guest_addr(HL_BOOT_INFO_ADDR), HL_BOOT_INFO_MAX_SIZE).ok());
    CHECK(f.write_error(HL_BOOT_INFO_ADDR + HL_BOOT_INFO_MAX_SIZE - 1, 1) ==
          "address 0x4ffff (boot info) is not writable by the guest");
    CHECK(f.write_error(0x100000, 8) == "address 0x100000 (image segment 0) is not writable by the guest");
    CHECK(f.write_error(0x103000, 8) == "address 0x103000 (image segment 1) is not writable by the guest");
    // Across regions: the call area (read-write) into text (read-only), the IST stack into the gap.
    CHECK(f.memory.read_view(guest_addr(0xffff8), 16).ok());
    CHECK(f.write_error(0xffff8, 16) == "address 0x100000 (image segment 0) is not writable by the guest");
    CHECK(f.memory.write_view(guest_addr(0x104000), 0x3000).ok()); // data and bss, up to the heap...
    CHECK(f.memory.write_view(guest_addr(0x106ff8), 16).ok());     // ...and across into it
    CHECK(f.nothing_dirty() == false);
}

TEST_CASE("guest memory: a write view marks exactly the pages it covers as written by the host")
{
    Fixture f;
    REQUIRE(f.memory.write_view(guest_addr(0x107fff), 2).ok()); // one byte on each of two pages
    const std::vector<uint64_t>& dirty = f.memory.host_dirty();
    const auto page = [&](uint64_t address) { return (dirty[address / 0x1000 / 64] >> (address / 0x1000 % 64)) & 1; };
    CHECK(page(0x107000) == 1);
    CHECK(page(0x108000) == 1);
    CHECK(page(0x106000) == 0);
    CHECK(page(0x109000) == 0);
    REQUIRE(f.memory.read_view(guest_addr(0x200000), 8).ok()); // reading marks nothing
    CHECK(page(0x200000) == 0);
    f.memory.clear_host_dirty();
    CHECK(f.nothing_dirty());
}

TEST_CASE("guest memory: a range of length 0 is accepted at any address and touches nothing")
{
    Fixture f;
    for (const uint64_t address : {uint64_t{0}, uint64_t{0xfff}, uint64_t{HL_GDT_ADDR}, uint64_t{HL_STUBS_ADDR + 3},
                                   uint64_t{HL_FAULT_REPORT_ADDR}, uint64_t{0xfe4000}, uint64_t{0xff5001},
                                   uint64_t{0xffffff}, uint64_t{0x1000000}, uint64_t{0x123456789}, UINT64_MAX}) {
        CAPTURE(address);
        const auto read = f.memory.read_view(guest_addr(address), 0);
        CHECK(read.ok());
        CHECK(read.bytes.empty());
        CHECK(read.bytes.data() == f.memory.host_address()); // never null, never outside the mapping
        const auto write = f.memory.write_view(guest_addr(address), 0);
        CHECK(write.ok());
        CHECK(write.bytes.empty());
        CHECK(write.bytes.data() == f.memory.host_address());
    }
    CHECK(f.nothing_dirty());
}
