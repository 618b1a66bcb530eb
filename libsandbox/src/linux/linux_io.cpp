// The Linux personality's descriptor calls: reading, writing, seeking,
// closing and asking for the window size of what the guest has open
// (linux_process.hpp, GuestFd). fd 0 reads
// the sandbox's input, fds 1 and 2 write its output, and the files of mapped
// directories (opened by linux_files.cpp) read the host's file at the
// descriptor's own offset, with pread, so that a snapshot's copy of the
// offset is all there is to restore.
#include "linux/file_namespace.hpp"
#include "linux/kernel_abi.hpp"
#include "linux/syscall_handlers.hpp"

#include <hl/abi.h>

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace hl::linux_abi {
namespace {

constexpr uint64_t kIovMax = 1024;
// The most one read or write moves, as for the write hypercall; a longer one is short, as Linux allows.
constexpr uint64_t kIoMax = HL_WRITE_MAX;
// fcntl commands and lseek's whence, as both architectures number them.
constexpr uint64_t kFGetfd = 1, kFSetfd = 2, kFGetfl = 3, kFSetfl = 4;
constexpr uint64_t kFdCloexec = 1;
constexpr uint64_t kSeekSet = 0, kSeekCur = 1, kSeekEnd = 2;
constexpr int64_t kORdonly = 0, kOWronly = 1;
constexpr uint64_t kTiocgwinsz = 0x5413;

struct KernelIovec {
    uint64_t base, len;
};

struct KernelWinsize {
    uint16_t rows, columns, x_pixels, y_pixels;
};

int64_t output(SyscallCall& c, const GuestFd& fd, std::span<const uint8_t> bytes)
{
    if (bytes.empty())
        return 0;
    const int64_t written = c.env.output(fd.stream, bytes);
    if (written == HL_EPIPE) {
        c.out.action = SyscallOutcome::Action::OutputClosed;
        c.out.message = std::string("the reader of ") + (fd.stream == 1 ? "stdout" : "stderr") + " closed it";
    }
    if (written > 0)
        c.out.record.bytes = static_cast<uint64_t>(written);
    return written;
}

// Reads from the host file at `offset`: bytes read, or -errno.
int64_t read_file_at(SyscallCall& c, const GuestFd& fd, std::span<uint8_t> buffer, uint64_t offset)
{
    if (offset > static_cast<uint64_t>(INT64_MAX))
        return -EINVAL;
    const ssize_t got = pread(fd.host->get(), buffer.data(), buffer.size(), static_cast<off_t>(offset));
    if (got < 0)
        return errno == EINTR ? -EINTR : -EIO;
    if (got > 0)
        c.out.record.bytes = static_cast<uint64_t>(got);
    return got;
}

// read(2) of any descriptor into buffer (guest memory or a bounce buffer).
int64_t read_from(SyscallCall& c, GuestFd& fd, std::span<uint8_t> buffer)
{
    switch (fd.kind) {
    case GuestFd::Kind::Output:
        return -EBADF;
    case GuestFd::Kind::Directory:
        return -EISDIR;
    case GuestFd::Kind::File: {
        const int64_t got = buffer.empty() ? 0 : read_file_at(c, fd, buffer, fd.offset);
        if (got > 0)
            fd.offset += static_cast<uint64_t>(got);
        return got;
    }
    case GuestFd::Kind::Input:
        break;
    }
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

int64_t file_size(const GuestFd& fd)
{
    struct stat st {};
    if (fstat(fd.host->get(), &st) != 0)
        return -EIO;
    return st.st_size;
}

} // namespace

GuestFd* find_fd(SyscallEnv& env, uint64_t fd)
{
    if (fd > static_cast<uint64_t>(INT32_MAX))
        return nullptr;
    const auto found = env.process.fds.find(static_cast<int>(fd));
    return found == env.process.fds.end() ? nullptr : &found->second;
}

int64_t sys_read(SyscallCall& c)
{
    GuestFd* fd = find_fd(c.env, c.a[0]);
    if (!fd)
        return -EBADF;
    const uint64_t length = std::min(c.a[2], kIoMax);
    const auto view = c.env.memory.write_view(guest_addr(c.a[1]), length);
    if (!view.ok())
        return -EFAULT;
    return read_from(c, *fd, view.bytes);
}

int64_t sys_pread64(SyscallCall& c)
{
    GuestFd* fd = find_fd(c.env, c.a[0]);
    if (!fd || fd->kind == GuestFd::Kind::Output)
        return -EBADF;
    if (fd->kind == GuestFd::Kind::Directory)
        return -EISDIR;
    if (fd->kind == GuestFd::Kind::Input)
        return -ESPIPE;
    const auto view = c.env.memory.write_view(guest_addr(c.a[1]), std::min(c.a[2], kIoMax));
    if (!view.ok())
        return -EFAULT;
    return view.bytes.empty() ? 0 : read_file_at(c, *fd, view.bytes, c.a[3]);
}

int64_t sys_write(SyscallCall& c)
{
    const GuestFd* fd = find_fd(c.env, c.a[0]);
    if (!fd || fd->kind != GuestFd::Kind::Output)
        return -EBADF;
    const auto view = c.env.memory.read_view(guest_addr(c.a[1]), std::min(c.a[2], kIoMax));
    if (!view.ok())
        return -EFAULT;
    return output(c, *fd, view.bytes);
}

int64_t sys_readv(SyscallCall& c)
{
    GuestFd* fd = find_fd(c.env, c.a[0]);
    if (!fd)
        return -EBADF;
    std::vector<KernelIovec> iov;
    if (const int64_t error = read_iovecs(c.env.memory, c.a[1], c.a[2], iov))
        return error;
    // One read for all buffers: a second could block on input that has not
    // come yet while the first already holds some.
    uint64_t total = 0;
    for (const KernelIovec& v : iov) {
        if (!c.env.memory.write_view(guest_addr(v.base), std::min(v.len, kIoMax)).ok())
            return -EFAULT;
        total += std::min(v.len, kIoMax - total);
    }
    std::vector<uint8_t> bytes(total);
    const int64_t got = read_from(c, *fd, bytes);
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
    const GuestFd* fd = find_fd(c.env, c.a[0]);
    if (!fd || fd->kind != GuestFd::Kind::Output)
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
    return output(c, *fd, bytes);
}

int64_t sys_close(SyscallCall& c)
{
    if (!find_fd(c.env, c.a[0]))
        return -EBADF;
    c.env.process.fds.erase(static_cast<int>(c.a[0]));
    return 0;
}

int64_t sys_lseek(SyscallCall& c)
{
    GuestFd* fd = find_fd(c.env, c.a[0]);
    if (!fd)
        return -EBADF;
    if (fd->kind == GuestFd::Kind::Input || fd->kind == GuestFd::Kind::Output)
        return -ESPIPE;
    const auto offset = static_cast<int64_t>(c.a[1]);
    int64_t base = 0;
    switch (c.a[2]) {
    case kSeekSet:
        break;
    case kSeekCur:
        base = static_cast<int64_t>(fd->offset);
        break;
    case kSeekEnd:
        if (fd->kind == GuestFd::Kind::Directory)
            return -EINVAL;
        base = file_size(*fd);
        if (base < 0)
            return base;
        break;
    default:
        return -EINVAL;   // SEEK_DATA and SEEK_HOLE too: every file reads as data
    }
    if ((offset > 0 && base > INT64_MAX - offset) || base + offset < 0)
        return -EINVAL;
    fd->offset = static_cast<uint64_t>(base + offset);
    return base + offset;
}

int64_t sys_ioctl(SyscallCall& c)
{
    const GuestFd* fd = find_fd(c.env, c.a[0]);
    if (!fd)
        return -EBADF;
    // Only the window size of a stream the host said is a terminal: musl
    // line-buffers stdout when this answers and fully buffers it otherwise,
    // and isatty() asks the same. The kernel reads the request as 32 bits.
    if (fd->kind != GuestFd::Kind::Output || !fd->terminal || (c.a[1] & 0xffffffffu) != kTiocgwinsz)
        return -ENOTTY;
    const KernelWinsize size{fd->terminal->rows, fd->terminal->columns, 0, 0};
    return put_guest(c.env.memory, c.a[2], size);
}

int64_t sys_fcntl(SyscallCall& c)
{
    GuestFd* fd = find_fd(c.env, c.a[0]);
    if (!fd)
        return -EBADF;
    switch (c.a[1]) {
    case kFGetfd:
        return fd->close_on_exec ? kFdCloexec : 0;
    case kFSetfd:
        fd->close_on_exec = (c.a[2] & kFdCloexec) != 0;
        return 0;
    case kFGetfl:
        if (fd->kind == GuestFd::Kind::Output)
            return kOWronly;
        return fd->kind == GuestFd::Kind::Directory ? kORdonly | static_cast<int64_t>(guest_abi().o_directory) : kORdonly;
    case kFSetfl:
        return 0;   // O_APPEND, O_NONBLOCK and the like change nothing here
    default:
        return -EINVAL;   // no dup (F_DUPFD), no locks
    }
}

} // namespace hl::linux_abi
