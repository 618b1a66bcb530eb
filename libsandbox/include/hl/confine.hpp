// hl::confine_this_thread: a seccomp filter (libseccomp) on the calling
// thread, which from then on may make only the system calls a Sandbox's run
// loop needs. Call it once the sandboxes this thread will run are built and
// before they run:
//   hl::Sandbox sandbox(hl::Image::load(path), options);   // files, memory, VM, vCPU, trace fds
//   hl::confine_this_thread();                             // irreversible, for this thread
//   sandbox.run(argv);   // or initialize(), call(), snapshot(), restore()
//
// Scope. The filter binds the calling thread and any thread or process it
// would create (it cannot: creating them is forbidden), never the others:
// each thread opts in, once; its filter cannot be lifted or changed. Threads
// share memory, so a thread left unconfined is still reachable from a
// compromised confined one: confine every thread that runs guests, and keep
// the rest few (hlrun runs its guest on its only thread, so the whole
// process is confined).
//
// Allowed, and nothing else (confine_allow_list() names them):
//   ioctl with the requests of the run loop, snapshots and restores (KVM_RUN,
//     vCPU register state, the dirty log and memory slot for snapshots,
//     KVM_CHECK_EXTENSION, KVM_SET_SIGNAL_MASK for the profiler), of
//     --trace=all's perf events (enable, disable),
//     and TCGETS (stdio asks whether a stream is a terminal); never the
//     requests that create VMs or vCPUs;
//   write, writev (guest output, trace files, messages); close; fstat
//     (stdio), newfstatat with AT_EMPTY_PATH only;
//   mmap and mprotect without PROT_EXEC, munmap, mremap, brk, madvise (malloc,
//     snapshots); futex, sched_yield (locks);
//   memfd_create with MFD_CLOEXEC | MFD_ALLOW_SEALING, ftruncate, pwrite64,
//     fcntl F_ADD_SEALS, lseek and pread64 (a snapshot writes its memory to a
//     sealed memfd, reading the process's page map opened beforehand);
//   clock_gettime, gettimeofday (when the vDSO falls back to the kernel);
//   timer_create, timer_settime, timer_delete (SandboxOptions::timeout);
//   rt_sigreturn, rt_sigprocmask, restart_syscall (the interrupt signal);
//   rt_sigtimedwait (the profiler's pending ticks);
//   gettid, getpid, and tgkill to this process with hl's interrupt signal or
//     SIGABRT only (InterruptHandle::cancel, abort);
//   exit, exit_group;
//   with ConfinePolicy::file_roots, openat2 whose directory is one of them
//     (libsandbox asks for RESOLVE_BENEATH; the filter cannot see that, as
//     it cannot read the call's struct) and getdents64;
//   and ConfinePolicy::extra_syscalls.
// Failed with EACCES, not forbidden: openat(AT_FDCWD, path, O_RDONLY |
//   O_CLOEXEC), the shape of glibc malloc's one look at
//   /proc/sys/vm/overcommit_memory when it first shrinks a thread's heap
//   (it does without), unless extra_syscalls allows openat.
// Forbidden, among all else: open/openat, read, socket and connect, execve,
// fork/clone/vfork, ptrace, kill, rt_sigaction, mount, prctl, seccomp,
// perf_event_open, process_vm_*. So, once confined, the thread
// can no longer build a Sandbox (Image::load opens a file; KVM_CREATE_VM),
// open --trace=all's perf events (KernelTrace::open_for_this_thread) or,
// in a host function, touch files, unless extra_syscalls allows it.
//
// A forbidden call (OnViolation::Report, the default) raises SIGSYS on the
// thread; libsandbox's handler (installed process-wide by this function, in
// place of any other SIGSYS handler) writes one line on fd 2,
//   PROGRAM: error: seccomp stopped system call NAME (NR) in the vCPU thread
// (for ioctl, "ioctl (16, request 0x...)", for `int $0x80` "NAME (NR, i386
// ABI)"), and ends the whole process at once (exit_group, like _exit) with
// exit_status: no destructor, atexit handler or stdio flush runs, as the
// thread that asked is not trusted any more. OnViolation::KillProcess has
// the kernel kill the process with SIGSYS at once, silently. A host function
// that aborts still aborts (SIGABRT), unless a SIGABRT handler of its
// program asks for a forbidden call.
//
// Under AddressSanitizer this calls __sanitizer_sandbox_on_notify first, and
// the filter also allows pipe2 and sigaltstack, which the sanitizer runtimes
// need (confine_allow_list says so). LeakSanitizer's exit-time check needs
// clone and ptrace: a program whose confined thread calls exit() loses it
// (hlrun runs the check just before it confines itself instead).
#pragma once

#include <hl/version.hpp>

#include <hl/error.hpp>

#include <string>
#include <vector>

namespace hl {

// The filter could not be built or loaded, or the policy names an unknown system call.
class ConfineError : public Error {
public:
    using Error::Error;
};

// Report: what else a violation writes, besides the line on stderr: `before`,
// the line's message ("seccomp stopped system call NAME (NR) in the vCPU
// thread": ASCII letters, digits, spaces, commas and parentheses, safe inside
// a JSON string), then `after`, to fd. For a file that must say how the
// process ended, such as hlrun's --report: its JSON object, completed.
struct ViolationRecord {
    int fd = -1;
    std::string before;
    std::string after;
};

struct ConfinePolicy {
    enum class OnViolation {
        Report,       // one line on stderr, then _exit(exit_status)
        KillProcess,  // SECCOMP_RET_KILL_PROCESS: killed by SIGSYS, no message
    };
    OnViolation on_violation = OnViolation::Report;
    // Report: the process's exit status; 159 is what a shell shows for a
    // process killed by SIGSYS (128 + 31). hlrun uses 123, its host error.
    int exit_status = 159;
    // Report: the line's first word; empty means program_invocation_short_name.
    std::string program = {};
    // More system calls to allow, by name as in syscalls(2) ("openat",
    // "getrandom"), for host functions that need them; allowed whatever
    // their arguments.
    std::vector<std::string> extra_syscalls = {};
    // Directories the guest's files are opened beneath
    // (Sandbox::mapped_directory_fds()): allows openat2 from these
    // descriptors only, and pread64 and getdents64 to read what it opened.
    std::vector<int> file_roots = {};
    // Connected sockets the thread talks on (GdbServer::connection_fd()):
    // allows recvfrom and sendto on these descriptors only.
    std::vector<int> socket_fds = {};
    // Report: at most four records to complete on a violation (above).
    std::vector<ViolationRecord> violation_records = {};
};

// Confines the calling thread (see above). Throws ConfineError (nothing was
// installed) when a name in policy.extra_syscalls is unknown, exit_status is
// not 1 to 255, the thread is confined already, or the kernel refuses the
// filter (no seccomp filter support).
void confine_this_thread(const ConfinePolicy& policy = {});

// Drops the calling thread's violation records: a violation from now on
// writes only its line. For a program that has written the file a record
// would have completed (hlrun's --report, once the run is over).
void clear_violation_records();

// Whether the calling thread is confined (confine_this_thread ran on it).
bool this_thread_confined();

// The system calls confine_this_thread allows (without extra_syscalls), by
// name, in a stable order; those allowed only with some arguments say so
// after a space, e.g. "tgkill (own process; the interrupt signal or SIGABRT)".
std::vector<std::string> confine_allow_list();

} // namespace hl
