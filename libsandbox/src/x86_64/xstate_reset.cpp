// hl's XSAVE reset sequence, recognised (see xstate_reset.hpp).
#include "x86_64/xstate_reset.hpp"

#include <algorithm>
#include <cstring>

namespace hl::cpu {
namespace {

constexpr uint8_t kCode[kXstateResetCodeSize - 4] = {
    0xb8, 0xff, 0xff, 0xff, 0xff, // mov $-1, %eax
    0xba, 0xff, 0xff, 0xff, 0xff, // mov $-1, %edx
    0x48, 0x0f, 0xae, 0x2d,       // xrstor64 disp32(%rip)
};

// Every page of [address, address + length) in memory, mapped for the guest
// and not writable by it: what is there now stays there.
bool guest_read_only(const Layout& layout, uint64_t memory_size, uint64_t address, uint64_t length)
{
    if (address >= memory_size || length > memory_size - address)
        return false;
    for (uint64_t cursor = address; cursor < address + length;) {
        const Region* region = layout.region_at(guest_addr(cursor));
        if (!region || !region->permission.user || region->permission.writable)
            return false;
        cursor = region->end();
    }
    return true;
}

bool is_clean_image(std::span<const uint8_t> image)
{
    uint8_t expected[kCleanXsaveImageSize] = {};
    expected[0] = 0x7f; // FCW 0x037f
    expected[1] = 0x03;
    expected[24] = 0x80; // MXCSR 0x1f80
    expected[25] = 0x1f;
    return std::equal(image.begin(), image.end(), expected);
}

} // namespace

bool resets_xstate_at(const Layout& layout, std::span<const uint8_t> memory, GuestAddr where)
{
    const uint64_t at = value_of(where);
    if (!guest_read_only(layout, memory.size(), at, kXstateResetCodeSize))
        return false;
    const uint8_t* code = memory.data() + at;
    if (!std::equal(std::begin(kCode), std::end(kCode), code))
        return false;
    int32_t displacement;
    std::memcpy(&displacement, code + sizeof kCode, sizeof displacement);
    const uint64_t image = at + kXstateResetCodeSize + static_cast<uint64_t>(int64_t{displacement});
    if (image % 64 != 0 || !guest_read_only(layout, memory.size(), image, kCleanXsaveImageSize))
        return false;
    return is_clean_image(memory.subspan(image, kCleanXsaveImageSize));
}

} // namespace hl::cpu
