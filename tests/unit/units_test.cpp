// Sizes and durations as users write them.
#include <hl/units.hpp>

#include <catch2/catch.hpp>

using namespace hl;
using namespace std::chrono_literals;

TEST_CASE("sizes parse with binary units, hex and plain bytes")
{
    CHECK(parse_size("4096") == 4096u);
    CHECK(parse_size("0x1000") == 4096u);
    CHECK(parse_size("64Ki") == 64u << 10);
    CHECK(parse_size("64K") == 64u << 10);
    CHECK(parse_size("64KiB") == 64u << 10);
    CHECK(parse_size("16Mi") == 16u << 20);
    CHECK(parse_size("4Gi") == 4ull << 30);
    CHECK(parse_size("1B") == 1u);
}

TEST_CASE("sizes reject what is not a size")
{
    for (const char* bad : {"", "abc", "-1", "16 Mi", "16mb", "1.5Mi", "Mi", "99999999999999999999",
                            "17179869184Gi", "0x"})
        CHECK_FALSE(parse_size(bad).has_value());
}

TEST_CASE("sizes print in their shortest exact form")
{
    CHECK(format_size(16u << 20) == "16Mi");
    CHECK(format_size(12u << 10) == "12Ki");
    CHECK(format_size(4ull << 30) == "4Gi");
    CHECK(format_size(4097) == "4097");
    CHECK(format_size(0) == "0");
}

TEST_CASE("durations print in the shortest exact form")
{
    CHECK(format_duration(300ms) == "300ms");
    CHECK(format_duration(2s) == "2s");
    CHECK(format_duration(1500us) == "1500us");
    CHECK(format_duration(120s) == "2m");
    CHECK(format_duration(7ns) == "7ns");
    CHECK(format_duration(0ns) == "0s");
}

TEST_CASE("durations parse with units, a bare number is seconds")
{
    CHECK(parse_duration("5") == 5s);
    CHECK(parse_duration("5s") == 5s);
    CHECK(parse_duration("250ms") == 250ms);
    CHECK(parse_duration("10us") == 10us);
    CHECK(parse_duration("7ns") == 7ns);
    CHECK(parse_duration("2m") == 2min);
    CHECK(parse_duration("1h") == 1h);
    for (const char* bad : {"", "s", "-5s", "5 s", "5sec", "0x10s", "1.5s", "9999999999999h"})
        CHECK_FALSE(parse_duration(bad).has_value());
}
