// Page-table construction and a software walker (see page_tables.hpp).
#include "x86_64/page_tables.hpp"

#include "pages.hpp"

#include <cstring>

namespace hl {
namespace {

constexpr uint64_t kPresent = 1ull << 0;
constexpr uint64_t kWritable = 1ull << 1;
constexpr uint64_t kUser = 1ull << 2;
// Set up front so that the CPU (or a shadow-paging hypervisor) never writes
// them: a page-table page the guest's accesses dirtied would be one more page
// for every restore to copy back.
constexpr uint64_t kAccessed = 1ull << 5;
constexpr uint64_t kDirty = 1ull << 6;
constexpr uint64_t kNoExecute = 1ull << 63;
constexpr uint64_t kAddressMask = 0x000f'ffff'ffff'f000ull;

uint64_t leaf_entry(uint64_t page, const PagePermission& p)
{
    return page | kPresent | kAccessed | (p.writable ? kWritable | kDirty : 0) | (p.user ? kUser : 0) |
           (p.executable ? 0 : kNoExecute);
}

} // namespace

uint64_t page_table_pages(uint64_t memory_size)
{
    const uint64_t pts = (memory_size + (1ull << 21) - 1) >> 21;
    const uint64_t pds = (memory_size + (1ull << 30) - 1) >> 30;
    return 1 /* PML4 */ + 1 /* PDPT */ + pds + pts;
}

uint64_t write_page_tables(const Layout& layout, std::span<uint8_t> memory)
{
    const uint64_t memory_size = layout.memory_size();
    const uint64_t base = layout.page_tables_start();
    const uint64_t pds = (memory_size + (1ull << 30) - 1) >> 30;
    const uint64_t pml4 = base, pdpt = base + kPage, pd0 = pdpt + kPage, pt0 = pd0 + pds * kPage;
    std::memset(memory.data() + base, 0, layout.page_tables_size());

    // Upper levels allow everything; the leaf entry alone decides a page's rights.
    constexpr uint64_t kTable = kPresent | kWritable | kUser | kAccessed;
    store_u64(memory, pml4, pdpt | kTable);
    for (uint64_t i = 0; i < pds; ++i)
        store_u64(memory, pdpt + i * 8, (pd0 + i * kPage) | kTable);
    const uint64_t pts = (memory_size + (1ull << 21) - 1) >> 21;
    for (uint64_t i = 0; i < pts; ++i)
        store_u64(memory, pd0 + i * 8, (pt0 + i * kPage) | kTable);

    for (const Region& region : layout.regions())
        for (uint64_t page = region.start; page < region.end(); page += kPage)
            store_u64(memory, pt0 + (page / kPage) * 8, leaf_entry(page, region.permission));
    // The fault stubs' report page: user-writable, but backed by no memory,
    // so a write to it exits to the host (see HL_FAULT_REPORT_ADDR).
    store_u64(memory, pt0 + (HL_FAULT_REPORT_ADDR / kPage) * 8,
          leaf_entry(HL_FAULT_REPORT_PHYS, {.user = true, .writable = true, .executable = false}));
    return pml4;
}

std::optional<Translation> walk_page_tables(std::span<const uint8_t> memory, uint64_t cr3,
                                            uint64_t virtual_address)
{
    PagePermission effective{.user = true, .writable = true, .executable = true};
    uint64_t table = cr3 & kAddressMask;
    for (int level = 3; level >= 0; --level) {
        const uint64_t index = (virtual_address >> (12 + 9 * level)) & 0x1ff;
        const uint64_t slot = table + index * 8;
        if (slot + 8 > memory.size())
            return std::nullopt;
        const uint64_t entry = load_u64(memory, slot);
        if (!(entry & kPresent))
            return std::nullopt;
        effective.user = effective.user && (entry & kUser);
        effective.writable = effective.writable && (entry & kWritable);
        effective.executable = effective.executable && !(entry & kNoExecute);
        table = entry & kAddressMask;
    }
    return Translation{.physical = table | (virtual_address & (kPage - 1)), .permission = effective};
}

} // namespace hl
