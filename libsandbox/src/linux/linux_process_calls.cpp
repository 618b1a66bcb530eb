// The Linux personality's process, time, randomness, signal and memory calls.
// The guest is process 1 and its only thread, user and group 0; signals are
// accepted and never delivered to a handler: one the guest sends itself takes
// its default action at once (abort() ends the run as aborted).
#include "linux/kernel_abi.hpp"
#include "linux/syscall_handlers.hpp"

#include "linux/linux_memory.hpp"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <sys/random.h>
#include <sys/time.h>

namespace hl::linux_abi {
namespace {

constexpr uint64_t kArchSetFs = 0x1002;
constexpr uint64_t kArchGetFs = 0x1003;
constexpr uint64_t kSigsetSize = 8;
constexpr uint64_t kUnblockable = (uint64_t{1} << (9 - 1)) | (uint64_t{1} << (19 - 1)); // SIGKILL, SIGSTOP
constexpr uint64_t kRandomMax = HL_WRITE_MAX;

struct KernelTimespec {
    int64_t sec, nsec;
};

bool canonical(uint64_t address)
{
    const uint64_t top = address >> 47;
    return top == 0 || top == 0x1ffff;
}

// The clocks a guest may read, by Linux id: the host's own of the same id.
bool known_clock(uint64_t id)
{
    switch (id) {
    case CLOCK_REALTIME: case CLOCK_MONOTONIC: case CLOCK_PROCESS_CPUTIME_ID: case CLOCK_THREAD_CPUTIME_ID:
    case CLOCK_MONOTONIC_RAW: case CLOCK_REALTIME_COARSE: case CLOCK_MONOTONIC_COARSE: case CLOCK_BOOTTIME:
        return true;
    default:
        return false;
    }
}

clockid_t host_clock(uint64_t id)
{
    // The guest is one thread of the host's: its CPU time is the thread's.
    return id == CLOCK_PROCESS_CPUTIME_ID ? CLOCK_THREAD_CPUTIME_ID : static_cast<clockid_t>(id);
}

KernelTimespec now(clockid_t clock)
{
    timespec ts{};
    clock_gettime(clock, &ts);
    return {ts.tv_sec, ts.tv_nsec};
}

} // namespace

int64_t sys_exit(SyscallCall& c)
{
    c.out.action = SyscallOutcome::Action::Exit;
    c.out.status = static_cast<int>(c.a[0] & 0xff);
    return 0;
}

int64_t sys_arch_prctl(SyscallCall& c)
{
    switch (c.a[0]) {
    case kArchSetFs:
        if (!canonical(c.a[1]))
            return -EPERM;
        c.env.process.fs_base = c.a[1];
        c.out.thread_pointer = c.a[1];
        return 0;
    case kArchGetFs:
        return put_guest(c.env.memory, c.a[1], c.env.process.fs_base);
    default:
        return -EINVAL;
    }
}

int64_t sys_set_tid_address(SyscallCall& c)
{
    c.env.process.clear_child_tid = c.a[0];
    return 1;
}

int64_t sys_clock_gettime(SyscallCall& c)
{
    if (!known_clock(c.a[0]))
        return -EINVAL;
    return put_guest(c.env.memory, c.a[1], now(host_clock(c.a[0])));
}

int64_t sys_clock_getres(SyscallCall& c)
{
    if (!known_clock(c.a[0]))
        return -EINVAL;
    if (c.a[1] == 0)
        return 0;
    timespec ts{};
    clock_getres(host_clock(c.a[0]), &ts);
    return put_guest(c.env.memory, c.a[1], KernelTimespec{ts.tv_sec, ts.tv_nsec});
}

int64_t sys_gettimeofday(SyscallCall& c)
{
    if (c.a[0]) {
        const KernelTimespec ts = now(CLOCK_REALTIME);
        if (const int64_t error = put_guest(c.env.memory, c.a[0], KernelTimespec{ts.sec, ts.nsec / 1000}))
            return error;
    }
    if (c.a[1])
        return put_guest(c.env.memory, c.a[1], uint64_t{0}); // struct timezone: UTC, no DST
    return 0;
}

int64_t sys_time(SyscallCall& c)
{
    const int64_t seconds = now(CLOCK_REALTIME).sec;
    if (c.a[0])
        if (const int64_t error = put_guest(c.env.memory, c.a[0], seconds))
            return error;
    return seconds;
}

int64_t sys_getrandom(SyscallCall& c)
{
    if (c.a[2] & ~uint64_t{GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE})
        return -EINVAL;
    const auto view = c.env.memory.write_view(guest_addr(c.a[0]), std::min(c.a[1], kRandomMax));
    if (!view.ok())
        return -EFAULT;
    size_t done = 0;
    while (done < view.bytes.size()) {
        const ssize_t n = getrandom(view.bytes.data() + done, view.bytes.size() - done, 0);
        if (n < 0 && errno != EINTR)
            return -EIO;
        done += n > 0 ? static_cast<size_t>(n) : 0;
    }
    c.out.record.bytes = done;
    return static_cast<int64_t>(done);
}

int64_t sys_uname(SyscallCall& c)
{
    struct {
        char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
    } u{"Linux", "hl", "6.1.0-hl", "#1 hl", "", "(none)"};
    std::strncpy(u.machine, guest_abi().machine, sizeof u.machine - 1);
    return put_guest(c.env.memory, c.a[0], u);
}

int64_t sys_getpid(SyscallCall&) { return 1; }
int64_t sys_getppid(SyscallCall&) { return 0; }
int64_t sys_getuid(SyscallCall&) { return 0; }

int64_t sys_rt_sigaction(SyscallCall& c)
{
    const uint64_t signal = c.a[0];
    if (c.a[3] != kSigsetSize || signal < 1 || signal > 64 || ((signal == 9 || signal == 19) && c.a[1]))
        return -EINVAL;
    constexpr uint64_t kSigactionSize = 32; // handler, flags, restorer, mask
    if (c.a[1] && !c.env.memory.read_view(guest_addr(c.a[1]), kSigactionSize).ok())
        return -EFAULT;
    if (c.a[2]) {
        const auto old = c.env.memory.write_view(guest_addr(c.a[2]), kSigactionSize);
        if (!old.ok())
            return -EFAULT;
        std::memset(old.bytes.data(), 0, kSigactionSize); // SIG_DFL: nothing is ever delivered
    }
    return 0;
}

int64_t sys_rt_sigprocmask(SyscallCall& c)
{
    if (c.a[3] != kSigsetSize)
        return -EINVAL;
    uint64_t set = 0;
    if (c.a[1]) {
        if (c.a[0] > 2)
            return -EINVAL;
        const auto view = c.env.memory.read_view(guest_addr(c.a[1]), sizeof set);
        if (!view.ok())
            return -EFAULT;
        std::memcpy(&set, view.bytes.data(), sizeof set);
    }
    const uint64_t old = c.env.process.signal_mask;
    if (c.a[2])
        if (const int64_t error = put_guest(c.env.memory, c.a[2], old))
            return error;
    if (c.a[1]) {
        uint64_t& mask = c.env.process.signal_mask;
        mask = c.a[0] == 0 ? (mask | set) : c.a[0] == 1 ? (mask & ~set) : set; // SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK
        mask &= ~kUnblockable;
    }
    return 0;
}

namespace {

// What a signal's default action does to the one process there is.
bool ends_the_process(uint64_t signal)
{
    switch (signal) {
    case 17: // SIGCHLD
    case 18: // SIGCONT
    case 23: // SIGURG
    case 28: // SIGWINCH
        return false;   // ignored
    case 19: // SIGSTOP
    case 20: // SIGTSTP
    case 21: // SIGTTIN
    case 22: // SIGTTOU
        return false;   // a stop no other process could ever continue: ignored too
    default:
        return true;
    }
}

// kill, tkill, tgkill aimed at `target`: only the guest itself exists.
int64_t signal_self(SyscallCall& c, uint64_t target, uint64_t signal)
{
    if (signal > 64)
        return -EINVAL;
    if (target != 1)
        return -ESRCH;
    if (signal == 0 || !ends_the_process(signal))
        return 0;
    const char* name = sigabbrev_np(static_cast<int>(signal));
    c.out.action = SyscallOutcome::Action::Abort;
    c.out.signal = static_cast<int>(signal);
    c.out.message = (name ? "SIG" + std::string(name) : "signal " + std::to_string(signal)) +
                    ", which the guest sent itself (abort() or raise(); hl runs no signal handler)";
    return 0;
}

} // namespace

int64_t sys_kill(SyscallCall& c) { return signal_self(c, c.a[0], c.a[1]); }

int64_t sys_tkill(SyscallCall& c) { return signal_self(c, c.a[0], c.a[1]); }

int64_t sys_tgkill(SyscallCall& c)
{
    if (c.a[0] != c.a[1])
        return c.a[2] > 64 ? -EINVAL : -ESRCH;   // the one thread is the process
    return signal_self(c, c.a[1], c.a[2]);
}

int64_t sys_sched_yield(SyscallCall&) { return 0; }

int64_t sys_futex(SyscallCall& c)
{
    constexpr uint64_t kWait = 0, kWake = 1, kWaitBitset = 9, kWakeBitset = 10;
    const uint64_t op = c.a[1] & 127; // without FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME
    if (op == kWake || op == kWakeBitset)
        return 0; // no other thread waits
    if (op != kWait && op != kWaitBitset)
        return -ENOSYS;
    if (c.a[0] % 4)
        return -EINVAL;
    const auto word = c.env.memory.read_view(guest_addr(c.a[0]), 4);
    if (!word.ok())
        return -EFAULT;
    uint32_t value;
    std::memcpy(&value, word.bytes.data(), sizeof value);
    if (value != static_cast<uint32_t>(c.a[2]))
        return -EAGAIN;
    if (c.a[3])
        return -ETIMEDOUT; // no thread could wake it before its timeout: said at once
    c.out.action = SyscallOutcome::Action::Fault;
    c.out.message = "futex wait that no other thread can end: the guest would sleep forever";
    return 0;
}

int64_t sys_brk(SyscallCall& c) { return brk(c.env.process, c.env.memory, c.a[0]); }

int64_t sys_mmap(SyscallCall& c)
{
    return mmap(c.env.process, c.env.memory, c.a[0], c.a[1], c.a[2], c.a[3], static_cast<int64_t>(c.a[4]), c.a[5]);
}

int64_t sys_munmap(SyscallCall& c) { return munmap(c.env.process, c.a[0], c.a[1]); }

int64_t sys_mremap(SyscallCall& c)
{
    return mremap(c.env.process, c.env.memory, c.a[0], c.a[1], c.a[2], c.a[3], c.a[4]);
}

int64_t sys_mprotect(SyscallCall& c) { return mprotect(c.env.process, c.env.layout, c.a[0], c.a[1], c.a[2]); }

int64_t sys_madvise(SyscallCall& c) { return madvise(c.env.process, c.env.memory, c.a[0], c.a[1], c.a[2]); }

} // namespace hl::linux_abi
