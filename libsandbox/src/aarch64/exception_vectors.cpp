// The vector table's stubs, as instruction words (see exception_vectors.hpp).
#include "aarch64/exception_vectors.hpp"

#include <cstring>

namespace hl::aarch64 {
namespace {

// A64 encodings (Arm ARM C6), as GNU as assembles them.
constexpr uint32_t kPushX0X1 = 0xa9bf07e0;   // stp x0, x1, [sp, #-16]!
constexpr uint32_t kPopX0X1 = 0xa8c107e0;    // ldp x0, x1, [sp], #16
constexpr uint32_t kEret = 0xd69f03e0;
constexpr uint32_t kBranchToSelf = 0x14000000; // b .
constexpr uint32_t kStoreW0AtX1 = 0xb9000020;  // str w0, [x1]

constexpr uint32_t movz_w0(uint16_t value) { return 0x52800000u | (uint32_t{value} << 5); }
constexpr uint32_t movz_x1(uint16_t value) { return 0xd2800000u | (uint32_t{value} << 5) | 1u; }
static_assert(HL_AARCH64_FAULT_REPORT_ADDR <= 0xffff, "the report address is one movz");

// Offset of the report store within a slot's stub.
uint64_t report_offset(unsigned slot) { return slot_saves_registers(slot) ? 12 : 8; }

} // namespace

void write_exception_vectors(std::span<uint8_t> memory)
{
    uint8_t* table = memory.data() + HL_AARCH64_VECTORS_ADDR;
    std::memset(table, 0, HL_PAGE_SIZE);
    for (unsigned slot = 0; slot < kVectorSlots; ++slot) {
        const uint32_t report[] = {movz_w0(static_cast<uint16_t>(slot)), movz_x1(HL_AARCH64_FAULT_REPORT_ADDR),
                                   kStoreW0AtX1};
        uint32_t code[6];
        size_t n = 0;
        if (slot_saves_registers(slot))
            code[n++] = kPushX0X1;
        for (const uint32_t word : report)
            code[n++] = word;
        if (slot_saves_registers(slot)) {
            code[n++] = kPopX0X1;
            code[n++] = kEret;
        } else {
            code[n++] = kBranchToSelf;
        }
        std::memcpy(table + slot * kVectorSlotSize, code, n * sizeof(uint32_t));
    }
}

uint64_t report_pc(unsigned slot)
{
    return HL_AARCH64_VECTORS_ADDR + slot * kVectorSlotSize + report_offset(slot);
}

int slot_at(uint64_t pc)
{
    if (pc < HL_AARCH64_VECTORS_ADDR || pc >= HL_AARCH64_VECTORS_ADDR + kVectorSlots * kVectorSlotSize)
        return -1;
    return static_cast<int>((pc - HL_AARCH64_VECTORS_ADDR) / kVectorSlotSize);
}

} // namespace hl::aarch64
