// Isolation between calls: a secret a guest plants in any register it can
// reach in one call is gone in a fresh call, through hl_serve (whose reset
// code after its `out` the host checks and then relies on) and through a serve
// loop of the guest's own (whose `out` is followed by nothing: the host puts
// every register back itself). Plain calls, where state persists by design,
// show that the probe finds what is there. Snapshots: ownership and the
// promise of set_fresh_per_call.
#include "process.hpp"

#include "../guests/isolation/src/state.h"

#include <hl/sandbox.hpp>

#include <string>

using namespace hl;

namespace {

constexpr uint64_t kSecret = 0x5ec4e75ec4e70001ull;

struct Isolation {
    Sandbox sandbox;
    uint64_t features;

    // Initialised, and no call made yet (set_fresh_per_call is still possible).
    explicit Isolation(bool own_loop, uint64_t memory = HL_MEMORY_DEFAULT)
        : sandbox(Image::load(test::guest_image("isolation")), {.memory_size = memory}), features(cpu_features())
    {
        std::vector<std::string> argv{"isolation"};
        if (own_loop)
            argv.push_back("own-loop");
        const RunResult init = sandbox.initialize(argv);
        REQUIRE(init.ending == RunResult::Ending::Ready);
    }

    // What the guest's CPUID and XGETBV say, asked once of a sandbox of its own.
    static uint64_t cpu_features()
    {
        static const uint64_t features = [] {
            Sandbox probe(Image::load(test::guest_image("isolation")), {});
            REQUIRE(probe.initialize().ending == RunResult::Ending::Ready);
            const RunResult r = probe.call("cpu_features_seen", {});
            REQUIRE(r.ending == RunResult::Ending::Returned);
            return std::get<uint64_t>(r.value);
        }();
        return features;
    }

    Value call(std::string_view name, std::vector<Value> args = {})
    {
        const RunResult r = sandbox.call(name, args);
        INFO(name << ": " << r.message);
        REQUIRE(r.ending == RunResult::Ending::Returned);
        return r.value;
    }
    uint64_t u64(std::string_view name) { return std::get<uint64_t>(call(name)); }
    void plant() { call("plant", {kSecret}); }
    uint64_t leaks() { return std::get<uint64_t>(call("leaks", {kSecret})); }

    // Every LEAK_* place this CPU has, and the ones it lacks, said once.
    uint64_t places(bool with_gprs) const
    {
        uint64_t all = LEAK_X87 | LEAK_FCW | LEAK_MXCSR | LEAK_XMM;
        if (features & FEATURE_AVX)
            all |= LEAK_YMM;
        else
            WARN("the host CPU lacks AVX: the upper halves of YMM are not tested");
        if (features & FEATURE_AVX512)
            all |= LEAK_ZMM_HI | LEAK_ZMM16 | LEAK_OPMASK;
        else
            WARN("the host CPU lacks AVX-512: ZMM0-31 and the opmask registers are not tested");
        if (features & FEATURE_PKU)
            all |= LEAK_PKRU;
        else
            WARN("the host CPU lacks protection keys: PKRU is not tested");
        if (features & FEATURE_FSGSBASE)
            all |= LEAK_FSBASE | LEAK_GSBASE;
        else
            WARN("the host CPU lacks FSGSBASE: the FS and GS bases are not tested");
        if (with_gprs)
            all |= LEAK_GPR;
        return all;
    }
};

} // namespace

TEST_CASE("isolation: the probe finds a secret the guest's own serve loop keeps between plain calls")
{
    HL_REQUIRE_KVM();
    Isolation g(true);
    // Nothing resets anything between plain calls of this loop: every place holds the secret.
    g.plant();
    CHECK(g.leaks() == g.places(true));
}

TEST_CASE("isolation: a fresh call finds no secret of the call before, in any register (guest's own serve loop)")
{
    HL_REQUIRE_KVM();
    Isolation g(true);
    g.sandbox.set_fresh_per_call(true);
    for (int i = 0; i < 3; ++i) {
        g.plant();
        CHECK(g.leaks() == 0);
    }
}

TEST_CASE("isolation: a fresh call finds no secret of the call before, in any register (hl_serve)")
{
    HL_REQUIRE_KVM();
    Isolation g(false);
    // Plain calls through hl_serve reset the vector registers (its code after the `out`),
    // not the segment bases: those show the probe works here too.
    g.plant();
    CHECK(g.leaks() == (g.places(false) & (LEAK_FSBASE | LEAK_GSBASE)));

    Isolation fresh(false);
    fresh.sandbox.set_fresh_per_call(true);
    for (int i = 0; i < 3; ++i) {
        fresh.plant();
        CHECK(fresh.leaks() == 0);
    }
}

TEST_CASE("isolation: restoring a snapshot puts back every register (both serve loops)")
{
    HL_REQUIRE_KVM();
    for (const bool own_loop : {true, false}) {
        INFO((own_loop ? "own serve loop" : "hl_serve"));
        Isolation g(own_loop);
        const Snapshot clean = g.sandbox.snapshot();
        g.plant();
        g.sandbox.restore(clean);
        CHECK(g.leaks() == 0);
        g.plant();
        g.sandbox.restore(clean);
        g.plant();                 // twice, with the restore in between: nothing accumulates
        g.sandbox.restore(clean);
        CHECK(g.leaks() == 0);
    }
}

TEST_CASE("isolation: the guest runs with CR4.OSXSAVE, and XCR0 holds x87, SSE and what CPUID offers")
{
    HL_REQUIRE_KVM();
    Isolation g(false);
    const uint64_t xcr0 = g.u64("xcr0_seen");
    CHECK((xcr0 & 0x3) == 0x3);
    if (g.features & FEATURE_AVX)
        CHECK((xcr0 & 0x4) == 0x4);
    if (g.features & FEATURE_AVX512)
        CHECK((xcr0 & 0xe0) == 0xe0);
}

TEST_CASE("isolation: set_fresh_per_call keeps its promise: the state right after initialize(), or a refusal")
{
    HL_REQUIRE_KVM();
    // Turned on before the first call: that call's secret is not in the next.
    Isolation before(false);
    before.sandbox.set_fresh_per_call(true);
    before.plant();
    CHECK((before.leaks() & (LEAK_FSBASE | LEAK_GSBASE)) == 0);

    // After a plain call, the state it promises is gone: refused, and calls stay plain.
    Isolation after(false);
    after.plant();
    CHECK_THROWS_WITH(after.sandbox.set_fresh_per_call(true),
                      "cannot make calls fresh: the state right after initialize() is gone (calls ran since, "
                      "or another snapshot was restored); call set_fresh_per_call(true) before the first call");
    CHECK(after.leaks() == (after.places(false) & (LEAK_FSBASE | LEAK_GSBASE)));

    // A snapshot of the initial state, restored, brings the promise back.
    Isolation restored(false);
    const Snapshot initial = restored.sandbox.snapshot();
    restored.plant();
    restored.sandbox.restore(initial);
    restored.sandbox.set_fresh_per_call(true);
    restored.plant();
    CHECK(restored.leaks() == 0);
}

TEST_CASE("isolation: a snapshot of another sandbox restores all of itself, even into a new one at the same address")
{
    HL_REQUIRE_KVM();
    // A sandbox freed and another made at once often gets the same address:
    // a restore must not take the snapshot for the sandbox's own latest and
    // copy back only the pages written since, leaving the rest as they were.
    for (int round = 0; round < 8; ++round) {
        Snapshot theirs;
        {
            Isolation gone(false);
            theirs = gone.sandbox.snapshot();
        }
        Isolation same_size(false);
        same_size.plant();
        same_size.sandbox.restore(theirs);
        CHECK(same_size.leaks() == 0);
        Isolation larger(false, 2 * HL_MEMORY_DEFAULT);
        CHECK_THROWS_WITH(larger.sandbox.restore(theirs),
                          "cannot restore: the snapshot holds 16Mi of memory, the sandbox 32Mi");
        CHECK(larger.leaks() == 0);   // still usable
    }
    Isolation g(false);
    CHECK_THROWS_WITH(g.sandbox.restore(Snapshot{}), "cannot restore: the snapshot is empty");
    Sandbox other(Image::load(test::guest_image("functions")), {});
    REQUIRE(other.initialize().ending == RunResult::Ending::Ready);
    CHECK_THROWS_WITH(g.sandbox.restore(other.snapshot()),
                      "cannot restore: the snapshot is of another image (" + test::guest_image("functions") + ")");
    CHECK(g.leaks() == 0);
}
