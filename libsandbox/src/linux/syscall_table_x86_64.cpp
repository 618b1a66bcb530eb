// The x86-64 system calls the personality serves (see syscall_table.hpp);
// numbers as in the kernel's arch/x86/entry/syscalls/syscall_64.tbl.
#include "linux/syscall_table.hpp"

namespace hl::linux_abi {
namespace {

constexpr auto hex = hex_args;

} // namespace

const std::map<uint64_t, ServedCall>& served_calls()
{
    static const std::map<uint64_t, ServedCall> calls = {
        {0, {sys_read, 3, {"fd", "buf", "count"}, hex({1})}},
        {1, {sys_write, 3, {"fd", "buf", "count"}, hex({1})}},
        {2, {sys_open, 3, {"path", "flags", "mode"}, hex({0, 1})}},
        {3, {sys_close, 1, {"fd"}, 0}},
        {4, {sys_stat, 2, {"path", "statbuf"}, hex({0, 1})}},
        {5, {sys_fstat, 2, {"fd", "statbuf"}, hex({1})}},
        {6, {sys_lstat, 2, {"path", "statbuf"}, hex({0, 1})}},
        {8, {sys_lseek, 3, {"fd", "offset", "whence"}, 0}},
        {9, {sys_mmap, 6, {"addr", "length", "prot", "flags", "fd", "offset"}, hex({0, 2, 3})}},
        {10, {sys_mprotect, 3, {"addr", "length", "prot"}, hex({0, 2})}},
        {11, {sys_munmap, 2, {"addr", "length"}, hex({0})}},
        {12, {sys_brk, 1, {"addr"}, hex({0})}},
        {13, {sys_rt_sigaction, 4, {"signum", "act", "oldact", "sigsetsize"}, hex({1, 2})}},
        {14, {sys_rt_sigprocmask, 4, {"how", "set", "oldset", "sigsetsize"}, hex({1, 2})}},
        {16, {sys_ioctl, 3, {"fd", "request", "arg"}, hex({1, 2})}},
        {17, {sys_pread64, 4, {"fd", "buf", "count", "offset"}, hex({1})}},
        {19, {sys_readv, 3, {"fd", "iov", "iovcnt"}, hex({1})}},
        {20, {sys_writev, 3, {"fd", "iov", "iovcnt"}, hex({1})}},
        {21, {sys_access, 2, {"path", "mode"}, hex({0})}},
        {24, {sys_sched_yield, 0, {}, 0}},
        {25, {sys_mremap, 5, {"old_addr", "old_size", "new_size", "flags", "new_addr"}, hex({0, 3, 4})}},
        {28, {sys_madvise, 3, {"addr", "length", "advice"}, hex({0})}},
        {39, {sys_getpid, 0, {}, 0}},
        {60, {sys_exit, 1, {"status"}, 0}},
        {62, {sys_kill, 2, {"pid", "sig"}, 0}},
        {63, {sys_uname, 1, {"buf"}, hex({0})}},
        {72, {sys_fcntl, 3, {"fd", "cmd", "arg"}, 0}},
        {79, {sys_getcwd, 2, {"buf", "size"}, hex({0})}},
        {80, {sys_chdir, 1, {"path"}, hex({0})}},
        {81, {sys_fchdir, 1, {"fd"}, 0}},
        {96, {sys_gettimeofday, 2, {"tv", "tz"}, hex({0, 1})}},
        {102, {sys_getuid, 0, {}, 0}},
        {104, {sys_getuid, 0, {}, 0}},   // getgid
        {107, {sys_getuid, 0, {}, 0}},   // geteuid
        {108, {sys_getuid, 0, {}, 0}},   // getegid
        {110, {sys_getppid, 0, {}, 0}},
        {158, {sys_arch_prctl, 2, {"code", "addr"}, hex({0, 1})}},
        {186, {sys_getpid, 0, {}, 0}},   // gettid: the one thread is the process
        {200, {sys_tkill, 2, {"tid", "sig"}, 0}},
        {201, {sys_time, 1, {"tloc"}, hex({0})}},
        {202, {sys_futex, 6, {"uaddr", "op", "val", "timeout", "uaddr2", "val3"}, hex({0, 3, 4})}},
        {217, {sys_getdents64, 3, {"fd", "dirp", "count"}, hex({1})}},
        {218, {sys_set_tid_address, 1, {"tidptr"}, hex({0})}},
        {228, {sys_clock_gettime, 2, {"clockid", "tp"}, hex({1})}},
        {229, {sys_clock_getres, 2, {"clockid", "res"}, hex({1})}},
        {231, {sys_exit, 1, {"status"}, 0}},   // exit_group: one thread, the same
        {234, {sys_tgkill, 3, {"tgid", "tid", "sig"}, 0}},
        {257, {sys_openat, 4, {"dirfd", "path", "flags", "mode"}, hex({1, 2})}},
        {262, {sys_newfstatat, 4, {"dirfd", "path", "statbuf", "flags"}, hex({1, 2, 3})}},
        {269, {sys_faccessat, 3, {"dirfd", "path", "mode"}, hex({1})}},
        {318, {sys_getrandom, 3, {"buf", "buflen", "flags"}, hex({0, 2})}},
        {439, {sys_faccessat, 4, {"dirfd", "path", "mode", "flags"}, hex({1, 3})}},   // faccessat2
    };
    return calls;
}

} // namespace hl::linux_abi
