// hl::Layout: the guest memory map, computed from an image and the memory
// size. Pure: no KVM, no allocation of guest memory. The one place that owns
// every guest address and size (the fixed ones come from <hl/abi.h>).
#pragma once

#include <hl/version.hpp>

#include <hl/abi.h>
#include <hl/guest_addr.hpp>
#include <hl/error.hpp>
#include <hl/image.hpp>
#include <hl/units.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace hl {

// What a mapped page allows. Unmapped pages have no PagePermission at all.
struct PagePermission {
    bool user = false;       // reachable at CPL3 (the guest); false = supervisor only
    bool writable = false;
    bool executable = false;
    bool operator==(const PagePermission&) const = default;
};

struct Region {
    std::string name;        // "gdt", "stubs", "image segment 0", "heap", ...
    uint64_t start = 0;      // page-aligned
    uint64_t size = 0;       // page multiple
    PagePermission permission;
    uint64_t end() const { return start + size; }
};

// The architecture's part of the memory map: its system pages at the bottom
// (below HL_BOOT_INFO_ADDR) and the bytes its translation tables take at the
// top for a given memory size.
struct MachineMap {
    std::vector<Region> system_regions;
    uint64_t translation_table_bytes = 0;
};

class Layout {
public:
    // Throws LayoutError when memory_size is out of [HL_MEMORY_MIN,
    // HL_MEMORY_MAX], not a page multiple, or too small for the image, its
    // stack, its minimum heap and the page tables; the message says how much
    // memory would fit.
    static Layout compute(std::span<const Segment> segments, const ImageNote& note,
                          uint64_t memory_size);
    // The same for another architecture's machine (tests of its tables on any host).
    static Layout compute(std::span<const Segment> segments, const ImageNote& note,
                          uint64_t memory_size, const MachineMap& machine);

    uint64_t memory_size() const { return memory_size_; }
    // Mapped regions, sorted by address, non-overlapping. Every address not
    // inside one of them is unmapped for the guest.
    const std::vector<Region>& regions() const { return regions_; }

    uint64_t heap_start() const { return heap_start_; }
    uint64_t heap_size() const { return heap_size_; }
    uint64_t stack_top() const { return stack_top_; }
    uint64_t stack_size() const { return stack_size_; }
    uint64_t page_tables_start() const { return page_tables_start_; }
    uint64_t page_tables_size() const { return memory_size_ - page_tables_start_; }

    // The permission of the page containing address, or nullopt if unmapped
    // or outside memory.
    std::optional<PagePermission> permission(GuestAddr address) const;
    // The region containing address, or nullptr.
    const Region* region_at(GuestAddr address) const;

    // Pages of page tables needed to identity-map memory_size bytes.
    static uint64_t page_table_pages(uint64_t memory_size);

private:
    uint64_t memory_size_ = 0;
    std::vector<Region> regions_;
    uint64_t heap_start_ = 0, heap_size_ = 0;
    uint64_t stack_top_ = 0, stack_size_ = 0;
    uint64_t page_tables_start_ = 0;
};

} // namespace hl
