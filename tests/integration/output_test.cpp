// Guest output to readers that do not read, or that go away: the timeout
// still ends the run, a reader that quits ends it with its own ending; through
// the library (OutputFn, write_to_host_fd, run_interrupted) and through hlrun
// as a process, with its stdout and stderr on pipes the test controls.
#include "process.hpp"

#include <hl/abi.h>
#include <hl/sandbox.hpp>

#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <poll.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace hl;
using namespace std::chrono_literals;

namespace {

const std::string kHostile = test::guest_image("hostile");

// A pipe whose ends close with it.
struct Pipe {
    int read = -1, write = -1;
    Pipe()
    {
        int fds[2];
        REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
        read = fds[0];
        write = fds[1];
    }
    ~Pipe()
    {
        close_read();
        close_write();
    }
    Pipe(const Pipe&) = delete;
    Pipe& operator=(const Pipe&) = delete;
    void close_read()
    {
        if (read >= 0)
            close(read);
        read = -1;
    }
    void close_write()
    {
        if (write >= 0)
            close(write);
        write = -1;
    }
};

// Starts reading the pipe if the test is still running after 20 s: a run that
// does not stop on its own then ends anyway, and the test fails, not hangs.
class LateReader {
public:
    explicit LateReader(int fd)
        : thread_([this, fd] {
              const auto late = std::chrono::steady_clock::now() + 20s;
              while (!done_ && std::chrono::steady_clock::now() < late)
                  std::this_thread::sleep_for(10ms);
              char buffer[65536];
              for (pollfd p{fd, POLLIN, 0}; !done_;)
                  if (poll(&p, 1, 10) > 0 && ::read(fd, buffer, sizeof buffer) <= 0)
                      break;
          })
    {
    }
    ~LateReader()
    {
        done_ = true;
        thread_.join();
    }
    LateReader(const LateReader&) = delete;
    LateReader& operator=(const LateReader&) = delete;

private:
    std::atomic<bool> done_{false};
    std::thread thread_;
};

// This process gets EPIPE instead of dying of SIGPIPE, as hlrun does, while it lives.
struct IgnoreSigpipe {
    struct sigaction old {};
    IgnoreSigpipe()
    {
        struct sigaction ignore {};
        ignore.sa_handler = SIG_IGN;
        sigaction(SIGPIPE, &ignore, &old);
    }
    ~IgnoreSigpipe() { sigaction(SIGPIPE, &old, nullptr); }
};

struct LastEvent : TraceSink {
    ExitEvent last;
    void on_exit(const ExitEvent& event) override { last = event; }
};

RunResult flood_into(int fd, SandboxOptions options)
{
    options.output = [fd](int, std::span<const uint8_t> bytes) { return write_to_host_fd(fd, bytes); };
    Sandbox sandbox(Image::load(kHostile), std::move(options));
    return sandbox.run({"hostile", "flood"});
}

std::vector<nlohmann::json> json_lines(const std::string& text)
{
    std::vector<nlohmann::json> out;
    for (const std::string& line : test::lines(text))
        out.push_back(nlohmann::json::parse(line)); // throws, failing the test, on a line that is not JSON
    return out;
}

} // namespace

TEST_CASE("output: write_to_host_fd writes everything, says HL_EPIPE when the reader is gone, HL_EIO otherwise")
{
    const IgnoreSigpipe ignore;
    CHECK_FALSE(run_interrupted()); // no run on this thread
    const std::vector<uint8_t> bytes(1000, 'x');
    Pipe pipe;
    CHECK(write_to_host_fd(pipe.write, bytes) == 1000);
    pipe.close_read();
    CHECK(write_to_host_fd(pipe.write, bytes) == HL_EPIPE);
    CHECK(write_to_host_fd(-1, bytes) == HL_EIO);
}

TEST_CASE("output: the timeout ends a run whose output pipe nobody reads")
{
    HL_REQUIRE_KVM();
    Pipe unread;
    const LateReader rescue(unread.read);
    LastEvent trace;
    const auto start = std::chrono::steady_clock::now();
    const RunResult r = flood_into(unread.write, {.timeout = 300ms, .trace = &trace});
    CHECK(std::chrono::steady_clock::now() - start < 20s); // generous: it ended before the rescue
    CHECK(r.ending == RunResult::Ending::TimedOut);
    CHECK(r.message == "guest timed out after 300ms");
    CHECK(trace.last.final);
    CHECK(trace.last.message == "guest timed out after 300ms");
}

TEST_CASE("output: an OutputFn that returns on EINTR without asking still ends the run at the timeout")
{
    HL_REQUIRE_KVM();
    Pipe unread;
    const LateReader rescue(unread.read);
    const int fd = unread.write;
    // One write, whatever it gives: the signal that cut it short must still end the run.
    SandboxOptions options{.timeout = 300ms};
    options.output = [fd](int, std::span<const uint8_t> bytes) -> int64_t {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        return n < 0 ? HL_EIO : n;
    };
    Sandbox sandbox(Image::load(kHostile), std::move(options));
    const RunResult r = sandbox.run({"hostile", "flood"});
    CHECK(r.ending == RunResult::Ending::TimedOut);
    CHECK(r.message == "guest timed out after 300ms");
}

TEST_CASE("output: a cancel reaches a run blocked writing to a pipe nobody reads")
{
    HL_REQUIRE_KVM();
    Pipe unread;
    const LateReader rescue(unread.read);
    const int fd = unread.write;
    SandboxOptions options;
    options.output = [fd](int, std::span<const uint8_t> bytes) { return write_to_host_fd(fd, bytes); };
    Sandbox sandbox(Image::load(kHostile), std::move(options));
    std::thread canceller([handle = sandbox.interrupt_handle()] {
        std::this_thread::sleep_for(200ms);
        handle.cancel();
    });
    const auto start = std::chrono::steady_clock::now();
    const RunResult r = sandbox.run({"hostile", "flood"});
    CHECK(std::chrono::steady_clock::now() - start < 20s); // generous: it ended before the rescue
    canceller.join();
    CHECK(r.ending == RunResult::Ending::Cancelled);
    CHECK(r.message == "run cancelled");
}

TEST_CASE("output: a reader that goes away ends the run as output closed, naming the stream")
{
    HL_REQUIRE_KVM();
    const IgnoreSigpipe ignore;
    Pipe gone;
    gone.close_read();
    LastEvent trace;
    RunResult r = flood_into(gone.write, {.trace = &trace});
    CHECK(r.ending == RunResult::Ending::OutputClosed);
    CHECK(std::string(ending_name(r.ending)) == "output closed");
    CHECK(r.message == "guest stopped: the reader of stdout closed it");
    REQUIRE(trace.last.hypercall.has_value());
    CHECK(trace.last.hypercall->result == HL_EPIPE);
    CHECK(trace.last.message == r.message);

    // hello writes to stdout, then to stderr, whose reader is gone.
    const int fd = gone.write;
    SandboxOptions options;
    options.output = [fd](int which, std::span<const uint8_t> bytes) -> int64_t {
        return which == 1 ? static_cast<int64_t>(bytes.size()) : write_to_host_fd(fd, bytes);
    };
    Sandbox hello(Image::load(test::guest_image("hello")), std::move(options));
    r = hello.run({"hello"});
    CHECK(r.ending == RunResult::Ending::OutputClosed);
    CHECK(r.message == "guest stopped: the reader of stderr closed it");
}

TEST_CASE("hlrun: --timeout holds with a stdout reader that never reads")
{
    HL_REQUIRE_KVM();
    Pipe unread; // read only once hlrun has ended, if it ever does within the bound
    const auto r = test::hlrun({"--timeout", "1s", kHostile, "flood"}, {.timeout = 30s, .stdout_fd = unread.write});
    CHECK_FALSE(r.timed_out);
    CHECK(r.status == 124);
    CHECK(r.err == "hlrun: error: guest timed out after 1s\n");

    // Its own last line goes to the same full pipe: dropped, but hlrun still ends on time.
    Pipe both;
    const auto merged =
        test::hlrun({"--timeout", "1s", kHostile, "flood"}, {.timeout = 30s, .stdout_fd = both.write, .stderr_fd = both.write});
    CHECK_FALSE(merged.timed_out);
    CHECK(merged.status == 124);
}

TEST_CASE("hlrun: --timeout holds with a trace reader that never reads")
{
    HL_REQUIRE_KVM();
    const std::string fifo = test::make_temp_dir() + "/trace";
    REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    const int reader = open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC); // holds it open, never reads
    REQUIRE(reader >= 0);
    const auto r = test::hlrun({"--timeout", "1s", "--trace=" + fifo, "--trace-format=jsonl", kHostile, "storm"},
                               {.timeout = 30s});
    close(reader);
    CHECK_FALSE(r.timed_out);
    CHECK(r.status == 124);
    CHECK(r.err == "hlrun: error: guest timed out after 1s\n");
}

TEST_CASE("hlrun: a stdout or stderr reader that goes away ends the run with 117 and one line")
{
    HL_REQUIRE_KVM();
    const std::string trace = test::make_temp_dir() + "/t.jsonl";
    Pipe out;
    // Like `hlrun flood | head -c 100000`: reads some, then quits.
    std::thread reader([&out] {
        char buffer[4096];
        size_t got = 0;
        for (ssize_t n; got < 100000 && (n = ::read(out.read, buffer, sizeof buffer)) > 0;)
            got += static_cast<size_t>(n);
        out.close_read();
    });
    const auto r = test::hlrun({"--trace=" + trace, "--trace-format=jsonl", kHostile, "flood"},
                               {.timeout = 30s, .stdout_fd = out.write});
    reader.join();
    CHECK(r.status == 117);
    CHECK(r.err == "hlrun: error: guest stopped: the reader of stdout closed it\n");
    // The trace is whole: every line parses, the last is the run's.
    const auto events = json_lines(test::read_file(trace));
    REQUIRE(events.size() >= 2);
    CHECK(events[events.size() - 2]["hypercall"]["result"] == HL_EPIPE);
    CHECK(events.back()["type"] == "run");
    CHECK(events.back()["ending"] == "output closed");
    CHECK(events.back()["message"] == "guest stopped: the reader of stdout closed it");

    // stderr's reader is gone: hlrun's line cannot reach it, the trace and the status tell.
    Pipe err;
    err.close_read();
    const auto e = test::hlrun({"--trace=" + trace, "--trace-format=jsonl", test::guest_image("hello")},
                               {.stderr_fd = err.write});
    CHECK(e.status == 117);
    CHECK(json_lines(test::read_file(trace)).back()["message"] == "guest stopped: the reader of stderr closed it");
}

TEST_CASE("hlrun call and inspect: a stdout reader that goes away gives 117 and one line")
{
    HL_REQUIRE_KVM();
    const std::string functions = test::guest_image("functions");
    Pipe gone;
    gone.close_read();
    auto r = test::hlrun({"call", functions, "say", "hi"}, {.stdout_fd = gone.write});
    CHECK(r.status == 117);
    CHECK(r.err == "hlrun: error: guest stopped: the reader of stdout closed it\n");
    r = test::hlrun({"call", functions, "add", "2", "3"}, {.stdout_fd = gone.write});
    CHECK(r.status == 117);
    CHECK(r.err == "hlrun: error: cannot print the result of add: the reader of stdout closed it\n");
    r = test::hlrun({"inspect", functions}, {.stdout_fd = gone.write});
    CHECK(r.status == 117);
    CHECK(r.err == "hlrun: error: cannot print what " + functions + " holds: the reader of stdout closed it\n");
}
