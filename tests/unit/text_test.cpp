// Untrusted text for messages, terminals and JSON: the one policy (text.hpp).
#include "plain_text.hpp"

#include <hl/text.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <random>
#include <string>

using namespace hl;
using hl::test::plain_text;

namespace {

// Bytes that hit every branch often: ASCII, controls, lead and continuation bytes.
std::string random_bytes(std::mt19937& random)
{
    static constexpr unsigned char interesting[] = {'a', '\\', '"', 0x00, 0x0a, 0x1b, 0x7f, 0x80, 0x9b, 0xa0, 0xbf,
                                                    0xc0, 0xc2, 0xc3, 0xe2, 0x80, 0xa8, 0xed, 0xf0, 0xf4, 0xf8, 0xff};
    std::string bytes(random() % 24, '\0');
    for (char& c : bytes)
        c = static_cast<char>(random() % 2 ? interesting[random() % sizeof interesting] : random() % 256);
    return bytes;
}

} // namespace

TEST_CASE("printable: valid UTF-8 passes, controls and the backslash become hex escapes")
{
    CHECK(printable("add_2") == "add_2");
    CHECK(printable("") == "");
    CHECK(printable(std::string_view("a\nb\0c", 5)) == "a\\x0ab\\x00c");
    CHECK(printable("\x1b[31m") == "\\x1b[31m");
    CHECK(printable("del\x7f") == "del\\x7f");
    CHECK(printable("back\\slash") == "back\\x5cslash");
    CHECK(printable("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x99\x82 \xc2\xa0") == "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x99\x82 \xc2\xa0");
}

TEST_CASE("printable: C1 controls, separators and bidi controls become hex escapes per byte")
{
    CHECK(printable("\xc2\x9b" "2J") == "\\xc2\\x9b2J");             // CSI
    CHECK(printable("\xc2\x80\xc2\x9f") == "\\xc2\\x80\\xc2\\x9f");   // first and last C1
    CHECK(printable("a\xe2\x80\xa8z") == "a\\xe2\\x80\\xa8z");         // LINE SEPARATOR
    CHECK(printable("\xe2\x80\xae" "cba") == "\\xe2\\x80\\xaecba");    // RIGHT-TO-LEFT OVERRIDE
    CHECK(printable("\xe2\x81\xa6") == "\\xe2\\x81\\xa6");             // LEFT-TO-RIGHT ISOLATE
    CHECK(printable("\xd8\x9c") == "\\xd8\\x9c");                      // ARABIC LETTER MARK
}

TEST_CASE("printable: bytes that are not valid UTF-8 become hex escapes one by one")
{
    CHECK(printable("\xff\x7f") == "\\xff\\x7f");
    CHECK(printable("\x80x") == "\\x80x");                             // a lone continuation byte
    CHECK(printable("\xe2\x82x") == "\\xe2\\x82x");                    // cut short, then ASCII
    CHECK(printable("\xe2\x82") == "\\xe2\\x82");                      // cut short at the end
    CHECK(printable("\xc0\xaf") == "\\xc0\\xaf");                      // overlong '/'
    CHECK(printable("\xe0\x80\xaf") == "\\xe0\\x80\\xaf");             // overlong, 3 bytes
    CHECK(printable("\xed\xa0\x80") == "\\xed\\xa0\\x80");             // a surrogate
    CHECK(printable("\xf4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");    // past U+10FFFF
    CHECK(printable("\xf8\x88\x80\x80\x80") == "\\xf8\\x88\\x80\\x80\\x80");
}

TEST_CASE("printable: whatever the bytes, the result is one line of plain UTF-8 text")
{
    std::mt19937 random(20240601);
    for (int i = 0; i < 20000; ++i) {
        const std::string bytes = random_bytes(random);
        const std::string shown = printable(bytes);
        INFO(shown);
        REQUIRE(plain_text(shown));
    }
}

TEST_CASE("valid_utf8 accepts well-formed UTF-8 only")
{
    CHECK(valid_utf8(""));
    CHECK(valid_utf8("plain"));
    CHECK(valid_utf8("caf\xc3\xa9 \xf0\x9f\x99\x82 \xf4\x8f\xbf\xbf"));
    CHECK(valid_utf8(std::string_view("nul\0inside", 10)));
    for (const char* bad : {"\xff", "\x80", "\xc3", "\xe2\x82", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                            "ok\xc3("})
        CHECK_FALSE(valid_utf8(bad));
}

TEST_CASE("json_string: escapes what JSON and readers need, replaces invalid bytes with U+FFFD")
{
    CHECK(json_string("plain") == "\"plain\"");
    CHECK(json_string("a\"b\\c\n\r\t") == "\"a\\\"b\\\\c\\n\\r\\t\"");
    CHECK(json_string(std::string_view("\0\x01\x1b\x7f", 4)) == "\"\\u0000\\u0001\\u001b\\u007f\"");
    CHECK(json_string("\xc2\x9b\xc2\x80") == "\"\\u009b\\u0080\"");
    CHECK(json_string("\xe2\x80\xa8\xe2\x80\xa9") == "\"\\u2028\\u2029\"");
    CHECK(json_string("caf\xc3\xa9 \xf0\x9f\x99\x82") == "\"caf\xc3\xa9 \xf0\x9f\x99\x82\"");
    CHECK(json_string("\xff" "a\xe2\x82") == "\"\\ufffda\\ufffd\\ufffd\"");
}

TEST_CASE("json_string: any bytes give a JSON string that parses, valid UTF-8 comes back exactly")
{
    std::mt19937 random(7);
    for (int i = 0; i < 20000; ++i) {
        const std::string bytes = random_bytes(random);
        const std::string literal = json_string(bytes);
        INFO(printable(literal));
        REQUIRE(valid_utf8(literal));
        nlohmann::json parsed;
        REQUIRE_NOTHROW(parsed = nlohmann::json::parse(literal));
        REQUIRE(parsed.is_string());
        if (valid_utf8(bytes))
            REQUIRE(parsed.get<std::string>() == bytes);
    }
}
