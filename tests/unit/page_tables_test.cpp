// Page tables: built by the host, walked in software as the MMU would.
#include "x86_64/page_tables.hpp"
#include "test_layouts.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

using namespace hl;

TEST_CASE("page tables identity-map every mapped page with exactly the layout's permission")
{
    const Layout layout = test::typical_layout();
    std::vector<uint8_t> memory(layout.memory_size());
    const uint64_t cr3 = write_page_tables(layout, memory);
    CHECK(cr3 == layout.page_tables_start());

    for (uint64_t page = 0; page < layout.memory_size(); page += HL_PAGE_SIZE) {
        if (page == HL_FAULT_REPORT_ADDR)
            continue;
        const auto expected = layout.permission(guest_addr(page));
        const auto walked = walk_page_tables(memory, cr3, page + 0x123);
        INFO("page 0x" << std::hex << page);
        REQUIRE(walked.has_value() == expected.has_value());
        if (walked) {
            CHECK(walked->physical == page + 0x123);
            CHECK(walked->permission == *expected);
        }
    }
}

TEST_CASE("page tables map the fault report page outside memory, user-writable")
{
    const Layout layout = test::typical_layout();
    std::vector<uint8_t> memory(layout.memory_size());
    const uint64_t cr3 = write_page_tables(layout, memory);
    const auto walked = walk_page_tables(memory, cr3, HL_FAULT_REPORT_ADDR);
    REQUIRE(walked.has_value());
    CHECK(walked->physical == HL_FAULT_REPORT_PHYS);
    CHECK(walked->permission == PagePermission{.user = true, .writable = true, .executable = false});
}

TEST_CASE("page tables leave the null page, guard pages and everything past memory unmapped")
{
    const Layout layout = test::typical_layout();
    std::vector<uint8_t> memory(layout.memory_size());
    const uint64_t cr3 = write_page_tables(layout, memory);
    CHECK_FALSE(walk_page_tables(memory, cr3, 0).has_value());
    CHECK_FALSE(walk_page_tables(memory, cr3, layout.stack_top() - layout.stack_size() - 8).has_value());
    CHECK_FALSE(walk_page_tables(memory, cr3, layout.memory_size()).has_value());
    CHECK_FALSE(walk_page_tables(memory, cr3, 1ull << 39).has_value());
}

TEST_CASE("page tables keep system pages out of the guest's reach")
{
    const Layout layout = test::typical_layout();
    std::vector<uint8_t> memory(layout.memory_size());
    const uint64_t cr3 = write_page_tables(layout, memory);
    for (uint64_t address : {uint64_t{HL_GDT_ADDR}, uint64_t{HL_IDT_ADDR}, uint64_t{HL_TSS_ADDR}, cr3,
                             layout.memory_size() - 8}) {
        const auto walked = walk_page_tables(memory, cr3, address);
        REQUIRE(walked.has_value());
        CHECK_FALSE(walked->permission.user);
    }
}

TEST_CASE("page tables come with accessed and dirty bits set, so the guest never writes them")
{
    // A page-table page that the CPU (or PVM's shadow paging) wrote A/D bits
    // into would be one more dirty page for every restore.
    const Layout layout = test::typical_layout();
    std::vector<uint8_t> memory(layout.memory_size());
    write_page_tables(layout, memory);
    constexpr uint64_t kPresent = 1, kWritable = 2, kAccessed = 1u << 5, kDirty = 1u << 6;
    const uint64_t tables = layout.page_tables_start();
    const uint64_t pds = (layout.memory_size() + (1ull << 30) - 1) >> 30;
    const uint64_t leaves = tables + (2 + pds) * HL_PAGE_SIZE; // after the PML4, the PDPT and the PDs
    int present = 0;
    for (uint64_t at = tables; at < tables + layout.page_tables_size(); at += 8) {
        uint64_t entry;
        std::memcpy(&entry, memory.data() + at, 8);
        if (!(entry & kPresent))
            continue;
        ++present;
        INFO("entry at 0x" << std::hex << at << ": 0x" << entry);
        CHECK((entry & kAccessed) != 0);
        if (at >= leaves && (entry & kWritable))
            CHECK((entry & kDirty) != 0);
    }
    CHECK(present > 100);
}
