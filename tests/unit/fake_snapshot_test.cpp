// Snapshots and restores on the scripted backend (fake_backend.hpp): which
// pages a restore copies back, how it asks the backend to put the FPU back,
// and fresh calls.
#include "fake_guest.hpp"

#include "x86_64/xstate_reset.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>

using namespace hl;
using namespace hl::test;
using Ending = RunResult::Ending;

namespace {

using Calls = std::vector<std::string>;

// A page the guest writes in a call, and one written behind everyone's back:
// no dirty log sees it, so only a restore of all memory puts it back.
uint64_t guest_page(const FakeSandbox& s) { return s.sandbox.layout().heap_start(); }
uint64_t unlogged_page(const FakeSandbox& s) { return s.sandbox.layout().heap_start() + HL_PAGE_SIZE; }

void write_unlogged(FakeSandbox& s, uint8_t value) { s.fake.memory(unlogged_page(s), 1)[0] = value; }

// An export that stores 0x5a on guest_page and returns.
FakeStep touching(FakeSandbox& s, uint64_t pc = kServeResume)
{
    FakeStep step = return_step(pc);
    step.guest = [&s] { s.fake.put(guest_page(s), uint8_t{0x5a}); };
    return step;
}

// A counter on guest_page: each call adds one and returns it.
FakeStep counting(FakeSandbox& s)
{
    FakeStep step = return_step();
    step.guest = [&s] {
        const uint64_t n = s.fake.get<uint64_t>(guest_page(s)) + 1;
        s.fake.put(guest_page(s), n);
        auto frame = s.fake.get<hl_call_frame>(HL_CALL_AREA_ADDR);
        frame.ret.bits = n;
        s.fake.put(HL_CALL_AREA_ADDR, frame);
    };
    return step;
}

} // namespace

TEST_CASE("fake snapshot: a restore copies back exactly the pages the dirty log and the host's writes name")
{
    FakeSandbox s;
    s.initialize();
    s.fake.take_calls();
    const Snapshot clean = s.sandbox.snapshot();
    CHECK(s.fake.take_calls() == Calls{"save_state", "enable_dirty_log", "collect_dirty_pages"});

    s.fake.then(touching(s, ElfBuilder::kTextAddr + 0x30));
    CHECK(s.sandbox.call("greet", {std::string("world")}).value == Value(std::string()));
    write_unlogged(s, 0x77);
    CHECK(s.fake.registers.rip == ElfBuilder::kTextAddr + 0x30);
    s.fake.take_calls();

    s.sandbox.restore(clean);
    CHECK(s.fake.take_calls() == Calls{"collect_dirty_pages", "restore_state(guest resets)"});
    CHECK(s.fake.get<uint8_t>(guest_page(s)) == 0);                       // the guest wrote it
    CHECK(s.fake.get<uint64_t>(HL_CALL_DATA_ADDR) == 0);                  // the host wrote "world" there
    CHECK(s.fake.get<hl_call_frame>(HL_CALL_AREA_ADDR).argc == 0);       // and the frame
    CHECK(s.fake.get<uint8_t>(unlogged_page(s)) == 0x77);                 // nobody logged it: not copied
    REQUIRE(s.fake.restores.size() == 1);
    CHECK(s.fake.restores[0].serial == s.fake.saved.back());
    CHECK(s.fake.registers.rip == kServeResume);
    CHECK(s.sandbox.ready());
}

TEST_CASE("fake snapshot: restoring another snapshot than the last taken or restored replaces all of memory")
{
    FakeSandbox s;
    s.initialize();
    const Snapshot first = s.sandbox.snapshot();
    s.fake.then(touching(s));
    s.sandbox.call("nothing", {});
    const Snapshot second = s.sandbox.snapshot();
    write_unlogged(s, 0x77);

    s.sandbox.restore(first);
    CHECK(s.fake.get<uint8_t>(unlogged_page(s)) == 0);
    CHECK(s.fake.get<uint8_t>(guest_page(s)) == 0);
    s.sandbox.restore(second);
    CHECK(s.fake.get<uint8_t>(guest_page(s)) == 0x5a);
    // Back to the snapshot last restored: only logged pages again.
    write_unlogged(s, 0x77);
    s.sandbox.restore(second);
    CHECK(s.fake.get<uint8_t>(unlogged_page(s)) == 0x77);
    CHECK(s.fake.restores.size() == 3);
}

TEST_CASE("fake snapshot: the guest resets its FPU only at hl's exact reset bytes on read-only pages")
{
    // Where the snapshot resumes, and whether the restore may leave the FPU to the guest.
    SECTION("hl_serve's reset sequence in the image's text")
    {
        FakeSandbox s;
        s.initialize();
        const Snapshot clean = s.sandbox.snapshot();
        s.sandbox.restore(clean);
        REQUIRE(s.fake.restores.size() == 1);
        CHECK(s.fake.restores[0].fpu == FpuRestore::GuestResets);
    }
    SECTION("any other instruction")
    {
        FakeSandbox s;
        s.fake.then(ready_step(ElfBuilder::kTextAddr + 0x10));
        REQUIRE(s.sandbox.initialize().ending == Ending::Ready);
        s.sandbox.restore(s.sandbox.snapshot());
        CHECK(s.fake.restores.at(0).fpu == FpuRestore::Load);
    }
    SECTION("the same bytes, aimed at the same clean image, where the guest can write them")
    {
        FakeSandbox s;
        const uint64_t copy = kScratch + 0x400;
        FakeStep ready = ready_step(copy);
        ready.guest = [&s, copy] {
            std::vector<uint8_t> code(cpu::kXstateResetCodeSize);
            const auto text = s.fake.memory(kServeResume, code.size());
            std::copy(text.begin(), text.end(), code.begin());
            int32_t displacement;
            std::memcpy(&displacement, code.data() + code.size() - 4, 4);
            displacement += static_cast<int32_t>(kServeResume - copy);
            std::memcpy(code.data() + code.size() - 4, &displacement, 4);
            s.fake.write_as_guest(copy, code);
        };
        s.fake.then(ready);
        REQUIRE(s.sandbox.initialize().ending == Ending::Ready);
        s.sandbox.restore(s.sandbox.snapshot());
        CHECK(s.fake.restores.at(0).fpu == FpuRestore::Load);
    }
}

TEST_CASE("fake snapshot: fresh calls snapshot at the first call and restore before every later one")
{
    FakeSandbox s;
    s.initialize();
    s.sandbox.set_fresh_per_call(true);
    s.fake.take_calls();
    for (int call = 1; call <= 3; ++call) {
        INFO("call " << call);
        s.fake.then(counting(s));
        const RunResult r = s.sandbox.call("nothing", {});
        CHECK(r.ending == Ending::Returned);
        CHECK(s.fake.get<uint64_t>(guest_page(s)) == 1);   // every call found the counter at 0
        const Calls first{"save_state", "enable_dirty_log", "collect_dirty_pages", "keep_registers_at_exit(true)", "run"};
        const Calls later{"collect_dirty_pages", "restore_state(guest resets)", "keep_registers_at_exit(true)", "run"};
        CHECK(s.fake.take_calls() == (call == 1 ? first : later));
    }
    REQUIRE(s.fake.restores.size() == 2);
    CHECK(s.fake.restores[0].serial == s.fake.saved.at(0));
    CHECK(s.fake.restores[1].serial == s.fake.saved.at(0));
}

TEST_CASE("fake snapshot: fresh calls cannot start once a call changed the state after initialize()")
{
    FakeSandbox s;
    s.initialize();
    s.fake.then(return_step());
    s.sandbox.call("nothing", {});
    CHECK_THROWS_WITH(s.sandbox.set_fresh_per_call(true),
                      "cannot make calls fresh: the state right after initialize() is gone (calls ran since, or "
                      "another snapshot was restored); call set_fresh_per_call(true) before the first call");
}

TEST_CASE("fake snapshot: a sandbox from a snapshot resumes its state on a VM of its own, without booting")
{
    FakeSandbox s;
    s.initialize();
    s.fake.then(touching(s));
    REQUIRE(s.sandbox.call("nothing", {}).ending == Ending::Returned);
    const Snapshot touched = s.sandbox.snapshot();

    FakeBackend other;
    Sandbox copy = Sandbox::from_snapshot(touched, {}, other.make_vm());
    CHECK(other.take_calls() == Calls{"enable_dirty_log", "map_memory", "create_vcpu", "start_from_state",
                                      "restore_state(load)", "set_stop_flag"});
    CHECK(copy.ready());
    CHECK(other.registers.rip == kServeResume);
    CHECK(other.get<uint8_t>(guest_page(s)) == 0x5a);   // the snapshot's memory
    // Its writes are its own, and its restores copy back only what it wrote.
    other.put(guest_page(s), uint8_t{0x11});
    CHECK(s.fake.get<uint8_t>(guest_page(s)) == 0x5a);
    s.fake.put(guest_page(s) + HL_PAGE_SIZE, uint8_t{0x22});
    CHECK(other.get<uint8_t>(guest_page(s) + HL_PAGE_SIZE) == 0);
    copy.restore(touched);
    CHECK(other.get<uint8_t>(guest_page(s)) == 0x5a);
}
