// The system calls the Linux personality serves, one function each, grouped
// by concern (linux_io.cpp, linux_process_calls.cpp; memory calls wrap
// linux_memory.hpp). Each returns what the call returns (-errno on failure);
// the table that maps numbers to them is per architecture
// (syscall_table_x86_64.cpp, syscall_table_aarch64.cpp), and so are the
// numbers and layouts that differ (kernel_abi.hpp).
#pragma once

#include "linux/linux_syscalls.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <span>

namespace hl::linux_abi {

struct SyscallCall {
    SyscallEnv& env;
    SyscallOutcome& out;
    std::array<uint64_t, 6> a;
};

using SyscallHandler = int64_t (*)(SyscallCall& call);

// Copies bytes out to guest memory: 0, or -EFAULT when the guest may not write there.
inline int64_t put_guest_bytes(GuestMemory& memory, uint64_t address, std::span<const uint8_t> bytes)
{
    const auto view = memory.write_view(guest_addr(address), bytes.size());
    if (!view.ok())
        return -EFAULT;
    std::memcpy(view.bytes.data(), bytes.data(), bytes.size());
    return 0;
}

// Copies a value out to guest memory, as put_guest_bytes.
template <typename T>
int64_t put_guest(GuestMemory& memory, uint64_t address, const T& value)
{
    return put_guest_bytes(memory, address, std::span(reinterpret_cast<const uint8_t*>(&value), sizeof value));
}

// The guest's open descriptor `fd`, or nullptr (EBADF). linux_io.cpp
GuestFd* find_fd(SyscallEnv& env, uint64_t fd);

// linux_io.cpp
int64_t sys_read(SyscallCall& c);
int64_t sys_pread64(SyscallCall& c);
int64_t sys_write(SyscallCall& c);
int64_t sys_readv(SyscallCall& c);
int64_t sys_writev(SyscallCall& c);
int64_t sys_close(SyscallCall& c);
int64_t sys_lseek(SyscallCall& c);
int64_t sys_ioctl(SyscallCall& c);
int64_t sys_fcntl(SyscallCall& c);

// linux_files.cpp
int64_t sys_open(SyscallCall& c);
int64_t sys_openat(SyscallCall& c);
int64_t sys_stat(SyscallCall& c);
int64_t sys_lstat(SyscallCall& c);
int64_t sys_fstat(SyscallCall& c);
int64_t sys_newfstatat(SyscallCall& c);
int64_t sys_access(SyscallCall& c);
int64_t sys_faccessat(SyscallCall& c);
int64_t sys_getdents64(SyscallCall& c);
int64_t sys_getcwd(SyscallCall& c);
int64_t sys_chdir(SyscallCall& c);
int64_t sys_fchdir(SyscallCall& c);

// linux_process_calls.cpp
int64_t sys_exit(SyscallCall& c);
int64_t sys_arch_prctl(SyscallCall& c);
int64_t sys_set_tid_address(SyscallCall& c);
int64_t sys_clock_gettime(SyscallCall& c);
int64_t sys_clock_getres(SyscallCall& c);
int64_t sys_gettimeofday(SyscallCall& c);
int64_t sys_time(SyscallCall& c);
int64_t sys_getrandom(SyscallCall& c);
int64_t sys_uname(SyscallCall& c);
int64_t sys_getpid(SyscallCall& c);
int64_t sys_getppid(SyscallCall& c);
int64_t sys_getuid(SyscallCall& c);
int64_t sys_rt_sigaction(SyscallCall& c);
int64_t sys_rt_sigprocmask(SyscallCall& c);
int64_t sys_kill(SyscallCall& c);
int64_t sys_tkill(SyscallCall& c);
int64_t sys_tgkill(SyscallCall& c);
int64_t sys_sched_yield(SyscallCall& c);
int64_t sys_futex(SyscallCall& c);
int64_t sys_brk(SyscallCall& c);
int64_t sys_mmap(SyscallCall& c);
int64_t sys_munmap(SyscallCall& c);
int64_t sys_mremap(SyscallCall& c);
int64_t sys_mprotect(SyscallCall& c);
int64_t sys_madvise(SyscallCall& c);

} // namespace hl::linux_abi
