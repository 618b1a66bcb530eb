// libsandbox used as a library: runs, results, output capture, trace sinks.
#include "process.hpp"

#include <hl/sandbox.hpp>

#include <thread>

using namespace hl;
using namespace std::chrono_literals;

namespace {

struct Captured {
    std::string out, err;
    OutputFn fn()
    {
        return [this](int fd, std::span<const uint8_t> bytes) -> int64_t {
            (fd == 1 ? out : err).append(bytes.begin(), bytes.end());
            return static_cast<int64_t>(bytes.size());
        };
    }
};

struct RecordingSink : TraceSink {
    std::vector<ExitEvent> events;
    void on_exit(const ExitEvent& event) override { events.push_back(event); }
};

RunResult run_guest(const std::string& guest, std::vector<std::string> args, Captured& io,
                    SandboxOptions options = {})
{
    options.output = io.fn();
    Sandbox sandbox(Image::load(test::guest_image(guest)), std::move(options));
    args.insert(args.begin(), guest);
    return sandbox.run(args);
}

} // namespace

TEST_CASE("library: a guest runs to its exit status with its output captured")
{
    HL_REQUIRE_KVM();
    Captured io;
    const RunResult result = run_guest("hello", {"one", "--exit", "7"}, io);
    CHECK(result.ending == RunResult::Ending::Exited);
    CHECK(result.exit_status == 7);
    CHECK(result.message.empty());
    CHECK_FALSE(result.fault.has_value());
    CHECK(io.out == "argc=4\nargv[0]=hello\nargv[1]=one\nargv[2]=--exit\nargv[3]=7\n");
    CHECK(io.err == "to stderr\n");
    CHECK(result.exits == 3); // stderr's line, stdout's 5 lines in one block at exit (not a terminal), exit
}

TEST_CASE("library: a trace sink sees every exit in order, with decoded hypercalls")
{
    HL_REQUIRE_KVM();
    Captured io;
    RecordingSink sink;
    const RunResult result = run_guest("hello", {}, io, {.trace = &sink});
    REQUIRE(result.ending == RunResult::Ending::Exited);
    REQUIRE(sink.events.size() == result.exits);
    uint64_t previous_ns = 0;
    for (size_t i = 0; i < sink.events.size(); ++i) {
        const ExitEvent& e = sink.events[i];
        CHECK(e.sequence == i + 1);
        CHECK(std::string(e.reason) == "io-out");
        CHECK(e.exit_ns >= previous_ns);
        CHECK(e.handled_ns >= e.exit_ns);
        previous_ns = e.handled_ns;
    }
    // stdout is no terminal: its lines wait in the buffer until exit, after stderr's.
    REQUIRE(sink.events[0].hypercall.has_value());
    CHECK(sink.events[0].hypercall->bytes == 10);
    const std::string first = describe_hypercall(*sink.events[0].hypercall);
    CHECK(first.rfind("write(fd=2, buf=0x", 0) == 0);
    CHECK(first.substr(first.size() - 14) == ", len=10) = 10");
    CHECK(io.out == "argc=1\nargv[0]=hello\n");
    CHECK(describe_hypercall(*sink.events[1].hypercall).ends_with(", len=21) = 21"));
    CHECK(sink.events[0].symbol.rfind("hl_write+", 0) == 0);
    CHECK(describe_hypercall(*sink.events.back().hypercall) == "exit(status=0)");
    CHECK(sink.events.back().final);
    CHECK(std::string(sink.events.back().ending) == "exited");
    CHECK(sink.events.back().message == "guest exited with status 0");
    for (size_t i = 0; i + 1 < sink.events.size(); ++i)
        CHECK_FALSE(sink.events[i].final);
}

TEST_CASE("library: a page fault comes back with vector, address, place and registers")
{
    HL_REQUIRE_KVM();
    Captured io;
    const RunResult result = run_guest("faults", {"null-write"}, io);
    CHECK(result.ending == RunResult::Ending::Faulted);
    REQUIRE(result.fault.has_value());
    CHECK(result.fault->vector == 14);
    CHECK(result.fault->address == 0);
    CHECK((result.fault->error_code & 0x6) == 0x6); // user write
    CHECK(result.fault->where.rfind("main+0x", 0) == 0);
    CHECK(result.fault->registers.size() == 18);
    CHECK(result.message.find("write to 0x0 (null page)") != std::string::npos);
}

TEST_CASE("library: stack overflow reports through the IST stack")
{
    HL_REQUIRE_KVM();
    Captured io;
    const RunResult result = run_guest("faults", {"stack-overflow"}, io);
    REQUIRE(result.fault.has_value());
    CHECK(result.fault->vector == 14);
    CHECK(result.message.find("stack guard page: stack overflow") != std::string::npos);
    CHECK(result.fault->where.rfind("recurse", 0) == 0); // "recurse.isra.0+0x7" with some compilers
}

TEST_CASE("library: a timeout stops an endless guest and leaves no thread behind")
{
    HL_REQUIRE_KVM();
    Captured io;
    const auto start = std::chrono::steady_clock::now();
    const RunResult result = run_guest("faults", {"loop"}, io, {.timeout = 200ms});
    CHECK(result.ending == RunResult::Ending::TimedOut);
    CHECK(result.message == "guest timed out after 200ms");
    CHECK(std::chrono::steady_clock::now() - start < 30s); // generous: it stopped at all
    CHECK(test::proc_status_field("/proc/self/status", "Threads") == "1"); // no timer thread left running
}

TEST_CASE("library: sandboxes run side by side on several threads")
{
    HL_REQUIRE_KVM();
    std::vector<std::thread> threads;
    std::vector<int> statuses(4, -1);
    for (int i = 0; i < 4; ++i)
        threads.emplace_back([i, &statuses] {
            Captured io;
            const RunResult r = run_guest("hello", {"--exit", std::to_string(i + 10)}, io);
            statuses[i] = r.ending == RunResult::Ending::Exited ? r.exit_status : -1;
        });
    for (auto& t : threads)
        t.join();
    CHECK(statuses == std::vector<int>{10, 11, 12, 13});
}

TEST_CASE("library: a sandbox runs once, limits that cannot hold the image throw LayoutError")
{
    HL_REQUIRE_KVM();
    Captured io;
    Sandbox sandbox(Image::load(test::guest_image("hello")), {.output = io.fn()});
    sandbox.run({"hello"});
    CHECK_THROWS_WITH(sandbox.run({"hello"}), "this sandbox has already run; create a new one for another run");
    CHECK_THROWS_AS(Sandbox(Image::load(test::guest_image("libc")), {.memory_size = 2ull << 20}), LayoutError);
}
