// hlrun and its seccomp filter, as a process: confined by default while the
// guest runs (seen from /proc), unconfined with --no-seccomp, and running
// guests the same either way. The filter itself: seccomp_test.cpp.
#include "process.hpp"

#include <algorithm>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

using namespace hl::test;
using namespace std::chrono_literals;

namespace {

// Starts hlrun with stdout and stderr on /dev/null and samples the seccomp
// mode of its (only) thread every 10 ms until it exits or `window` passes,
// then ends it. Returns the modes seen, in order.
std::vector<std::string> seccomp_modes_of_hlrun(std::vector<std::string> args, std::chrono::milliseconds window)
{
    args.insert(args.begin(), HL_HLRUN);
    std::vector<char*> argv;
    for (std::string& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    const int error = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    REQUIRE(error == 0);
    std::vector<std::string> modes;
    const std::string status = "/proc/" + std::to_string(pid) + "/status";
    const auto end = std::chrono::steady_clock::now() + window;
    while (std::chrono::steady_clock::now() < end) {
        const std::string mode = proc_status_field(status, "Seccomp");
        if (mode.empty() || proc_status_field(status, "State").rfind("Z", 0) == 0)
            break; // gone
        modes.push_back(mode);
        std::this_thread::sleep_for(10ms);
    }
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return modes;
}

} // namespace

TEST_CASE("seccomp: hlrun confines its thread while the guest runs, and --no-seccomp leaves it unconfined")
{
    HL_REQUIRE_KVM();
    const std::string faults = guest_image("faults");
    const std::string functions = guest_image("functions");
    // Filter mode (2) is reached and kept until the run ends.
    for (const auto& args : {std::vector<std::string>{"-t", "5s", faults, "loop"},
                             std::vector<std::string>{"call", "-t", "5s", functions, "spin"}}) {
        INFO(args[0] << " " << args.back());
        const auto modes = seccomp_modes_of_hlrun(args, 1500ms);
        REQUIRE(!modes.empty());
        CHECK(modes.back() == "2");
    }
    for (const auto& args : {std::vector<std::string>{"--no-seccomp", "-t", "5s", faults, "loop"},
                             std::vector<std::string>{"call", "--no-seccomp", "-t", "5s", functions, "spin"}}) {
        INFO(args[0] << " " << args.back());
        const auto modes = seccomp_modes_of_hlrun(args, 1000ms);
        REQUIRE(!modes.empty());
        CHECK(std::count(modes.begin(), modes.end(), "0") == static_cast<long>(modes.size()));
    }
}

TEST_CASE("seccomp: hlrun runs guests the same with and without the filter")
{
    HL_REQUIRE_KVM();
    const std::string hello = guest_image("hello");
    const std::string functions = guest_image("functions");
    for (const bool filter : {true, false}) {
        INFO("filter " << filter);
        const std::vector<std::string> off = filter ? std::vector<std::string>{} : std::vector<std::string>{"--no-seccomp"};
        auto with = [&](std::vector<std::string> args, bool call = false) {
            args.insert(args.begin(), off.begin(), off.end());
            if (call)
                args.insert(args.begin(), "call");
            return hlrun(args);
        };
        const auto run = with({hello, "a"});
        CHECK(run.status == 0);
        CHECK(run.out == "argc=2\nargv[0]=" + hello + "\nargv[1]=a\n");
        CHECK(run.err == "to stderr\n");
        const auto traced = with({"--trace", "--stats", hello});
        CHECK(traced.status == 0);
        CHECK(traced.err.find("exit(status=0)  guest exited with status 0") != std::string::npos);
        CHECK(traced.err.find("exit reason") != std::string::npos);
        const auto fresh = with({"--repeat", "50", "--fresh", functions, "next"}, true);
        CHECK(fresh.status == 0);
        CHECK(fresh.out == "101\n");
        const auto crash = with({functions, "crash"}, true);
        CHECK(crash.status == 125);
        const auto exits = with({"--max-exits", "2", hello}, false);   // it writes twice, then exits
        CHECK(exits.status == 118);
    }
}

TEST_CASE("seccomp: --no-seccomp is in the help of the subcommands that run guests, and refused by inspect")
{
    const auto help = hlrun({"--help"});
    CHECK(help.status == 0);
    CHECK(help.out.find("--no-seccomp") != std::string::npos);
    const auto call_help = hlrun({"call", "--help"});
    CHECK(call_help.out.find("--no-seccomp") != std::string::npos);
    const auto inspect = hlrun({"inspect", "--no-seccomp", guest_image("functions")});
    CHECK(inspect.status == 120);
    CHECK(inspect.err.find("--no-seccomp") != std::string::npos);
}
