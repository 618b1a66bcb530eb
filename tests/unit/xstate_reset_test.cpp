// Recognising hl's XSAVE reset sequence (xstate_reset.hpp), without KVM: the
// fast restore path may rely only on bytes that are exactly hl's, on pages
// the guest cannot write.
#include "test_layouts.hpp"
#include "x86_64/xstate_reset.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

using namespace hl;

namespace {

// typical_layout(): text 0x100000-0x103000 (r-x), rodata 0x103000-0x104000
// (r--), data 0x104000-0x107000 (rw-).
constexpr uint64_t kText = 0x100100;
constexpr uint64_t kRodata = 0x103040;
constexpr uint64_t kData = 0x104000;

struct Memory {
    Layout layout = test::typical_layout();
    std::vector<uint8_t> bytes = std::vector<uint8_t>(layout.memory_size());

    // The sequence at `at`, its displacement aimed at `image`.
    void code(uint64_t at, uint64_t image)
    {
        const uint8_t sequence[] = {0xb8, 0xff, 0xff, 0xff, 0xff, 0xba, 0xff, 0xff, 0xff, 0xff, 0x48, 0x0f, 0xae, 0x2d};
        std::memcpy(bytes.data() + at, sequence, sizeof sequence);
        const int32_t displacement = static_cast<int32_t>(image - (at + cpu::kXstateResetCodeSize));
        std::memcpy(bytes.data() + at + sizeof sequence, &displacement, 4);
    }
    // A clean image: FCW 0x37f, MXCSR 0x1f80, all else zero.
    void image(uint64_t at)
    {
        std::memset(bytes.data() + at, 0, cpu::kCleanXsaveImageSize);
        bytes[at] = 0x7f;
        bytes[at + 1] = 0x03;
        bytes[at + 24] = 0x80;
        bytes[at + 25] = 0x1f;
    }
    bool resets(uint64_t at) const { return cpu::resets_xstate_at(layout, bytes, guest_addr(at)); }
};

Memory valid()
{
    Memory m;
    m.code(kText, kRodata);
    m.image(kRodata);
    return m;
}

} // namespace

TEST_CASE("xstate reset: hl_serve's sequence in text with its image in rodata is recognised")
{
    CHECK(valid().resets(kText));
    Memory image_in_text = valid();
    image_in_text.image(0x101000);
    image_in_text.code(kText, 0x101000);
    CHECK(image_in_text.resets(kText));
}

TEST_CASE("xstate reset: any other byte in the code is not hl's sequence")
{
    for (uint64_t i = 0; i < cpu::kXstateResetCodeSize - 4; ++i) {
        Memory m = valid();
        m.bytes[kText + i] ^= 0x01;
        INFO("byte " << i);
        CHECK_FALSE(m.resets(kText));
    }
    CHECK_FALSE(valid().resets(kText + 1));
    CHECK_FALSE(valid().resets(kText - 1));
}

TEST_CASE("xstate reset: an image that is not clean does not count")
{
    for (const size_t at : {size_t{0}, size_t{1}, size_t{2}, size_t{24}, size_t{25}, size_t{28}, size_t{160},
                            size_t{511}, size_t{512}, size_t{520}, size_t{527}, size_t{575}}) {
        Memory m = valid();
        m.bytes[kRodata + at] ^= 0x01;   // FCW, FSW, MXCSR, MXCSR_MASK, XMM0, XSTATE_BV, XCOMP_BV, reserved
        INFO("image byte " << at);
        CHECK_FALSE(m.resets(kText));
    }
}

TEST_CASE("xstate reset: code or image the guest could write, or that it cannot read, does not count")
{
    Memory code_in_data;
    code_in_data.code(kData, kRodata);
    code_in_data.image(kRodata);
    CHECK_FALSE(code_in_data.resets(kData));

    Memory image_in_data = valid();
    image_in_data.code(kText, kData + 0x40);
    image_in_data.image(kData + 0x40);
    CHECK_FALSE(image_in_data.resets(kText));

    Memory image_across = valid();          // rodata's last bytes run into data
    image_across.code(kText, 0x104000 - 0x200);
    image_across.image(0x104000 - 0x200);
    CHECK_FALSE(image_across.resets(kText));

    Memory system_page;                     // the GDT: supervisor only
    system_page.code(HL_GDT_ADDR, kRodata);
    system_page.image(kRodata);
    CHECK_FALSE(system_page.resets(HL_GDT_ADDR));
}

TEST_CASE("xstate reset: a misaligned image, or addresses off the end of memory, do not count")
{
    Memory misaligned = valid();
    misaligned.code(kText, kRodata + 8);
    misaligned.image(kRodata + 8);
    CHECK_FALSE(misaligned.resets(kText));

    Memory below_zero = valid();            // a displacement that wraps below address 0
    below_zero.code(kText, kText - 0x200000);
    CHECK_FALSE(below_zero.resets(kText));

    const Memory m = valid();
    CHECK_FALSE(m.resets(m.bytes.size() - 4));
    CHECK_FALSE(m.resets(m.bytes.size()));
    CHECK_FALSE(m.resets(UINT64_MAX - 3));
}
