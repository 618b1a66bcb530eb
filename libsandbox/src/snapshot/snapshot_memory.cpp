// Snapshot memory in a sealed memfd (see snapshot_memory.hpp).
#include "snapshot/snapshot_memory.hpp"

#include "pages.hpp"
#include "snapshot/file_io.hpp"

#include <hl/error.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/mman.h>
#include <sys/stat.h>
#include <mutex>
#include <new>
#include <pthread.h>
#include <unistd.h>

namespace hl {
namespace {

[[noreturn]] void fail(const std::string& what)
{
    throw Error("cannot take a snapshot: " + what + ": " + std::strerror(errno));
}

// The process's page map, opened once per process: -1 when the host has none
// to give, and then every page is looked at. A descriptor inherited across
// fork() still reads the parent's map, whose pages are not the child's, so a
// child opens its own: at its first sandbox, SnapshotMemory::prepare(),
// before its thread may be confined. The lock is made anew in a child, where
// a thread of the parent may have held it at the fork.
struct PageMap {
    std::mutex mutex;
    int fd = -1;
    pid_t owner = 0;
};

PageMap& page_map_state()
{
    static PageMap state;
    static const bool reset_in_children = [] {
        pthread_atfork(nullptr, nullptr, [] { new (&page_map_state().mutex) std::mutex(); });
        return true;
    }();
    (void)reset_in_children;
    return state;
}

int page_map()
{
    PageMap& map = page_map_state();
    std::lock_guard lock(map.mutex);
    if (const pid_t pid = ::getpid(); map.owner != pid) {
        if (map.fd >= 0)
            ::close(map.fd);
        map.fd = ::open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
        map.owner = pid;
    }
    return map.fd;
}

// Marks in `pages` (one flag per page of memory) the pages the process has,
// in memory or swapped out: the others were never written, and read as zeros.
void mark_present(std::span<const uint8_t> memory, std::vector<bool>& pages)
{
    const int fd = page_map();
    const uint64_t count = memory.size() / kPage;
    if (fd < 0) {
        pages.assign(count, true);
        return;
    }
    constexpr uint64_t kPresent = uint64_t{1} << 63, kSwapped = uint64_t{1} << 62;
    const uint64_t first = reinterpret_cast<uintptr_t>(memory.data()) / kPage;
    std::vector<uint64_t> entries(8192);
    for (uint64_t done = 0; done < count;) {
        const uint64_t want = std::min<uint64_t>(entries.size(), count - done);
        const ssize_t got = ::pread(fd, entries.data(), want * sizeof(uint64_t),
                                    static_cast<off_t>((first + done) * sizeof(uint64_t)));
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0 || got % sizeof(uint64_t) != 0) {
            // Unreadable here: look at every page that is left.
            for (uint64_t page = done; page < count; ++page)
                pages[page] = true;
            return;
        }
        const uint64_t n = static_cast<uint64_t>(got) / sizeof(uint64_t);
        for (uint64_t i = 0; i < n; ++i)
            if (entries[i] & (kPresent | kSwapped))
                pages[done + i] = true;
        done += n;
    }
}

} // namespace

void SnapshotMemory::prepare() { page_map(); }

SnapshotMemory::SnapshotMemory(int fd, uint64_t offset, uint64_t size) : fd_(fd), offset_(offset), size_(size)
{
    void* view = ::mmap(nullptr, size, PROT_READ, MAP_SHARED | MAP_NORESERVE, fd, static_cast<off_t>(offset));
    if (view == MAP_FAILED) {
        const int error = errno;
        ::close(fd);
        throw Error("cannot map a snapshot's memory: " + std::string(std::strerror(error)));
    }
    view_ = static_cast<const uint8_t*>(view);
}

SnapshotMemory::~SnapshotMemory()
{
    ::munmap(const_cast<uint8_t*>(view_), size_);
    ::close(fd_);
}

std::vector<bool> SnapshotMemory::pages_that_may_hold_data(std::span<const uint8_t> memory,
                                                           const SnapshotMemory* backing)
{
    const uint64_t count = memory.size() / kPage;
    std::vector<bool> candidates(count, false);
    mark_present(memory, candidates);
    if (backing)
        for (const auto& [first, last] : backing->data_pages())
            for (uint64_t page = first; page < last && page < count; ++page)
                candidates[page] = true;
    return candidates;
}

std::shared_ptr<const SnapshotMemory> SnapshotMemory::capture(std::span<const uint8_t> memory,
                                                              const SnapshotMemory* backing)
{
    const uint64_t count = memory.size() / kPage;
    const std::vector<bool> candidates = pages_that_may_hold_data(memory, backing);

    const int fd = ::memfd_create("hl-snapshot", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        fail("memfd_create");
    if (::ftruncate(fd, static_cast<off_t>(memory.size())) < 0) {
        const int error = errno;
        ::close(fd);
        errno = error;
        fail("sizing its memory");
    }
    try {
        // Runs of pages with data, one write each.
        uint64_t run = 0, length = 0;
        for (uint64_t page = 0; page <= count; ++page) {
            const bool data = page < count && candidates[page] && !page_is_zero(memory.data() + page * kPage);
            if (data) {
                if (length == 0)
                    run = page;
                ++length;
                continue;
            }
            if (length > 0 && !write_exactly(fd, memory.data() + run * kPage, length * kPage, run * kPage))
                fail("writing its memory");
            length = 0;
        }
        // Nobody changes it from here on; the sandboxes map it privately.
        if (::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
            fail("sealing its memory");
    } catch (...) {
        ::close(fd);
        throw;
    }
    return std::shared_ptr<const SnapshotMemory>(new SnapshotMemory(fd, 0, memory.size()));
}

std::shared_ptr<const SnapshotMemory> SnapshotMemory::map_file(int fd, uint64_t offset, uint64_t size)
{
    return std::shared_ptr<const SnapshotMemory>(new SnapshotMemory(fd, offset, size));
}

uint64_t SnapshotMemory::stored_bytes() const
{
    struct stat st {};
    if (::fstat(fd_, &st) < 0)
        return 0;
    return static_cast<uint64_t>(st.st_blocks) * 512;
}

std::vector<std::pair<uint64_t, uint64_t>> SnapshotMemory::data_pages() const
{
    std::vector<std::pair<uint64_t, uint64_t>> ranges;
    const off_t end = static_cast<off_t>(offset_ + size_);
    for (off_t at = static_cast<off_t>(offset_); at < end;) {
        const off_t data = ::lseek(fd_, at, SEEK_DATA);
        if (data < 0 || data >= end)
            break;
        off_t hole = ::lseek(fd_, data, SEEK_HOLE);
        if (hole < 0 || hole > end)
            hole = end;
        ranges.emplace_back((static_cast<uint64_t>(data) - offset_) / kPage,
                            (static_cast<uint64_t>(hole) - offset_ + kPage - 1) / kPage);
        at = hole;
    }
    return ranges;
}

} // namespace hl
