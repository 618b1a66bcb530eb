// The aarch64 system pages (see system_pages.hpp).
#include "aarch64/system_pages.hpp"

#include "aarch64/translation_tables.hpp"

namespace hl::aarch64 {

std::vector<Region> system_regions()
{
    // The hypercall and fault report pages map to no memory: not regions
    // (translation_tables.cpp maps them).
    return {
        {"vectors", HL_AARCH64_VECTORS_ADDR, HL_PAGE_SIZE, {.user = false, .writable = false, .executable = true}},
        {"el1 stack", HL_AARCH64_EL1_STACK_ADDR, HL_AARCH64_EL1_STACK_SIZE,
         {.user = false, .writable = true, .executable = false}},
    };
}

MachineMap machine_map(uint64_t memory_size)
{
    return {system_regions(), translation_table_pages(memory_size) * HL_PAGE_SIZE};
}

} // namespace hl::aarch64
