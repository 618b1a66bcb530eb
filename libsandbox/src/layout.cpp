// Guest memory map: the architecture's system pages at the bottom, the boot
// info and call area from <hl/abi.h>, the image where its ELF says, heap after
// it, then an unmapped guard page, the stack, and the page tables at the very
// top.
#include <hl/layout.hpp>

#include "arch.hpp"
#include "pages.hpp"

#include <algorithm>

namespace hl {
namespace {

constexpr PagePermission kSupervisor{.user = false, .writable = true, .executable = false};
constexpr PagePermission kUserRead{.user = true, .writable = false, .executable = false};
constexpr PagePermission kUserReadWrite{.user = true, .writable = true, .executable = false};

std::string describe_need(uint64_t need)
{
    return format_size(need) + " needed";
}

} // namespace

uint64_t Layout::page_table_pages(uint64_t memory_size)
{
    return arch::translation_table_bytes(memory_size) / kPage;
}

Layout Layout::compute(std::span<const Segment> segments, const ImageNote& note,
                       uint64_t memory_size)
{
    // The tables' size is asked only of a size in range: it may assume one.
    const bool in_range = memory_size >= HL_MEMORY_MIN && memory_size <= HL_MEMORY_MAX;
    return compute(segments, note, memory_size,
                   {arch::system_regions(), in_range ? arch::translation_table_bytes(memory_size) : 0});
}

Layout Layout::compute(std::span<const Segment> segments, const ImageNote& note,
                       uint64_t memory_size, const MachineMap& machine)
{
    if (memory_size < HL_MEMORY_MIN || memory_size > HL_MEMORY_MAX)
        throw LayoutError("memory size " + format_size(memory_size) + " is out of range, expected " +
                          format_size(HL_MEMORY_MIN) + " to " + format_size(HL_MEMORY_MAX));
    if (memory_size % kPage != 0)
        throw LayoutError("memory size " + std::to_string(memory_size) +
                          " is not a multiple of the 4Ki page size");

    Layout layout;
    layout.memory_size_ = memory_size;
    auto& r = layout.regions_;
    r = machine.system_regions;
    r.push_back({"boot info", HL_BOOT_INFO_ADDR, HL_BOOT_INFO_MAX_SIZE, kUserRead});
    r.push_back({"call area", HL_CALL_AREA_ADDR, HL_CALL_AREA_SIZE, kUserReadWrite});

    uint64_t image_end = HL_IMAGE_WINDOW_START;
    for (size_t i = 0; i < segments.size(); ++i) {
        const Segment& s = segments[i];
        const PagePermission perm{.user = true, .writable = s.writable, .executable = s.executable};
        // A segment may start mid-page (Linux executables): it takes every page it touches.
        const uint64_t start = page_down(s.vaddr);
        r.push_back({"image segment " + std::to_string(i), start, page_up(s.vaddr + s.memsz) - start, perm});
        image_end = std::max(image_end, r.back().end());
    }

    // Top down: page tables, stack, guard page; the heap takes what is left.
    const uint64_t stack_size = note.stack_size ? note.stack_size : HL_STACK_DEFAULT;
    const uint64_t tables = machine.translation_table_bytes;
    const uint64_t fixed = tables + stack_size + kPage /* guard */;
    const uint64_t need = image_end + note.heap_size + fixed;
    if (need > memory_size || memory_size - fixed < image_end)
        throw LayoutError("memory size " + format_size(memory_size) + " is too small for this image: " +
                          describe_need(round_up(need, 1ull << 20)) + " (image up to " +
                          format_size(image_end) + ", heap " + format_size(note.heap_size) +
                          ", stack " + format_size(stack_size) + ", page tables " +
                          format_size(tables) + ")");

    layout.page_tables_start_ = memory_size - tables;
    layout.stack_top_ = layout.page_tables_start_;
    layout.stack_size_ = stack_size;
    layout.heap_start_ = image_end;
    layout.heap_size_ = layout.stack_top_ - stack_size - kPage - image_end;

    if (layout.heap_size_ > 0)
        r.push_back({"heap", layout.heap_start_, layout.heap_size_, kUserReadWrite});
    r.push_back({"stack", layout.stack_top_ - stack_size, stack_size, kUserReadWrite});
    r.push_back({"page tables", layout.page_tables_start_, tables, kSupervisor});
    std::sort(r.begin(), r.end(), [](const Region& a, const Region& b) { return a.start < b.start; });
    return layout;
}

const Region* Layout::region_at(GuestAddr where) const
{
    const uint64_t address = value_of(where);
    auto it = std::upper_bound(regions_.begin(), regions_.end(), address,
                               [](uint64_t a, const Region& region) { return a < region.start; });
    if (it == regions_.begin())
        return nullptr;
    --it;
    return address < it->end() ? &*it : nullptr;
}

std::optional<PagePermission> Layout::permission(GuestAddr address) const
{
    const Region* region = region_at(address);
    if (!region)
        return std::nullopt;
    return region->permission;
}

} // namespace hl
