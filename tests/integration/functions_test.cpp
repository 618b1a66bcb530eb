// Guest functions through the library: exports, every type, limits, wrong
// calls, state, output, host functions. Snapshots, fresh calls, poisoning,
// timeouts, cancellation and threads: functions_lifecycle_test.cpp.
#include "functions_guest.hpp"
#include "host_function_checks.hpp"

#include <cmath>
#include <limits>

using namespace hl;
using hl::test::Guest;

TEST_CASE("functions: the image lists its exports with their signatures before anything runs")
{
    const Image image = Image::load(test::guest_image("functions"));
    REQUIRE(image.find_export("add") != nullptr);
    CHECK(describe_export(*image.find_export("add")) == "i64 add(i64, i64)");
    CHECK(describe_export(*image.find_export("greet")) == "string greet(string)");
    CHECK(describe_export(*image.find_export("reverse")) == "bytes reverse(bytes)");
    CHECK(describe_export(*image.find_export("sum8")) == "i64 sum8(i32, i64, u64, bool, i32, i64, u64, i64)");
    CHECK(describe_export(*image.find_export("reset")) == "void reset()");
    CHECK(image.find_export("main") == nullptr);
    CHECK(image.exports().size() == 34);
}

TEST_CASE("functions: every type makes the round trip")
{
    HL_REQUIRE_KVM();
    Guest g;
    CHECK(g.call("add", {int64_t{2}, int64_t{40}}) == Value(int64_t{42}));
    CHECK(g.call("add", {std::numeric_limits<int64_t>::min(), int64_t{0}}) == Value(std::numeric_limits<int64_t>::min()));
    CHECK(g.call("negate", {int32_t{7}}) == Value(int32_t{-7}));
    CHECK(g.call("negate", {std::numeric_limits<int32_t>::max()}) == Value(-std::numeric_limits<int32_t>::max()));
    CHECK(g.call("twice", {uint64_t{1} << 62}) == Value(uint64_t{1} << 63));
    CHECK(g.call("scale", {1.5, -2.0}) == Value(-3.0));
    CHECK(std::get<double>(g.call("scale", {std::numeric_limits<double>::infinity(), 2.0})) ==
          std::numeric_limits<double>::infinity());
    CHECK(g.call("is_even", {int64_t{10}}) == Value(true));
    CHECK(g.call("is_even", {int64_t{-3}}) == Value(false));
    CHECK(g.call("greet", {std::string("wörld")}) == Value(std::string("hello, wörld!")));
    CHECK(g.call("length", {std::string()}) == Value(uint64_t{0}));
    CHECK(g.call("echo", {std::string()}) == Value(std::string()));
    CHECK(g.call("echo", {std::string("a\0b", 3)}) == Value(std::string("a\0b", 3)));
    CHECK(g.call("with_nul", {}) == Value(std::string("before\0after", 12)));
    CHECK(g.call("reverse", {Bytes{}}) == Value(Bytes{}));
    CHECK(g.call("reverse", {Bytes{1, 2, 0, 255}}) == Value(Bytes{255, 0, 2, 1}));
    CHECK(g.call("sum8", {int32_t{1}, int64_t{2}, uint64_t{3}, true, int32_t{-5}, int64_t{6}, uint64_t{7}, int64_t{8}}) ==
          Value(int64_t{23}));
    CHECK(g.call("reset", {}) == Value());
}

TEST_CASE("functions: an empty string or bytes at no address ({NULL, 0}) is an empty value, both ways")
{
    HL_REQUIRE_KVM();
    // As a result: a length of 0 needs no readable address.
    Guest g;
    CHECK(g.call("empty_string", {}) == Value(std::string()));
    CHECK(g.call("empty_bytes", {}) == Value(Bytes{}));
    // As a host function's arguments.
    Sandbox s(Image::load(test::guest_image("functions")), {});
    std::vector<std::pair<std::string, Bytes>> seen;
    s.register_host("sizes", [&seen](std::string_view text, std::span<const uint8_t> data) {
        seen.emplace_back(std::string(text), Bytes(data.begin(), data.end()));
        return uint64_t{text.size() * 1000 + data.size()};
    });
    REQUIRE(s.initialize().ending == RunResult::Ending::Ready);
    const RunResult r = s.call("pass_empty", {});
    INFO(r.message);
    REQUIRE(r.ending == RunResult::Ending::Returned);
    CHECK(r.value == Value(int64_t{0})); // status 0 and a total of 0 bytes
    CHECK(seen == std::vector<std::pair<std::string, Bytes>>{{"", Bytes{}}});
}

TEST_CASE("functions: strings and bytes of the maximum size make the round trip, one byte more is refused")
{
    HL_REQUIRE_KVM();
    Guest g;
    std::string big(HL_VALUE_MAX, 'x');
    for (size_t i = 0; i < big.size(); i += 97)
        big[i] = static_cast<char>('a' + i % 26);
    CHECK(g.call("length", {big}) == Value(uint64_t{HL_VALUE_MAX}));
    CHECK(g.call("echo", {big}) == Value(big));
    Bytes bytes(HL_VALUE_MAX);
    for (size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = static_cast<uint8_t>(i * 7);
    Bytes reversed(bytes.rbegin(), bytes.rend());
    CHECK(g.call("reverse", {bytes}) == Value(reversed));
    CHECK_THROWS_WITH(g.sandbox.call("echo", {std::string(HL_VALUE_MAX + 1, 'x')}),
                      "echo: argument 1 is 524289 bytes, over the limit of 524288");
    CHECK(g.sandbox.ready()); // a refused call does not poison
}

TEST_CASE("functions: wrong names, counts and types are refused before the guest runs")
{
    HL_REQUIRE_KVM();
    Guest g;
    CHECK_THROWS_WITH(g.sandbox.call("nope", {}),
                      Catch::StartsWith("no export named 'nope'; the image exports: ") &&
                          Catch::Contains(", say, spin, crash, reset, next,"));
    CHECK_THROWS_WITH(g.sandbox.call("add", {int64_t{1}}), "add takes 2 arguments, got 1 (i64 add(i64, i64))");
    CHECK_THROWS_WITH(g.sandbox.call("add", {int64_t{1}, std::string("2")}),
                      "add: argument 2 is string, expected i64 (i64 add(i64, i64))");
    CHECK_THROWS_WITH(g.sandbox.call("negate", {int64_t{1}}), "negate: argument 1 is i64, expected i32 (i32 negate(i32))");
    CHECK_THROWS_WITH(g.sandbox.call("length", {std::string("\xff\xfe")}), "length: argument 1 is not valid UTF-8");
    CHECK_THROWS_AS(g.sandbox.call("reset", {int32_t{1}}), CallError);
    CHECK(g.call("next", {}) == Value(int64_t{101})); // nothing ran for the refused calls
}

TEST_CASE("functions: state persists between calls, and fresh-per-call resets it")
{
    HL_REQUIRE_KVM();
    Guest g;
    CHECK(g.call("next", {}) == Value(int64_t{101}));
    CHECK(g.call("next", {}) == Value(int64_t{102}));
    Guest fresh;
    fresh.sandbox.set_fresh_per_call(true);
    for (int i = 0; i < 3; ++i)
        CHECK(fresh.call("next", {}) == Value(int64_t{101}));
    CHECK(fresh.call("greet", {std::string("a")}) == Value(std::string("hello, a!")));
    CHECK(fresh.call("next", {}) == Value(int64_t{101}));
}

TEST_CASE("functions: output written during a call reaches the host")
{
    HL_REQUIRE_KVM();
    Guest g;
    CHECK(g.call("say", {std::string("from the guest")}) == Value());
    CHECK(g.out == "from the guest\n");
}

TEST_CASE("functions: calls need a ready sandbox, a snapshot restores into any sandbox of its image")
{
    HL_REQUIRE_KVM();
    Sandbox fresh(Image::load(test::guest_image("functions")), {});
    CHECK_THROWS_WITH(fresh.call("next", {}), "cannot call: the guest is not ready for calls (call initialize() first)");
    Sandbox program(Image::load(test::guest_image("hello")), {.output = [](int, std::span<const uint8_t> b) {
                        return static_cast<int64_t>(b.size());
                    }});
    program.run({"hello"});
    CHECK_THROWS_WITH(program.call("x", {}), "cannot call: the guest is not ready for calls (it did not call hl_serve)");
    Guest a, b;
    REQUIRE(a.sandbox.call("next", {}).value == Value(int64_t{101}));
    const Snapshot from_a = a.sandbox.snapshot();
    b.sandbox.restore(from_a);
    CHECK(b.sandbox.call("next", {}).value == Value(int64_t{102}));
    CHECK(a.sandbox.call("next", {}).value == Value(int64_t{102}));   // each has its own copy
    CHECK(b.sandbox.call("next", {}).value == Value(int64_t{103}));
}

TEST_CASE("host functions: typed round trips from the guest, one exit each")
{
    HL_REQUIRE_KVM();
    test::check_host_function_round_trips(Image::load(test::guest_image("functions")));
}

TEST_CASE("host functions: errors surface in the guest as statuses and messages, never crash the host")
{
    HL_REQUIRE_KVM();
    test::check_host_function_errors(Image::load(test::guest_image("functions")));
}

TEST_CASE("host functions: names must be identifiers and unique")
{
    HL_REQUIRE_KVM();
    Sandbox s(Image::load(test::guest_image("functions")), {});
    s.register_host("ok_name", [] { return int64_t{1}; });
    CHECK_THROWS_WITH(s.register_host("ok_name", [] { return int64_t{2}; }), "host function 'ok_name' is already registered");
    CHECK_THROWS_WITH(s.register_host("bad name", [] {}), "host function name 'bad name' is not a C identifier of at most 55 characters");
    CHECK_THROWS_AS(s.register_host(std::string(56, 'x'), [] {}), CallError);
}
