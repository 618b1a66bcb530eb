#include "profile/frame_walk.hpp"

#include <algorithm>
#include <array>

namespace hl {
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
        return FrameState::Frameless;
    return offset == push_at + 1 ? FrameState::AfterPush : FrameState::Framed;
}

std::vector<uint64_t> walk_frame_pointers(uint64_t rip, uint64_t rsp, uint64_t rbp, FrameState leaf,
                                          const std::function<std::optional<uint64_t>(uint64_t)>& read_u64)
{
    std::vector<uint64_t> stack{rip};
    if (leaf != FrameState::Framed) {
        // The caller's return address is on the stack; RBP is still the caller's frame.
        const auto returns_to = read_u64(leaf == FrameState::AfterPush ? rsp + 8 : rsp);
        if (returns_to && *returns_to)
            stack.push_back(*returns_to);
    }
    for (uint64_t frame = rbp; stack.size() < kMaxProfileDepth && frame % 8 == 0 && frame <= UINT64_MAX - 16;) {
        const auto saved = read_u64(frame);
        const auto returns_to = read_u64(frame + 8);
        if (!saved || !returns_to || *returns_to == 0)
            break;
        stack.push_back(*returns_to);
        if (*saved <= frame)   // the chain only goes up the stack; 0 ends it (crt0 clears RBP)
            break;
        frame = *saved;
    }
    return stack;
}

} // namespace hl
