// Host functions called from tests/guests/functions, checked the same way on
// every architecture: by functions_test.cpp on this host, and by
// tests/arm64/library_tests.cpp in the arm64 machine. Each takes the
// functions guest's image (built for the host it runs on).
#pragma once

#include <hl/sandbox.hpp>

#include <catch2/catch.hpp>

#include <cctype>
#include <stdexcept>
#include <string>
#include <vector>

namespace hl::test {

// Typed values, strings, bytes and a void function, one exit per host call.
inline void check_host_function_round_trips(const Image& image)
{
    Sandbox s(image, {});
    std::vector<std::string> notes;
    s.register_host("mul", [](int64_t a, int64_t b) { return a * b; });
    s.register_host("shout", [](std::string_view text) {
        std::string loud(text);
        for (char& c : loud)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return loud + "!";
    });
    s.register_host("host_bytes", [](uint64_t count) { return Bytes(count, 2); });
    s.register_host("note", [&notes](std::string_view text) { notes.emplace_back(text); });
    REQUIRE(s.initialize().ending == RunResult::Ending::Ready);

    RunResult r = s.call("use_mul", {int64_t{6}, int64_t{7}});
    REQUIRE(r.ending == RunResult::Ending::Returned);
    CHECK(r.value == Value(int64_t{42}));
    CHECK(r.exits == 2); // the host call, then the return
    r = s.call("use_shout", {std::string("hey")});
    CHECK(r.value == Value(std::string("HEY!")));
    r = s.call("use_host_bytes", {uint64_t{1000}});
    CHECK(r.value == Value(uint64_t{1000 * 1000000 + 2000}));
    r = s.call("use_host_bytes", {uint64_t{HL_VALUE_MAX}});
    CHECK(r.value == Value(uint64_t{HL_VALUE_MAX} * 1000000 + 2 * HL_VALUE_MAX));
    r = s.call("use_note", {std::string("remember")});
    CHECK(r.ending == RunResult::Ending::Returned);
    CHECK(notes == std::vector<std::string>{"remember"});
}

// A throwing host function, a missing one, a mismatched signature and a result
// too big for the guest's buffer are statuses and messages in the guest.
inline void check_host_function_errors(const Image& image)
{
    Sandbox s(image, {});
    s.register_host("fail", [](int64_t) -> int64_t { throw std::runtime_error("the database is down"); });
    s.register_host("mismatched", [](int64_t x) { return x; });
    s.register_host("host_bytes", [](uint64_t count) { return Bytes(count + HL_VALUE_MAX, 0); });
    REQUIRE(s.initialize().ending == RunResult::Ending::Ready);
    CHECK(s.call("host_failure", {std::string("fail")}).value == Value(std::string("-1000: fail: the database is down")));
    CHECK(s.call("host_failure", {std::string("missing")}).value ==
          Value(std::string("-2: no host function named 'missing'")));
    CHECK(s.call("host_failure", {std::string("mismatched")}).value ==
          Value(std::string("-22: mismatched: the guest expects i64(string), the host has i64(i64)")));
    CHECK(s.call("use_host_bytes", {uint64_t{1}}).value == Value(uint64_t(-1))); // result too big for the buffer
    CHECK(s.ready()); // errors are answers, not faults
}

} // namespace hl::test
