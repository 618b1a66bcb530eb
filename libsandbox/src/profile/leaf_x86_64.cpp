#include "profile/leaf_x86_64.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace hl::x86_64 {
namespace {

constexpr std::array<uint8_t, 4> kEndbr64 = {0xf3, 0x0f, 0x1e, 0xfa};
constexpr std::array<uint8_t, 4> kPushMovRbp = {0x55, 0x48, 0x89, 0xe5};   // push %rbp; mov %rsp,%rbp

bool starts_with(std::span<const uint8_t> bytes, const std::array<uint8_t, 4>& prefix)
{
    return bytes.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), bytes.begin());
}

} // namespace

FrameState frame_state(std::span<const uint8_t> entry, uint64_t offset)
{
    uint64_t push_at = 0;
    if (starts_with(entry, kEndbr64))
        push_at = 4;
    if (offset <= push_at)
        return FrameState::AtEntry;
    if (!starts_with(entry.subspan(std::min<size_t>(push_at, entry.size())), kPushMovRbp))
        return FrameState::Unknown;
    return offset == push_at + 1 ? FrameState::AfterPush : FrameState::Framed;
}

bool is_return(std::span<const uint8_t> at_rip)
{
    if (at_rip.empty())
        return false;
    if (at_rip[0] == 0xc3 || at_rip[0] == 0xc2)
        return true;
    // rep ret, bnd ret (MPX builds)
    return at_rip.size() >= 2 && (at_rip[0] == 0xf3 || at_rip[0] == 0xf2) && at_rip[1] == 0xc3;
}

bool is_call_site(std::span<const uint8_t> before, uint64_t returns_to, std::optional<uint64_t> callee)
{
    // b(k): the byte k bytes before the return address, if there is one.
    const auto b = [&](size_t k) -> int { return k <= before.size() ? before[before.size() - k] : -1; };
    const auto modrm_reg_is_2 = [](int modrm) { return modrm >= 0 && ((modrm >> 3) & 7) == 2; };
    if (b(5) == 0xe8) {   // call rel32
        int32_t rel;
        std::memcpy(&rel, before.data() + before.size() - 4, sizeof rel);
        return !callee || returns_to + static_cast<uint64_t>(static_cast<int64_t>(rel)) == *callee;
    }
    // call *%reg (ff d0+r, after a REX prefix for r8-r15): mod 11
    if (b(2) == 0xff && modrm_reg_is_2(b(1)) && (b(1) >> 6) == 3)
        return true;
    // call *(%reg): mod 00, no SIB, no RIP-relative
    if (b(2) == 0xff && modrm_reg_is_2(b(1)) && (b(1) >> 6) == 0 && (b(1) & 7) != 4 && (b(1) & 7) != 5)
        return true;
    // call *disp8(%reg): mod 01, no SIB; with a SIB byte, one more
    if (b(3) == 0xff && modrm_reg_is_2(b(2)) && (b(2) >> 6) == 1 && (b(2) & 7) != 4)
        return true;
    if (b(4) == 0xff && modrm_reg_is_2(b(3)) && (b(3) >> 6) == 1 && (b(3) & 7) == 4)
        return true;
    // call *disp32(%rip) (ff 15) and call *disp32(%reg): mod 10 or 00 with rm 101; with a SIB, one more
    if (b(6) == 0xff && modrm_reg_is_2(b(5)) && ((b(5) >> 6) == 2 || b(5) == 0x15) && (b(5) & 7) != 4)
        return true;
    if (b(7) == 0xff && modrm_reg_is_2(b(6)) && ((b(6) >> 6) == 2 || (b(6) >> 6) == 0) && (b(6) & 7) == 4)
        return true;
    return false;
}

std::vector<uint64_t> walk_frame_pointers(uint64_t rip, uint64_t rsp, uint64_t rbp, FrameState leaf,
                                          const GuestReader& read)
{
    LeafCaller caller;
    if (leaf == FrameState::AtEntry || leaf == FrameState::AfterPush) {
        // The caller's return address is on the stack; RBP is still the caller's frame.
        caller.returns_to = read.u64(leaf == FrameState::AfterPush ? rsp + 8 : rsp);
    } else if (leaf == FrameState::Unknown) {
        for (const uint64_t at : {rsp, rsp + 8}) {
            const auto word = read.u64(at);
            if (word && *word && read.returns_from_sampled(*word)) {
                caller = {word, true};
                break;
            }
        }
    }
    return walk_frame_chain(rip, caller, rbp, read);
}

} // namespace hl::x86_64
