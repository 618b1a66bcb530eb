// Stage-1 table construction and a software walker (see translation_tables.hpp).
#include "aarch64/translation_tables.hpp"

#include "pages.hpp"

#include <cstring>

namespace hl::aarch64 {
namespace {

// VMSAv8-64 descriptor bits (Arm ARM D8.3).
constexpr uint64_t kValid = 1ull << 0;
constexpr uint64_t kTableOrPage = 1ull << 1;   // levels 1-2: table; level 3: page
constexpr unsigned kAttrIndexShift = 2;
constexpr uint64_t kApEl0 = 1ull << 6;         // AP[1]: EL0 has the access EL1 has
constexpr uint64_t kApReadOnly = 1ull << 7;    // AP[2]: read-only at every level
constexpr uint64_t kInnerShareable = 3ull << 8;
// Set up front: no access-flag fault at a page's first touch, and no
// hardware update of the tables (which would dirty a page of them).
constexpr uint64_t kAccessFlag = 1ull << 10;
constexpr uint64_t kPrivilegedNoExecute = 1ull << 53;
constexpr uint64_t kUserNoExecute = 1ull << 54;
constexpr uint64_t kAddressMask = 0x0000'ffff'ffff'f000ull;

uint64_t page_descriptor(uint64_t physical, const PagePermission& p, unsigned attribute)
{
    uint64_t d = physical | kValid | kTableOrPage | kAccessFlag | kInnerShareable |
                 (uint64_t{attribute} << kAttrIndexShift);
    if (!p.writable)
        d |= kApReadOnly;
    if (p.user) {
        // The guest's own pages: EL1 never runs them (nor could it run what
        // EL0 can write: the architecture makes those PXN by itself).
        d |= kApEl0 | kPrivilegedNoExecute;
        if (!p.executable)
            d |= kUserNoExecute;
    } else {
        d |= kUserNoExecute;
        if (!p.executable)
            d |= kPrivilegedNoExecute;
    }
    return d;
}

uint64_t count_for(uint64_t memory_size, unsigned shift)
{
    return (memory_size + (1ull << shift) - 1) >> shift;
}

} // namespace

uint64_t translation_table_pages(uint64_t memory_size)
{
    return 1 /* level 1 */ + count_for(memory_size, 30) + count_for(memory_size, 21);
}

uint64_t write_translation_tables(const Layout& layout, std::span<uint8_t> memory)
{
    const uint64_t memory_size = layout.memory_size();
    const uint64_t level1 = layout.page_tables_start();
    const uint64_t level2s = count_for(memory_size, 30), level3s = count_for(memory_size, 21);
    const uint64_t level2 = level1 + kPage, level3 = level2 + level2s * kPage;
    std::memset(memory.data() + level1, 0, layout.page_tables_size());

    // Table descriptors restrict nothing: the page descriptor alone decides.
    constexpr uint64_t kTable = kValid | kTableOrPage;
    for (uint64_t i = 0; i < level2s; ++i)
        store_u64(memory, level1 + i * 8, (level2 + i * kPage) | kTable);
    for (uint64_t i = 0; i < level3s; ++i)
        store_u64(memory, level2 + i * 8, (level3 + i * kPage) | kTable);

    for (const Region& region : layout.regions())
        for (uint64_t page = region.start; page < region.end(); page += kPage)
            store_u64(memory, level3 + (page / kPage) * 8, page_descriptor(page, region.permission, kNormalMemory));
    // The pages with no memory behind them: a store there exits to the host.
    store_u64(memory, level3 + (HL_AARCH64_HYPERCALL_ADDR / kPage) * 8,
          page_descriptor(HL_AARCH64_HYPERCALL_PHYS, {.user = true, .writable = true, .executable = false},
                          kDeviceMemory));
    store_u64(memory, level3 + (HL_AARCH64_FAULT_REPORT_ADDR / kPage) * 8,
          page_descriptor(HL_AARCH64_FAULT_REPORT_PHYS, {.user = false, .writable = true, .executable = false},
                          kDeviceMemory));
    return level1;
}

std::optional<Translation> walk_translation_tables(std::span<const uint8_t> memory, uint64_t ttbr0,
                                                   uint64_t virtual_address)
{
    if (virtual_address >> kVirtualAddressBits)
        return std::nullopt;   // outside TTBR0's range: a translation fault at level 0
    uint64_t table = ttbr0 & kAddressMask;
    for (int level = 1; level <= 3; ++level) {
        const uint64_t index = (virtual_address >> (12 + 9 * (3 - level))) & 0x1ff;
        const uint64_t slot = table + index * 8;
        if (slot + 8 > memory.size())
            return std::nullopt;
        const uint64_t entry = load_u64(memory, slot);
        // A block descriptor (bit 1 clear at levels 1-2) is never written: treat it as invalid.
        if (!(entry & kValid) || !(entry & kTableOrPage))
            return std::nullopt;
        table = entry & kAddressMask;
        if (level < 3)
            continue;
        if (!(entry & kAccessFlag))
            return std::nullopt;   // would fault at first access
        Translation t;
        t.physical = table | (virtual_address & (kPage - 1));
        t.attribute_index = (entry >> kAttrIndexShift) & 7;
        const bool el0 = entry & kApEl0, read_only = entry & kApReadOnly;
        Access& a = t.access;
        a.el1_read = true;
        a.el1_write = !read_only;
        a.el0_read = el0;
        a.el0_write = el0 && !read_only;
        // SCTLR_EL1.WXN: a page writable at any level executes at none.
        a.el0_execute = el0 && read_only && !(entry & kUserNoExecute);
        a.el1_execute = read_only && !(entry & kPrivilegedNoExecute);
        return t;
    }
    return std::nullopt;
}

} // namespace hl::aarch64
