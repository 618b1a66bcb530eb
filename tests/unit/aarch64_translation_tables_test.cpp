// aarch64 stage-1 tables: built by the host, walked in software as the MMU
// would, on every host (the builder is pure).
#include "aarch64/system_pages.hpp"
#include "aarch64/translation_tables.hpp"
#include "test_layouts.hpp"

#include <catch2/catch.hpp>

#include <functional>
#include <memory>
#include <span>
#include <vector>

#include <sys/mman.h>

using namespace hl;
using namespace hl::aarch64;

namespace {

Layout aarch64_layout(uint64_t memory = 16ull << 20)
{
    return Layout::compute(test::typical_segments(), test::typical_note(), memory, machine_map(memory));
}

// What the MMU must allow for a page of the layout's permission.
Access expected_access(const PagePermission& p)
{
    Access a;
    a.el1_read = true;
    a.el1_write = p.writable;
    a.el1_execute = !p.user && p.executable && !p.writable;
    a.el0_read = p.user;
    a.el0_write = p.user && p.writable;
    a.el0_execute = p.user && p.executable && !p.writable;
    return a;
}

} // namespace

TEST_CASE("aarch64 tables identity-map every mapped page with exactly the layout's permission")
{
    const Layout layout = aarch64_layout();
    std::vector<uint8_t> memory(layout.memory_size());
    const uint64_t ttbr0 = write_translation_tables(layout, memory);
    CHECK(ttbr0 == layout.page_tables_start());
    for (uint64_t page = 0; page < layout.memory_size(); page += HL_PAGE_SIZE) {
        if (page == HL_AARCH64_HYPERCALL_ADDR || page == HL_AARCH64_FAULT_REPORT_ADDR)
            continue;
        const auto expected = layout.permission(guest_addr(page));
        const auto walked = walk_translation_tables(memory, ttbr0, page + 0x123);
        INFO("page 0x" << std::hex << page);
        REQUIRE(walked.has_value() == expected.has_value());
        if (walked) {
            CHECK(walked->physical == page + 0x123);
            CHECK(walked->access == expected_access(*expected));
            CHECK(walked->attribute_index == kNormalMemory);
        }
    }
}

TEST_CASE("aarch64 tables map the hypercall page outside memory, EL0-writable device memory")
{
    const Layout layout = aarch64_layout();
    std::vector<uint8_t> memory(layout.memory_size());
    const uint64_t ttbr0 = write_translation_tables(layout, memory);
    const auto walked = walk_translation_tables(memory, ttbr0, HL_AARCH64_HYPERCALL_ADDR + 4 * HL_CALL_WRITE);
    REQUIRE(walked.has_value());
    CHECK(walked->physical == HL_AARCH64_HYPERCALL_PHYS + 4 * HL_CALL_WRITE);
    CHECK(walked->physical >= HL_MEMORY_MAX);
    CHECK(walked->attribute_index == kDeviceMemory);
    CHECK(walked->access == Access{.el0_read = true, .el0_write = true, .el1_read = true, .el1_write = true});
}

TEST_CASE("aarch64 tables map the fault report page outside memory, for EL1 only")
{
    const Layout layout = aarch64_layout();
    std::vector<uint8_t> memory(layout.memory_size());
    const uint64_t ttbr0 = write_translation_tables(layout, memory);
    const auto walked = walk_translation_tables(memory, ttbr0, HL_AARCH64_FAULT_REPORT_ADDR);
    REQUIRE(walked.has_value());
    CHECK(walked->physical == HL_AARCH64_FAULT_REPORT_PHYS);
    CHECK(walked->attribute_index == kDeviceMemory);
    CHECK(walked->access == Access{.el1_read = true, .el1_write = true});
}

TEST_CASE("aarch64 tables keep the vectors EL1-executable only and the EL1 stack and tables from EL0")
{
    const Layout layout = aarch64_layout();
    std::vector<uint8_t> memory(layout.memory_size());
    const uint64_t ttbr0 = write_translation_tables(layout, memory);
    const auto vectors = walk_translation_tables(memory, ttbr0, HL_AARCH64_VECTORS_ADDR + 0x400);
    REQUIRE(vectors.has_value());
    CHECK(vectors->access == Access{.el1_read = true, .el1_execute = true});
    for (const uint64_t address : {uint64_t{HL_AARCH64_EL1_STACK_ADDR}, ttbr0, layout.memory_size() - 8}) {
        INFO("address 0x" << std::hex << address);
        const auto walked = walk_translation_tables(memory, ttbr0, address);
        REQUIRE(walked.has_value());
        CHECK(walked->access == Access{.el1_read = true, .el1_write = true});
    }
}

TEST_CASE("aarch64 tables give guest code no write and guest data no execute, at any level")
{
    const Layout layout = aarch64_layout();
    std::vector<uint8_t> memory(layout.memory_size());
    const uint64_t ttbr0 = write_translation_tables(layout, memory);
    const auto text = walk_translation_tables(memory, ttbr0, 0x100000);
    REQUIRE(text.has_value());
    CHECK(text->access == Access{.el0_read = true, .el0_execute = true, .el1_read = true});
    const auto data = walk_translation_tables(memory, ttbr0, 0x104000);
    REQUIRE(data.has_value());
    CHECK(data->access == Access{.el0_read = true, .el0_write = true, .el1_read = true, .el1_write = true});
    const auto boot_info = walk_translation_tables(memory, ttbr0, HL_BOOT_INFO_ADDR);
    REQUIRE(boot_info.has_value());
    CHECK(boot_info->access == Access{.el0_read = true, .el1_read = true});
}

TEST_CASE("aarch64 tables leave the null page, guards and everything past memory unmapped")
{
    const Layout layout = aarch64_layout();
    std::vector<uint8_t> memory(layout.memory_size());
    const uint64_t ttbr0 = write_translation_tables(layout, memory);
    CHECK_FALSE(walk_translation_tables(memory, ttbr0, 0).has_value());
    CHECK_FALSE(walk_translation_tables(memory, ttbr0, HL_AARCH64_EL1_STACK_ADDR + HL_AARCH64_EL1_STACK_SIZE));
    CHECK_FALSE(walk_translation_tables(memory, ttbr0, layout.stack_top() - layout.stack_size() - 8).has_value());
    CHECK_FALSE(walk_translation_tables(memory, ttbr0, layout.memory_size()).has_value());
    CHECK_FALSE(walk_translation_tables(memory, ttbr0, 1ull << 39).has_value());
}

TEST_CASE("aarch64 tables take one level-1 page, a level-2 page per GiB and a level-3 page per 2 MiB")
{
    CHECK(translation_table_pages(2ull << 20) == 1 + 1 + 1);
    CHECK(translation_table_pages(16ull << 20) == 1 + 1 + 8);
    CHECK(translation_table_pages(HL_MEMORY_MAX) == 1 + 4 + 2048);
    const Layout layout = aarch64_layout(HL_MEMORY_MAX);
    CHECK(layout.page_tables_size() == translation_table_pages(HL_MEMORY_MAX) * HL_PAGE_SIZE);
    // 4 GiB mapped as a sandbox's memory is: only the pages written are
    // touched (a vector would zero all of it, half a minute here).
    const size_t size = layout.memory_size();
    void* mapped = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    REQUIRE(mapped != MAP_FAILED);
    const std::unique_ptr<void, std::function<void(void*)>> unmap(mapped, [size](void* p) { munmap(p, size); });
    const std::span<uint8_t> memory(static_cast<uint8_t*>(mapped), size);
    const uint64_t ttbr0 = write_translation_tables(layout, memory);
    const auto top = walk_translation_tables(memory, ttbr0, layout.stack_top() - 8);
    REQUIRE(top.has_value());
    CHECK(top->physical == layout.stack_top() - 8);
}
