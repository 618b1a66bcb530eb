#include "profile/frame_walk.hpp"

namespace hl {

std::vector<uint64_t> walk_frame_chain(uint64_t pc, const LeafCaller& leaf, uint64_t frame, const GuestReader& read)
{
    std::vector<uint64_t> stack{pc};
    if (leaf.returns_to && *leaf.returns_to)
        stack.push_back(*leaf.returns_to);
    const bool count_once = leaf.found_by_looking && stack.size() == 2;
    const uint64_t first = frame;
    while (stack.size() < kMaxProfileDepth && frame % 8 == 0 && frame <= UINT64_MAX - 16) {
        const auto saved = read.u64(frame);
        const auto returns_to = read.u64(frame + 8);
        if (!saved || !returns_to || *returns_to == 0)
            break;
        if (!(count_once && frame == first && *returns_to == stack[1]))
            stack.push_back(*returns_to);
        if (*saved <= frame)   // the chain only goes up the stack; 0 ends it (crt0 clears the frame pointer)
            break;
        frame = *saved;
    }
    return stack;
}

} // namespace hl
