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

// How the function containing rip stands with its frame; a RIP no symbol
// covers (the system pages, a stripped image) is taken as framed.
FrameState state_at(uint64_t rip, const GuestMemory& memory, const Image& image)
{
    const auto& symbols = image.symbols();
    auto after = std::upper_bound(symbols.begin(), symbols.end(), rip,
                                  [](uint64_t a, const Symbol& s) { return a < s.address; });
    if (after == symbols.begin())
        return FrameState::Framed;
    const Symbol& symbol = *std::prev(after);
    if (rip - symbol.address >= symbol.size)
        return FrameState::Framed;
    const auto entry = memory.read_view(guest_addr(symbol.address), std::min<uint64_t>(8, symbol.size));
    if (!entry.ok())
        return FrameState::Framed;
    return frame_state(entry.bytes, rip - symbol.address);
}

} // namespace

void take_sample(Vcpu& vcpu, const GuestMemory& memory, const Image& image, Profile& profile)
{
    const Registers r = vcpu.registers();
    profile.add(walk_frame_pointers(r.rip, r.rsp, r.rbp, state_at(r.rip, memory, image),
                                    [&memory](uint64_t address) -> std::optional<uint64_t> {
                                        const auto view = memory.read_view(guest_addr(address), sizeof(uint64_t));
                                        if (!view.ok())
                                            return std::nullopt;
                                        uint64_t value;
                                        std::memcpy(&value, view.bytes.data(), sizeof value);
                                        return value;
                                    }));
}

} // namespace hl
