// The Linux personality's file namespace calls: opening, stat and listing
// by path. Paths resolve lexically (guest_paths.hpp) against the working
// directory or a directory descriptor; what falls inside a mapped directory
// is opened beneath it on the host, read-only (file_namespace.hpp); the
// directories above mapped ones exist and hold only those; everything else
// is ENOENT. Only regular files and directories open.
#include "linux/file_namespace.hpp"
#include "linux/guest_paths.hpp"
#include "linux/kernel_abi.hpp"
#include "linux/syscall_handlers.hpp"

#include <cerrno>
#include <fcntl.h>
#include <functional>
#include <sys/stat.h>
#include <unistd.h>

namespace hl::linux_abi {
namespace {

// The numbers for what the guest passes that both architectures share;
// O_DIRECTORY and O_NOFOLLOW are guest_abi()'s.
constexpr int64_t kAtFdcwd = -100;
constexpr uint64_t kAtSymlinkNofollow = 0x100, kAtEmptyPath = 0x1000;
constexpr uint64_t kOAccmode = 03, kOCreat = 0100, kOExcl = 0200, kOTrunc = 01000, kOCloexec = 02000000,
                   kOTmpfile = 020000000;
constexpr uint64_t kWOk = 2, kXOk = 1;
constexpr uint8_t kDtDir = 4;
constexpr uint64_t kPathMax = 4096;


// Reads the NUL-terminated path the guest passed, or -errno.
int64_t read_path(const GuestMemory& memory, uint64_t address, std::string& path)
{
    path.clear();
    for (uint64_t length = 0; length < kPathMax; ++length) {
        const auto byte = memory.read_view(guest_addr(address + length), 1);
        if (!byte.ok() || address + length < address)
            return -EFAULT;
        if (byte.bytes[0] == 0)
            return path.empty() ? -ENOENT : 0;
        path += static_cast<char>(byte.bytes[0]);
    }
    return -ENAMETOOLONG;
}

// Where a path the guest named lies.
struct Resolved {
    std::string path;          // normal, absolute
    PathPlace place;
    bool must_be_directory = false;   // it ended in '/'
};

// Resolves `path` against dirfd (or the working directory): 0 or -errno.
int64_t resolve_text(SyscallCall& c, int64_t dirfd, const std::string& path, Resolved& out)
{
    std::string base = c.env.process.cwd;
    if (!path.starts_with('/') && dirfd != kAtFdcwd) {
        const GuestFd* fd = find_fd(c.env, static_cast<uint64_t>(dirfd));
        if (!fd)
            return -EBADF;
        if (fd->kind != GuestFd::Kind::Directory)
            return -ENOTDIR;
        base = fd->path;
    }
    out.path = normal_guest_path(base, path);
    out.must_be_directory = path.ends_with('/');
    if (c.env.process.files)
        out.place = place_guest_path(c.env.process.files->mount_points(), out.path);
    c.out.record.path = out.path;
    return 0;
}

// Resolves the path the guest passed at `address`: 0 or -errno.
int64_t resolve(SyscallCall& c, int64_t dirfd, uint64_t address, Resolved& out)
{
    std::string path;
    if (const int64_t error = read_path(c.env.memory, address, path))
        return error;
    return resolve_text(c, dirfd, path, out);
}

// A directory above mapped ones: read-only, the same for every guest.
FileStatus ancestor_stat(const std::string& path)
{
    FileStatus st{};
    st.mode = S_IFDIR | 0555;
    st.nlink = 2;
    st.ino = std::hash<std::string>{}(path) | 1;
    st.blksize = 4096;
    return st;
}

FileStatus guest_stat(const struct stat& host)
{
    FileStatus st{};
    st.dev = host.st_dev;
    st.ino = host.st_ino;
    st.nlink = host.st_nlink;
    st.mode = host.st_mode;   // uid and gid stay 0: the guest's own, as getuid says
    st.size = host.st_size;
    st.blksize = host.st_blksize;
    st.blocks = host.st_blocks;
    st.atime = host.st_atim.tv_sec;
    st.atime_ns = host.st_atim.tv_nsec;
    st.mtime = host.st_mtim.tv_sec;
    st.mtime_ns = host.st_mtim.tv_nsec;
    st.ctime = host.st_ctim.tv_sec;
    st.ctime_ns = host.st_ctim.tv_nsec;
    return st;
}

int64_t stat_host_fd(int fd, FileStatus& st)
{
    struct stat host {};
    if (fstat(fd, &host) != 0)
        return -EIO;
    st = guest_stat(host);
    return 0;
}

// stat of a resolved path: 0 or -errno.
int64_t stat_resolved(SyscallCall& c, const Resolved& r, bool follow, FileStatus& st)
{
    switch (r.place.kind) {
    case PathPlace::Kind::Outside:
        return -ENOENT;
    case PathPlace::Kind::Ancestor:
        st = ancestor_stat(r.path);
        return 0;
    case PathPlace::Kind::Mapped:
        break;
    }
    const int flags = O_PATH | (follow ? 0 : O_NOFOLLOW) | (r.must_be_directory ? O_DIRECTORY : 0);
    const int64_t fd = c.env.process.files->open_beneath(r.place.mount, r.place.rest, flags);
    if (fd < 0)
        return fd;
    const HostFd opened(static_cast<int>(fd));
    return stat_host_fd(opened.get(), st);
}

int64_t stat_fd(const GuestFd& fd, FileStatus& st)
{
    if (fd.host)
        return stat_host_fd(fd.host->get(), st);
    if (fd.kind == GuestFd::Kind::Directory) {
        st = ancestor_stat(fd.path);
        return 0;
    }
    st = FileStatus{};
    st.mode = S_IFIFO | 0600;   // stdin, stdout, stderr: pipes, neither terminals nor files to seek in
    st.nlink = 1;
    st.blksize = 4096;
    return 0;
}

int64_t put_stat(SyscallCall& c, int64_t error, const FileStatus& st, uint64_t buffer)
{
    if (error)
        return error;
    return put_guest_bytes(c.env.memory, buffer, guest_abi().stat_bytes(st));
}

int64_t stat_at(SyscallCall& c, int64_t dirfd, uint64_t path, uint64_t buffer, bool follow)
{
    Resolved r;
    if (const int64_t error = resolve(c, dirfd, path, r))
        return error;
    FileStatus st{};
    return put_stat(c, stat_resolved(c, r, follow, st), st, buffer);
}

int64_t access_at(SyscallCall& c, int64_t dirfd, uint64_t path, uint64_t mode)
{
    Resolved r;
    if (const int64_t error = resolve(c, dirfd, path, r))
        return error;
    FileStatus st{};
    if (const int64_t error = stat_resolved(c, r, true, st))
        return error;
    if (mode & kWOk)
        return -EROFS;
    if ((mode & kXOk) && !S_ISDIR(st.mode) && !(st.mode & 0111))
        return -EACCES;
    return 0;
}

// Opens what `r` names as a new descriptor: its number, or -errno.
int64_t open_resolved(SyscallCall& c, const Resolved& r, uint64_t flags)
{
    const bool writes = (flags & kOAccmode) != 0 || (flags & kOTrunc) || (flags & kOTmpfile) == kOTmpfile;
    const bool want_directory = (flags & guest_abi().o_directory) || r.must_be_directory;
    GuestFd opened;
    opened.kind = GuestFd::Kind::Directory;
    opened.path = r.path;
    opened.close_on_exec = (flags & kOCloexec) != 0;
    const int number = c.env.process.lowest_free_fd();
    if (number < 0)
        return -EMFILE;
    if (r.place.kind == PathPlace::Kind::Outside)
        return -ENOENT;
    if (r.place.kind == PathPlace::Kind::Ancestor) {
        if (flags & kOCreat && flags & kOExcl)
            return -EEXIST;
        if (writes || (flags & kOCreat))
            return -EISDIR;
        auto entries = std::make_shared<std::vector<DirectoryEntry>>();
        entries->push_back({ancestor_stat(r.path).ino, kDtDir, "."});
        entries->push_back({ancestor_stat(r.path).ino, kDtDir, ".."});
        for (const std::string& child : r.place.children)
            entries->push_back({ancestor_stat(r.path + "/" + child).ino, kDtDir, child});
        opened.entries = std::move(entries);
        c.env.process.fds[number] = std::move(opened);
        return number;
    }
    const FileNamespace& files = *c.env.process.files;
    if (flags & kOCreat) {
        const int64_t existing = files.open_beneath(r.place.mount, r.place.rest, O_PATH);
        if (existing == -ENOENT)
            return -EROFS;   // it would be created
        if (existing >= 0)
            close(static_cast<int>(existing));
        if (existing >= 0 && (flags & kOExcl))
            return -EEXIST;
    }
    const int host_flags = (want_directory ? O_DIRECTORY : 0) | ((flags & guest_abi().o_nofollow) ? O_NOFOLLOW : 0);
    const int64_t fd = files.open_beneath(r.place.mount, r.place.rest, host_flags);
    if (fd < 0)
        return fd;
    auto host = std::make_shared<const HostFd>(static_cast<int>(fd));
    struct stat st {};
    if (fstat(host->get(), &st) != 0)
        return -EIO;
    if (S_ISDIR(st.st_mode)) {
        if (writes)
            return -EISDIR;
        auto entries = std::make_shared<std::vector<DirectoryEntry>>();
        if (const int64_t error = list_host_directory(host->get(), *entries))
            return error;
        opened.entries = std::move(entries);
    } else if (S_ISREG(st.st_mode)) {
        if (writes)
            return -EROFS;
        opened.kind = GuestFd::Kind::File;
    } else {
        return -EACCES;   // a FIFO, socket or device: reading it could block or never end
    }
    opened.host = std::move(host);
    c.env.process.fds[number] = std::move(opened);
    return number;
}

int64_t open_at(SyscallCall& c, int64_t dirfd, uint64_t path, uint64_t flags)
{
    Resolved r;
    if (const int64_t error = resolve(c, dirfd, path, r))
        return error;
    return open_resolved(c, r, flags);
}

} // namespace

int64_t sys_open(SyscallCall& c) { return open_at(c, kAtFdcwd, c.a[0], c.a[1]); }

int64_t sys_openat(SyscallCall& c) { return open_at(c, static_cast<int64_t>(c.a[0]), c.a[1], c.a[2]); }

int64_t sys_stat(SyscallCall& c) { return stat_at(c, kAtFdcwd, c.a[0], c.a[1], true); }

int64_t sys_lstat(SyscallCall& c) { return stat_at(c, kAtFdcwd, c.a[0], c.a[1], false); }

int64_t sys_fstat(SyscallCall& c)
{
    const GuestFd* fd = find_fd(c.env, c.a[0]);
    if (!fd)
        return -EBADF;
    FileStatus st{};
    return put_stat(c, stat_fd(*fd, st), st, c.a[1]);
}

int64_t sys_newfstatat(SyscallCall& c)
{
    const auto dirfd = static_cast<int64_t>(c.a[0]);
    const auto first = c.env.memory.read_view(guest_addr(c.a[1]), 1);
    if ((c.a[3] & kAtEmptyPath) && first.ok() && first.bytes[0] == 0) {
        FileStatus st{};
        if (dirfd == kAtFdcwd) {
            Resolved r;
            resolve_text(c, kAtFdcwd, ".", r);
            return put_stat(c, stat_resolved(c, r, true, st), st, c.a[2]);
        }
        const GuestFd* fd = find_fd(c.env, c.a[0]);
        if (!fd)
            return -EBADF;
        return put_stat(c, stat_fd(*fd, st), st, c.a[2]);
    }
    return stat_at(c, dirfd, c.a[1], c.a[2], !(c.a[3] & kAtSymlinkNofollow));
}

int64_t sys_access(SyscallCall& c) { return access_at(c, kAtFdcwd, c.a[0], c.a[1]); }

int64_t sys_faccessat(SyscallCall& c) { return access_at(c, static_cast<int64_t>(c.a[0]), c.a[1], c.a[2]); }

int64_t sys_getdents64(SyscallCall& c)
{
    GuestFd* fd = find_fd(c.env, c.a[0]);
    if (!fd)
        return -EBADF;
    if (fd->kind != GuestFd::Kind::Directory)
        return -ENOTDIR;
    uint64_t written = 0;
    for (; fd->offset < fd->entries->size(); ++fd->offset) {
        const DirectoryEntry& e = (*fd->entries)[fd->offset];
        // struct linux_dirent64: inode, next offset, record length, type, name and NUL, 8-aligned.
        const uint64_t length = (19 + e.name.size() + 1 + 7) & ~uint64_t{7};
        if (written + length > c.a[2])
            break;
        const auto view = c.env.memory.write_view(guest_addr(c.a[1] + written), length);
        if (!view.ok())
            return -EFAULT;
        uint8_t* record = view.bytes.data();
        std::memset(record, 0, length);
        const uint64_t next = fd->offset + 1;
        const auto record_length = static_cast<uint16_t>(length);
        std::memcpy(record, &e.inode, 8);
        std::memcpy(record + 8, &next, 8);
        std::memcpy(record + 16, &record_length, 2);
        record[18] = e.type;
        std::memcpy(record + 19, e.name.data(), e.name.size());
        written += length;
    }
    if (written == 0 && fd->offset < fd->entries->size())
        return -EINVAL;   // the buffer cannot hold the next entry
    c.out.record.bytes = written;
    return static_cast<int64_t>(written);
}

int64_t sys_getcwd(SyscallCall& c)
{
    const std::string& cwd = c.env.process.cwd;
    if (c.a[1] < cwd.size() + 1)
        return -ERANGE;
    const auto view = c.env.memory.write_view(guest_addr(c.a[0]), cwd.size() + 1);
    if (!view.ok())
        return -EFAULT;
    std::memcpy(view.bytes.data(), cwd.c_str(), cwd.size() + 1);
    return static_cast<int64_t>(cwd.size() + 1);
}

int64_t sys_chdir(SyscallCall& c)
{
    Resolved r;
    if (const int64_t error = resolve(c, kAtFdcwd, c.a[0], r))
        return error;
    FileStatus st{};
    if (const int64_t error = stat_resolved(c, r, true, st))
        return error;
    if (!S_ISDIR(st.mode))
        return -ENOTDIR;
    c.env.process.cwd = r.path;
    return 0;
}

int64_t sys_fchdir(SyscallCall& c)
{
    const GuestFd* fd = find_fd(c.env, c.a[0]);
    if (!fd)
        return -EBADF;
    if (fd->kind != GuestFd::Kind::Directory)
        return -ENOTDIR;
    c.env.process.cwd = fd->path;
    return 0;
}

} // namespace hl::linux_abi
