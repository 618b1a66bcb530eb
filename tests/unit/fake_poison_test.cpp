// Poisoning on the scripted backend (fake_backend.hpp): a call that ends
// other than by returning leaves the guest half-way, so the sandbox refuses
// calls and snapshots, without running anything, until a restore.
#include "fake_guest.hpp"

#include <catch2/catch.hpp>

#include <functional>

using namespace hl;
using namespace hl::test;
using Ending = RunResult::Ending;

namespace {

struct Case {
    const char* what;
    SandboxOptions options;
    std::function<void(FakeSandbox&)> script;   // the call's exits
    Ending ending;
    std::string message;
};

std::vector<Case> cases()
{
    return {
        {"a fault", {}, [](FakeSandbox& s) { s.fake.then(fault_step(s.fake, 6, ElfBuilder::kTextAddr + 0x14)); },
         Ending::Faulted, "guest fault: invalid opcode (#UD) at compute+0x4 (0x100014)"},
        {"an abort", {}, [](FakeSandbox& s) { s.fake.then(abort_step(s.fake, "bad state")); }, Ending::Aborted,
         "guest aborted: bad state"},
        {"an exit", {}, [](FakeSandbox& s) { s.fake.then(exit_step(4)); }, Ending::Exited,
         "the guest exited with status 4 during a call"},
        {"the exit limit", {.max_exits = 2},
         [](FakeSandbox& s) {
             for (int i = 0; i < 3; ++i)
                 s.fake.then(write_step(s.fake, 1, "."));
         },
         Ending::ExitLimit, "guest stopped after 2 exits, its limit"},
        {"a backend failure", {}, [](FakeSandbox& s) { s.fake.then(kvm_failure("KVM_RUN failed: Input/output error")); },
         Ending::HostError, "KVM_RUN failed: Input/output error"},
        {"a cancel", {},
         [](FakeSandbox& s) {
             FakeStep step = write_step(s.fake, 1, ".");
             step.guest = [&s, write = step.guest] {
                 write();
                 s.sandbox.interrupt_handle().cancel();
             };
             s.fake.then(step);
         },
         Ending::Cancelled, "call cancelled"},
        {"a bad hypercall", {}, [](FakeSandbox& s) { s.fake.then(hypercall(HL_CALL_READY, 2)); }, Ending::Faulted,
         "bad hypercall: ready: unknown flags 0x2 (known: HL_READY_RELOADS_FPU = 0x1)"},
    };
}

} // namespace

TEST_CASE("fake poison: a call that does not return poisons the sandbox until a restore")
{
    for (Case& c : cases()) {
        INFO(c.what);
        FakeSandbox s(c.options);
        s.initialize();
        const Snapshot clean = s.sandbox.snapshot();
        c.script(s);
        const RunResult r = s.sandbox.call("add", {int64_t{1}, int64_t{2}});
        CHECK(r.ending == c.ending);
        CHECK(r.message == c.message);
        CHECK(s.sandbox.poisoned() == c.message);
        CHECK_FALSE(s.sandbox.ready());

        s.fake.take_calls();
        CHECK_THROWS_AS(s.sandbox.call("add", {int64_t{1}, int64_t{2}}), CallError);
        CHECK_THROWS_WITH(s.sandbox.call("add", {int64_t{1}, int64_t{2}}),
                          "cannot call add: the sandbox is poisoned (" + c.message + "); restore a snapshot first");
        CHECK_THROWS_WITH(s.sandbox.snapshot(), "cannot take a snapshot of a poisoned sandbox: " + c.message);
        CHECK(s.fake.take_calls().empty());   // nothing ran, nothing was saved

        s.sandbox.restore(clean);
        CHECK(s.sandbox.poisoned().empty());
        CHECK(s.sandbox.ready());
        s.fake.then(result_step(s.fake, 3));
        CHECK(s.sandbox.call("add", {int64_t{1}, int64_t{2}}).value == Value(int64_t{3}));
    }
}

TEST_CASE("fake poison: initialize() that fails leaves no sandbox to call, poisoned or not")
{
    FakeSandbox s;
    s.fake.then(kvm_failure("KVM_RUN failed: Bad address"));
    const RunResult r = s.sandbox.initialize();
    CHECK(r.ending == Ending::HostError);
    CHECK(r.message == "KVM_RUN failed: Bad address");
    CHECK_FALSE(s.sandbox.ready());
    CHECK(s.sandbox.poisoned().empty());
    CHECK_THROWS_WITH(s.sandbox.call("nothing", {}),
                      "cannot call: the guest is not ready for calls (it did not call hl_serve)");
}
