// Guest memory as a snapshot holds it: a file whose bytes at offset + A are
// guest memory at A, with the pages of zeros left as holes, so that only the
// pages that differ from zero take host memory. Sandboxes map it
// copy-on-write (GuestMemory::map_copy_on_write): every sandbox made from or
// restored to one snapshot shares one copy of each page none of them wrote.
// In memory the file is a sealed memfd; a snapshot file keeps the same bytes
// after its header.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace hl {

class SnapshotMemory {
public:
    // Copies `memory` (page-aligned, a whole number of pages) into a new memfd,
    // looking only at the pages that may differ from zero: those the process
    // has in memory or swapped out (/proc/self/pagemap), and those `backing`
    // (the snapshot memory is mapped copy-on-write from, if any) holds.
    // Throws hl::Error when the host refuses a step.
    static std::shared_ptr<const SnapshotMemory> capture(std::span<const uint8_t> memory,
                                                         const SnapshotMemory* backing);
    ~SnapshotMemory();
    SnapshotMemory(const SnapshotMemory&) = delete;
    SnapshotMemory& operator=(const SnapshotMemory&) = delete;

    int fd() const { return fd_; }
    uint64_t offset() const { return offset_; }   // of guest address 0 in the file
    uint64_t size() const { return size_; }
    // All of it, read-only: what a restore copies pages back from.
    std::span<const uint8_t> view() const { return {view_, static_cast<size_t>(size_)}; }
    // Host memory the stored pages take (the holes take none).
    uint64_t stored_bytes() const;

    // One flag per page of memory (page-aligned, a whole number of pages):
    // whether it may differ from zero, because the process has it in memory
    // or swapped out (/proc/self/pagemap) or backing holds data there. The
    // others read as zeros, and looking at them would only make the process
    // fault them in.
    static std::vector<bool> pages_that_may_hold_data(std::span<const uint8_t> memory, const SnapshotMemory* backing);

    // The page ranges [first, last) of the file that hold data; the rest are zeros.
    std::vector<std::pair<uint64_t, uint64_t>> data_pages() const;

    // The memory of a snapshot file: size bytes of fd from offset (a page
    // multiple). Takes fd. Throws hl::Error when it cannot be mapped.
    static std::shared_ptr<const SnapshotMemory> map_file(int fd, uint64_t offset, uint64_t size);

    // Opens the process's page map once, so that captures on a thread that
    // can no longer open files (hl::confine_this_thread) still work.
    static void prepare();

private:
    SnapshotMemory(int fd, uint64_t offset, uint64_t size);
    int fd_ = -1;
    uint64_t offset_ = 0;
    uint64_t size_ = 0;
    const uint8_t* view_ = nullptr;
};

} // namespace hl
