// library_tests: libsandbox's own API on arm64 KVM, run inside the emulated
// arm64 machine by in_machine.sh: host functions called from an aarch64
// guest (typed values, strings, bytes, errors), snapshots restored into
// another sandbox, and many sandboxes made from one snapshot. The guest is
// tests/guests/functions built for aarch64 (functions.hl in the current
// directory, or the path in HL_FUNCTIONS_IMAGE).
#define CATCH_CONFIG_MAIN
#include "host_function_checks.hpp"

#include <hl/sandbox.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>
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
    test::check_host_function_round_trips(functions_image());
}

TEST_CASE("arm64 host functions: errors reach the guest as statuses and messages")
{
    test::check_host_function_errors(functions_image());
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
