#include "profile/leaf_aarch64.hpp"

#include <cstring>

namespace hl::aarch64 {
namespace {

// The instruction word at a byte offset, if the bytes hold it (A64 is little-endian here).
std::optional<uint32_t> word_at(std::span<const uint8_t> bytes, uint64_t offset)
{
    if (offset > bytes.size() || bytes.size() - offset < 4)
        return std::nullopt;
    uint32_t word;
    std::memcpy(&word, bytes.data() + offset, sizeof word);
    return word;
}

bool matches(std::optional<uint32_t> word, uint32_t mask, uint32_t value) { return word && (*word & mask) == value; }

// The hint space (`bti`, `paciasp`, `pacibsp`, `nop`...): what may come before a prologue.
bool is_hint(std::optional<uint32_t> word) { return matches(word, 0xfffff01f, 0xd503201f); }
// stp x29, x30, [sp, #imm]! and stp x29, x30, [sp, #imm]
bool stores_frame_record_pre_index(std::optional<uint32_t> word) { return matches(word, 0xffc07fff, 0xa9807bfd); }
bool stores_frame_record_at_offset(std::optional<uint32_t> word) { return matches(word, 0xffc07fff, 0xa9007bfd); }
// sub sp, sp, #imm (optionally shifted)
bool lowers_sp(std::optional<uint32_t> word) { return matches(word, 0xff8003ff, 0xd10003ff); }
// add x29, sp, #imm (`mov x29, sp` is its #0 form)
bool sets_frame_pointer(std::optional<uint32_t> word) { return matches(word, 0xffc003ff, 0x910003fd); }

} // namespace

FrameState frame_state(std::span<const uint8_t> entry, uint64_t offset)
{
    uint64_t at = 0;
    while (at < 8 && is_hint(word_at(entry, at)))
        at += 4;
    if (offset <= at)
        return FrameState::AtEntry;
    if (lowers_sp(word_at(entry, at)) && stores_frame_record_at_offset(word_at(entry, at + 4)))
        at += 8;
    else if (stores_frame_record_pre_index(word_at(entry, at)))
        at += 4;
    else
        return FrameState::Unknown;
    if (!sets_frame_pointer(word_at(entry, at)))
        return FrameState::Unknown;
    return offset <= at ? FrameState::AtEntry : FrameState::Framed;
}

bool is_return(std::span<const uint8_t> at_pc, std::span<const uint8_t> before_pc)
{
    const auto at = word_at(at_pc, 0);
    if (matches(at, 0xfffffc1f, 0xd65f0000) || matches(at, 0xfffffbff, 0xd65f0bff))   // ret Xn; retaa, retab
        return true;
    // ldp x29, x30, [sp], #imm and ldp x29, x30, [sp, #imm]
    const auto before = word_at(before_pc, 0);
    return matches(before, 0xffc07fff, 0xa8c07bfd) || matches(before, 0xffc07fff, 0xa9407bfd);
}

bool is_call_site(std::span<const uint8_t> before, uint64_t returns_to, std::optional<uint64_t> callee)
{
    const auto call = word_at(before, 0);
    if (matches(call, 0xfc000000, 0x94000000)) {   // bl imm26: a signed count of words from the bl
        const int64_t words = static_cast<int64_t>(static_cast<int32_t>(*call << 6) >> 6);
        return !callee || returns_to - 4 + static_cast<uint64_t>(words * 4) == *callee;
    }
    // blr Xn; blraa, blrab, blraaz, blrabz
    return matches(call, 0xfffffc1f, 0xd63f0000) || matches(call, 0xfefff800, 0xd63f0800);
}

std::vector<uint64_t> walk_frame_pointers(uint64_t pc, uint64_t link_register, uint64_t frame_pointer,
                                          FrameState leaf, const GuestReader& read)
{
    LeafCaller caller;
    if (leaf == FrameState::AtEntry || leaf == FrameState::AfterPush)
        caller.returns_to = link_register;
    else if (leaf == FrameState::Unknown && link_register && read.returns_from_sampled(link_register))
        caller = {link_register, true};
    return walk_frame_chain(pc, caller, frame_pointer, read);
}

} // namespace hl::aarch64
