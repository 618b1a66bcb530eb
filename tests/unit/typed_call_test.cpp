// Sandbox::call<R>(name, args...) (hl/typed_call.hpp): arguments made their
// parameters' types only when nothing is lost, results as R, and every
// refusal before the guest runs; on the scripted backend for whole calls.
#include "fake_guest.hpp"

#include <hl/typed_call.hpp>

#include <catch2/catch.hpp>

#include <limits>

using namespace hl;
using namespace hl::test;

namespace {

Export export_of(const std::string& name, char result, const std::string& parameters)
{
    return Export{.index = 0, .name = name, .result = result, .parameters = parameters, .thunk = 0};
}

// The message convert() refuses literal with, as parameter 0 of f(code).
std::string refusal(char code, const Value& literal)
{
    try {
        typed_call::convert(export_of("f", 'v', std::string(1, code)), 0, literal);
    } catch (const ArgumentError& error) {
        return error.what();
    }
    return "accepted";
}

} // namespace

TEST_CASE("typed call: C++ arguments become the closest value, then their parameter's type without loss")
{
    CHECK(typed_call::literal(2) == Value(int64_t{2}));
    CHECK(typed_call::literal(short{-3}) == Value(int64_t{-3}));
    CHECK(typed_call::literal(7u) == Value(uint64_t{7}));
    CHECK(typed_call::literal(1.5f) == Value(1.5));
    CHECK(typed_call::literal(true) == Value(true));
    CHECK(typed_call::literal("text") == Value(std::string("text")));
    CHECK(typed_call::literal(std::string_view("view")) == Value(std::string("view")));
    CHECK(typed_call::literal(Bytes{1, 2}) == Value(Bytes{1, 2}));
    CHECK(typed_call::literal(Value(int32_t{4})) == Value(int32_t{4}));
    CHECK(typed_call::literal(1LL) == Value(int64_t{1}));
    const char* no_text = nullptr;
    CHECK_THROWS_WITH(typed_call::literal(no_text), "hl::Sandbox::call: a null pointer is no text");
    // What has no ABI counterpart does not compile.
    static_assert(!typed_call::Argument<char>);
    static_assert(!typed_call::Argument<long double>);
    static_assert(!typed_call::Argument<std::nullptr_t>);
    static_assert(!typed_call::Argument<float*>);
    static_assert(typed_call::Argument<const char*>);
    static_assert(typed_call::Argument<unsigned long long>);
    static_assert(typed_call::Result<long long>);
    static_assert(!typed_call::Result<float>);

    const Export e = export_of("mix", 'v', "iludbsy");
    CHECK(typed_call::convert(e, 0, int64_t{-5}) == Value(int32_t{-5}));
    CHECK(typed_call::convert(e, 1, uint64_t{5}) == Value(int64_t{5}));
    CHECK(typed_call::convert(e, 2, int64_t{5}) == Value(uint64_t{5}));
    CHECK(typed_call::convert(e, 2, uint64_t{UINT64_MAX}) == Value(uint64_t{UINT64_MAX}));
    CHECK(typed_call::convert(e, 3, int64_t{1} << 53) == Value(9007199254740992.0));
    CHECK(typed_call::convert(e, 3, int64_t{1} << 54) == Value(0x1p54));   // exact past 2^53 too
    CHECK(typed_call::convert(e, 3, int64_t{INT64_MIN}) == Value(-0x1p63));
    CHECK(typed_call::convert(e, 3, uint64_t{1} << 63) == Value(0x1p63));
    CHECK(typed_call::convert(e, 3, 0.25) == Value(0.25));
    CHECK(typed_call::convert(e, 4, true) == Value(true));
    CHECK(typed_call::convert(e, 5, std::string("s")) == Value(std::string("s")));
    CHECK(typed_call::convert(e, 6, Bytes{9}) == Value(Bytes{9}));
    CHECK(typed_call::convert(e, 1, int32_t{-1}) == Value(int64_t{-1}));   // a Value, by the same rules
}

TEST_CASE("typed call: what would lose a value, or change its kind, is refused naming the argument")
{
    CHECK(refusal('i', int64_t{1} << 31) == "f: argument 1 is 2147483648, out of range for i32 (void f(i32))");
    CHECK(refusal('i', int64_t{INT32_MIN} - 1) == "f: argument 1 is -2147483649, out of range for i32 (void f(i32))");
    CHECK(refusal('u', int64_t{-1}) == "f: argument 1 is -1, out of range for u64 (void f(u64))");
    CHECK(refusal('l', uint64_t{UINT64_MAX}) ==
          "f: argument 1 is 18446744073709551615, out of range for i64 (void f(i64))");
    CHECK(refusal('d', (int64_t{1} << 53) + 1) ==
          "f: argument 1 is 9007199254740993, which no f64 holds exactly (void f(f64))");
    CHECK(refusal('d', uint64_t{UINT64_MAX}) ==
          "f: argument 1 is 18446744073709551615, which no f64 holds exactly (void f(f64))");
    CHECK(refusal('d', int64_t{INT64_MAX}) ==
          "f: argument 1 is 9223372036854775807, which no f64 holds exactly (void f(f64))");
    CHECK(refusal('l', 2.5) == "f: argument 1 is f64, expected i64 (void f(i64))");
    CHECK(refusal('b', int64_t{1}) == "f: argument 1 is an integer, expected bool (void f(bool))");
    CHECK(refusal('l', true) == "f: argument 1 is bool, expected i64 (void f(i64))");
    CHECK(refusal('y', std::string("x")) == "f: argument 1 is string, expected bytes (void f(bytes))");
    CHECK(refusal('s', Bytes{1}) == "f: argument 1 is bytes, expected string (void f(string))");
    CHECK(refusal('s', Value{}) == "f: argument 1 is void, expected string (void f(string))");
}

TEST_CASE("typed call: R must hold what the export returns")
{
    const Export i32 = export_of("small", 'i', "");
    CHECK_NOTHROW(typed_call::check_result(i32, typed_call::result_codes<int64_t>(), "int64_t"));   // wider
    CHECK_NOTHROW(typed_call::check_result(i32, typed_call::result_codes<Value>(), "hl::Value"));
    CHECK_NOTHROW(typed_call::check_result(i32, typed_call::result_codes<void>(), "void"));
    const Export i64 = export_of("big", 'l', "");
    CHECK_THROWS_WITH(typed_call::check_result(i64, typed_call::result_codes<int32_t>(), typed_call::cpp_name<int32_t>()),
                      "big returns i64, which a int32_t cannot hold (i64 big())");
    CHECK_THROWS_WITH(typed_call::check_result(i64, typed_call::result_codes<double>(), typed_call::cpp_name<double>()),
                      "big returns i64, which a double cannot hold (i64 big())");
    CHECK(typed_call::result_as<int64_t>(Value(int32_t{-7})) == -7);
    CHECK(typed_call::result_as<long long>(Value(int64_t{-7})) == -7);   // long long is int64_t's size
    CHECK(typed_call::result_codes<long long>() == "il");
    CHECK(typed_call::result_codes<short>() == "-");   // too narrow for any result
    CHECK(typed_call::result_as<std::string>(Value(std::string("x"))) == "x");
}

TEST_CASE("typed call: a whole call on the scripted backend, its refusals before the guest runs, and a fault")
{
    FakeSandbox s;
    s.initialize();
    s.fake.then(result_step(s.fake, 42));
    CHECK(s.sandbox.call<int64_t>("add", 2, 40) == 42);
    const auto frame = s.fake.get<hl_call_frame>(HL_CALL_AREA_ADDR);
    CHECK(frame.args[0].bits == 2);
    CHECK(frame.args[1].bits == 40);

    s.fake.then(return_step());
    s.sandbox.call("nothing");   // void: nothing to return

    s.fake.take_calls();
    CHECK_THROWS_WITH(s.sandbox.call<int64_t>("add", 2), "add takes 2 arguments, got 1 (i64 add(i64, i64))");
    CHECK_THROWS_AS(s.sandbox.call<int64_t>("add", 2, 0.5), ArgumentError);
    CHECK_THROWS_WITH(s.sandbox.call<std::string>("add", 1, 2),
                      "add returns i64, which a std::string cannot hold (i64 add(i64, i64))");
    CHECK_THROWS_WITH(s.sandbox.call<int64_t>("ad", 1, 2), Catch::Contains("did you mean add?"));
    CHECK(s.fake.take_calls().empty());   // none of them ran the guest
    CHECK(s.sandbox.poisoned().empty());

    s.fake.then(fault_step(s.fake, 14, ElfBuilder::kTextAddr + 0x10, 6, 0));
    try {
        s.sandbox.call<int64_t>("add", 1, 2);
        FAIL("a faulting call returned");
    } catch (const CallFailed& failed) {
        CHECK(failed.result().ending == RunResult::Ending::Faulted);
        CHECK(std::string(failed.what()) == failed.result().message);
    }
}
