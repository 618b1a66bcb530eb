// The Linux personality's memory calls: brk, mmap, munmap, mremap, mprotect
// and madvise, over the process's arena (linux_process.hpp). Each returns
// what the system call returns: an address or 0, or -errno. Memory handed
// to the guest is zeroed, and every page the host writes is marked in
// GuestMemory so that a restore undoes it.
#pragma once

#include "linux/linux_process.hpp"

#include <hl/guest_memory.hpp>

#include <cstdint>

namespace hl::linux_abi {

int64_t brk(LinuxProcess& process, GuestMemory& memory, uint64_t address);
int64_t mmap(LinuxProcess& process, GuestMemory& memory, uint64_t address, uint64_t length, uint64_t prot,
             uint64_t flags, int64_t fd, uint64_t offset);
int64_t munmap(LinuxProcess& process, uint64_t address, uint64_t length);
int64_t mremap(LinuxProcess& process, GuestMemory& memory, uint64_t old_address, uint64_t old_length,
               uint64_t new_length, uint64_t flags, uint64_t new_address);
int64_t mprotect(const LinuxProcess& process, const Layout& layout, uint64_t address, uint64_t length,
                 uint64_t prot);
int64_t madvise(LinuxProcess& process, GuestMemory& memory, uint64_t address, uint64_t length, uint64_t advice);

} // namespace hl::linux_abi
