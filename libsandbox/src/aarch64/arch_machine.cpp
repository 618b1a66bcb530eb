// The architecture seam (arch.hpp) for aarch64, its machine: the system
// pages at the bottom of memory (system_pages), the stage-1 translation
// tables at the top (translation_tables) and the exception vectors
// (exception_vectors). The rest of the seam (hypercalls as MMIO, fault
// reports, system calls) comes with the aarch64 KVM vCPU.
#include "arch.hpp"

#include "aarch64/exception_vectors.hpp"
#include "aarch64/system_pages.hpp"
#include "aarch64/translation_tables.hpp"

namespace hl::arch {

std::vector<Region> system_regions()
{
    return aarch64::system_regions();
}

uint64_t translation_table_bytes(uint64_t memory_size)
{
    return aarch64::translation_table_pages(memory_size) * HL_PAGE_SIZE;
}

uint64_t write_machine_structures(const Layout& layout, std::span<uint8_t> memory)
{
    const uint64_t root = aarch64::write_translation_tables(layout, memory);
    aarch64::write_exception_vectors(memory);
    return root;
}

uint64_t root_table_address(const Layout& layout)
{
    return layout.page_tables_start(); // the level-1 table is the first page of the tables
}

} // namespace hl::arch
