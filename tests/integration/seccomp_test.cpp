// The vCPU thread's seccomp filter (hl/confine.hpp), through the library:
// forbidden calls are stopped with one line, allowed ones pass. A filter
// cannot be lifted, so every confinement happens in a forked child
// (confined_child.hpp). The run loop confined: seccomp_run_loop_test.cpp;
// hlrun's use of it: hlrun_seccomp_test.cpp.
#include "confined_child.hpp"
#include "process.hpp"

#include <hl/confine.hpp>
#include <hl/sandbox.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <linux/kvm.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace hl;
using namespace std::chrono_literals;
using namespace hl::test;

TEST_CASE("seccomp: a forbidden call in a host function, on the run loop's thread, ends the process with one line")
{
    HL_REQUIRE_KVM();
    const ChildResult r = in_child([] {
        auto sandbox = ready_functions_guest();
        sandbox->register_host("note", [](std::string_view) {
            // What a compromised host would try first: a file.
            syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY);
        });
        confine_this_thread(test_policy());
        sandbox->call("use_note", {std::string("x")});
        return 0; // not reached: the filter stops openat
    });
    CHECK(r.status == kViolation);
    CHECK(r.err == stopped("openat (" + std::to_string(SYS_openat) + ")"));
}

TEST_CASE("seccomp: files, sockets, processes, signals and tracing are all forbidden once confined")
{
    HL_REQUIRE_KVM();
    struct Attempt {
        const char* name;
        long nr;
        std::function<void()> call;
    };
    const std::vector<Attempt> attempts = {
        {"openat", SYS_openat, [] { syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY); }},
        {"open", SYS_open, [] { syscall(SYS_open, "/dev/null", O_RDONLY); }},
        {"read", SYS_read, [] { char c; syscall(SYS_read, 3, &c, 1); }},   // any fd but the guest's stdin
        {"socket", SYS_socket, [] { syscall(SYS_socket, AF_INET, SOCK_STREAM, 0); }},
        {"connect", SYS_connect, [] { syscall(SYS_connect, 0, nullptr, 0); }},
        {"execve", SYS_execve, [] { syscall(SYS_execve, "/bin/true", nullptr, nullptr); }},
        {"clone", SYS_clone, [] { (void)fork(); }},
        {"fork", SYS_fork, [] { syscall(SYS_fork); }},
        {"vfork", SYS_vfork, [] { syscall(SYS_vfork); }},
        {"ptrace", SYS_ptrace, [] { syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0); }},
        {"kill", SYS_kill, [] { syscall(SYS_kill, 1, 0); }},
        {"tgkill", SYS_tgkill, [] { syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1); }},
        {"rt_sigaction", SYS_rt_sigaction, [] { signal(SIGSYS, SIG_DFL); }},
        {"prctl", SYS_prctl, [] { syscall(SYS_prctl, PR_GET_SECCOMP, 0, 0, 0, 0); }},
        {"seccomp", SYS_seccomp, [] { syscall(SYS_seccomp, 0, 0, nullptr); }},
        {"perf_event_open", SYS_perf_event_open, [] { syscall(SYS_perf_event_open, nullptr, 0, -1, -1, 0); }},
        // Only a snapshot's kind of memfd, and only sealing by fcntl.
        {"memfd_create", SYS_memfd_create, [] { syscall(SYS_memfd_create, "x", 0); }},
        {"fcntl", SYS_fcntl, [] { syscall(SYS_fcntl, 0, F_DUPFD, 10); }},
        {"mount", SYS_mount, [] { syscall(SYS_mount, "none", "/mnt", "tmpfs", 0, nullptr); }},
    };
    for (const Attempt& attempt : attempts) {
        INFO(attempt.name);
        const ChildResult r = in_child([&] {
            confine_this_thread(test_policy());
            attempt.call();
            return 0;
        });
        CHECK(r.status == kViolation);
        CHECK(r.err == stopped(std::string(attempt.name) + " (" + std::to_string(attempt.nr) + ")"));
    }
}

namespace {

long i386_getpid()
{
    long result;
    __asm__ volatile("int $0x80" : "=a"(result) : "a"(20L /* getpid on i386 */) : "memory");
    return result;
}

} // namespace

TEST_CASE("seccomp: a system call of the i386 ABI is forbidden whatever its number, and named as such")
{
    // Only where the kernel runs i386 calls at all (IA32 emulation): elsewhere `int $0x80` is a plain fault.
    if (in_child([] { return i386_getpid() == getpid() ? 0 : 1; }).status != 0) {
        WARN("skipped: this kernel does not run i386 system calls (no IA32 emulation)");
        return;
    }
    const ChildResult r = in_child([] {
        confine_this_thread(test_policy());
        i386_getpid();
        return 0;
    });
    CHECK(r.status == kViolation);
    CHECK(r.err == stopped("getpid (20, i386 ABI)"));
}

TEST_CASE("seccomp: abort() on a confined thread still aborts")
{
    const ChildResult r = in_child([] {
        std::signal(SIGABRT, SIG_DFL); // Catch2's handler would ask for rt_sigaction, which is forbidden
        confine_this_thread(test_policy());
        std::abort();
        return 0;
    });
    CHECK(r.status == 128 + SIGABRT);
    CHECK(r.err.empty());
}

TEST_CASE("seccomp: executable memory is forbidden, plain memory allowed")
{
    const ChildResult r = in_child([] {
        confine_this_thread(test_policy());
        void* data = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (data == MAP_FAILED)
            return 1;
        mprotect(data, 4096, PROT_READ | PROT_EXEC);
        return 0;
    });
    CHECK(r.status == kViolation);
    CHECK(r.err == stopped("mprotect (" + std::to_string(SYS_mprotect) + ")"));
}

TEST_CASE("seccomp: a confined thread cannot build a new machine: KVM_CREATE_VM is not among its ioctls")
{
    HL_REQUIRE_KVM();
    const ChildResult r = in_child([] {
        const Image image = Image::load(test::guest_image("hello"));
        Sandbox first(image, {.output = discard}); // /dev/kvm is open from here on
        confine_this_thread(test_policy());
        Sandbox second(image, {.output = discard});
        return 0;
    });
    CHECK(r.status == kViolation);
    char request[32];
    std::snprintf(request, sizeof request, "0x%lx", static_cast<unsigned long>(KVM_CREATE_VM));
    CHECK(r.err == stopped("ioctl (" + std::to_string(SYS_ioctl) + ", request " + request + ")"));
}

TEST_CASE("seccomp: the open glibc's malloc makes on a confined thread fails with EACCES, and the thread goes on")
{
    // malloc asks /proc/sys/vm/overcommit_memory the first time it shrinks a
    // thread's heap (seen: a worker of hlrun serve stopped by it); the same
    // call by path with other flags is still stopped (the test above).
    for (const auto violation : {ConfinePolicy::OnViolation::Report, ConfinePolicy::OnViolation::KillProcess}) {
        const ChildResult r = in_child([violation] {
            ConfinePolicy policy = test_policy();
            policy.on_violation = violation;
            confine_this_thread(policy);
            const long fd = syscall(SYS_openat, AT_FDCWD, "/proc/sys/vm/overcommit_memory", O_RDONLY | O_CLOEXEC);
            return fd == -1 && errno == EACCES ? 0 : 1;
        });
        CHECK(r.status == 0);
        CHECK(r.err.empty());
    }
}

TEST_CASE("seccomp: OnViolation::KillProcess has the kernel kill the process with SIGSYS, silently")
{
    const ChildResult r = in_child([] {
        confine_this_thread({.on_violation = ConfinePolicy::OnViolation::KillProcess});
        syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY);
        return 0;
    });
    CHECK(r.status == 128 + SIGSYS);
    CHECK(r.err.empty());
}

TEST_CASE("seccomp: extra_syscalls allows more calls, and only those")
{
    const ChildResult r = in_child([] {
        confine_this_thread(test_policy({"openat", "read"}));
        const int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
        char byte = 1;
        if (fd < 0 || read(fd, &byte, 1) != 1 || byte != 0)
            return 1;
        close(fd);
        syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
        return 0;
    });
    CHECK(r.status == kViolation);
    CHECK(r.err == stopped("socket (" + std::to_string(SYS_socket) + ")"));
}

TEST_CASE("seccomp: a violation also completes each record given, such as a report's JSON object")
{
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    const ChildResult r = in_child([&] {
        ConfinePolicy policy = test_policy();
        policy.violation_records = {{.fd = fds[1], .before = "{\"reason\":\"", .after = "\"}\n"},
                                    {.fd = fds[1], .before = "second: ", .after = ".\n"}};
        confine_this_thread(policy);
        syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY);
        return 0;   // not reached
    });
    close(fds[1]);
    std::string written;
    char buffer[512];
    for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;)
        written.append(buffer, static_cast<size_t>(n));
    close(fds[0]);
    CHECK(r.status == kViolation);
    const std::string message = "seccomp stopped system call openat (" + std::to_string(SYS_openat) + ") in the vCPU thread";
    CHECK(r.err == stopped("openat (" + std::to_string(SYS_openat) + ")"));
    CHECK(written == "{\"reason\":\"" + message + "\"}\nsecond: " + message + ".\n");

    // Cleared, a violation writes its line only.
    REQUIRE(pipe(fds) == 0);
    const ChildResult cleared = in_child([&] {
        ConfinePolicy policy = test_policy();
        policy.violation_records = {{.fd = fds[1], .before = "{", .after = "}"}};
        confine_this_thread(policy);
        clear_violation_records();
        syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY);
        return 0;   // not reached
    });
    close(fds[1]);
    char byte;
    CHECK(read(fds[0], &byte, 1) == 0);
    close(fds[0]);
    CHECK(cleared.status == kViolation);
    CHECK(cleared.err == stopped("openat (" + std::to_string(SYS_openat) + ")"));
}

TEST_CASE("seccomp: a policy that cannot be honoured is refused before anything is installed")
{
    // Nothing is loaded when these throw: safe to try in the test process itself.
    CHECK_THROWS_AS(confine_this_thread(test_policy({"getpid", "no_such_call"})), ConfineError);
    CHECK_THROWS_WITH(confine_this_thread(test_policy({"no_such_call"})),
                      "confine: 'no_such_call' is not a system call of this architecture (see syscalls(2))");
    CHECK_THROWS_WITH(confine_this_thread({.exit_status = 0}),
                      "confine: exit_status 0 is not an exit status for a violation (1 to 255)");
    CHECK_THROWS_WITH(confine_this_thread({.exit_status = 256}),
                      "confine: exit_status 256 is not an exit status for a violation (1 to 255)");
    CHECK_THROWS_WITH(confine_this_thread({.violation_records = std::vector<ViolationRecord>(5)}),
                      "confine: at most 4 violation records, not 5");
    CHECK(test::proc_status_field("/proc/thread-self/status", "Seccomp") == "0");
}

TEST_CASE("seccomp: a confined thread cannot be confined again")
{
    const ChildResult r = in_child([] {
        confine_this_thread(test_policy());
        try {
            confine_this_thread(test_policy({"openat"})); // would need prctl and seccomp: refused before either
        } catch (const ConfineError& error) {
            const std::string line = std::string(error.what()) + "\n";
            (void)!write(STDERR_FILENO, line.data(), line.size());
            return 0;
        }
        return 1;
    });
    CHECK(r.status == 0);
    CHECK(r.err == "confine: this thread is confined already; its filter cannot be changed\n");
}

TEST_CASE("seccomp: the allow-list names what it allows and none of the dangerous calls")
{
    const std::vector<std::string> list = confine_allow_list();
    std::vector<std::string> names;
    for (const std::string& entry : list)
        names.push_back(entry.substr(0, entry.find(' ')));
    for (const char* forbidden : {"open", "openat", "socket", "connect", "execve", "execveat", "fork", "vfork",
                                  "clone", "clone3", "ptrace", "kill", "rt_sigaction", "prctl", "seccomp",
                                  "perf_event_open", "mount", "process_vm_writev"}) {
        INFO(forbidden);
        CHECK(std::find(names.begin(), names.end(), forbidden) == names.end());
    }
    CHECK(std::find(list.begin(), list.end(), "mmap (without PROT_EXEC)") != list.end());
    CHECK(std::find(list.begin(), list.end(), "memfd_create (MFD_CLOEXEC | MFD_ALLOW_SEALING (snapshots))") !=
          list.end());
    CHECK(std::find(list.begin(), list.end(), "fcntl (F_ADD_SEALS (snapshots))") != list.end());
    CHECK(std::find(list.begin(), list.end(), "read (fd 0 only: the guest's stdin)") != list.end());
    CHECK(std::find(list.begin(), list.end(), "tgkill (this process; the interrupt signal or SIGABRT)") != list.end());
    const auto ioctl = std::find_if(list.begin(), list.end(), [](const std::string& e) { return e.rfind("ioctl ", 0) == 0; });
    REQUIRE(ioctl != list.end());
    CHECK(ioctl->find("KVM_RUN,") != std::string::npos);
    CHECK(ioctl->find("KVM_CREATE") == std::string::npos);
}
