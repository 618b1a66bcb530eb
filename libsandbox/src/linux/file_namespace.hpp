// The host directories a guest may read (SandboxOptions::directories): each
// opened once, when the sandbox is built; every file the guest opens is then
// opened beneath one of them with openat2(RESOLVE_BENEATH), so that neither
// `..` nor a symlink leads out, whatever the directory holds.
#pragma once

#include <hl/sandbox.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hl::linux_abi {

// A host descriptor, closed with the last of its owners (guest fds, and
// the snapshots that copied them).
class HostFd {
public:
    explicit HostFd(int fd) : fd_(fd) {}
    ~HostFd();
    HostFd(const HostFd&) = delete;
    HostFd& operator=(const HostFd&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

// One entry of a directory, as getdents64 gives it.
struct DirectoryEntry {
    uint64_t inode = 0;
    uint8_t type = 0;    // DT_*
    std::string name;
};
using DirectoryListing = std::vector<DirectoryEntry>;

class FileNamespace {
public:
    // Opens each host directory. Throws OptionError naming the mapping that
    // cannot be used: a host path that is not a directory, a guest path that
    // is not absolute and normal, the same guest path twice.
    static std::shared_ptr<const FileNamespace> open(const std::vector<MappedDirectory>& directories);

    // The guest paths of the mapped directories, in the order given.
    const std::vector<std::string>& mount_points() const { return mount_points_; }
    // Their host descriptors, which openat2 starts from (for the seccomp filter).
    std::vector<int> directory_fds() const;

    // Opens `rest` (relative, normal or ".") beneath mapped directory `mount`,
    // read-only, with extra `flags` among O_DIRECTORY and O_NOFOLLOW, and
    // O_PATH for a stat; the descriptor, or -errno as the guest should see
    // it (ENOENT for a path that would leave the directory).
    int64_t open_beneath(size_t mount, const std::string& rest, int flags) const;

private:
    std::vector<std::string> mount_points_;
    std::vector<std::shared_ptr<const HostFd>> directories_;
};

// The entries of the host directory open at fd, or -errno.
int64_t list_host_directory(int fd, DirectoryListing& entries);

} // namespace hl::linux_abi
