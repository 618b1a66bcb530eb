// aarch64 exception vectors (the stubs' instruction words) and syndromes.
#include "aarch64/exception_syndrome.hpp"
#include "aarch64/exception_vectors.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

using namespace hl::aarch64;

namespace {

std::vector<uint32_t> words_at(const std::vector<uint8_t>& memory, uint64_t address, size_t count)
{
    std::vector<uint32_t> words(count);
    std::memcpy(words.data(), memory.data() + address, count * 4);
    return words;
}

} // namespace

TEST_CASE("aarch64 vectors: a stub for EL0 saves x0 and x1, reports its slot and returns with eret")
{
    std::vector<uint8_t> memory(1 << 20, 0xee);
    write_exception_vectors(memory);
    const unsigned slot = vector_slot(VectorOrigin::LowerEl64, VectorKind::Synchronous);
    CHECK(slot == 8);
    // As aarch64-linux-gnu-as assembles: stp x0, x1, [sp, #-16]!; mov w0, #8;
    // mov x1, #0x3000; str w0, [x1]; ldp x0, x1, [sp], #16; eret.
    CHECK(words_at(memory, HL_AARCH64_VECTORS_ADDR + 0x400, 7) ==
          std::vector<uint32_t>{0xa9bf07e0, 0x52800100, 0xd2860001, 0xb9000020, 0xa8c107e0, 0xd69f03e0, 0});
    CHECK(report_pc(slot) == HL_AARCH64_VECTORS_ADDR + 0x400 + 12);
}

TEST_CASE("aarch64 vectors: a stub for EL1 reports without a stack and never returns")
{
    std::vector<uint8_t> memory(1 << 20);
    write_exception_vectors(memory);
    const unsigned slot = vector_slot(VectorOrigin::CurrentElSpx, VectorKind::Synchronous);
    // mov w0, #4; mov x1, #0x3000; str w0, [x1]; b .
    CHECK(words_at(memory, HL_AARCH64_VECTORS_ADDR + 0x200, 4) ==
          std::vector<uint32_t>{0x52800080, 0xd2860001, 0xb9000020, 0x14000000});
    CHECK(report_pc(slot) == HL_AARCH64_VECTORS_ADDR + 0x200 + 8);
    CHECK_FALSE(slot_saves_registers(slot));
}

TEST_CASE("aarch64 vectors: every slot has its own stub and the pc finds it")
{
    std::vector<uint8_t> memory(1 << 20);
    write_exception_vectors(memory);
    for (unsigned slot = 0; slot < kVectorSlots; ++slot) {
        INFO("slot " << slot);
        const uint64_t entry = HL_AARCH64_VECTORS_ADDR + slot * kVectorSlotSize;
        const uint32_t mov_w0 = words_at(memory, slot_saves_registers(slot) ? entry + 4 : entry, 1)[0];
        CHECK(mov_w0 == (0x52800000u | (slot << 5)));
        CHECK(slot_at(report_pc(slot)) == static_cast<int>(slot));
        CHECK(slot_at(entry) == static_cast<int>(slot));
    }
    CHECK(slot_at(HL_AARCH64_VECTORS_ADDR - 4) == -1);
    CHECK(slot_at(HL_AARCH64_VECTORS_ADDR + 0x800) == -1);
}

TEST_CASE("aarch64 syndromes: exception classes have names, unknown ones their number")
{
    CHECK(class_name(ec::kDataAbortLower) == "data abort");
    CHECK(class_mnemonic(ec::kDataAbortLower) == "DABT");
    CHECK(class_name(ec::kUnknown) == "undefined instruction");
    CHECK(class_name(ec::kSupervisorCall) == "system call");
    CHECK(class_name(ec::kBrk) == "breakpoint instruction (brk)");
    CHECK(class_name(ec::kSpAlignment) == "stack pointer alignment fault");
    CHECK(class_name(0x3b) == "exception class 0x3b");
    CHECK(class_mnemonic(0x3b) == "EC 0x3b");
    CHECK(exception_class(0x9200'0046ull) == ec::kDataAbortLower);
}

TEST_CASE("aarch64 syndromes: a data abort's direction, status and level")
{
    // EC 0x24, IL, WnR, DFSC 0b000111: a write, translation fault at level 3.
    const Abort write = decode_abort(0x9200'0047ull);
    CHECK(write.write);
    CHECK(write.status == Abort::Status::Translation);
    CHECK(write.level == 3);
    CHECK(write.address_valid);
    // DFSC 0b001111: permission fault, level 3, a read.
    const Abort read = decode_abort(0x9200'000full);
    CHECK_FALSE(read.write);
    CHECK(read.status == Abort::Status::Permission);
    // DFSC 0b100001: alignment; FnV: FAR not valid.
    const Abort alignment = decode_abort(0x9200'0421ull);
    CHECK(alignment.status == Abort::Status::Alignment);
    CHECK_FALSE(alignment.address_valid);
    // An instruction abort never writes, whatever bit 6 holds.
    const Abort fetch = decode_abort(0x8200'0047ull);
    CHECK_FALSE(fetch.write);
    CHECK(is_abort(exception_class(0x8200'0047ull)));
    CHECK_FALSE(is_abort(ec::kBrk));
    CHECK(instruction_immediate(0xf200'03e8ull) == 0x3e8);
}
