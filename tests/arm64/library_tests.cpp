// library_tests: libsandbox's own API on arm64 KVM, run inside the emulated
// arm64 machine by in_machine.sh: host functions called from an aarch64
// guest (typed values, strings, bytes, errors), snapshots restored into
// another sandbox, and many sandboxes made from one snapshot. The guest is
// tests/guests/functions built for aarch64 (functions.hl in the current
// directory, or the path in HL_FUNCTIONS_IMAGE).
#define CATCH_CONFIG_MAIN
#include <hl/sandbox.hpp>

#include <catch2/catch.hpp>

#include <cctype>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

using namespace hl;

namespace {

Image functions_image()
{
    const char* path = std::getenv("HL_FUNCTIONS_IMAGE");
    return Image::load(path ? path : "functions.hl");
}

} // namespace

TEST_CASE("arm64 host functions: typed round trips from the guest, one exit each")
{
    Sandbox s(functions_image(), {});
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
    CHECK(r.exits == 2);   // the host call, then the return
    CHECK(s.call("use_mul", {int64_t{-3}, int64_t{1} << 40}).value == Value(-(int64_t{3} << 40)));
    CHECK(s.call("use_shout", {std::string("hey")}).value == Value(std::string("HEY!")));
    CHECK(s.call("use_host_bytes", {uint64_t{1000}}).value == Value(uint64_t{1000 * 1000000 + 2000}));
    CHECK(s.call("use_note", {std::string("remember")}).ending == RunResult::Ending::Returned);
    CHECK(notes == std::vector<std::string>{"remember"});
}

TEST_CASE("arm64 host functions: errors reach the guest as statuses and messages")
{
    Sandbox s(functions_image(), {});
    s.register_host("fail", [](int64_t) -> int64_t { throw std::runtime_error("the database is down"); });
    s.register_host("mismatched", [](int64_t x) { return x; });
    REQUIRE(s.initialize().ending == RunResult::Ending::Ready);
    CHECK(s.call("host_failure", {std::string("fail")}).value == Value(std::string("-1000: fail: the database is down")));
    CHECK(s.call("host_failure", {std::string("missing")}).value ==
          Value(std::string("-2: no host function named 'missing'")));
    CHECK(s.call("host_failure", {std::string("mismatched")}).value ==
          Value(std::string("-22: mismatched: the guest expects i64(string), the host has i64(i64)")));
    CHECK(s.ready());
}

TEST_CASE("arm64 snapshots: restored into another sandbox, and fifty sandboxes from one snapshot")
{
    Sandbox a(functions_image(), {});
    REQUIRE(a.initialize().ending == RunResult::Ending::Ready);
    REQUIRE(a.call("next", {}).value == Value(int64_t{101}));
    const Snapshot at_101 = a.snapshot();
    Sandbox b(functions_image(), {});
    REQUIRE(b.initialize().ending == RunResult::Ending::Ready);
    b.restore(at_101);
    CHECK(b.call("next", {}).value == Value(int64_t{102}));
    CHECK(a.call("next", {}).value == Value(int64_t{102}));   // each has its own copy

    std::vector<Sandbox> many;
    for (int i = 0; i < 50; ++i)
        many.push_back(Sandbox::from_snapshot(at_101));
    for (Sandbox& s : many)
        CHECK(s.call("next", {}).value == Value(int64_t{102}));
    CHECK(many.front().call("next", {}).value == Value(int64_t{103}));
    CHECK(many.back().call("add", {int64_t{2}, int64_t{40}}).value == Value(int64_t{42}));
}
