// How guest output is buffered, which follows whether hlrun's stdout is a
// terminal, as natively: counted in writes (exits), never timed. Through
// hlrun as a process (--stats=json) with stdout on a pipe, a file or a
// pseudo-terminal, and through the library (SandboxOptions::stdout_terminal,
// RunStats).
#include "musl.hpp"
#include "process.hpp"
#include "../linux/linux_executables.hpp"

#include <hl/sandbox.hpp>
#include <hl/trace_stats.hpp>

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

using namespace hl::test;
using json = nlohmann::json;

namespace {

const std::string kLines = kLinuxExecutables + "/t_lines";

// "line 0\n" ... "line N-1\n", then the tail, as the test programs print them.
std::string numbered_lines(long count, const std::string& tail)
{
    std::string text;
    for (long i = 0; i < count; ++i)
        text += "line " + std::to_string(i) + "\n";
    return text + tail;
}

// The count of a hypercall or system call in hlrun --stats=json's line, the last of stderr.
uint64_t stats_count(const std::string& err, const char* table, const std::string& name)
{
    const json stats = json::parse(lines(err).back());
    for (const json& row : stats[table])
        if (row["name"] == name)
            return row["count"];
    return 0;
}

// A run through the library: what the guest wrote to each stream, and its exits summed up.
struct Run {
    hl::RunResult result;
    std::string out, err;
    hl::RunStats stats;

    uint64_t count(const std::vector<hl::RunStats::Row>& rows, const std::string& name) const
    {
        for (const auto& row : rows)
            if (row.name == name)
                return row.host_time.count();
        return 0;
    }
    uint64_t hypercalls(const std::string& name) const { return count(stats.hypercalls(), name); }
    uint64_t syscalls(const std::string& name) const { return count(stats.syscalls(), name); }
};

// Runs image with argv; on a terminal (of the default size) when `terminal`.
std::unique_ptr<Run> run(const std::string& image, const std::vector<std::string>& argv, bool terminal)
{
    auto r = std::make_unique<Run>();
    hl::SandboxOptions options;
    options.trace = &r->stats;
    options.output = [&r](int fd, std::span<const uint8_t> bytes) -> int64_t {
        (fd == 1 ? r->out : r->err).append(bytes.begin(), bytes.end());
        return static_cast<int64_t>(bytes.size());
    };
    if (terminal)
        options.stdout_terminal = hl::TerminalSize{};
    hl::Sandbox sandbox(hl::Image::load(image), options);
    r->result = sandbox.run(argv);
    return r;
}

} // namespace

TEST_CASE("linux programs: TIOCGWINSZ gives hlrun's terminal's size, only for a stream on a terminal")
{
    HL_REQUIRE_KVM();
    HL_REQUIRE_MUSL_GCC();
    {
        Terminal native_terminal(50, 132), guest_terminal(50, 132);
        const auto native = run_process({kLines, "tty"}, {.stdout_fd = native_terminal.side()});
        const auto guest = hlrun({kLines, "tty"}, {.stdout_fd = guest_terminal.side()});
        CHECK(guest.status == 0);
        const std::string expected = "fd 1: terminal, 132 columns, 50 rows, isatty 1\n"
                                     "fd 2: no window size, isatty 0\n";
        CHECK(native_terminal.written() == expected);
        CHECK(guest_terminal.written() == expected);
    }
    {
        Terminal terminal(30, 100);
        const auto guest = hlrun({kLines, "tty"}, {.stderr_fd = terminal.side()});
        CHECK(guest.out == "fd 1: no window size, isatty 0\nfd 2: terminal, 100 columns, 30 rows, isatty 1\n");
    }
    {
        // A terminal that does not know its size: the guest gets 80x24 (natively, 0x0).
        Terminal terminal;
        CHECK(hlrun({kLines, "tty"}, {.stdout_fd = terminal.side()}).status == 0);
        CHECK(terminal.written() == "fd 1: terminal, 80 columns, 24 rows, isatty 1\nfd 2: no window size, isatty 0\n");
    }
    const auto piped = hlrun({kLines, "tty"});
    CHECK(piped.out == "fd 1: no window size, isatty 0\nfd 2: no window size, isatty 0\n");
}

TEST_CASE("linux programs: musl fully buffers stdout into a pipe and line-buffers it on a terminal")
{
    HL_REQUIRE_KVM();
    HL_REQUIRE_MUSL_GCC();
    // Into a pipe: the first line alone (musl asks TIOCGWINSZ at its first
    // write, line-buffered until then), then 1024 bytes at a time, the rest at exit.
    const long count = 5000;
    const std::string expected = numbered_lines(count, "end");
    const auto piped = hlrun({"--stats=json", kLines, std::to_string(count)});
    CHECK(piped.status == 0);
    CHECK(piped.out == expected);
    CHECK(stats_count(piped.err, "syscalls", "writev") <= expected.size() / 1024 + 2);
    // On a terminal: one write per line, then one for "end" at exit, as natively.
    const long few = 100;
    Terminal terminal;
    const auto shown = hlrun({"--stats=json", kLines, std::to_string(few)}, {.stdout_fd = terminal.side()});
    CHECK(shown.status == 0);
    CHECK(terminal.written() == numbered_lines(few, "end"));
    CHECK(stats_count(shown.err, "syscalls", "writev") == few + 1);
    CHECK(stats_count(shown.err, "syscalls", "ioctl") == 1);
}

TEST_CASE("musl guest: stdout follows SandboxOptions::stdout_terminal, through the library")
{
    HL_REQUIRE_MUSL();
    HL_REQUIRE_KVM();
    const std::string image = guest_image("musl");
    const long count = 3000;
    const std::string expected = numbered_lines(count, "end");
    const auto blocks = run(image, {image, "lines", std::to_string(count)}, false);
    CHECK(blocks->result.ending == hl::RunResult::Ending::Exited);
    CHECK(blocks->out == expected);
    CHECK(blocks->syscalls("writev") <= expected.size() / 1024 + 2);
    const auto by_line = run(image, {image, "lines", std::to_string(count)}, true);
    CHECK(by_line->out == expected);
    CHECK(by_line->syscalls("writev") == count + 1);
}
