#include "profile/leaf_x86_64.hpp"
#include "profile/sampled_stack.hpp"

#include <hl/guest_memory.hpp>
#include <hl/image.hpp>

#include <algorithm>

namespace hl {
namespace {

// How the function containing rip stands with its frame; a RIP no symbol
// covers (the system pages, a stripped image) is taken as framed.
FrameState state_at(const Symbol* function, uint64_t rip, const GuestMemory& memory)
{
    // Two bytes, or one where the guest's readable memory ends there.
    auto at_rip = memory.read_view(guest_addr(rip), 2);
    if (!at_rip.ok())
        at_rip = memory.read_view(guest_addr(rip), 1);
    if (at_rip.ok() && x86_64::is_return(at_rip.bytes))
        return FrameState::AtEntry;
    if (!function)
        return FrameState::Framed;
    const auto entry = memory.read_view(guest_addr(function->address), std::min<uint64_t>(8, function->size));
    if (!entry.ok())
        return FrameState::Framed;
    return x86_64::frame_state(entry.bytes, rip - function->address);
}

} // namespace

std::vector<uint64_t> sampled_stack(const Registers& r, const Symbol* function, const GuestMemory& memory)
{
    const std::optional<uint64_t> entry = function ? std::optional<uint64_t>(function->address) : std::nullopt;
    GuestReader read;
    read.u64 = [&memory](uint64_t address) { return read_guest_u64(memory, address); };
    read.returns_from_sampled = [&memory, entry](uint64_t returns_to) {
        for (uint64_t length = 7; length >= 5; --length) {   // less near the start of guest memory
            if (returns_to < length)
                continue;
            const auto before = memory.read_view(guest_addr(returns_to - length), length);
            if (before.ok())
                return x86_64::is_call_site(before.bytes, returns_to, entry);
        }
        return false;
    };
    const uint64_t rip = r.program_counter();
    return x86_64::walk_frame_pointers(rip, r.rsp, r.rbp, state_at(function, rip, memory), read);
}

} // namespace hl
