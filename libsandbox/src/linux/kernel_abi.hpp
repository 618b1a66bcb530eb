// What the Linux ABI numbers or lays out differently on the architectures hl
// runs: x86-64's own, and aarch64's, which is the kernel's asm-generic one
// (its open flags and struct stat). The personality's handlers ask
// guest_abi(); both are pure and unit-tested on every host.
#pragma once

#include <cstdint>
#include <vector>

namespace hl::linux_abi {

// A file's status as the guest's struct stat carries it, before an
// architecture lays it out.
struct FileStatus {
    uint64_t dev = 0, ino = 0, nlink = 0;
    uint32_t mode = 0, uid = 0, gid = 0;
    uint64_t rdev = 0;
    int64_t size = 0, blksize = 0, blocks = 0;
    int64_t atime = 0, atime_ns = 0, mtime = 0, mtime_ns = 0, ctime = 0, ctime_ns = 0;
};

struct KernelAbi {
    const char* machine;      // uname's machine, and AT_PLATFORM
    uint64_t o_directory;     // open's O_DIRECTORY and O_NOFOLLOW
    uint64_t o_nofollow;
    // struct stat, as stat, fstat and newfstatat fill it
    std::vector<uint8_t> (*stat_bytes)(const FileStatus& status);
};

const KernelAbi& x86_64_abi();
const KernelAbi& aarch64_abi();
// The ABI of the guests this build runs: its host's architecture's.
const KernelAbi& guest_abi();

} // namespace hl::linux_abi
