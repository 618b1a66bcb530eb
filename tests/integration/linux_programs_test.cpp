// Real C programs as guests: static musl executables, built as a user would
// (musl-gcc -static), each run natively and under hlrun with the same
// arguments, environment and input; what they print and their exit status
// must be the same, byte for byte.
#include "process.hpp"
#include "../linux/linux_executables.hpp"

#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

using namespace hl::test;

namespace {

std::string program(const std::string& name) { return kLinuxExecutables + "/t_" + name; }

// A descriptor reading text, for a child's stdin.
int input_of(const std::string& text)
{
    const std::string path = make_temp_dir() + "/stdin";
    write_file(path, text);
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    return fd;
}

struct Both {
    ProcessResult native, guest;
};

Both run_both(const std::string& name, const std::vector<std::string>& args = {},
              const std::vector<std::string>& env = {}, const std::string& input = {})
{
    ProcessOptions native_options{.timeout = std::chrono::seconds(60)};
    native_options.environment = env;
    ProcessOptions guest_options = native_options;
    guest_options.environment = std::nullopt;
    const int native_in = input_of(input), guest_in = input_of(input);
    native_options.stdin_fd = native_in;
    guest_options.stdin_fd = guest_in;
    std::vector<std::string> native_argv{program(name)};
    native_argv.insert(native_argv.end(), args.begin(), args.end());
    std::vector<std::string> guest_args{"--memory", "128Mi"};
    for (const std::string& e : env) {
        guest_args.push_back("--env");
        guest_args.push_back(e);
    }
    guest_args.insert(guest_args.end(), native_argv.begin(), native_argv.end());
    Both both{run_process(native_argv, native_options), hlrun(guest_args, guest_options)};
    close(native_in);
    close(guest_in);
    return both;
}

void check_same(const Both& both)
{
    INFO("hlrun stderr: " << both.guest.err);
    CHECK(both.guest.out == both.native.out);
    CHECK(both.guest.status == both.native.status);
    CHECK(both.guest.err == both.native.err);
}

} // namespace

TEST_CASE("linux programs: number formatting and parsing print as natively")
{
    HL_REQUIRE_KVM();
    HL_REQUIRE_MUSL_GCC();
    const Both both = run_both("format");
    CHECK(both.native.out.find("round-trips") != std::string::npos);
    check_same(both);
}

TEST_CASE("linux programs: libm, qsort/bsearch, setjmp/longjmp, errno/strerror, time as natively")
{
    HL_REQUIRE_KVM();
    HL_REQUIRE_MUSL_GCC();
    for (const char* name : {"libm", "sort", "time"}) {
        INFO(name);
        check_same(run_both(name));
    }
}

TEST_CASE("linux programs: 32 MiB and more through malloc and realloc")
{
    HL_REQUIRE_KVM();
    HL_REQUIRE_MUSL_GCC();
    const Both both = run_both("malloc");
    CHECK(both.native.out.find("intact 1") != std::string::npos);
    check_same(both);
}

TEST_CASE("linux programs: stdin, arguments, environment and exit status pass through")
{
    HL_REQUIRE_KVM();
    HL_REQUIRE_MUSL_GCC();
    check_same(run_both("stdin", {}, {}, "first line\nsecond\nthird without newline"));
    const Both env = run_both("env", {"two words", "7"}, {"GREETING=hello there", "OTHER=1"});
    CHECK(env.native.status == 7);
    check_same(env);
    check_same(run_both("env"));
}

TEST_CASE("linux programs: processes and sockets get ENOSYS, or a fault under --strict-syscalls")
{
    HL_REQUIRE_KVM();
    HL_REQUIRE_MUSL_GCC();
    ProcessResult r = hlrun({program("unsupported")});
    CHECK(r.status == 0);
    CHECK(r.out == "fork: -1 Function not implemented\n"
                   "socket: -1 Function not implemented\n"
                   "execve: -1 Function not implemented\n");
    r = hlrun({"--strict-syscalls", program("unsupported")});
    CHECK(r.out.empty());
    CHECK(lines(r.err).front() == "hlrun: error: guest fault: unsupported system call fork (57)");
}

TEST_CASE("linux programs: every system call is a traced exit with its name, arguments and result")
{
    HL_REQUIRE_KVM();
    HL_REQUIRE_MUSL_GCC();
    const ProcessResult r = hlrun({"--trace", "--trace-filter=syscall", program("unsupported")});
    CHECK(r.status == 0);
    CHECK(r.err.find("syscall fork() = -38 ENOSYS") != std::string::npos);
    CHECK(r.err.find("syscall exit_group(status=0)") != std::string::npos);
    CHECK(r.err.find("syscall writev(fd=1, iov=0x") != std::string::npos);
    const ProcessResult stats = hlrun({"--stats", program("unsupported")});
    CHECK(stats.err.find("system call") != std::string::npos);
    CHECK(stats.err.find("socket") != std::string::npos);
}

TEST_CASE("hlrun --env: a value that is not NAME=VALUE is refused with one line")
{
    const ProcessResult r = hlrun({"--env", "NOEQUALS", "image.hl"});
    CHECK(r.status == 120);
    CHECK(lines(r.err).size() == 1);
    CHECK(r.err.find("'NOEQUALS' is not NAME=VALUE") != std::string::npos);
}
