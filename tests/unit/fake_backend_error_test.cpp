// Backend failures around snapshots and restores, which real KVM almost never
// shows: scripted with the fake backend (fake_backend.hpp). A failed restore
// leaves a guest that is neither as it was nor as the snapshot has it, so it
// must never be called as if restored; a failed snapshot changes nothing the
// guest can see.
#include "fake_guest.hpp"

#include <catch2/catch.hpp>

using namespace hl;
using namespace hl::test;
using Ending = RunResult::Ending;
using Calls = std::vector<std::string>;

namespace {

uint64_t guest_page(const FakeSandbox& s) { return s.sandbox.layout().heap_start(); }

// An export that stores value on guest_page and returns.
FakeStep storing(FakeSandbox& s, uint8_t value)
{
    FakeStep step = return_step();
    step.guest = [&s, value] { s.fake.put(guest_page(s), value); };
    return step;
}

RunResult call_storing(FakeSandbox& s, uint8_t value)
{
    s.fake.then(storing(s, value));
    return s.sandbox.call("nothing", {});
}

// Initialised, snapshotted (`clean`), then a call stored 0x5a on guest_page.
struct Dirtied {
    FakeSandbox s;
    Snapshot clean;
    Dirtied()
    {
        s.initialize();
        clean = s.sandbox.snapshot();
        if (call_storing(s, 0x5a).ending != Ending::Returned)
            throw FakeMisuse("Dirtied: the call did not return");
    }
};

const std::string kPoisoned = "restoring a snapshot failed: KVM_SET_XSAVE failed: Invalid argument";

} // namespace

TEST_CASE("fake backend error: a restore that fails part-way throws and poisons until a restore succeeds")
{
    Dirtied d;
    FakeSandbox& s = d.s;
    const Snapshot& clean = d.clean;
    s.fake.memory(guest_page(s) + HL_PAGE_SIZE, 1)[0] = 0x77;   // unlogged: only a full copy restores it

    s.fake.fail_next(FakeCall::RestoreState, "KVM_SET_XSAVE failed: Invalid argument");
    CHECK_THROWS_AS(s.sandbox.restore(clean), KvmError);
    CHECK(s.fake.restores.size() == 1);   // it got as far as the vCPU
    CHECK(s.sandbox.poisoned() == kPoisoned);
    CHECK_FALSE(s.sandbox.ready());
    s.fake.take_calls();
    CHECK_THROWS_WITH(s.sandbox.call("nothing", {}),
                      "cannot call nothing: the sandbox is poisoned (" + kPoisoned + "); restore a snapshot first");
    CHECK_THROWS_WITH(s.sandbox.snapshot(), "cannot take a snapshot of a poisoned sandbox: " + kPoisoned);
    CHECK(s.fake.take_calls().empty());

    // The next restore trusts no dirty log: it maps all of memory anew.
    s.sandbox.restore(clean);
    CHECK(s.sandbox.poisoned().empty());
    CHECK(s.fake.get<uint8_t>(guest_page(s)) == 0);
    CHECK(s.fake.get<uint8_t>(guest_page(s) + HL_PAGE_SIZE) == 0);
    CHECK(call_storing(s, 1).ending == Ending::Returned);
}

TEST_CASE("fake backend error: a restore whose dirty log read fails poisons, and the next restore replaces all")
{
    Dirtied d;
    FakeSandbox& s = d.s;
    const Snapshot& clean = d.clean;
    // KVM_GET_DIRTY_LOG clears the log before it copies it out: a failure loses it.
    s.fake.fail_next(FakeCall::CollectDirtyPages, "KVM_GET_DIRTY_LOG failed: Bad address");
    CHECK_THROWS_WITH(s.sandbox.restore(clean), "KVM_GET_DIRTY_LOG failed: Bad address");
    CHECK(s.sandbox.poisoned() == "restoring a snapshot failed: KVM_GET_DIRTY_LOG failed: Bad address");
    CHECK(s.fake.restores.empty());

    s.sandbox.restore(clean);
    CHECK(s.fake.get<uint8_t>(guest_page(s)) == 0);   // in no log any more, yet put back
    CHECK(s.sandbox.ready());
}

TEST_CASE("fake backend error: a snapshot that cannot save the vCPU throws and changes nothing")
{
    Dirtied d;
    FakeSandbox& s = d.s;
    const Snapshot& clean = d.clean;
    s.fake.take_calls();
    s.fake.fail_next(FakeCall::SaveState, "KVM_GET_REGS failed: Bad address");
    CHECK_THROWS_AS(s.sandbox.snapshot(), KvmError);
    CHECK(s.fake.take_calls() == Calls{"save_state"});
    CHECK(s.sandbox.ready());
    CHECK(s.sandbox.poisoned().empty());
    CHECK(call_storing(s, 0x5b).ending == Ending::Returned);
    s.sandbox.restore(clean);
    CHECK(s.fake.get<uint8_t>(guest_page(s)) == 0);
}

TEST_CASE("fake backend error: a snapshot whose dirty log read fails leaves an older snapshot whole")
{
    Dirtied d;
    FakeSandbox& s = d.s;
    const Snapshot& clean = d.clean;
    s.fake.fail_next(FakeCall::CollectDirtyPages, "KVM_GET_DIRTY_LOG failed: Bad address");
    CHECK_THROWS_WITH(s.sandbox.snapshot(), "KVM_GET_DIRTY_LOG failed: Bad address");
    CHECK(s.sandbox.ready());
    // The page written since `clean` is in no log any more: the restore replaces all memory.
    s.sandbox.restore(clean);
    CHECK(s.fake.get<uint8_t>(guest_page(s)) == 0);
}

TEST_CASE("fake backend error: a fresh call whose restore fails throws before the guest runs, and poisons")
{
    FakeSandbox s;
    s.initialize();
    s.sandbox.set_fresh_per_call(true);
    REQUIRE(call_storing(s, 0x5a).ending == Ending::Returned);
    s.fake.take_calls();
    s.fake.fail_next(FakeCall::RestoreState, "KVM_SET_XSAVE failed: Invalid argument");
    s.fake.then(storing(s, 0x5b));
    CHECK_THROWS_WITH(s.sandbox.call("nothing", {}), "KVM_SET_XSAVE failed: Invalid argument");
    CHECK(s.fake.take_calls() == Calls{"collect_dirty_pages", "restore_state(guest resets)"});
    CHECK(s.sandbox.poisoned() == kPoisoned);
    CHECK_THROWS_WITH(s.sandbox.call("nothing", {}),
                      "cannot call nothing: the sandbox is poisoned (" + kPoisoned + "); restore a snapshot first");
    CHECK(s.fake.count("run") == 2);   // initialize and the first call: the guest never ran again
}

TEST_CASE("fake backend error: a first fresh call whose snapshot fails throws, and the next one starts over")
{
    FakeSandbox s;
    s.initialize();
    s.sandbox.set_fresh_per_call(true);
    s.fake.fail_next(FakeCall::SaveState, "KVM_GET_XSAVE2 failed: Bad address");
    CHECK_THROWS_WITH(s.sandbox.call("nothing", {}), "KVM_GET_XSAVE2 failed: Bad address");
    CHECK(s.fake.count("run") == 1);
    CHECK(s.sandbox.ready());
    CHECK(call_storing(s, 0x5a).ending == Ending::Returned);
    CHECK(call_storing(s, 0x5b).ending == Ending::Returned);
    REQUIRE(s.fake.restores.size() == 1);
    CHECK(s.fake.restores[0].serial == s.fake.saved.back());   // the snapshot the second try took
}
