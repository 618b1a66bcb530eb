// The Linux personality's dispatcher over real guest memory, with made-up
// system calls (linux_syscalls.cpp and the handlers it calls).
#include "linux_syscall_fixture.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <string>

using namespace hl;
using hl::test::SyscallFixture;
using Action = linux_abi::SyscallOutcome::Action;

namespace {

constexpr uint64_t kKill = 62, kTkill = 200, kTgkill = 234;
constexpr uint64_t kRead = 0, kWrite = 1, kClose = 3, kFstat = 5, kLseek = 8, kIoctl = 16, kReadv = 19, kWritev = 20,
                   kGetpid = 39, kFork = 57, kExit = 60, kUname = 63, kArchPrctl = 158, kFutex = 202,
                   kClockGettime = 228, kExitGroup = 231, kOpenat = 257, kGetrandom = 318;

} // namespace

TEST_CASE("linux syscall: write and writev reach the output, whole and traced")
{
    SyscallFixture f;
    f.put(f.heap, "hello, ");
    f.put(f.heap + 0x100, "world\n");
    const auto w = f.call(kWrite, {1, f.heap, 7});
    CHECK(w.result == 7);
    CHECK(describe_hypercall(w.record) == "write(fd=1, buf=0x" + [&] {
              char hex[32];
              std::snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(f.heap));
              return std::string(hex);
          }() + ", count=7) = 7");
    CHECK(w.record.system_call);
    CHECK(w.record.bytes == 7);
    const uint64_t iov[4] = {f.heap, 7, f.heap + 0x100, 6};
    f.put(f.heap + 0x200, iov, sizeof iov);
    CHECK(f.result(kWritev, {2, f.heap + 0x200, 2}) == 13);
    CHECK(f.out == "hello, ");
    CHECK(f.err == "hello, world\n");
}

TEST_CASE("linux syscall: bad descriptors and pointers get EBADF and EFAULT, never a host crash")
{
    SyscallFixture f;
    CHECK(f.result(kWrite, {0, f.heap, 1}) == -EBADF);
    CHECK(f.result(kWrite, {7, f.heap, 1}) == -EBADF);
    CHECK(f.result(kRead, {1, f.heap, 1}) == -EBADF);
    CHECK(f.result(kWrite, {1, 0, 1}) == -EFAULT);                       // null page
    CHECK(f.result(kWrite, {1, 0x100000, 1}) == 1);                      // text is readable
    CHECK(f.result(kRead, {0, 0x100000, 1}) == -EFAULT);                 // but not writable
    CHECK(f.result(kWritev, {1, f.heap, 1025}) == -EINVAL);              // more than IOV_MAX
    CHECK(f.result(kWritev, {1, 0, 1}) == -EFAULT);
    CHECK(f.result(kWritev, {1, 0, 0}) == 0);                            // no buffers: nothing to do
    CHECK(f.result(kReadv, {0, 0, 0}) == 0);
    CHECK(f.result(kFstat, {9, f.heap}) == -EBADF);
    CHECK(f.result(kLseek, {1, 0, 0}) == -ESPIPE);
    CHECK(f.result(kIoctl, {1, 0x5413 /* TIOCGWINSZ */, f.heap}) == -ENOTTY);
    CHECK(f.result(kClose, {1}) == 0);
    CHECK(f.result(kWrite, {1, f.heap, 1}) == -EBADF);                   // closed
    CHECK(f.result(kClose, {1}) == -EBADF);
}

TEST_CASE("linux syscall: TIOCGWINSZ answers only for a stream the host says is a terminal")
{
    constexpr uint64_t kTiocgwinsz = 0x5413, kTcgets = 0x5401;
    SyscallFixture f;
    f.process.fds[1].terminal = TerminalSize{50, 132};
    f.process.fds[2].terminal = TerminalSize{};
    f.put(f.heap, std::string(8, 'x'));
    CHECK(f.result(kIoctl, {1, kTiocgwinsz, f.heap}) == 0);
    uint16_t size[4];
    std::memcpy(size, f.get(f.heap, sizeof size).data(), sizeof size);
    CHECK((size[0] == 50 && size[1] == 132 && size[2] == 0 && size[3] == 0));
    CHECK(f.result(kIoctl, {2, 0xffffffff00000000 | kTiocgwinsz, f.heap}) == 0);   // the kernel reads 32 bits
    std::memcpy(size, f.get(f.heap, sizeof size).data(), sizeof size);
    CHECK((size[0] == 24 && size[1] == 80));
    // Nothing else of a terminal, nor of stdin, nor a bad pointer.
    CHECK(f.result(kIoctl, {1, kTcgets, f.heap}) == -ENOTTY);
    CHECK(f.result(kIoctl, {0, kTiocgwinsz, f.heap}) == -ENOTTY);
    CHECK(f.result(kIoctl, {1, kTiocgwinsz, 0}) == -EFAULT);
    CHECK(f.result(kIoctl, {1, kTiocgwinsz, 0x100000}) == -EFAULT);                 // text: read-only
    CHECK(f.result(kIoctl, {9, kTiocgwinsz, f.heap}) == -EBADF);
    // A closed descriptor is no terminal.
    CHECK(f.result(kClose, {1}) == 0);
    CHECK(f.result(kIoctl, {1, kTiocgwinsz, f.heap}) == -EBADF);
}

TEST_CASE("linux syscall: read and readv take the input, one read of it at a time")
{
    SyscallFixture f;
    f.input_text = "abcdefgh";
    CHECK(f.result(kRead, {0, f.heap, 3}) == 3);
    CHECK(f.get(f.heap, 3) == "abc");
    const uint64_t iov[4] = {f.heap + 0x100, 2, f.heap + 0x200, 10};
    f.put(f.heap + 0x300, iov, sizeof iov);
    CHECK(f.result(kReadv, {0, f.heap + 0x300, 2}) == 5);
    CHECK(f.get(f.heap + 0x100, 2) == "de");
    CHECK(f.get(f.heap + 0x200, 3) == "fgh");
    CHECK(f.result(kRead, {0, f.heap, 3}) == 0); // end of input
}

TEST_CASE("linux syscall: no input function reads as end of file")
{
    SyscallFixture f;
    f.input = nullptr;
    CHECK(f.result(kRead, {0, f.heap, 3}) == 0);
}

TEST_CASE("linux syscall: no path names a file")
{
    SyscallFixture f;
    f.put(f.heap, "/etc/passwd");
    CHECK(f.result(kOpenat, {static_cast<uint64_t>(-100), f.heap, 0, 0}) == -ENOENT);
    CHECK(f.result(kOpenat, {static_cast<uint64_t>(-100), 0, 0, 0}) == -EFAULT);
    CHECK(f.result(kOpenat, {5, f.heap, 0, 0}) == -ENOENT);           // an absolute path ignores dirfd
    f.put(f.heap + 0x100, "etc/passwd");
    CHECK(f.result(kOpenat, {5, f.heap + 0x100, 0, 0}) == -EBADF);
    const auto traced = f.call(kOpenat, {static_cast<uint64_t>(-100), f.heap, 0, 0});
    CHECK(describe_hypercall(traced.record).ends_with(") = -2 ENOENT"));
}

TEST_CASE("linux syscall: what is not served gets ENOSYS, or ends the run under strict")
{
    SyscallFixture f;
    const auto fork = f.call(kFork);
    CHECK(fork.action == Action::Resume);
    CHECK(fork.result == -ENOSYS);
    CHECK(describe_hypercall(fork.record) == "fork() = -38 ENOSYS");
    CHECK(f.result(100000) == -ENOSYS);
    CHECK(describe_hypercall(f.call(100000).record) == "unknown() = -38 ENOSYS");
    f.strict = true;
    const auto strict = f.call(kFork);
    CHECK(strict.action == Action::Fault);
    CHECK(strict.message == "unsupported system call fork (57)");
    CHECK(f.call(100000).message == "unknown system call 100000");
}

TEST_CASE("linux syscall: exit and exit_group end the run with the low byte of the status")
{
    SyscallFixture f;
    const auto e = f.call(kExitGroup, {0x1ff});
    CHECK(e.action == Action::Exit);
    CHECK(e.status == 0xff);
    CHECK(f.call(kExit, {3}).status == 3);
}

TEST_CASE("linux syscall: arch_prctl sets the thread pointer, canonical only")
{
    SyscallFixture f;
    const auto set = f.call(kArchPrctl, {0x1002, 0x123000});
    CHECK(set.result == 0);
    REQUIRE(set.thread_pointer);
    CHECK(*set.thread_pointer == 0x123000);
    CHECK(f.result(kArchPrctl, {0x1003, f.heap}) == 0);
    uint64_t got;
    std::memcpy(&got, f.memory.host_view().data() + f.heap, 8);
    CHECK(got == 0x123000);
    CHECK(f.result(kArchPrctl, {0x1002, 0x800000000000}) == -EPERM);
    CHECK(f.result(kArchPrctl, {0x9999, 0}) == -EINVAL);
}

TEST_CASE("linux syscall: clocks, randomness and identity come from the host")
{
    SyscallFixture f;
    timespec before{};
    clock_gettime(CLOCK_MONOTONIC, &before);
    CHECK(f.result(kClockGettime, {CLOCK_MONOTONIC, f.heap}) == 0);
    int64_t ts[2];
    std::memcpy(ts, f.memory.host_view().data() + f.heap, sizeof ts);
    CHECK(ts[0] >= before.tv_sec);
    CHECK(f.result(kClockGettime, {12345, f.heap}) == -EINVAL);
    CHECK(f.result(kClockGettime, {CLOCK_REALTIME, 0}) == -EFAULT);
    CHECK(f.result(kGetrandom, {f.heap, 64, 0}) == 64);
    CHECK(f.result(kGetrandom, {f.heap, 64, 0x80}) == -EINVAL);
    CHECK(f.result(kGetpid) == 1);
    CHECK(f.result(kUname, {f.heap}) == 0);
    CHECK(f.get(f.heap, 6) == std::string("Linux\0", 6));
}

TEST_CASE("linux syscall: a futex wait no thread can end is a fault, a timed one times out")
{
    SyscallFixture f;
    const uint32_t word = 5;
    f.put(f.heap, &word, sizeof word);
    CHECK(f.result(kFutex, {f.heap, 128 /* FUTEX_WAIT_PRIVATE */, 4}) == -EAGAIN);
    CHECK(f.result(kFutex, {f.heap, 128, 5, f.heap + 8}) == -ETIMEDOUT);
    CHECK(f.result(kFutex, {f.heap + 1, 128, 5}) == -EINVAL);
    CHECK(f.result(kFutex, {f.heap, 129 /* FUTEX_WAKE_PRIVATE */, 1}) == 0);
    const auto forever = f.call(kFutex, {f.heap, 128, 5});
    CHECK(forever.action == Action::Fault);
    CHECK(forever.message == "futex wait that no other thread can end: the guest would sleep forever");
}

TEST_CASE("linux syscall: a signal the guest sends itself takes its default action, and no handler runs")
{
    SyscallFixture f;
    const auto abort = f.call(kTkill, {1, 6});
    CHECK(abort.action == Action::Abort);
    CHECK(abort.message == "SIGABRT, which the guest sent itself (abort() or raise(); hl runs no signal handler)");
    CHECK(f.call(kKill, {1, 15}).message ==
          "SIGTERM, which the guest sent itself (abort() or raise(); hl runs no signal handler)");
    CHECK(f.call(kTgkill, {1, 1, 9}).action == Action::Abort);
    CHECK(f.result(kKill, {1, 0}) == 0);          // the process exists
    CHECK(f.result(kTgkill, {1, 1, 17}) == 0);    // SIGCHLD is ignored
    CHECK(f.result(kTkill, {1, 19}) == 0);        // and a stop nobody could end
    CHECK(f.result(kTkill, {2, 6}) == -ESRCH);    // no other process or thread
    CHECK(f.result(kTgkill, {1, 2, 6}) == -ESRCH);
    CHECK(f.result(kKill, {1, 65}) == -EINVAL);
}
