// Test helpers: run a program as a user would and capture what it prints;
// find the test guests; skip visibly when /dev/kvm is not usable.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <sys/types.h>
#include <optional>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace hl::test {

struct ProcessResult {
    int status = -1;        // exit status, or 128 + signal
    std::string out;
    std::string err;
    bool timed_out = false;
    long max_rss_kib = 0;   // the child's peak resident set (wait4's ru_maxrss)
};

struct ProcessOptions {
    std::chrono::seconds timeout{60};   // kill it after this long (a generous bound, not a measurement)
    int stdout_fd = -1;                 // >= 0: the child's stdout is this descriptor (out stays empty)
    int stderr_fd = -1;                 // >= 0: the child's stderr is this descriptor (err stays empty)
    int stdin_fd = -1;                  // >= 0: the child's stdin is this descriptor; else /dev/null
    // Set: the child's whole environment ("NAME=VALUE" each); unset: this process's.
    std::optional<std::vector<std::string>> environment{};
    std::string cwd{};                  // non-empty: the child's working directory
};

// Runs argv with no stdin, capturing stdout and stderr unless options say otherwise.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options);
ProcessResult run_process(const std::vector<std::string>& argv,
                          std::chrono::seconds timeout = std::chrono::seconds(60));
// run_process of the hlrun under test with these arguments.
ProcessResult hlrun(std::vector<std::string> args, const ProcessOptions& options = {});
// The hlbuild under test (or another, such as a copy of it) with these
// arguments, given two minutes: it runs the compiler.
ProcessResult hlbuild(std::vector<std::string> args, const std::string& program = HL_HLBUILD);
// A pseudo-terminal in raw mode, so that bytes arrive as written, of the
// given size (0x0: one that does not know its size). Give side() to a child
// as its stdout or stderr; once the child has exited, written() is what it
// wrote there. The terminal buffers at most 4Ki: a child that writes more
// blocks, so keep such output small.
class Terminal {
public:
    explicit Terminal(uint16_t rows = 0, uint16_t columns = 0);
    ~Terminal();
    Terminal(const Terminal&) = delete;
    Terminal& operator=(const Terminal&) = delete;
    int side() const { return side_; }
    std::string written();

private:
    int terminal_ = -1, side_ = -1;
};

// A program running beside the test (a server, a debuggee), its stdin and
// stdout /dev/null, its stderr read as it comes.
class BackgroundProcess {
public:
    explicit BackgroundProcess(std::vector<std::string> argv);
    ~BackgroundProcess();   // kills it (SIGKILL) if it still runs
    BackgroundProcess(const BackgroundProcess&) = delete;
    BackgroundProcess& operator=(const BackgroundProcess&) = delete;
    // Reads stderr until a whole line holds marker (REQUIREd within
    // timeout); what follows marker on that line.
    std::string wait_for(const std::string& marker, std::chrono::seconds timeout = std::chrono::seconds(30));
    void signal(int number);
    // Reads the rest of stderr, then its exit status (or 128 + signal); one
    // that does not end within grace is killed (SIGKILL) and the test fails.
    int wait(std::chrono::seconds grace = std::chrono::seconds(60));
    const std::string& err() const { return err_; }
    bool running() const { return pid_ > 0; }

private:
    bool read_some(std::chrono::seconds timeout);
    pid_t pid_ = -1;
    int err_fd_ = -1;
    std::string err_;
};

// hlrun with its stdout on a Terminal: out holds what it wrote there.
ProcessResult hlrun_on_terminal(std::vector<std::string> args);

std::string guest_image(const std::string& name);   // path of a test guest built by hlbuild
std::string make_temp_dir();                        // fresh directory under /tmp
void write_file(const std::string& path, const std::string& text);
std::string read_file(const std::string& path);
std::vector<std::string> lines(const std::string& text);
// The value of "FIELD:" in a /proc status file such as /proc/self/status; empty when absent.
std::string proc_status_field(const std::string& path, const std::string& field);
bool contains(const std::string& text, const std::string& part);
// Debian's gdb in batch mode (tests/bootstrap.sh installs it): each command
// as -ex, then files (an image, and a core file); what it printed on stdout.
// It must succeed (its stderr goes into the failure's message).
std::string gdb_batch(const std::vector<std::string>& commands, const std::vector<std::string>& files);
// A sandbox output callback that takes every byte and keeps none.
inline int64_t discard(int, std::span<const uint8_t> bytes) { return static_cast<int64_t>(bytes.size()); }

// Why KVM cannot be used here, or empty when it can.
const std::string& kvm_unusable_reason();

} // namespace hl::test

// Skips the rest of a test case, visibly, where /dev/kvm is absent.
#define HL_REQUIRE_KVM()                                                        \
    do {                                                                        \
        if (!hl::test::kvm_unusable_reason().empty()) {                         \
            WARN("skipped: " << hl::test::kvm_unusable_reason());               \
            return;                                                             \
        }                                                                       \
    } while (0)
