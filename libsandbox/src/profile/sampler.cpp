#include "profile/sampler.hpp"

#include "backend.hpp"
#include "profile/sampled_stack.hpp"

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

} // namespace

std::optional<uint64_t> read_guest_u64(const GuestMemory& memory, uint64_t address)
{
    const auto view = memory.read_view(guest_addr(address), sizeof(uint64_t));
    if (!view.ok())
        return std::nullopt;
    uint64_t value;
    std::memcpy(&value, view.bytes.data(), sizeof value);
    return value;
}

void take_sample(Vcpu& vcpu, const GuestMemory& memory, const Image& image, Profile& profile, uint64_t ticks)
{
    const Registers r = vcpu.registers();
    profile.add(sampled_stack(r, function_at(r.program_counter(), image), memory), ticks);
}

} // namespace hl
