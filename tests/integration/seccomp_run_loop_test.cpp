// The run loop under the vCPU thread's seccomp filter: everything a sandbox
// does works confined, and the filter binds only the thread that asks. Each
// case runs in a forked child (confined_child.hpp).
#include "confined_child.hpp"
#include "process.hpp"

#include <hl/confine.hpp>
#include <hl/sandbox.hpp>

#include <atomic>
#include <cstdio>
#include <sched.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace hl;
using namespace std::chrono_literals;
using namespace hl::test;

TEST_CASE("seccomp: the run loop works confined: runs, traces, timeouts, faults, cancels, snapshots, fresh calls")
{
    HL_REQUIRE_KVM();
    const ChildResult r = in_child([] {
        ChildChecks checks;
        // Built before confinement: every machine, the trace file.
        std::string out;
        Sandbox hello(Image::load(test::guest_image("hello")),
                      {.output = [&](int, std::span<const uint8_t> bytes) {
                           out.append(bytes.begin(), bytes.end());
                           return static_cast<int64_t>(bytes.size());
                       }});
        std::FILE* trace_file = std::tmpfile();
        TextTraceSink text(trace_file);
        Sandbox traced(Image::load(test::guest_image("hello")), {.output = discard, .trace = &text});
        Sandbox looping(Image::load(test::guest_image("faults")), {.timeout = 200ms, .output = discard});
        auto functions = ready_functions_guest({.timeout = 300ms});
        Sandbox* self = functions.get();
        functions->register_host("note", [self](std::string_view) { self->interrupt_handle().cancel(); });
        const int write_end = dup(STDERR_FILENO); // an fd opened before, written after

        confine_this_thread(test_policy());

        const RunResult ran = hello.run({"hello", "a"});
        checks.expect(ran.ending == RunResult::Ending::Exited && ran.exit_status == 0, "hello exits 0: " + ran.message);
        // stdout, no terminal here, goes out in one block at exit: after stderr's line.
        checks.expect(out == "to stderr\nargc=2\nargv[0]=hello\nargv[1]=a\n", "hello's output: " + out);
        const RunResult traced_run = traced.run({"hello"});
        checks.expect(traced_run.ending == RunResult::Ending::Exited, "the traced run exits: " + traced_run.message);
        struct stat written {};
        checks.expect(std::fflush(trace_file) == 0 && fstat(fileno(trace_file), &written) == 0 && written.st_size > 0,
                      "the trace was written to its file");
        const RunResult loop = looping.run({"faults", "loop"});
        checks.expect(loop.ending == RunResult::Ending::TimedOut, "a loop times out: " + loop.message);

        const Snapshot clean = functions->snapshot();
        for (int i = 0; i < 3; ++i) {
            const RunResult next = functions->call("next", {});
            checks.expect(next.ending == RunResult::Ending::Returned && std::get<int64_t>(next.value) == 101 + i,
                          "next counts on: " + next.message);
        }
        functions->restore(clean);
        functions->set_fresh_per_call(true);
        for (int i = 0; i < 20; ++i) {
            const RunResult touched = functions->call("touch", {uint64_t{16}});
            checks.expect(touched.ending == RunResult::Ending::Returned, "a fresh call returns: " + touched.message);
            const RunResult next = functions->call("next", {});
            checks.expect(std::get<int64_t>(next.value) == 101, "every fresh call starts after init");
        }
        const RunResult crash = functions->call("crash", {});
        checks.expect(crash.ending == RunResult::Ending::Faulted && crash.message.find("null page") != std::string::npos,
                      "a fault is reported: " + crash.message);
        functions->restore(clean); // a call that does not return poisons the sandbox
        const RunResult spin = functions->call("spin", {});
        checks.expect(spin.ending == RunResult::Ending::TimedOut, "a spinning call times out: " + spin.message);
        functions->restore(clean);
        const RunResult cancelled = functions->call("use_note", {std::string("x")});
        checks.expect(cancelled.ending == RunResult::Ending::Cancelled,
                      "a host function cancels its own call: " + cancelled.message);
        functions->restore(clean);
        const RunResult after = functions->call("add", {int64_t{2}, int64_t{3}});
        checks.expect(after.ending == RunResult::Ending::Returned && std::get<int64_t>(after.value) == 5,
                      "calls go on after a restore");
        const char line[] = "written after confinement\n";
        checks.expect(write(write_end, line, sizeof line - 1) == sizeof line - 1, "write to an fd opened before");
        checks.expect(std::fclose(trace_file) == 0, "the trace file closes");
        return checks.failures;
    });
    INFO(r.err);
    CHECK(r.status == 0);
    CHECK(r.err == "written after confinement\n");
}

TEST_CASE("seccomp: the filter binds the thread that asks, not the others")
{
    HL_REQUIRE_KVM();
    const ChildResult r = in_child([] {
        ChildChecks checks;
        auto sandbox = ready_functions_guest();
        std::atomic<pid_t> confined_tid{0};
        std::atomic<bool> looked{false};
        RunResult result;
        std::thread worker([&] {
            confine_this_thread(test_policy());
            result = sandbox->call("add", {int64_t{40}, int64_t{2}});
            confined_tid.store(gettid());
            while (!looked.load())
                sched_yield();
        });
        while (!confined_tid.load())
            sched_yield();
        const std::string task = "/proc/self/task/" + std::to_string(confined_tid.load()) + "/status";
        checks.expect(test::proc_status_field(task, "Seccomp") == "2", "the worker is in filter mode");
        checks.expect(test::proc_status_field("/proc/thread-self/status", "Seccomp") == "0", "this thread is not");
        looked.store(true);
        worker.join();
        checks.expect(result.ending == RunResult::Ending::Returned && std::get<int64_t>(result.value) == 42,
                      "the confined worker's call returns");
        // This thread still opens files and builds machines.
        Sandbox again(Image::load(test::guest_image("hello")), {.output = discard});
        checks.expect(again.run({"hello"}).ending == RunResult::Ending::Exited, "an unconfined run");
        return checks.failures;
    });
    INFO(r.err);
    CHECK(r.status == 0);
}
