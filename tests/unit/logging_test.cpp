// The CLIs' message patterns (cli/logging.hpp): "{}" filled in order, the
// count checked when compiled.
#include "logging.hpp"

#include <catch2/catch.hpp>

using namespace hl::cli::logging;

TEST_CASE("logging: each {} takes the next argument's text, numbers in decimal")
{
    CHECK(fill("{}: '{}' is not a size", {"--memory", "12x"}) == "--memory: '12x' is not a size");
    CHECK(fill("no placeholder", {}) == "no placeholder");
    CHECK(fill("{}{}", {"a", "b"}) == "ab");
    CHECK(fill("{} of {} failed", {text_of(3), text_of(size_t{12})}) == "3 of 12 failed");
    CHECK(fill("status {}", {text_of(-1)}) == "status -1");
    // A lone brace is text, as is a {} left over when the texts run out.
    CHECK(fill("{x} {", {}) == "{x} {");
    CHECK(fill("{} {}", {"only"}) == "only ");
}

TEST_CASE("logging: placeholders are counted when compiled, for Pattern to hold the count to the arguments")
{
    STATIC_REQUIRE(placeholders("{}: {} ({})") == 3);
    STATIC_REQUIRE(placeholders("none") == 0);
    STATIC_REQUIRE(placeholders("{x} { }") == 0);
    STATIC_REQUIRE(Pattern<int, const char*>("{} of {}").text == "{} of {}");
}
