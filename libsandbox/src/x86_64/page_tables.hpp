// 4-level x86-64 page tables that identity-map a Layout, built by the host
// into guest memory (supervisor-only pages, so the guest can never change
// them). Pure: operates on a byte span standing for guest memory.
#pragma once

#include <hl/layout.hpp>

#include <cstdint>
#include <optional>
#include <span>

namespace hl {

// Writes the tables at layout.page_tables_start() into memory (all of guest
// memory, memory.size() == layout.memory_size()); returns the value for CR3.
// Each mapped page gets P, RW if writable, U/S if user, NX if not executable;
// unmapped pages (null page, guards) get no entry. One page more is mapped:
// HL_FAULT_REPORT_ADDR, to HL_FAULT_REPORT_PHYS outside memory.
uint64_t write_page_tables(const Layout& layout, std::span<uint8_t> memory);
// Pages of tables that map memory_size bytes: PML4, PDPT, page directories, page tables.
uint64_t page_table_pages(uint64_t memory_size);

struct Translation {
    uint64_t physical = 0;
    PagePermission permission;   // effective: AND of U/S and RW, OR of NX across levels
};

// Walks the tables as the MMU would; nullopt when not present or when a
// table pointer leaves memory. For tests and diagnostics.
std::optional<Translation> walk_page_tables(std::span<const uint8_t> memory, uint64_t cr3,
                                            uint64_t virtual_address);

} // namespace hl
