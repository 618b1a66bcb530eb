// How guest output is buffered, which follows whether hlrun's stdout is a
// terminal, as natively: counted in writes (exits), never timed. Through
// hlrun as a process (--stats=json) with stdout on a pipe, a file or a
// pseudo-terminal, and through the library (SandboxOptions::stdout_terminal,
// RunStats).
#include "functions_guest.hpp"
#include "musl.hpp"
#include "process.hpp"
#include "../linux/linux_executables.hpp"

#include <hl/sandbox.hpp>
#include <hl/trace_stats.hpp>

#include <nlohmann/json.hpp>

#include <cstring>
#include <fcntl.h>
#include <unistd.h>

using namespace hl::test;
using json = nlohmann::json;

namespace {

const std::string kLines = kLinuxExecutables + "/t_lines";
const std::string kLibc = guest_image("libc");
// The tiny libc's stdout buffer (guest-crt/tiny/src/stdio.c): when stdout is
// no terminal, it is written whenever it fills, and the rest at exit.
constexpr size_t kBlock = 16384;

uint64_t blocks(size_t bytes) { return (bytes + kBlock - 1) / kBlock; }

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

// How many times `name` was called, from RunStats's rows.
uint64_t count(const std::vector<hl::RunStats::Row>& rows, const std::string& name)
{
    for (const auto& row : rows)
        if (row.name == name)
            return row.host_time.count();
    return 0;
}

// A run through the library: what the guest wrote to each stream, and its exits summed up.
struct Run {
    hl::RunResult result;
    std::string out, err;
    hl::RunStats stats;

    uint64_t hypercalls(const std::string& name) const { return count(stats.hypercalls(), name); }
    uint64_t syscalls(const std::string& name) const { return count(stats.syscalls(), name); }
};

// The hypercalls or system calls of a run in order, "write" as "write(fd)".
struct CallOrder final : hl::TraceSink {
    std::vector<std::string> calls;
    void on_exit(const hl::ExitEvent& event) override
    {
        if (!event.hypercall)
            return;
        const std::string name = event.hypercall->name;
        calls.push_back(name == "write" ? name + "(" + std::to_string(event.hypercall->args[0]) + ")" : name);
    }
};

// Runs image with argv; stdout on a terminal (of the default size) when
// `terminal`; stdin reads `input`; the exits also go to `also`.
std::unique_ptr<Run> run(const std::string& image, const std::vector<std::string>& argv, bool terminal,
                         std::string input = {}, hl::TraceSink* also = nullptr)
{
    auto r = std::make_unique<Run>();
    hl::SandboxOptions options;
    hl::TraceTee both;
    both.add(r->stats);
    if (also)
        both.add(*also);
    options.trace = &both;
    options.input = [&input](std::span<uint8_t> buffer) -> int64_t {
        const size_t n = std::min(buffer.size(), input.size());
        std::memcpy(buffer.data(), input.data(), n);
        input.erase(0, n);
        return static_cast<int64_t>(n);
    };
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
        CHECK(native.status == 0);
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
    const auto blocked = run(image, {image, "lines", std::to_string(count)}, false);
    CHECK(blocked->result.ending == hl::RunResult::Ending::Exited);
    CHECK(blocked->out == expected);
    CHECK(blocked->syscalls("writev") <= expected.size() / 1024 + 2);
    const auto by_line = run(image, {image, "lines", std::to_string(count)}, true);
    CHECK(by_line->out == expected);
    CHECK(by_line->syscalls("writev") == count + 1);
}

TEST_CASE("tiny libc: stdout into a pipe or a file goes out in 16 KiB blocks, every byte of it")
{
    HL_REQUIRE_KVM();
    const long count = 20000;
    const std::string expected = numbered_lines(count, "end");
    const auto piped = hlrun({"--stats=json", kLibc, "lines", std::to_string(count)});
    CHECK(piped.status == 0);
    CHECK(piped.out == expected);
    CHECK(stats_count(piped.err, "hypercalls", "write") == blocks(expected.size()));
    CHECK(json::parse(lines(piped.err).back())["exits"] == blocks(expected.size()) + 1);

    const std::string file = make_temp_dir() + "/out.txt";
    const int fd = open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    REQUIRE(fd >= 0);
    const auto filed = hlrun({"--stats=json", kLibc, "lines", std::to_string(count)}, {.stdout_fd = fd});
    close(fd);
    CHECK(filed.status == 0);
    CHECK(read_file(file) == expected);
    CHECK(stats_count(filed.err, "hypercalls", "write") == blocks(expected.size()));
}

TEST_CASE("tiny libc: stdout on a terminal is written line by line")
{
    HL_REQUIRE_KVM();
    const long count = 100;
    Terminal terminal;
    const auto shown = hlrun({"--stats=json", kLibc, "lines", std::to_string(count)}, {.stdout_fd = terminal.side()});
    CHECK(shown.status == 0);
    CHECK(terminal.written() == numbered_lines(count, "end"));
    CHECK(stats_count(shown.err, "hypercalls", "write") == count + 1);   // each line, then "end" at exit
}

TEST_CASE("tiny libc: stdout follows SandboxOptions::stdout_terminal, and stderr stays unbuffered")
{
    HL_REQUIRE_KVM();
    const long count = 3000;
    const std::string expected = numbered_lines(count, "end");
    const auto blocked = run(kLibc, {kLibc, "lines", std::to_string(count)}, false);
    CHECK(blocked->result.ending == hl::RunResult::Ending::Exited);
    CHECK(blocked->out == expected);
    CHECK(blocked->hypercalls("write") == blocks(expected.size()));
    const auto by_line = run(kLibc, {kLibc, "lines", std::to_string(count)}, true);
    CHECK(by_line->out == expected);
    CHECK(by_line->hypercalls("write") == count + 1);
    // hello: its stderr line is one write of its own whether or not stdout is a terminal.
    const std::string hello = guest_image("hello");
    for (const bool terminal : {false, true}) {
        CallOrder order;
        const auto r = run(hello, {hello, "x"}, terminal, {}, &order);
        CHECK(r->err == "to stderr\n");
        CHECK(r->out == "argc=2\nargv[0]=" + hello + "\nargv[1]=x\n");
        const std::vector<std::string> on_terminal{"write(1)", "write(1)", "write(1)", "write(2)", "exit"};
        const std::vector<std::string> elsewhere{"write(2)", "write(1)", "exit"};
        CHECK(order.calls == (terminal ? on_terminal : elsewhere));
    }
}

TEST_CASE("tiny libc: buffered output goes out at exit, abort and a failed assert, and is lost at a fault")
{
    HL_REQUIRE_KVM();
    const long count = 3000;
    const std::string expected = numbered_lines(count, "end");
    const std::string n = std::to_string(count);
    auto r = hlrun({kLibc, "lines", n, "exit"});
    CHECK(r.status == 0);
    CHECK(r.out == expected);
    r = hlrun({kLibc, "lines", n, "abort"});
    CHECK(r.status == 126);
    CHECK(r.out == expected);
    CHECK(r.err == "hlrun: error: guest aborted: abort() called\n");
    r = hlrun({kLibc, "lines", n, "assert"});
    CHECK(r.status == 126);
    CHECK(r.out == expected);
    CHECK(r.err.find("Assertion failed: strcmp(end, \"assert\") != 0") != std::string::npos);
    // A fault gives the runtime no chance: only the blocks already full went out, as natively.
    r = hlrun({kLibc, "lines", n, "fault"});
    CHECK(r.status == 125);
    CHECK(r.out == expected.substr(0, expected.size() / kBlock * kBlock));
    CHECK(r.out.size() >= kBlock);
}

TEST_CASE("tiny libc: a prompt goes out before the guest reads on a terminal, and waits elsewhere")
{
    HL_REQUIRE_KVM();
    CallOrder on_terminal, elsewhere;
    const auto shown = run(kLibc, {kLibc, "prompt"}, true, "bob\n", &on_terminal);
    CHECK(shown->out == "name? hello, bob\n");
    CHECK(on_terminal.calls == std::vector<std::string>{"write(1)", "read", "write(1)", "exit"});
    const auto piped = run(kLibc, {kLibc, "prompt"}, false, "bob\n", &elsewhere);
    CHECK(piped->out == "name? hello, bob\n");
    CHECK(elsewhere.calls == std::vector<std::string>{"read", "write(1)", "exit"});
}

TEST_CASE("function guest: each call's output goes out when the call returns, in one write")
{
    HL_REQUIRE_KVM();
    hl::RunStats stats;
    Guest guest({.trace = &stats});
    for (const std::string word : {"one", "two"}) {
        stats = hl::RunStats{};
        guest.call("say", {word});
        CHECK(guest.out.ends_with(word + "\n"));
        CHECK(count(stats.hypercalls(), "write") == 1);
    }
    CHECK(guest.out == "one\ntwo\n");
    const auto called = hlrun({"call", "--repeat", "3", guest_image("functions"), "say", "hi"});
    CHECK(called.status == 0);
    CHECK(called.out == "hi\nhi\nhi\n");   // each call's line; a void result prints nothing
}

TEST_CASE("hlrun call tells the guest which of its streams are terminals")
{
    HL_REQUIRE_MUSL();
    HL_REQUIRE_KVM();
    const std::string image = guest_image("musl");
    const std::string init = "musl guest: 0.5 (no GREETING), tls 7, 0 arguments\n";
    CHECK(hlrun({"call", image, "boot_flags"}).out == init + "0\n");
    Terminal out_terminal;
    CHECK(hlrun({"call", image, "boot_flags"}, {.stdout_fd = out_terminal.side()}).status == 0);
    CHECK(out_terminal.written() == init + "1\n");   // HL_BOOT_STDOUT_TERMINAL
    Terminal err_terminal;
    CHECK(hlrun({"call", image, "boot_flags"}, {.stderr_fd = err_terminal.side()}).out == init + "2\n");
}
