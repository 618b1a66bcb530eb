#include "profile/leaf_aarch64.hpp"
#include "profile/sampled_stack.hpp"

#include <hl/guest_memory.hpp>
#include <hl/image.hpp>

#include <algorithm>

namespace hl {
namespace {

// The 4 bytes of the instruction at address, or none where the guest may not read them.
std::span<const uint8_t> instruction_at(const GuestMemory& memory, uint64_t address)
{
    const auto view = memory.read_view(guest_addr(address), 4);
    return view.ok() ? view.bytes : std::span<const uint8_t>{};
}

// How the function containing pc stands with its frame; a pc no symbol
// covers (the vectors, a stripped image) is taken as framed.
FrameState state_at(const Symbol* function, uint64_t pc, const GuestMemory& memory)
{
    if (aarch64::is_return(instruction_at(memory, pc), pc >= 4 ? instruction_at(memory, pc - 4) : std::span<const uint8_t>{}))
        return FrameState::AtEntry;
    if (!function)
        return FrameState::Framed;
    // Two hints, then at most three instructions of prologue.
    const auto entry = memory.read_view(guest_addr(function->address), std::min<uint64_t>(20, function->size));
    if (!entry.ok())
        return FrameState::Framed;
    return aarch64::frame_state(entry.bytes, pc - function->address);
}

} // namespace

std::vector<uint64_t> sampled_stack(const Registers& r, const Symbol* function, const GuestMemory& memory)
{
    GuestReader read;
    read.u64 = [&memory](uint64_t address) { return read_guest_u64(memory, address); };
    // The link register returns into the caller only after a call of this
    // function; once the function made calls of its own, it returns into
    // the function itself.
    read.returns_from_sampled = [&memory, function](uint64_t returns_to) {
        if (function && returns_to - function->address < function->size)
            return false;
        const std::optional<uint64_t> entry = function ? std::optional<uint64_t>(function->address) : std::nullopt;
        return returns_to >= 4 && aarch64::is_call_site(instruction_at(memory, returns_to - 4), returns_to, entry);
    };
    const uint64_t pc = r.program_counter();
    return aarch64::walk_frame_pointers(pc, r.x[30], r.frame_pointer(), state_at(function, pc, memory), read);
}

} // namespace hl
