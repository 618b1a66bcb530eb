// initialize() and call() on the scripted backend (fake_backend.hpp): the
// ready hypercall, the call frame the guest finds, the result it returns, and
// the calls refused before the guest runs.
#include "fake_guest.hpp"

#include <catch2/catch.hpp>

#include <cstring>

using namespace hl;
using namespace hl::test;
using Ending = RunResult::Ending;

namespace {

// An export's body: copies the frame the host wrote, then returns bits and len.
FakeStep export_returning(FakeBackend& fake, hl_call_frame& seen, uint64_t bits, uint64_t len = 0)
{
    FakeStep step = result_step(fake, bits, len);
    step.guest = [&fake, &seen, result = step.guest] {
        seen = fake.get<hl_call_frame>(HL_CALL_AREA_ADDR);
        result();
    };
    return step;
}

std::string guest_string(const FakeBackend& fake, uint64_t address, uint64_t length)
{
    const auto bytes = fake.memory(address, length);
    return {bytes.begin(), bytes.end()};
}

} // namespace

TEST_CASE("fake call: initialize() runs the guest until its ready hypercall, argv the image name")
{
    FakeSandbox s;
    CHECK_FALSE(s.sandbox.ready());
    s.fake.take_calls();
    s.fake.then(write_step(s.fake, 1, "init\n"));
    s.fake.then(ready_step());
    const RunResult r = s.sandbox.initialize();
    CHECK(r.ending == Ending::Ready);
    CHECK(r.exits == 2);
    CHECK(s.out == "init\n");
    CHECK(s.sandbox.ready());
    CHECK(s.sandbox.poisoned().empty());
    const auto info = s.fake.get<hl_boot_info>(HL_BOOT_INFO_ADDR);
    REQUIRE(info.argc == 1);
    const auto argv0 = s.fake.get<uint64_t>(info.argv);
    CHECK(guest_string(s.fake, argv0, 8) == std::string("fake.hl", 8));   // with its NUL
    CHECK(s.fake.take_calls() == std::vector<std::string>{"keep_registers_at_exit(false)", "run", "run"});
}

TEST_CASE("fake call: the guest finds the frame at HL_CALL_AREA_ADDR and its result comes back")
{
    FakeSandbox s;
    s.initialize();
    hl_call_frame seen{};
    s.fake.then(export_returning(s.fake, seen, 42));
    s.fake.take_calls();
    const RunResult r = s.sandbox.call("add", {int64_t{2}, int64_t{-40}});
    CHECK(r.ending == Ending::Returned);
    CHECK(r.value == Value(int64_t{42}));
    CHECK(r.exits == 1);
    CHECK(seen.export_index == 0);
    CHECK(seen.argc == 2);
    CHECK(seen.args[0].bits == 2);
    CHECK(seen.args[1].bits == static_cast<uint64_t>(-40));
    CHECK(seen.args[2].bits == 0);
    CHECK(seen.ret.bits == 0);   // written zero by the host
    CHECK(s.fake.take_calls() == std::vector<std::string>{"keep_registers_at_exit(false)", "run"});
    CHECK(s.sandbox.ready());

    // A string goes into the data area; one comes back from wherever the guest put it.
    const std::string greeting = "hello, world";
    FakeStep greet = export_returning(s.fake, seen, kScratch, greeting.size());
    greet.guest = [&s, &greeting, body = greet.guest] {
        s.fake.write_as_guest(kScratch, {reinterpret_cast<const uint8_t*>(greeting.data()), greeting.size()});
        body();
    };
    s.fake.then(greet);
    const RunResult g = s.sandbox.call("greet", {std::string("world")});
    CHECK(g.ending == Ending::Returned);
    CHECK(g.value == Value(greeting));
    CHECK(seen.export_index == 1);
    CHECK(seen.args[0].bits == HL_CALL_DATA_ADDR);
    CHECK(seen.args[0].len == 5);
    CHECK(guest_string(s.fake, HL_CALL_DATA_ADDR, 5) == "world");

    s.fake.then(return_step());
    const RunResult v = s.sandbox.call("nothing", {});
    CHECK(v.ending == Ending::Returned);
    CHECK(v.value == Value());
}

TEST_CASE("fake call: a call the sandbox refuses never reaches the backend")
{
    FakeSandbox s;
    CHECK_THROWS_WITH(s.sandbox.call("add", {int64_t{1}, int64_t{2}}),
                      "cannot call: the guest is not ready for calls (call initialize() first)");
    s.initialize();
    s.fake.take_calls();
    CHECK_THROWS_WITH(s.sandbox.call("nope", {}), "no export named 'nope'; the image exports: add, greet, nothing");
    CHECK_THROWS_WITH(s.sandbox.call("add", {int64_t{1}}), "add takes 2 arguments, got 1 (i64 add(i64, i64))");
    CHECK_THROWS_WITH(s.sandbox.call("add", {int64_t{1}, std::string("2")}),
                      "add: argument 2 is string, expected i64 (i64 add(i64, i64))");
    CHECK_THROWS_WITH(s.sandbox.call("greet", {std::string("\xff")}), "greet: argument 1 is not valid UTF-8");
    CHECK_THROWS_WITH(s.sandbox.call("greet", {std::string(HL_VALUE_MAX + 1, 'x')}),
                      "greet: argument 1 is 524289 bytes, over the limit of 524288");
    // The caller's arguments are at fault (ArgumentError); an unknown export is not an argument's.
    CHECK_THROWS_AS(s.sandbox.call("add", {int64_t{1}}), hl::ArgumentError);
    CHECK_THROWS_AS(s.sandbox.call("greet", {std::string(HL_VALUE_MAX + 1, 'x')}), hl::ArgumentError);
    try {
        s.sandbox.call("nope", {});
        FAIL("no export named nope, yet the call went through");
    } catch (const hl::ArgumentError&) {
        FAIL("an unknown export is not an ArgumentError");
    } catch (const hl::CallError&) {
    }
    CHECK(s.fake.take_calls().empty());
    CHECK(s.fake.get<hl_call_frame>(HL_CALL_AREA_ADDR).argc == 0);   // no frame written either
    CHECK(s.sandbox.ready());
}

TEST_CASE("fake call: a program that exits is done, not ready for calls")
{
    FakeSandbox s;
    s.fake.then(exit_step(0));
    CHECK(s.sandbox.initialize().ending == Ending::Exited);
    CHECK_FALSE(s.sandbox.ready());
    s.fake.take_calls();
    CHECK_THROWS_WITH(s.sandbox.call("add", {int64_t{1}, int64_t{2}}),
                      "cannot call: the guest is not ready for calls (it did not call hl_serve)");
    CHECK_THROWS_WITH(s.sandbox.snapshot(),
                      "cannot take a snapshot: the guest is not ready for calls (it did not call hl_serve)");
    CHECK(s.fake.take_calls().empty());
}

TEST_CASE("fake call: ready during a call, return outside one, and a result the guest cannot give are faults")
{
    FakeSandbox s;
    s.fake.then(return_step());
    RunResult r = s.sandbox.initialize();
    CHECK(r.ending == Ending::Faulted);
    CHECK(r.message == "bad hypercall: return: no call is in progress");

    FakeSandbox during;
    during.initialize();
    during.fake.then(ready_step());
    r = during.sandbox.call("nothing", {});
    CHECK(r.ending == Ending::Faulted);
    CHECK(r.message == "bad hypercall: ready: hl_serve called during a call");

    FakeSandbox wild;
    wild.initialize();
    wild.fake.then(result_step(wild.fake, 0x200000000, 4));
    r = wild.sandbox.call("greet", {std::string("x")});
    CHECK(r.ending == Ending::Faulted);
    CHECK(r.message == "bad return value: greet returned a string at an address the guest cannot read: "
                       "range 0x200000000+4 is outside guest memory (16Mi)");
    CHECK(wild.sandbox.poisoned() == r.message);
}
