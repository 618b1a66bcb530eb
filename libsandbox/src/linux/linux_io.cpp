// The Linux personality's descriptor calls. The guest has fds 0 (input), 1
// and 2 (output), until it closes them; no path names a file (every lookup
// gets ENOENT), so no other descriptor ever opens.
#include "linux/syscall_handlers.hpp"

#include <hl/abi.h>

#include <algorithm>
#include <cerrno>
#include <sys/stat.h>
#include <sys/uio.h>
#include <vector>

namespace hl::linux_abi {
namespace {

constexpr int64_t kAtFdcwd = -100;
constexpr uint64_t kAtEmptyPath = 0x1000;
constexpr uint64_t kPathMax = 4096;
constexpr uint64_t kIovMax = 1024;
// The most one read or write moves, as for the write hypercall; a longer one is short, as Linux allows.
constexpr uint64_t kIoMax = HL_WRITE_MAX;

// struct stat of the x86-64 kernel ABI.
struct KernelStat {
    uint64_t dev, ino, nlink;
    uint32_t mode, uid, gid, pad0;
    uint64_t rdev;
    int64_t size, blksize, blocks;
    int64_t atime, atime_ns, mtime, mtime_ns, ctime, ctime_ns;
    int64_t reserved[3];
};
static_assert(sizeof(KernelStat) == 144);

struct KernelIovec {
    uint64_t base, len;
};

bool open_std(const SyscallEnv& env, uint64_t fd)
{
    return fd < env.process.closed.size() && !env.process.closed[fd];
}

bool readable(const SyscallEnv& env, uint64_t fd) { return fd == 0 && open_std(env, fd); }
bool writable(const SyscallEnv& env, uint64_t fd) { return (fd == 1 || fd == 2) && open_std(env, fd); }

// Reads a NUL-terminated path the guest may read: its length, or -errno.
int64_t check_path(const GuestMemory& memory, uint64_t address)
{
    for (uint64_t length = 0; length < kPathMax; ++length) {
        const auto byte = memory.read_view(guest_addr(address + length), 1);
        if (!byte.ok() || address + length < address)
            return -EFAULT;
        if (byte.bytes[0] == 0)
            return static_cast<int64_t>(length);
    }
    return -ENAMETOOLONG;
}

int64_t lookup(const GuestMemory& memory, uint64_t path)
{
    const int64_t length = check_path(memory, path);
    if (length < 0)
        return length;
    return -ENOENT; // nothing of the host's file system is visible
}

int64_t output(SyscallCall& c, uint64_t fd, std::span<const uint8_t> bytes)
{
    if (bytes.empty())
        return 0;
    const int64_t written = c.env.output(static_cast<int>(fd), bytes);
    if (written == HL_EPIPE) {
        c.out.action = SyscallOutcome::Action::OutputClosed;
        c.out.message = std::string("the reader of ") + (fd == 1 ? "stdout" : "stderr") + " closed it";
    }
    if (written > 0)
        c.out.record.bytes = static_cast<uint64_t>(written);
    return written;
}

int64_t input(SyscallCall& c, std::span<uint8_t> buffer)
{
    if (buffer.empty() || !c.env.input)
        return 0;
    const int64_t got = c.env.input(buffer);
    if (got > static_cast<int64_t>(buffer.size()))
        return -EIO;
    if (got > 0)
        c.out.record.bytes = static_cast<uint64_t>(got);
    return got;
}

// The iovec array at address, or -errno.
int64_t read_iovecs(const GuestMemory& memory, uint64_t address, uint64_t count, std::vector<KernelIovec>& iov)
{
    if (count > kIovMax)
        return -EINVAL;
    iov.clear();
    if (count == 0)
        return 0; // nothing to read, and no array to copy into (found by fuzz_syscall)
    const auto view = memory.read_view(guest_addr(address), count * sizeof(KernelIovec));
    if (!view.ok())
        return -EFAULT;
    iov.resize(count);
    std::memcpy(iov.data(), view.bytes.data(), view.bytes.size());
    return 0;
}

int64_t stat_std(SyscallCall& c, uint64_t fd, uint64_t buffer)
{
    if (!open_std(c.env, fd))
        return -EBADF;
    KernelStat st{};
    st.mode = S_IFIFO | 0600;   // a pipe: neither a terminal nor a file to seek in
    st.nlink = 1;
    st.ino = fd + 1;
    st.blksize = 4096;
    return put_guest(c.env.memory, buffer, st);
}

} // namespace

int64_t sys_read(SyscallCall& c)
{
    if (!readable(c.env, c.a[0]))
        return -EBADF;
    const uint64_t length = std::min(c.a[2], kIoMax);
    const auto view = c.env.memory.write_view(guest_addr(c.a[1]), length);
    if (!view.ok())
        return -EFAULT;
    return input(c, view.bytes);
}

int64_t sys_write(SyscallCall& c)
{
    if (!writable(c.env, c.a[0]))
        return -EBADF;
    const auto view = c.env.memory.read_view(guest_addr(c.a[1]), std::min(c.a[2], kIoMax));
    if (!view.ok())
        return -EFAULT;
    return output(c, c.a[0], view.bytes);
}

int64_t sys_readv(SyscallCall& c)
{
    if (!readable(c.env, c.a[0]))
        return -EBADF;
    std::vector<KernelIovec> iov;
    if (const int64_t error = read_iovecs(c.env.memory, c.a[1], c.a[2], iov))
        return error;
    // One read of the input for all buffers: a second could block on input
    // that has not come yet while the first already holds some.
    uint64_t total = 0;
    for (const KernelIovec& v : iov) {
        if (!c.env.memory.write_view(guest_addr(v.base), std::min(v.len, kIoMax)).ok())
            return -EFAULT;
        total += std::min(v.len, kIoMax - total);
    }
    std::vector<uint8_t> bytes(total);
    const int64_t got = input(c, bytes);
    if (got <= 0)
        return got;
    uint64_t placed = 0;
    for (const KernelIovec& v : iov) {
        const uint64_t n = std::min(v.len, static_cast<uint64_t>(got) - placed);
        if (n == 0)
            break;
        std::memcpy(c.env.memory.write_view(guest_addr(v.base), n).bytes.data(), bytes.data() + placed, n);
        placed += n;
    }
    return got;
}

int64_t sys_writev(SyscallCall& c)
{
    if (!writable(c.env, c.a[0]))
        return -EBADF;
    std::vector<KernelIovec> iov;
    if (const int64_t error = read_iovecs(c.env.memory, c.a[1], c.a[2], iov))
        return error;
    // Gathered into one write, so that a line the guest wrote in pieces arrives whole.
    std::vector<uint8_t> bytes;
    for (const KernelIovec& v : iov) {
        const uint64_t n = std::min(v.len, kIoMax - bytes.size());
        const auto view = c.env.memory.read_view(guest_addr(v.base), n);
        if (!view.ok())
            return -EFAULT;
        bytes.insert(bytes.end(), view.bytes.begin(), view.bytes.end());
    }
    return output(c, c.a[0], bytes);
}

int64_t sys_close(SyscallCall& c)
{
    if (!open_std(c.env, c.a[0]))
        return -EBADF;
    c.env.process.closed[c.a[0]] = true;
    return 0;
}

int64_t sys_fstat(SyscallCall& c) { return stat_std(c, c.a[0], c.a[1]); }

int64_t sys_newfstatat(SyscallCall& c)
{
    const int64_t length = check_path(c.env.memory, c.a[1]);
    if (length < 0)
        return length;
    if (length == 0 && (c.a[3] & kAtEmptyPath))
        return stat_std(c, c.a[0], c.a[2]);
    if (static_cast<int64_t>(c.a[0]) != kAtFdcwd && !open_std(c.env, c.a[0]))
        return -EBADF;
    return -ENOENT;
}

int64_t sys_lseek(SyscallCall& c) { return open_std(c.env, c.a[0]) ? -ESPIPE : -EBADF; }

int64_t sys_ioctl(SyscallCall& c) { return open_std(c.env, c.a[0]) ? -ENOTTY : -EBADF; }

int64_t sys_open(SyscallCall& c) { return lookup(c.env.memory, c.a[0]); }

int64_t sys_openat(SyscallCall& c)
{
    if (static_cast<int64_t>(c.a[0]) != kAtFdcwd && !open_std(c.env, c.a[0]))
        return -EBADF;
    return lookup(c.env.memory, c.a[1]);
}

int64_t sys_stat(SyscallCall& c) { return lookup(c.env.memory, c.a[0]); }

int64_t sys_access(SyscallCall& c) { return lookup(c.env.memory, c.a[0]); }

int64_t sys_getdents64(SyscallCall& c) { return open_std(c.env, c.a[0]) ? -ENOTDIR : -EBADF; }

} // namespace hl::linux_abi
