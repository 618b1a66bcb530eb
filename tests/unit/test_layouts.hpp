// A typical guest's segments (text, rodata, data) for tests that need a Layout.
#pragma once

#include <hl/layout.hpp>

#include <vector>

namespace hl::test {

inline std::vector<Segment> typical_segments()
{
    return {
        {.vaddr = 0x100000, .memsz = 0x2345, .filesz = 0x2345, .offset = 0x1000, .readable = true, .executable = true},
        {.vaddr = 0x103000, .memsz = 0x800, .filesz = 0x800, .offset = 0x4000, .readable = true},
        {.vaddr = 0x104000, .memsz = 0x3000, .filesz = 0x100, .offset = 0x5000, .readable = true, .writable = true},
    };
}

inline ImageNote typical_note() { return {.abi_version = HL_ABI_VERSION, .stack_size = 0x10000, .heap_size = 0x100000}; }

inline Layout typical_layout(uint64_t memory = 16ull << 20)
{
    return Layout::compute(typical_segments(), typical_note(), memory);
}

} // namespace hl::test
