// Layout: the guest memory map, computed without KVM.
#include "test_layouts.hpp"

#include <catch2/catch.hpp>

using namespace hl;

TEST_CASE("layout maps system pages, image, heap, stack and page tables without overlap")
{
    const Layout layout = test::typical_layout();
    const auto& regions = layout.regions();
    REQUIRE(!regions.empty());
    for (size_t i = 1; i < regions.size(); ++i)
        CHECK(regions[i - 1].end() <= regions[i].start);
    for (const Region& r : regions) {
        CHECK(r.start % HL_PAGE_SIZE == 0);
        CHECK(r.size % HL_PAGE_SIZE == 0);
        CHECK(r.end() <= layout.memory_size());
        CHECK_FALSE((r.permission.writable && r.permission.executable && r.permission.user));
    }
}

TEST_CASE("layout gives each page the permission the design asks for")
{
    const Layout layout = test::typical_layout();
    CHECK_FALSE(layout.permission(guest_addr(0)).has_value());                    // null page
    CHECK_FALSE(layout.permission(guest_addr(0xfff)).has_value());
    CHECK(layout.permission(guest_addr(HL_GDT_ADDR))->user == false);            // system pages: host only
    CHECK(layout.permission(guest_addr(HL_IDT_ADDR))->user == false);
    CHECK(layout.permission(guest_addr(HL_TSS_ADDR))->user == false);
    CHECK(*layout.permission(guest_addr(HL_STUBS_ADDR)) == PagePermission{.user = true, .writable = false, .executable = true});
    CHECK_FALSE(layout.permission(guest_addr(HL_FAULT_REPORT_ADDR)).has_value()); // no memory behind it
    CHECK(*layout.permission(guest_addr(HL_BOOT_INFO_ADDR)) == PagePermission{.user = true, .writable = false, .executable = false});
    CHECK(*layout.permission(guest_addr(0x100000)) == PagePermission{.user = true, .writable = false, .executable = true});
    CHECK(*layout.permission(guest_addr(0x102fff)) == PagePermission{.user = true, .writable = false, .executable = true});
    CHECK(*layout.permission(guest_addr(0x103000)) == PagePermission{.user = true, .writable = false, .executable = false});
    CHECK(*layout.permission(guest_addr(0x106fff)) == PagePermission{.user = true, .writable = true, .executable = false});
    CHECK(layout.permission(guest_addr(layout.page_tables_start()))->user == false);
    CHECK_FALSE(layout.permission(guest_addr(layout.memory_size())).has_value());
}

TEST_CASE("layout puts the heap after the image and an unmapped guard below the stack")
{
    const Layout layout = test::typical_layout();
    CHECK(layout.heap_start() == 0x107000);
    CHECK(layout.stack_top() == layout.page_tables_start());
    CHECK(layout.stack_size() == 0x10000);
    const uint64_t stack_bottom = layout.stack_top() - layout.stack_size();
    CHECK(layout.heap_start() + layout.heap_size() == stack_bottom - HL_PAGE_SIZE);
    CHECK_FALSE(layout.permission(guest_addr(stack_bottom - 1)).has_value());
    CHECK(*layout.permission(guest_addr(stack_bottom)) == PagePermission{.user = true, .writable = true, .executable = false});
    CHECK(layout.page_tables_size() == Layout::page_table_pages(layout.memory_size()) * HL_PAGE_SIZE);
    CHECK(layout.region_at(guest_addr(stack_bottom))->name == "stack");
    CHECK(layout.region_at(guest_addr(layout.heap_start()))->name == "heap");
}

TEST_CASE("layout counts page-table pages for 4-level identity maps")
{
    CHECK(Layout::page_table_pages(2ull << 20) == 1 + 1 + 1 + 1);
    CHECK(Layout::page_table_pages(16ull << 20) == 1 + 1 + 1 + 8);
    CHECK(Layout::page_table_pages(1ull << 30) == 1 + 1 + 1 + 512);
    CHECK(Layout::page_table_pages(HL_MEMORY_MAX) == 1 + 1 + 4 + 2048);
}

TEST_CASE("layout rejects memory sizes it cannot use, saying why")
{
    const auto segments = test::typical_segments();
    const auto note = test::typical_note();
    CHECK_THROWS_WITH(Layout::compute(segments, note, 1ull << 20),
                      "memory size 1Mi is out of range, expected 2Mi to 4Gi");
    CHECK_THROWS_WITH(Layout::compute(segments, note, 8ull << 30),
                      "memory size 8Gi is out of range, expected 2Mi to 4Gi");
    CHECK_THROWS_WITH(Layout::compute(segments, note, (4ull << 20) + 1),
                      "memory size 4194305 is not a multiple of the 4Ki page size");
    ImageNote big_heap = note;
    big_heap.heap_size = 64ull << 20;
    CHECK_THROWS_WITH(Layout::compute(segments, big_heap, 16ull << 20),
                      "memory size 16Mi is too small for this image: 66Mi needed (image up to 1052Ki, heap 64Mi, "
                      "stack 64Ki, page tables 44Ki)");
    CHECK_THROWS_AS(Layout::compute(segments, big_heap, 16ull << 20), LayoutError);
}

TEST_CASE("layout uses the default stack when the note asks for none")
{
    ImageNote note = test::typical_note();
    note.stack_size = 0;
    const Layout layout = Layout::compute(test::typical_segments(), note, 16ull << 20);
    CHECK(layout.stack_size() == HL_STACK_DEFAULT);
}

TEST_CASE("layout gives a segment that starts mid-page every page it touches")
{
    // The segments of a small musl-gcc -static program: the data segment starts
    // 0xfc0 into its page and its bss ends 0x7b8 into the next one.
    const std::vector<Segment> segments{
        {.vaddr = 0x400000, .memsz = 0x190, .filesz = 0x190, .offset = 0, .readable = true},
        {.vaddr = 0x401000, .memsz = 0x3bb7, .filesz = 0x3bb7, .offset = 0x1000, .readable = true, .executable = true},
        {.vaddr = 0x405000, .memsz = 0xc94, .filesz = 0xc94, .offset = 0x5000, .readable = true},
        {.vaddr = 0x406fc0, .memsz = 0x7f8, .filesz = 0x150, .offset = 0x5fc0, .readable = true, .writable = true},
    };
    const Layout layout = Layout::compute(segments, test::typical_note(), 16ull << 20);
    const Region* data = layout.region_at(guest_addr(0x406fc0));
    REQUIRE(data != nullptr);
    CHECK(data->name == "image segment 3");
    CHECK(data->start == 0x406000);
    CHECK(data->end() == 0x408000);
    CHECK(*layout.permission(guest_addr(0x406000)) == PagePermission{.user = true, .writable = true, .executable = false});
    CHECK(*layout.permission(guest_addr(0x407fff)) == PagePermission{.user = true, .writable = true, .executable = false});
    CHECK(*layout.permission(guest_addr(0x405fff)) == PagePermission{.user = true, .writable = false, .executable = false});
    CHECK(layout.heap_start() == 0x408000);
}
