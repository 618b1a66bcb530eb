// Page arithmetic on guest addresses and sizes, for every file of the library
// that needs it. Pure.
#pragma once

#include <hl/abi.h>

#include <cstdint>
#include <cstring>
#include <span>

namespace hl {

// HL_PAGE_SIZE as a 64-bit value: the macro is an unsigned int, so
// ~(HL_PAGE_SIZE - 1) would also clear the upper half of an address.
inline constexpr uint64_t kPage = HL_PAGE_SIZE;

// value rounded up to a multiple of `to` (not 0). Like any unsigned sum it
// wraps within `to` of 2^64: callers round only values they have bounded.
constexpr uint64_t round_up(uint64_t value, uint64_t to) { return (value + to - 1) / to * to; }

// value rounded up to a whole number of pages.
constexpr uint64_t page_up(uint64_t value) { return round_up(value, kPage); }

// The start of the page holding address: where a segment that starts
// mid-page (a static Linux executable's data) begins in guest memory.
constexpr uint64_t page_down(uint64_t address) { return address & ~(kPage - 1); }

// A 64-bit table entry at `address` of a span standing for guest memory
// (the host's translation tables); the caller keeps address + 8 in range.
inline void store_u64(std::span<uint8_t> memory, uint64_t address, uint64_t entry)
{
    std::memcpy(memory.data() + address, &entry, sizeof entry);
}

inline uint64_t load_u64(std::span<const uint8_t> memory, uint64_t address)
{
    uint64_t entry;
    std::memcpy(&entry, memory.data() + address, sizeof entry);
    return entry;
}

// Whether the page at `page` (kPage bytes) holds only zeros.
inline bool page_is_zero(const uint8_t* page)
{
    uint64_t any = 0;
    for (uint64_t i = 0; i < kPage; i += sizeof(uint64_t)) {
        uint64_t word;
        std::memcpy(&word, page + i, sizeof word);
        any |= word;
    }
    return any == 0;
}

} // namespace hl
