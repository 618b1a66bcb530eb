// The life of a sandbox that takes calls: snapshots, fresh calls, a clean
// FPU, poisoning by faults, timeouts and exits, cancellation, threads.
#include "functions_guest.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

using namespace hl;
using namespace std::chrono_literals;
using hl::test::Guest;

TEST_CASE("functions: a snapshot brings memory and registers back")
{
    HL_REQUIRE_KVM();
    Guest g;
    CHECK(g.call("next", {}) == Value(int64_t{101}));
    const Snapshot at_101 = g.sandbox.snapshot();
    CHECK(g.call("next", {}) == Value(int64_t{102}));
    CHECK(g.call("next", {}) == Value(int64_t{103}));
    g.sandbox.restore(at_101);
    CHECK(g.call("next", {}) == Value(int64_t{102}));
    const Snapshot at_102 = g.sandbox.snapshot();
    g.sandbox.restore(at_101); // an older snapshot: everything copied back
    CHECK(g.call("next", {}) == Value(int64_t{102}));
    g.sandbox.restore(at_102);
    CHECK(g.call("next", {}) == Value(int64_t{103}));
}

TEST_CASE("functions: every call starts with a clean FPU, fresh or not")
{
    HL_REQUIRE_KVM();
    // MXCSR 0x1f80 and FCW 0x37f, as at boot; XMM7 zero.
    const Value clean(uint64_t{0x1f80'037f'0000'0000});
    for (const bool fresh : {false, true}) {
        CAPTURE(fresh);
        Guest g;
        g.sandbox.set_fresh_per_call(fresh);
        CHECK(g.call("fpu_state", {}) == clean);
        g.call("dirty_fpu", {});
        CHECK(g.call("fpu_state", {}) == clean);
        g.call("dirty_fpu", {});
        g.call("dirty_fpu", {});
        CHECK(g.call("fpu_state", {}) == clean);
    }
}

TEST_CASE("functions: a fresh call resumes exactly at the snapshot, however the last call returned")
{
    HL_REQUIRE_KVM();
    Guest g;
    g.sandbox.set_fresh_per_call(true);
    constexpr uint64_t kDirectionFlag = 0x400;
    CHECK((std::get<uint64_t>(g.call("entry_flags", {})) & kDirectionFlag) == 0);
    // The return `out` hl_serve waits at, reached with DF set: a restore that
    // let it complete would leave DF set for the next call.
    g.call("return_with_flags", {});
    CHECK((std::get<uint64_t>(g.call("entry_flags", {})) & kDirectionFlag) == 0);
    CHECK(g.call("next", {}) == Value(int64_t{101}));
    // A return from an `out` of the export's own: the next call must not resume there.
    g.call("return_elsewhere", {});
    CHECK(g.call("add", {int64_t{1}, int64_t{2}}) == Value(int64_t{3}));
    CHECK(g.call("next", {}) == Value(int64_t{101}));
    // The same through an explicit snapshot of a sandbox that is not fresh per call.
    Guest h;
    const Snapshot start = h.sandbox.snapshot();
    h.call("return_with_flags", {});
    h.sandbox.restore(start);
    CHECK((std::get<uint64_t>(h.call("entry_flags", {})) & kDirectionFlag) == 0);
    h.call("return_elsewhere", {});
    h.sandbox.restore(start);
    CHECK(h.call("add", {int64_t{1}, int64_t{2}}) == Value(int64_t{3}));
}

TEST_CASE("functions: a fault poisons the sandbox until a restore")
{
    HL_REQUIRE_KVM();
    Guest g;
    const Snapshot clean = g.sandbox.snapshot();
    const RunResult crash = g.sandbox.call("crash", {});
    CHECK(crash.ending == RunResult::Ending::Faulted);
    REQUIRE(crash.fault.has_value());
    CHECK(crash.fault->vector == 14);
    CHECK(crash.fault->where.rfind("hl_thunk_crash", 0) == 0); // the export's body, inlined into its thunk
    CHECK_FALSE(g.sandbox.ready());
    CHECK_THROWS_WITH(g.sandbox.call("next", {}), Catch::StartsWith("cannot call next: the sandbox is poisoned (guest fault: page fault (#PF)"));
    CHECK_THROWS_AS(g.sandbox.snapshot(), CallError);
    g.sandbox.restore(clean);
    CHECK(g.sandbox.ready());
    CHECK(g.call("next", {}) == Value(int64_t{101}));
}

TEST_CASE("functions: a call that runs past the timeout is stopped and poisons")
{
    HL_REQUIRE_KVM();
    Guest g({.timeout = 200ms});
    const Snapshot clean = g.sandbox.snapshot();
    const RunResult r = g.sandbox.call("spin", {});
    CHECK(r.ending == RunResult::Ending::TimedOut);
    CHECK(r.message == "guest timed out after 200ms");
    CHECK_FALSE(g.sandbox.ready());
    g.sandbox.restore(clean);
    CHECK(g.call("add", {int64_t{1}, int64_t{1}}) == Value(int64_t{2}));
}

// Cancels are made while the call is known to run: one made before would be
// dropped by design (a cancel with nothing running is a no-op). The generous
// timeout turns a cancel that does not work into a failure, not a hang.
constexpr auto kCancelBound = 60s;

TEST_CASE("functions: a cancel with nothing running does not touch the next call")
{
    HL_REQUIRE_KVM();
    Guest g;
    g.sandbox.interrupt_handle().cancel();
    CHECK(g.call("next", {}) == Value(int64_t{101}));
}

TEST_CASE("functions: a host function cancels the call that called it")
{
    HL_REQUIRE_KVM();
    Sandbox s(Image::load(test::guest_image("functions")), {.timeout = kCancelBound});
    const InterruptHandle handle = s.interrupt_handle();
    int calls = 0;
    s.register_host("running", [&handle, &calls] {
        ++calls;
        handle.cancel(); // after this the guest spins forever unless the cancel stops it
    });
    REQUIRE(s.initialize().ending == RunResult::Ending::Ready);
    const RunResult r = s.call("call_then_spin", {});
    CHECK(calls == 1);
    CHECK(r.ending == RunResult::Ending::Cancelled); // not TimedOut
    CHECK(r.message == "call cancelled");
    CHECK_FALSE(s.ready());
}

TEST_CASE("functions: another thread cancels an endless call once it knows the call runs")
{
    HL_REQUIRE_KVM();
    std::mutex mutex;
    std::condition_variable changed;
    bool running = false, finished = false;
    Sandbox s(Image::load(test::guest_image("functions")),
              {.timeout = kCancelBound, .output = [&](int, std::span<const uint8_t> bytes) -> int64_t {
                   {
                       const std::lock_guard lock(mutex);
                       running = true; // the guest wrote, then spins
                   }
                   changed.notify_all();
                   return static_cast<int64_t>(bytes.size());
               }});
    REQUIRE(s.initialize().ending == RunResult::Ending::Ready);
    const InterruptHandle handle = s.interrupt_handle();
    bool cancelled = false;
    std::thread canceller([&] {
        // No Catch assertions off the main thread: record, check after join.
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return running || finished; });
        if (running && !finished) {
            handle.cancel();
            cancelled = true;
        }
    });
    const RunResult r = s.call("say_then_spin", {});
    {
        const std::lock_guard lock(mutex);
        finished = true; // wakes a canceller that never saw the guest run
    }
    changed.notify_all();
    canceller.join();
    CHECK(cancelled);
    CHECK(r.ending == RunResult::Ending::Cancelled); // not TimedOut
    CHECK(r.message == "call cancelled");
    CHECK_FALSE(s.ready());
}

TEST_CASE("functions: many sandboxes take calls side by side on several threads")
{
    HL_REQUIRE_KVM();
    std::vector<std::thread> threads;
    std::vector<int64_t> last(4, 0);
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([t, &last] {
            // No Catch assertions off the main thread: record, check after join.
            Sandbox s(Image::load(test::guest_image("functions")), {});
            if (s.initialize().ending != RunResult::Ending::Ready)
                return;
            for (int i = 0; i < 50; ++i) {
                const RunResult r = s.call("add", {int64_t{t}, int64_t{i}});
                last[t] = r.ending == RunResult::Ending::Returned ? std::get<int64_t>(r.value) : -1;
            }
        });
    for (auto& thread : threads)
        thread.join();
    CHECK(last == std::vector<int64_t>{49, 50, 51, 52});
}

TEST_CASE("functions: a guest that exits during a call ends the call and poisons")
{
    HL_REQUIRE_KVM();
    Guest g;
    const RunResult r = g.sandbox.call("quit", {int32_t{4}});
    CHECK(r.ending == RunResult::Ending::Exited);
    CHECK(r.exit_status == 4);
    CHECK(g.sandbox.poisoned() == "the guest exited with status 4 during a call");
    CHECK_THROWS_AS(g.sandbox.call("next", {}), CallError);
}
