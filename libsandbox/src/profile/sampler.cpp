#include "profile/sampler.hpp"

#include "backend.hpp"
#include "profile/frame_walk.hpp"

#include <hl/guest_memory.hpp>
#include <hl/image.hpp>
#include <hl/profile.hpp>

#include <algorithm>
#include <cstring>

namespace hl {
namespace {

// The symbol whose bytes hold address, if any.
const Symbol* function_at(uint64_t address, const Image& image)
{
    const auto& symbols = image.symbols();
    auto after = std::upper_bound(symbols.begin(), symbols.end(), address,
                                  [](uint64_t a, const Symbol& s) { return a < s.address; });
    if (after == symbols.begin())
        return nullptr;
    const Symbol& symbol = *std::prev(after);
    return address - symbol.address < symbol.size ? &symbol : nullptr;
}

// How the function containing rip stands with its frame; a RIP no symbol
// covers (the system pages, a stripped image) is taken as framed.
FrameState state_at(const Symbol* function, uint64_t rip, const GuestMemory& memory)
{
    // Two bytes, or one where the guest's readable memory ends there.
    auto at_rip = memory.read_view(guest_addr(rip), 2);
    if (!at_rip.ok())
        at_rip = memory.read_view(guest_addr(rip), 1);
    if (at_rip.ok() && is_return(at_rip.bytes))
        return FrameState::AtEntry;
    if (!function)
        return FrameState::Framed;
    const auto entry = memory.read_view(guest_addr(function->address), std::min<uint64_t>(8, function->size));
    if (!entry.ok())
        return FrameState::Framed;
    return frame_state(entry.bytes, rip - function->address);
}

} // namespace

void take_sample(Vcpu& vcpu, const GuestMemory& memory, const Image& image, Profile& profile, uint64_t ticks)
{
    const Registers r = vcpu.registers();
    const Symbol* function = function_at(r.program_counter(), image);
    const std::optional<uint64_t> entry = function ? std::optional<uint64_t>(function->address) : std::nullopt;
    GuestReader read;
    read.u64 = [&memory](uint64_t address) -> std::optional<uint64_t> {
        const auto view = memory.read_view(guest_addr(address), sizeof(uint64_t));
        if (!view.ok())
            return std::nullopt;
        uint64_t value;
        std::memcpy(&value, view.bytes.data(), sizeof value);
        return value;
    };
    read.returns_from_sampled = [&memory, entry](uint64_t returns_to) {
        for (uint64_t length = 7; length >= 5; --length) {   // less near the start of guest memory
            if (returns_to < length)
                continue;
            const auto before = memory.read_view(guest_addr(returns_to - length), length);
            if (before.ok())
                return is_call_site(before.bytes, returns_to, entry);
        }
        return false;
    };
    const uint64_t pc = r.program_counter();
    profile.add(walk_frame_pointers(pc, r.stack_pointer(), r.frame_pointer(), state_at(function, pc, memory), read),
                ticks);
}

} // namespace hl
