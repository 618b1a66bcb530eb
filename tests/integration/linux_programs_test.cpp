// Real C programs as guests: static musl executables, built as a user would
// (musl-gcc -static), each run natively and under hlrun with the same
// arguments, environment and input; what they print and their exit status
// must be the same, byte for byte.
#include "process.hpp"
#include "../linux/linux_executables.hpp"

#include <cstdio>
#include <filesystem>
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

// How a program runs, natively and under hlrun alike.
struct Program {
    std::vector<std::string> args{};
    std::vector<std::string> env{};
    std::string input{};
    std::string cwd{};
    std::vector<std::string> hlrun_flags{};   // hlrun only
};

Both run_both(const std::string& name, const Program& p = {})
{
    ProcessOptions native_options{.timeout = std::chrono::seconds(60)};
    native_options.environment = p.env;
    native_options.cwd = p.cwd;
    ProcessOptions guest_options = native_options;
    guest_options.environment = std::nullopt;
    const int native_in = input_of(p.input), guest_in = input_of(p.input);
    native_options.stdin_fd = native_in;
    guest_options.stdin_fd = guest_in;
    std::vector<std::string> native_argv{program(name)};
    native_argv.insert(native_argv.end(), p.args.begin(), p.args.end());
    std::vector<std::string> guest_args{"--memory", "128Mi"};
    for (const std::string& e : p.env) {
        guest_args.push_back("--env");
        guest_args.push_back(e);
    }
    guest_args.insert(guest_args.end(), p.hlrun_flags.begin(), p.hlrun_flags.end());
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
    check_same(run_both("stdin", {.input = "first line\nsecond\nthird without newline"}));
    const Both env = run_both("env", {.args = {"two words", "7"}, .env = {"GREETING=hello there", "OTHER=1"}});
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
    // Served calls skip describing themselves as faults; a refused one is described in full.
    r = hlrun({"-v", "--strict-syscalls", program("unsupported")});
    CHECK(r.err.find("registers: rax=0x39 ") != std::string::npos);
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

TEST_CASE("linux programs: abort() and a failed assert end the run as aborted, not as a crash")
{
    HL_REQUIRE_KVM();
    HL_REQUIRE_MUSL_GCC();
    const std::string aborted =
        "hlrun: error: guest aborted: SIGABRT, which the guest sent itself (abort() or raise(); hl runs no signal "
        "handler)\n";
    ProcessResult r = hlrun({program("abort")});
    CHECK(r.status == 126);
    CHECK(r.out == "before\n");
    CHECK(r.err == aborted);
    r = hlrun({program("abort"), "assert"});
    CHECK(r.status == 126);
    CHECK(r.err.find("Assertion failed: argc == 0") != std::string::npos);
    CHECK(r.err.ends_with(aborted));
}

TEST_CASE("hlrun call: a static Linux executable is told that it exports nothing, and how to run it")
{
    HL_REQUIRE_MUSL_GCC();
    const ProcessResult r = hlrun({"call", program("env"), "main"});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: " + program("env") +
                       ": no export named 'main': a static Linux executable exports nothing (functions are exported "
                       "by images hlbuild links, see HL_EXPORT in hl-abi(7)); run it with hlrun IMAGE [ARGS...]\n");
}

TEST_CASE("hlrun --env: a value that is not NAME=VALUE is refused with one line")
{
    const ProcessResult r = hlrun({"--env", "NOEQUALS", "image.hl"});
    CHECK(r.status == 120);
    CHECK(lines(r.err).size() == 1);
    CHECK(r.err.find("'NOEQUALS' is not NAME=VALUE") != std::string::npos);
}

namespace {

// A tree for t_files and t_confined: data/numbers.txt, data/notes.md and
// data/sub/big.bin, larger than stdio's buffer and than any one read.
std::string files_tree()
{
    const std::string root = make_temp_dir();
    std::filesystem::create_directories(root + "/data/sub");
    std::string numbers;
    for (int i = 1; i <= 100; ++i)
        numbers += std::to_string(i) + ".25\n";
    write_file(root + "/data/numbers.txt", numbers);
    write_file(root + "/data/notes.md", "# notes\n");
    std::string big(300000, '\0');
    uint32_t x = 12345;
    for (char& c : big) {
        x = x * 1103515245u + 12345u;
        c = static_cast<char>(x >> 16);
    }
    write_file(root + "/data/sub/big.bin", big);
    return root;
}

} // namespace

TEST_CASE("linux programs: the files of a --dir directory read, seek and list as natively")
{
    HL_REQUIRE_KVM();
    HL_REQUIRE_MUSL_GCC();
    const std::string root = files_tree();
    const Both both = run_both("files", {.cwd = root, .hlrun_flags = {"--dir", "data"}});
    CHECK(both.native.out.find("100 numbers, sum 5075") != std::string::npos);
    CHECK(both.native.out.find("big: 300000 bytes") != std::string::npos);
    CHECK(both.native.out.find("missing: No such file or directory") != std::string::npos);
    check_same(both);
    // The same directory at a guest path of its own, which the host does not have.
    const ProcessResult moved = hlrun({"--dir", root + "/data:/srv/in", program("files"), "/srv/in"});
    CHECK(moved.status == 0);
    CHECK(moved.out == both.native.out);
    // Every open is traced with the path it resolved to.
    const ProcessResult traced =
        hlrun({"--trace", "--trace-filter=open,openat", "--dir", root + "/data:/srv/in", program("files"), "/srv/in"});
    CHECK(traced.err.find("\"/srv/in/numbers.txt\", flags=0x8000, mode=438) = 3") != std::string::npos);
    CHECK(traced.err.find("\"/srv/in/missing.txt\"") != std::string::npos);
}

TEST_CASE("hlrun --dir: only mapped directories are visible, read-only, and neither .. nor a link leads out")
{
    HL_REQUIRE_KVM();
    HL_REQUIRE_MUSL_GCC();
    const std::string root = files_tree();
    std::filesystem::create_directory_symlink("/etc", root + "/data/etc-link");
    std::filesystem::create_directory_symlink("../..", root + "/data/up");
    const std::vector<std::string> probes = {"r:/data/notes.md",     "r:data/sub/../notes.md", "r:/etc/passwd",
                                             "r:/data/../etc/passwd", "r:/data/etc-link/passwd",
                                             "r:/data/up/etc/passwd", "w:/data/new.txt",        "w:/data/notes.md",
                                             "l:/",                    "r:" + root + "/data/notes.md"};
    std::vector<std::string> args = {"--dir", root + "/data:/data", program("confined")};
    args.insert(args.end(), probes.begin(), probes.end());
    const ProcessResult r = hlrun(args);   // confined by seccomp, as always
    INFO(r.err);
    CHECK(r.status == 0);
    CHECK(r.out == "r:/data/notes.md: # notes\n"
                   "r:data/sub/../notes.md: # notes\n"
                   "r:/etc/passwd: No such file or directory\n"
                   "r:/data/../etc/passwd: No such file or directory\n"
                   "r:/data/etc-link/passwd: No such file or directory\n"
                   "r:/data/up/etc/passwd: No such file or directory\n"
                   "w:/data/new.txt: Read-only file system\n"
                   "w:/data/notes.md: Read-only file system\n"
                   "l:/: . .. data\n"
                   "r:" + root + "/data/notes.md: No such file or directory\n");
    CHECK(!std::filesystem::exists(root + "/data/new.txt"));
    const ProcessResult unmapped = hlrun({program("confined"), "r:/data/notes.md", "l:/"});
    CHECK(unmapped.out == "r:/data/notes.md: No such file or directory\nl:/: No such file or directory\n");
}

TEST_CASE("hlrun --dir: a mapping that cannot be used is refused with one line")
{
    ProcessResult r = hlrun({"--dir", ":/x", "image.hl"});
    CHECK(r.status == 120);
    CHECK(lines(r.err).size() == 1);
    CHECK(r.err.find("':/x' names no host directory; expected HOST[:GUEST]") != std::string::npos);
    r = hlrun({"--dir", "data:rel", "image.hl"});
    CHECK(r.status == 120);
    CHECK(r.err.find("'data:rel': the guest path 'rel' is not absolute; expected HOST[:GUEST] with GUEST like /data") !=
          std::string::npos);
    HL_REQUIRE_KVM();
    r = hlrun({"--dir", "/nonexistent-hl-dir", guest_image("hello")});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: mapped directory '/nonexistent-hl-dir': No such file or directory\n");
    const std::string file = make_temp_dir() + "/file";
    write_file(file, "x");
    r = hlrun({"--dir", file + ":/f", guest_image("hello")});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: mapped directory '" + file + "': not a directory\n");
}
