// hlrun serve's typed calls as JSON (cli/serve/call_json.hpp) and base64
// (cli/serve/base64.hpp): every conversion, every refusal with its line.
#include "serve/base64.hpp"
#include "serve/call_json.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

using namespace hl;
using namespace hl::cli;

namespace {

Export signature(std::string name, char result, std::string parameters)
{
    Export e;
    e.name = std::move(name);
    e.result = result;
    e.parameters = std::move(parameters);
    return e;
}

std::vector<Value> arguments(const Export& e, std::string_view body)
{
    std::string error;
    auto values = arguments_from_json(e, body, error);
    INFO(error);
    REQUIRE(values);
    return *values;
}

std::string refusal(const Export& e, std::string_view body)
{
    std::string error;
    CHECK_FALSE(arguments_from_json(e, body, error));
    return error;
}

std::vector<uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

} // namespace

TEST_CASE("base64: the RFC 4648 test vectors both ways, and only canonical text is read")
{
    const std::pair<const char*, const char*> vectors[] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                                                           {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
                                                           {"foobar", "Zm9vYmFy"}};
    for (const auto& [plain, encoded] : vectors) {
        CHECK(base64_encode(bytes_of(plain)) == encoded);
        CHECK(base64_decode(encoded) == bytes_of(plain));
    }
    const std::vector<uint8_t> all = [] {
        std::vector<uint8_t> b;
        for (int i = 0; i < 256; ++i)
            b.push_back(static_cast<uint8_t>(i));
        return b;
    }();
    CHECK(base64_decode(base64_encode(all)) == all);
    for (const char* bad : {"Zg", "Zg=", "Z===", "====", "Zm9v=Zm9", "Zm 9v", "Zm9v\n", "Zh==", "Zm9=", "Zm-_"})
        CHECK_FALSE(base64_decode(bad));
}

TEST_CASE("typed calls: JSON arguments become values of each parameter's type")
{
    const Export all = signature("all", 'v', "iludbsy");
    const std::vector<Value> v =
        arguments(all, R"([-7, -9007199254740993, 18446744073709551615, 1.5, true, "h\u00e9llo", "AAEC/w=="])");
    CHECK(v[0] == Value(int32_t{-7}));
    CHECK(v[1] == Value(int64_t{-9007199254740993}));
    CHECK(v[2] == Value(uint64_t{18446744073709551615u}));
    CHECK(v[3] == Value(1.5));
    CHECK(v[4] == Value(true));
    CHECK(v[5] == Value(std::string("h\xc3\xa9llo")));
    CHECK(v[6] == Value(Bytes{0, 1, 2, 255}));
    // 64-bit integers also as strings, for clients whose numbers are doubles; f64 takes integers.
    const Export wide = signature("wide", 'v', "lud");
    const std::vector<Value> w = arguments(wide, R"(["-9223372036854775808", "18446744073709551615", 3])");
    CHECK(w[0] == Value(INT64_MIN));
    CHECK(w[1] == Value(UINT64_MAX));
    CHECK(w[2] == Value(3.0));
    CHECK(arguments(signature("none", 'v', ""), " [ ] ").empty());
}

TEST_CASE("typed calls: a body that is not the arguments is refused with one line")
{
    const Export add = signature("add", 'l', "ll");
    CHECK(refusal(add, "[1,") == "the body is not JSON; expected an array of 2 arguments for i64 add(i64, i64)");
    CHECK(refusal(add, "") == "the body is not JSON; expected an array of 2 arguments for i64 add(i64, i64)");
    CHECK(refusal(add, R"({"a":1})") == "the body is an object; expected an array of the arguments for i64 add(i64, i64)");
    CHECK(refusal(add, "[1]") == "add takes 2 arguments, got 1 (i64 add(i64, i64))");
    CHECK(refusal(add, "[1, 2.5]") ==
          "add: argument 2: expected an integer (i64), got a number with a fraction or exponent (i64 add(i64, i64))");
    CHECK(refusal(add, R"([1, "x"])") == "add: argument 2: expected i64, got the string \"x\" (not an integer) (i64 add(i64, i64))");
    // What a client sends is quoted as JSON: one line, whatever it holds (found by fuzz_call_json).
    CHECK(refusal(add, R"([1, "1,\nx"])") ==
          "add: argument 2: expected i64, got the string \"1,\\nx\" (not an integer) (i64 add(i64, i64))");
    CHECK(refusal(add, R"([1, "99999999999999999999"])") ==
          "add: argument 2: expected i64, got the string \"99999999999999999999\" (out of range) (i64 add(i64, i64))");
    CHECK(refusal(signature("twice", 'u', "u"), R"(["-1"])") ==
          "twice: argument 1: expected u64, got the string \"-1\" (negative) (u64 twice(u64))");
    CHECK(refusal(add, "[1, 9223372036854775808]") ==
          "add: argument 2: 9223372036854775808 is out of range for i64 (i64 add(i64, i64))");
    const Export narrow = signature("negate", 'i', "i");
    CHECK(refusal(narrow, "[2147483648]") == "negate: argument 1: 2147483648 is out of range for i32 (i32 negate(i32))");
    CHECK(refusal(narrow, R"(["1"])") == "negate: argument 1: expected an integer (i32), got a string (i32 negate(i32))");
    CHECK(refusal(signature("twice", 'u', "u"), "[-1]") == "twice: argument 1: -1 is out of range for u64 (u64 twice(u64))");
    CHECK(refusal(signature("f", 'v', "d"), "[null]") == "f: argument 1: expected a number (f64), got null (void f(f64))");
    CHECK(refusal(signature("f", 'v', "b"), "[1]") == "f: argument 1: expected true or false (bool), got a number (void f(bool))");
    CHECK(refusal(signature("f", 'v', "s"), "[[]]") == "f: argument 1: expected a string, got an array (void f(string))");
    CHECK(refusal(signature("f", 'v', "y"), R"(["abc"])") ==
          "f: argument 1: expected bytes as base64 with padding (RFC 4648), got a string that is not (void f(bytes))");
    CHECK(refusal(signature("f", 'v', "y"), "[1]") == "f: argument 1: expected bytes as a base64 string, got a number (void f(bytes))");
}

TEST_CASE("typed calls: results as {\"value\":...}, 64-bit integers past 2^53 as strings")
{
    CHECK(result_json(signature("f", 'l', ""), Value(int64_t{-5})) == R"({"value":-5})");
    CHECK(result_json(signature("f", 'l', ""), Value(int64_t{9007199254740993})) == R"({"value":"9007199254740993"})");
    CHECK(result_json(signature("f", 'u', ""), Value(uint64_t{9007199254740992})) == R"({"value":"9007199254740992"})");
    CHECK(result_json(signature("f", 'u', ""), Value(uint64_t{42})) == R"({"value":42})");
    CHECK(result_json(signature("f", 'i', ""), Value(int32_t{-1})) == R"({"value":-1})");
    CHECK(result_json(signature("f", 'd', ""), Value(0.1)) == R"({"value":0.1})");
    CHECK(result_json(signature("f", 'd', ""), Value(1.0 / 0.0)) == R"({"value":null})");
    CHECK(result_json(signature("f", 'b', ""), Value(false)) == R"({"value":false})");
    CHECK(result_json(signature("f", 's', ""), Value(std::string("a\"b\n"))) == R"({"value":"a\"b\n"})");
    CHECK(result_json(signature("f", 'y', ""), Value(Bytes{0xff, 0})) == R"({"value":"/wA="})");
    CHECK(result_json(signature("f", 'v', ""), Value()) == R"({"value":null})");
    CHECK(error_json("fault", "page fault at 0x0") == R"({"error":{"ending":"fault","message":"page fault at 0x0"}})");
}
