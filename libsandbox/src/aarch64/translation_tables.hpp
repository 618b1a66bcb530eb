// aarch64 stage-1 translation tables that identity-map a Layout (4 KiB
// granule, 39-bit virtual addresses: levels 1 to 3), built by the host into
// EL1-only pages of guest memory, so the guest at EL0 can never change them.
// Pure: operates on a byte span standing for guest memory.
#pragma once

#include <hl/layout.hpp>

#include <cstdint>
#include <optional>
#include <span>

namespace hl::aarch64 {

// TCR_EL1.T0SZ for the tables: 64 - 39, so a walk starts at level 1.
inline constexpr unsigned kVirtualAddressBits = 39;

// MAIR_EL1 attribute indexes the descriptors use.
inline constexpr unsigned kNormalMemory = 0;   // write-back cacheable
inline constexpr unsigned kDeviceMemory = 1;   // nGnRE: the pages with no memory behind them

// Writes the tables at layout.page_tables_start() into memory (all of guest
// memory, memory.size() == layout.memory_size()); returns the value for
// TTBR0_EL1. A guest page (user) is EL0-accessible and never EL1-executable;
// a system page is EL1 only, executable only when its region says so.
// Unmapped pages get no descriptor. Two more pages map to addresses outside
// memory, as device memory: the hypercall page (EL0 write) and the fault
// report page (EL1 write), see <hl/abi.h>.
uint64_t write_translation_tables(const Layout& layout, std::span<uint8_t> memory);
// Pages of tables that map memory_size bytes: one level-1 table, a level-2
// table per GiB, a level-3 table per 2 MiB.
uint64_t translation_table_pages(uint64_t memory_size);

// What a page allows at each exception level, as the MMU decides it.
struct Access {
    bool el0_read = false, el0_write = false, el0_execute = false;
    bool el1_read = false, el1_write = false, el1_execute = false;
    bool operator==(const Access&) const = default;
};

struct Translation {
    uint64_t physical = 0;
    Access access;
    unsigned attribute_index = 0;
};

// Walks the tables as the MMU would (WXN set, table descriptors adding no
// restrictions: they carry none); nullopt for an invalid descriptor or a
// table outside memory. For tests and diagnostics.
std::optional<Translation> walk_translation_tables(std::span<const uint8_t> memory, uint64_t ttbr0,
                                                   uint64_t virtual_address);

} // namespace hl::aarch64
