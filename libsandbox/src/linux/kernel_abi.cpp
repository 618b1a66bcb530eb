#include "linux/kernel_abi.hpp"

#include <cstring>

namespace hl::linux_abi {
namespace {

template <typename T>
std::vector<uint8_t> bytes_of(const T& value)
{
    std::vector<uint8_t> bytes(sizeof value);
    std::memcpy(bytes.data(), &value, sizeof value);
    return bytes;
}

// arch/x86/include/uapi/asm/stat.h
struct X86_64Stat {
    uint64_t dev, ino, nlink;
    uint32_t mode, uid, gid, pad0;
    uint64_t rdev;
    int64_t size, blksize, blocks;
    int64_t atime, atime_ns, mtime, mtime_ns, ctime, ctime_ns;
    int64_t reserved[3];
};
static_assert(sizeof(X86_64Stat) == 144);

// include/uapi/asm-generic/stat.h, which arm64 uses
struct GenericStat {
    uint64_t dev, ino;
    uint32_t mode, nlink, uid, gid;
    uint64_t rdev, pad1;
    int64_t size;
    int32_t blksize, pad2;
    int64_t blocks;
    int64_t atime, atime_ns, mtime, mtime_ns, ctime, ctime_ns;
    uint32_t unused[2];
};
static_assert(sizeof(GenericStat) == 128);

std::vector<uint8_t> x86_64_stat(const FileStatus& s)
{
    const X86_64Stat st{s.dev,      s.ino,   s.nlink,       s.mode,  s.uid,         s.gid,   0,          s.rdev,
                        s.size,     s.blksize, s.blocks,    s.atime, s.atime_ns,    s.mtime, s.mtime_ns, s.ctime,
                        s.ctime_ns, {}};
    return bytes_of(st);
}

std::vector<uint8_t> generic_stat(const FileStatus& s)
{
    const GenericStat st{s.dev,     s.ino,        s.mode,   static_cast<uint32_t>(s.nlink),
                         s.uid,     s.gid,        s.rdev,   0,
                         s.size,    static_cast<int32_t>(s.blksize), 0, s.blocks,
                         s.atime,   s.atime_ns,   s.mtime,  s.mtime_ns,
                         s.ctime,   s.ctime_ns,   {}};
    return bytes_of(st);
}

} // namespace

const KernelAbi& x86_64_abi()
{
    static const KernelAbi abi{"x86_64", 0200000, 0400000, x86_64_stat};
    return abi;
}

const KernelAbi& aarch64_abi()
{
    static const KernelAbi abi{"aarch64", 040000, 0100000, generic_stat};
    return abi;
}

const KernelAbi& guest_abi()
{
#if defined(__aarch64__)
    return aarch64_abi();
#else
    return x86_64_abi();
#endif
}

} // namespace hl::linux_abi
