// The vCPU thread's seccomp filter (see hl/confine.hpp): the allow-list, one
// entry per system call with the arguments it may take, built with libseccomp
// and loaded on the calling thread alone.
#include "kvm/kvm_ioctls.hpp"
#include "interrupt_signal.hpp"
#include "confine/seccomp_report.hpp"

#include <hl/confine.hpp>

#include <seccomp.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <memory>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(HL_ASAN)
#include <sanitizer/common_interface_defs.h>
#endif

namespace hl {
namespace {

using Condition = std::vector<scmp_arg_cmp>; // every comparison holds

// Loading a filter takes prctl and seccomp, which the filter forbids: once is all.
thread_local bool t_confined = false;

// One allowed system call: with any arguments (`when` empty) or when one of
// the conditions holds.
struct Allowed {
    const char* name;
    std::string only;   // the restriction in words, for confine_allow_list
    std::vector<Condition> when;
};

// The kernel reads ioctl requests, tgkill's pid and signal as 32-bit values:
// compare what it will use, whatever the upper half of the register holds.
scmp_arg_cmp low32_equals(unsigned arg, uint64_t value)
{
    return scmp_arg_cmp{arg, SCMP_CMP_MASKED_EQ, 0xffffffffu, value & 0xffffffffu};
}

scmp_arg_cmp bits_clear(unsigned arg, uint64_t bits) { return scmp_arg_cmp{arg, SCMP_CMP_MASKED_EQ, bits, 0}; }
scmp_arg_cmp bits_set(unsigned arg, uint64_t bits) { return scmp_arg_cmp{arg, SCMP_CMP_MASKED_EQ, bits, bits}; }

Allowed ioctl_requests()
{
    // The run loop, snapshots and restores make KVM requests; --trace=all
    // turns its perf events on and off; stdio asks whether a stream is a terminal.
    Allowed ioctl{"ioctl", "requests", {}};
    auto add = [&](const char* name, unsigned long number) {
        ioctl.only += std::string(ioctl.when.empty() ? " " : ", ") + name;
        ioctl.when.push_back({low32_equals(1, number)});
    };
    for (const IoctlRequest& request : kvm_run_loop_ioctls())
        add(request.name, request.number);
    add("PERF_EVENT_IOC_ENABLE", PERF_EVENT_IOC_ENABLE);
    add("PERF_EVENT_IOC_DISABLE", PERF_EVENT_IOC_DISABLE);
    add("TCGETS", TCGETS);
    return ioctl;
}

// The mapped directories' files (file_namespace.cpp): opened beneath a root, read with pread.
void allow_file_roots(std::vector<Allowed>& list, const std::vector<int>& roots)
{
    if (roots.empty())
        return;
    Allowed open{"openat2", "from a mapped directory", {}};
    for (const int fd : roots)
        open.when.push_back({low32_equals(0, static_cast<uint64_t>(fd))});
    list.push_back(std::move(open));
    list.push_back({"getdents64", "with mapped directories", {}});
}

// A debugger's connection (hl/gdb.hpp): received from and sent on.
void allow_socket_fds(std::vector<Allowed>& list, const std::vector<int>& fds)
{
    if (fds.empty())
        return;
    for (const char* call : {"recvfrom", "sendto"}) {
        Allowed allowed{call, "on a debugger's connection", {}};
        for (const int fd : fds)
            allowed.when.push_back({low32_equals(0, static_cast<uint64_t>(fd))});
        list.push_back(std::move(allowed));
    }
}

std::vector<Allowed> allow_list()
{
    const auto pid = static_cast<uint64_t>(getpid());
    std::vector<Allowed> list = {
        ioctl_requests(),
        // Guest output, trace files, hl's own messages.
        {"write", {}, {}},
        {"writev", {}, {}},
        // Guest input: the host's stdin only.
        {"read", "fd 0 only: the guest's stdin", {{low32_equals(0, 0)}}},
        // AT_RANDOM and the guest's getrandom (Linux personality).
        {"getrandom", {}, {}},
        // Sandbox, trace files and perf events closed when they end.
        {"close", {}, {}},
        // stdio sizes its buffer from the stream's fd; never a path lookup.
        {"fstat", {}, {}},
        {"newfstatat", "AT_EMPTY_PATH (fstat)", {{bits_set(3, AT_EMPTY_PATH)}}},
        // malloc, snapshots; never executable memory.
        {"mmap", "without PROT_EXEC", {{bits_clear(2, PROT_EXEC)}}},
        {"mprotect", "without PROT_EXEC", {{bits_clear(2, PROT_EXEC)}}},
        {"munmap", {}, {}},
        {"mremap", {}, {}},
        {"brk", {}, {}},
        {"madvise", {}, {}},
        // A snapshot's memory: a sealed memfd written from guest memory,
        // looking at the pages the process's page map says it has.
        {"memfd_create", "MFD_CLOEXEC | MFD_ALLOW_SEALING (snapshots)",
         {{low32_equals(1, MFD_CLOEXEC | MFD_ALLOW_SEALING)}}},
        {"ftruncate", "snapshots", {}},
        {"pwrite64", "snapshots", {}},
        {"fcntl", "F_ADD_SEALS (snapshots)", {{low32_equals(1, F_ADD_SEALS)}}},
        {"lseek", "snapshots", {}},
        {"pread64", "snapshots, mapped directories", {}},
        // Locks (std::mutex, call_once, stdio, the logger).
        {"futex", {}, {}},
        {"sched_yield", {}, {}},
        // Clocks, when the vDSO falls back to the kernel.
        {"clock_gettime", {}, {}},
        {"clock_getres", {}, {}},
        {"gettimeofday", {}, {}},
        // SandboxOptions::timeout: a POSIX timer aimed at this thread (run_timer.cpp).
        {"timer_create", {}, {}},
        {"timer_settime", {}, {}},
        {"timer_delete", {}, {}},
        // The interrupt signal's handler returns; an interrupted call restarts.
        {"rt_sigreturn", {}, {}},
        {"rt_sigprocmask", {}, {}},
        {"restart_syscall", {}, {}},
        // The profiler takes its pending ticks (profile_signal.cpp).
        {"rt_sigtimedwait", {}, {}},
        // The run loop names its thread for InterruptHandle; cancel() and abort() signal this process only.
        {"gettid", {}, {}},
        {"getpid", {}, {}},
        {"tgkill", "this process; the interrupt signal or SIGABRT",
         {{low32_equals(0, pid), low32_equals(2, static_cast<uint64_t>(interrupt::signal_number()))},
          {low32_equals(0, pid), low32_equals(2, SIGABRT)}}},
        {"exit", {}, {}},
        {"exit_group", {}, {}},
    };
#if defined(HL_ASAN)
    // hl's sanitizer builds pair ASan with UBSan, whose runtimes need two
    // more: UBSan's vptr check probes memory by writing it to a pipe, and a
    // thread that ends takes down its alternate signal stack.
    list.push_back({"pipe2", "sanitizer builds only", {}});
    list.push_back({"sigaltstack", "sanitizer builds only", {}});
#endif
    return list;
}

int syscall_number(const std::string& name)
{
    const int nr = seccomp_syscall_resolve_name(name.c_str());
    if (nr == __NR_SCMP_ERROR || nr < 0)
        throw ConfineError("confine: '" + name + "' is not a system call of this architecture (see syscalls(2))");
    return nr;
}

struct ReleaseFilter {
    void operator()(void* ctx) const { seccomp_release(ctx); }
};

void check(int rc, const std::string& what)
{
    if (rc < 0)
        throw ConfineError("confine: " + what + ": " + std::strerror(-rc));
}

} // namespace

bool this_thread_confined() { return t_confined; }

void confine_this_thread(const ConfinePolicy& policy)
{
    if (t_confined)
        throw ConfineError("confine: this thread is confined already; its filter cannot be changed");
    if (policy.violation_records.size() > 4)
        throw ConfineError("confine: at most 4 violation records, not " + std::to_string(policy.violation_records.size()));
    if (policy.on_violation == ConfinePolicy::OnViolation::Report && (policy.exit_status < 1 || policy.exit_status > 255))
        throw ConfineError("confine: exit_status " + std::to_string(policy.exit_status) +
                           " is not an exit status for a violation (1 to 255)");
    // A forbidden call traps into the report, or kills; a call of another ABI
    // (`int $0x80`, x32) is forbidden whatever its number.
    const uint32_t forbidden =
        policy.on_violation == ConfinePolicy::OnViolation::Report ? SCMP_ACT_TRAP : SCMP_ACT_KILL_PROCESS;
    const std::unique_ptr<void, ReleaseFilter> ctx(seccomp_init(forbidden));
    if (!ctx)
        throw ConfineError("confine: cannot create a seccomp filter");
    check(seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, forbidden), "setting the action for other ABIs");
    std::vector<Allowed> allowed_calls = allow_list();
    allow_file_roots(allowed_calls, policy.file_roots);
    allow_socket_fds(allowed_calls, policy.socket_fds);
    for (const Allowed& allowed : allowed_calls) {
        const int nr = syscall_number(allowed.name);
        if (allowed.when.empty())
            check(seccomp_rule_add_exact_array(ctx.get(), SCMP_ACT_ALLOW, nr, 0, nullptr), allowed.name);
        for (const Condition& condition : allowed.when)
            check(seccomp_rule_add_exact_array(ctx.get(), SCMP_ACT_ALLOW, nr, static_cast<unsigned>(condition.size()),
                                               condition.data()),
                  allowed.name);
    }
    for (const std::string& name : policy.extra_syscalls)
        check(seccomp_rule_add_exact_array(ctx.get(), SCMP_ACT_ALLOW, syscall_number(name), 0, nullptr), name);
    // glibc's malloc asks /proc/sys/vm/overcommit_memory, once a process, the
    // first time it gives back memory of a thread's heap: on a confined
    // thread that may be the first time. It does without an answer, so that
    // shape of open (a path, read-only, close-on-exec) fails with EACCES
    // instead of stopping the process; any other open is still forbidden.
    if (std::find(policy.extra_syscalls.begin(), policy.extra_syscalls.end(), "openat") ==
        policy.extra_syscalls.end()) {
        const Condition libc_probe = {low32_equals(0, static_cast<uint32_t>(AT_FDCWD)),
                                      low32_equals(2, O_RDONLY | O_CLOEXEC)};
        check(seccomp_rule_add_exact_array(ctx.get(), SCMP_ACT_ERRNO(EACCES), syscall_number("openat"),
                                           static_cast<unsigned>(libc_probe.size()), libc_probe.data()),
              "openat (EACCES)");
    }
    // KVM_RUN is the call on the hot path: test for it first.
    seccomp_syscall_priority(ctx.get(), syscall_number("ioctl"), 255);

    // Everything that needs a forbidden call happens now, before the filter.
    if (policy.on_violation == ConfinePolicy::OnViolation::Report)
        arm_seccomp_report(policy.program, policy.exit_status, policy.violation_records);
#if defined(HL_ASAN)
    __sanitizer_sandbox_on_notify(nullptr); // the sanitizers read /proc/self/maps now, while they can
#endif
    // libseccomp sets no_new_privs (needed without CAP_SYS_ADMIN) and loads
    // the filter on this thread only (no TSYNC).
    check(seccomp_load(ctx.get()), "loading the seccomp filter");
    t_confined = true;
}

std::vector<std::string> confine_allow_list()
{
    std::vector<std::string> names;
    for (const Allowed& allowed : allow_list())
        names.push_back(allowed.only.empty() ? allowed.name : std::string(allowed.name) + " (" + allowed.only + ")");
    return names;
}

} // namespace hl
