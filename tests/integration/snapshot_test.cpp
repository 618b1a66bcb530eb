// Snapshots as shared, copy-on-write memory: sandboxes made from a snapshot
// (Sandbox::from_snapshot), their independence, fresh calls that return to
// the snapshot, the memory a snapshot holds, and what from_snapshot refuses.
#include "confined_child.hpp"
#include "functions_guest.hpp"
#include "kvm/kvm_backend.hpp"
#include "kvm/kvm_vm.hpp"
#include "musl.hpp"
#include "process.hpp"

#include <hl/sandbox.hpp>

#include <string>
#include <vector>

using namespace hl;
using namespace hl::test;

namespace {


} // namespace

TEST_CASE("snapshots: sandboxes from one snapshot start in its state and then go their own ways")
{
    HL_REQUIRE_KVM();
    Guest origin;
    REQUIRE(origin.call("next", {}) == Value(int64_t{101}));
    const Snapshot at_one = origin.sandbox.snapshot();
    REQUIRE(origin.call("next", {}) == Value(int64_t{102}));

    std::string out;
    Sandbox a = Sandbox::from_snapshot(at_one, Guest::with_output({}, out));
    Sandbox b = Sandbox::from_snapshot(at_one, {});
    CHECK(a.ready());
    CHECK(must_return(a, "next") == Value(int64_t{102}));
    CHECK(must_return(a, "next") == Value(int64_t{103}));
    CHECK(must_return(b, "next") == Value(int64_t{102}));
    CHECK(origin.call("next", {}) == Value(int64_t{103}));
    // Output goes where the new sandbox's options say.
    must_return(a, "say", {std::string("from a")});
    CHECK(out == "from a\n");
    // Each restores to the snapshot it was made from, and to the origin's.
    a.restore(at_one);
    CHECK(must_return(a, "next") == Value(int64_t{102}));
    const Snapshot at_three = origin.sandbox.snapshot();
    a.restore(at_three);
    CHECK(must_return(a, "next") == Value(int64_t{104}));
    // A fault poisons only the sandbox it happens in.
    CHECK(a.call("crash", {}).ending == RunResult::Ending::Faulted);
    CHECK_FALSE(a.ready());
    CHECK(must_return(b, "next") == Value(int64_t{103}));
    a.restore(at_one);
    CHECK(must_return(a, "next") == Value(int64_t{102}));
    // The image and layout are the snapshot's.
    CHECK(a.image().name() == origin.sandbox.image().name());
    CHECK(a.layout().memory_size() == at_one.memory_size());
}

TEST_CASE("snapshots: fresh calls of a sandbox from a snapshot taken after initialisation return to it")
{
    HL_REQUIRE_KVM();
    Guest origin;
    const Snapshot clean = origin.sandbox.snapshot();   // right after initialisation
    origin.sandbox.set_fresh_per_call(true);
    Sandbox fresh = Sandbox::from_snapshot(clean, {});
    fresh.set_fresh_per_call(true);
    for (int i = 0; i < 5; ++i) {
        CHECK(must_return(fresh, "next") == Value(int64_t{101}));
        CHECK(must_return(fresh, "touch", {uint64_t{40}}) == Value(uint64_t{40}));
    }
    // Made from a snapshot of another moment, fresh calls have no state to return to.
    REQUIRE(origin.call("next", {}) == Value(int64_t{101}));
    Guest stateful;
    REQUIRE(stateful.call("next", {}) == Value(int64_t{101}));
    Sandbox later = Sandbox::from_snapshot(stateful.sandbox.snapshot(), {});
    CHECK_THROWS_WITH(later.set_fresh_per_call(true),
                      "cannot make calls fresh: the state right after initialize() is gone (calls ran since, or "
                      "another snapshot was restored); call set_fresh_per_call(true) before the first call");
}

TEST_CASE("snapshots: a sandbox from a snapshot needs its host functions registered again")
{
    HL_REQUIRE_KVM();
    Sandbox origin(Image::load(guest_image("functions")), {});
    origin.register_host("mul", [](int64_t a, int64_t b) { return a * b; });
    REQUIRE(origin.initialize().ending == RunResult::Ending::Ready);
    const Snapshot snapshot = origin.snapshot();
    Sandbox bare = Sandbox::from_snapshot(snapshot, {});
    // The guest's call of the host function fails with HL_ENOENT, which use_mul returns.
    CHECK(must_return(bare, "use_mul", {int64_t{6}, int64_t{7}}) == Value(int64_t{HL_ENOENT}));
    Sandbox registered = Sandbox::from_snapshot(snapshot, {});
    registered.register_host("mul", [](int64_t a, int64_t b) { return a * b; });
    CHECK(must_return(registered, "use_mul", {int64_t{6}, int64_t{7}}) == Value(int64_t{42}));
}

TEST_CASE("snapshots: fresh calls restore every page written, past a full dirty ring, with the ring or the bitmap")
{
    HL_REQUIRE_KVM();
    // Best falls back to the bitmap where KVM has no ring: say when both runs test the bitmap.
    if (!KvmVm(DirtyTracking::Best).uses_dirty_ring())
        WARN("this host's KVM has no dirty ring: both runs below use the dirty bitmap");
    for (const DirtyTracking tracking : {DirtyTracking::Best, DirtyTracking::Bitmap}) {
        INFO((tracking == DirtyTracking::Best ? "dirty ring where KVM has one" : "dirty bitmap"));
        std::string out;
        Sandbox s(Image::load(guest_image("functions")), Guest::with_output({}, out), create_kvm_vm(tracking));
        REQUIRE(s.initialize().ending == RunResult::Ending::Ready);
        s.set_fresh_per_call(true);
        for (int i = 0; i < 3; ++i) {
            // 1024 pages: more than an 8 KiB ring's 448 before KVM stops the vCPU to have them collected.
            CHECK(must_return(s, "touch", {uint64_t{1024}}) == Value(uint64_t{1024}));
            CHECK(must_return(s, "scratch_sum") == Value(uint64_t{0}));
        }
        // Without fresh calls the writes stay, as many as were made.
        Sandbox from = Sandbox::from_snapshot(s.snapshot(), {}, create_kvm_vm(tracking));
        CHECK(must_return(from, "touch", {uint64_t{1024}}) == Value(uint64_t{1024}));
        CHECK(must_return(from, "touch", {uint64_t{600}}) == Value(uint64_t{600}));
        CHECK(must_return(from, "scratch_sum") == Value(uint64_t{1624}));
        const Snapshot after = from.snapshot();
        CHECK(must_return(from, "touch", {uint64_t{1024}}) == Value(uint64_t{1024}));
        from.restore(after);
        CHECK(must_return(from, "scratch_sum") == Value(uint64_t{1624}));
    }
}

TEST_CASE("snapshots: a process forked after taking snapshots takes its own right")
{
    HL_REQUIRE_KVM();
    // The parent has looked at its page map; the child's pages are not its.
    Guest parent;
    REQUIRE(parent.call("next", {}) == Value(int64_t{101}));
    const Snapshot before_fork = parent.sandbox.snapshot();
    const ChildResult child = in_child([] {
        Guest g;
        ChildChecks checks;
        checks.expect(g.call("next", {}) == Value(int64_t{101}), "next in the child");
        checks.expect(g.call("touch", {uint64_t{300}}) == Value(uint64_t{300}), "touch in the child");
        const Snapshot mine = g.sandbox.snapshot();
        Sandbox from = Sandbox::from_snapshot(mine, {});
        checks.expect(must_return(from, "next") == Value(int64_t{102}), "the child's snapshot holds its counter");
        checks.expect(must_return(from, "scratch_sum") == Value(uint64_t{300}), "and its touched pages");
        return checks.failures;
    });
    CHECK(child.err == "");
    CHECK(child.status == 0);
    Sandbox from = Sandbox::from_snapshot(before_fork, {});
    CHECK(must_return(from, "next") == Value(int64_t{102}));
}

TEST_CASE("snapshots: hold only the pages that differ from zero, whatever the memory size")
{
    HL_REQUIRE_KVM();
    for (const uint64_t memory : {uint64_t{16} << 20, uint64_t{1} << 30}) {
        Guest g({.memory_size = memory});
        const Snapshot snapshot = g.sandbox.snapshot();
        CHECK(snapshot.memory_size() == memory);
        INFO("memory " << memory << ", stored " << snapshot.stored_bytes());
        // The image, its stack and heap pages in use, the boot info and the
        // machine's tables: a few hundred KiB, not the memory size.
        CHECK(snapshot.stored_bytes() > 0);
        CHECK(snapshot.stored_bytes() < (uint64_t{4} << 20));
        // A sandbox made from it works as well in either size.
        Sandbox copy = Sandbox::from_snapshot(snapshot, {});
        CHECK(must_return(copy, "touch", {uint64_t{200}}) == Value(uint64_t{200}));
    }
    CHECK(Snapshot{}.memory_size() == 0);
    CHECK(Snapshot{}.stored_bytes() == 0);
}

TEST_CASE("snapshots: from_snapshot refuses an empty snapshot, and directories over its snapshot's")
{
    HL_REQUIRE_KVM();
    CHECK_THROWS_WITH(Sandbox::from_snapshot(Snapshot{}, {}), "cannot create a sandbox from an empty snapshot");
    // A snapshot of a sandbox without directories takes those of the new one.
    Guest plain;
    CHECK(Sandbox::from_snapshot(plain.sandbox.snapshot(), {.directories = {{"/tmp", "/data"}}})
              .mapped_directory_fds()
              .size() == 1);
    Guest g({.directories = {{"/tmp", "/data"}}});
    const Snapshot snapshot = g.sandbox.snapshot();
    CHECK_THROWS_AS(Sandbox::from_snapshot(snapshot, {.directories = {{"/tmp", "/data"}}}), OptionError);
    CHECK_THROWS_WITH(Sandbox::from_snapshot(snapshot, {.directories = {{"/tmp", "/data"}}}),
                      "a sandbox from a snapshot reads the directories its snapshot's sandbox mapped; "
                      "options.directories must be empty");
}

TEST_CASE("snapshots: a musl guest's process state comes along into a sandbox from its snapshot")
{
    HL_REQUIRE_MUSL();
    HL_REQUIRE_KVM();
    Sandbox origin(Image::load(guest_image("musl")), {.output = [](int, std::span<const uint8_t> b) {
                       return static_cast<int64_t>(b.size());
                   }});
    REQUIRE(origin.initialize().ending == RunResult::Ending::Ready);
    REQUIRE(must_return(origin, "remember", {std::string("ab")}) == Value(int64_t{3}));
    REQUIRE(must_return(origin, "tls_next") == Value(int64_t{8}));
    const Snapshot snapshot = origin.snapshot();
    for (int i = 0; i < 2; ++i) {
        Sandbox copy = Sandbox::from_snapshot(snapshot, {});
        // malloc'd memory (brk and mmap state), the memory stream and the TLS
        CHECK(must_return(copy, "remember", {std::string("ab")}) == Value(int64_t{6}));
        CHECK(must_return(copy, "tls_next") == Value(int64_t{9}));
        CHECK(must_return(copy, "sort", {std::string("3 1 2")}) == Value(std::string("1 2 3")));
    }
}
