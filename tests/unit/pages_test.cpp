// Page arithmetic (pages.hpp) at its edges.
#include "pages.hpp"

#include <catch2/catch.hpp>

namespace {

using hl::kPage;
using hl::page_down;
using hl::page_up;
using hl::round_up;

} // namespace

TEST_CASE("pages: kPage is HL_PAGE_SIZE as a 64-bit value, so its mask keeps high address bits", "[pages]") {
    static_assert(sizeof kPage == 8);
    CHECK(kPage == HL_PAGE_SIZE);
    CHECK((0xffff'0000'0000'1234ull & ~(kPage - 1)) == 0xffff'0000'0000'1000ull);
}

TEST_CASE("pages: round_up to a multiple, exact multiples unchanged", "[pages]") {
    CHECK(round_up(0, 8) == 0);
    CHECK(round_up(1, 8) == 8);
    CHECK(round_up(8, 8) == 8);
    CHECK(round_up(9, 8) == 16);
    CHECK(round_up(5, 1) == 5);
    // Not only powers of two: MiB for messages, anything else alike.
    CHECK(round_up((1ull << 20) + 1, 1ull << 20) == 2ull << 20);
    CHECK(round_up(7, 3) == 9);
    // The largest value that does not wrap.
    CHECK(round_up(~uint64_t{0} - 4095, kPage) == ~uint64_t{0} - 4095);
}

TEST_CASE("pages: page_up to whole pages", "[pages]") {
    CHECK(page_up(0) == 0);
    CHECK(page_up(1) == kPage);
    CHECK(page_up(kPage - 1) == kPage);
    CHECK(page_up(kPage) == kPage);
    CHECK(page_up(kPage + 1) == 2 * kPage);
    CHECK(page_up(0x40000000 - 1) == 0x40000000);
}

TEST_CASE("pages: page_down to the start of the page, high bits kept", "[pages]") {
    CHECK(page_down(0) == 0);
    CHECK(page_down(kPage - 1) == 0);
    CHECK(page_down(kPage) == kPage);
    CHECK(page_down(0x406fc0) == 0x406000);
    CHECK(page_down(~uint64_t{0}) == ~uint64_t{0} - (kPage - 1));
}
