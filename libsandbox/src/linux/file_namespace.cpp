// Mapped host directories and opening beneath them (see file_namespace.hpp).
#include "linux/file_namespace.hpp"

#include "linux/guest_paths.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace hl::linux_abi {
namespace {

// The errors a guest may see as they are; any other host failure is EIO.
int64_t guest_errno(int error)
{
    switch (error) {
    case ENOENT:
    case ENOTDIR:
    case ELOOP:
    case EACCES:
    case EPERM:
    case ENAMETOOLONG:
    case EISDIR:
    case ENOMEM:
    case EMFILE:
    case ENFILE:
        return -error;
    case EXDEV:
        return -ENOENT;   // RESOLVE_BENEATH: the path leads out of the mapped directory
    default:
        return -EIO;
    }
}

} // namespace

HostFd::~HostFd()
{
    if (fd_ >= 0)
        close(fd_);
}

std::shared_ptr<const FileNamespace> FileNamespace::open(const std::vector<MappedDirectory>& directories)
{
    auto files = std::make_shared<FileNamespace>();
    for (const MappedDirectory& d : directories) {
        const std::string named = "mapped directory '" + d.host + "'";
        if (!is_normal_guest_path(d.guest))
            throw OptionError(named + ": guest path '" + d.guest +
                              "' is not absolute and normal (expected a path like /data, without . or ..)");
        if (std::find(files->mount_points_.begin(), files->mount_points_.end(), d.guest) != files->mount_points_.end())
            throw OptionError(named + ": guest path " + d.guest + " is mapped twice");
        const int fd = ::open(d.host.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            throw OptionError(named + ": " + (errno == ENOTDIR ? std::string("not a directory")
                                                               : std::string(std::strerror(errno))));
        files->directories_.push_back(std::make_shared<const HostFd>(fd));
        files->mount_points_.push_back(d.guest);
    }
    return files;
}

std::vector<int> FileNamespace::directory_fds() const
{
    std::vector<int> fds;
    for (const auto& d : directories_)
        fds.push_back(d->get());
    return fds;
}

int64_t FileNamespace::open_beneath(size_t mount, const std::string& rest, int flags) const
{
    open_how how{};
    // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused after).
    how.flags = static_cast<uint64_t>(O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
                                      (flags & (O_DIRECTORY | O_NOFOLLOW | O_PATH)));
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    if (flags & O_PATH)
        how.flags &= ~static_cast<uint64_t>(O_NOCTTY | O_NONBLOCK);   // O_PATH takes no others
    const long fd = syscall(SYS_openat2, directories_.at(mount)->get(), rest.c_str(), &how, sizeof how);
    return fd < 0 ? guest_errno(errno) : fd;
}

int64_t list_host_directory(int fd, DirectoryListing& entries)
{
    alignas(8) char buffer[8192];
    for (;;) {
        const long got = syscall(SYS_getdents64, fd, buffer, sizeof buffer);
        if (got < 0)
            return guest_errno(errno);
        if (got == 0)
            return 0;
        for (long at = 0; at < got;) {
            // struct linux_dirent64: inode, offset, record length, type, name.
            uint64_t inode;
            uint16_t length;
            std::memcpy(&inode, buffer + at, sizeof inode);
            std::memcpy(&length, buffer + at + 16, sizeof length);
            entries.push_back({inode, static_cast<uint8_t>(buffer[at + 18]), std::string(buffer + at + 19)});
            at += length;
        }
    }
}

} // namespace hl::linux_abi
