// The aarch64 system calls the personality serves (see syscall_table.hpp);
// numbers as in the kernel's include/uapi/asm-generic/unistd.h, which arm64
// uses. asm-generic has no open, stat, lstat, access or time (C libraries
// call openat, newfstatat, faccessat and clock_gettime), and no arch_prctl:
// the thread pointer is TPIDR_EL0, which EL0 code sets itself.
#include "linux/syscall_table.hpp"

namespace hl::linux_abi {
namespace {

constexpr auto hex = hex_args;

} // namespace

const std::map<uint64_t, ServedCall>& served_calls()
{
    static const std::map<uint64_t, ServedCall> calls = {
        {17, {sys_getcwd, 2, {"buf", "size"}, hex({0})}},
        {25, {sys_fcntl, 3, {"fd", "cmd", "arg"}, 0}},
        {29, {sys_ioctl, 3, {"fd", "request", "arg"}, hex({1, 2})}},
        {48, {sys_faccessat, 3, {"dirfd", "path", "mode"}, hex({1})}},
        {49, {sys_chdir, 1, {"path"}, hex({0})}},
        {50, {sys_fchdir, 1, {"fd"}, 0}},
        {56, {sys_openat, 4, {"dirfd", "path", "flags", "mode"}, hex({1, 2})}},
        {57, {sys_close, 1, {"fd"}, 0}},
        {61, {sys_getdents64, 3, {"fd", "dirp", "count"}, hex({1})}},
        {62, {sys_lseek, 3, {"fd", "offset", "whence"}, 0}},
        {63, {sys_read, 3, {"fd", "buf", "count"}, hex({1})}},
        {64, {sys_write, 3, {"fd", "buf", "count"}, hex({1})}},
        {65, {sys_readv, 3, {"fd", "iov", "iovcnt"}, hex({1})}},
        {66, {sys_writev, 3, {"fd", "iov", "iovcnt"}, hex({1})}},
        {67, {sys_pread64, 4, {"fd", "buf", "count", "offset"}, hex({1})}},
        {79, {sys_newfstatat, 4, {"dirfd", "path", "statbuf", "flags"}, hex({1, 2, 3})}},
        {80, {sys_fstat, 2, {"fd", "statbuf"}, hex({1})}},
        {93, {sys_exit, 1, {"status"}, 0}},
        {94, {sys_exit, 1, {"status"}, 0}},   // exit_group: one thread, the same
        {96, {sys_set_tid_address, 1, {"tidptr"}, hex({0})}},
        {98, {sys_futex, 6, {"uaddr", "op", "val", "timeout", "uaddr2", "val3"}, hex({0, 3, 4})}},
        {113, {sys_clock_gettime, 2, {"clockid", "tp"}, hex({1})}},
        {114, {sys_clock_getres, 2, {"clockid", "res"}, hex({1})}},
        {124, {sys_sched_yield, 0, {}, 0}},
        {129, {sys_kill, 2, {"pid", "sig"}, 0}},
        {130, {sys_tkill, 2, {"tid", "sig"}, 0}},
        {131, {sys_tgkill, 3, {"tgid", "tid", "sig"}, 0}},
        {134, {sys_rt_sigaction, 4, {"signum", "act", "oldact", "sigsetsize"}, hex({1, 2})}},
        {135, {sys_rt_sigprocmask, 4, {"how", "set", "oldset", "sigsetsize"}, hex({1, 2})}},
        {160, {sys_uname, 1, {"buf"}, hex({0})}},
        {169, {sys_gettimeofday, 2, {"tv", "tz"}, hex({0, 1})}},
        {172, {sys_getpid, 0, {}, 0}},
        {173, {sys_getppid, 0, {}, 0}},
        {174, {sys_getuid, 0, {}, 0}},
        {175, {sys_getuid, 0, {}, 0}},   // geteuid
        {176, {sys_getuid, 0, {}, 0}},   // getgid
        {177, {sys_getuid, 0, {}, 0}},   // getegid
        {178, {sys_getpid, 0, {}, 0}},   // gettid: the one thread is the process
        {214, {sys_brk, 1, {"addr"}, hex({0})}},
        {215, {sys_munmap, 2, {"addr", "length"}, hex({0})}},
        {216, {sys_mremap, 5, {"old_addr", "old_size", "new_size", "flags", "new_addr"}, hex({0, 3, 4})}},
        {222, {sys_mmap, 6, {"addr", "length", "prot", "flags", "fd", "offset"}, hex({0, 2, 3})}},
        {226, {sys_mprotect, 3, {"addr", "length", "prot"}, hex({0, 2})}},
        {233, {sys_madvise, 3, {"addr", "length", "advice"}, hex({0})}},
        {278, {sys_getrandom, 3, {"buf", "buflen", "flags"}, hex({0, 2})}},
        {439, {sys_faccessat, 4, {"dirfd", "path", "mode", "flags"}, hex({1, 3})}},   // faccessat2
    };
    return calls;
}

} // namespace hl::linux_abi
