// hl::GuestMemory: owns the host mapping that backs guest memory, and is the
// only way the host reads or writes guest data on the guest's behalf: every
// such access goes through a checked view (bounds, overflow, and the guest's
// own permission on every page touched).
#pragma once

#include <hl/version.hpp>

#include <hl/guest_addr.hpp>
#include <hl/layout.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace hl {

enum class GuestAccess { Read, Write };

// Either the host span for a guest range, or why the guest may not use it.
template <typename T>
struct Checked {
    std::span<T> bytes;
    std::string error;   // empty when ok
    bool ok() const { return error.empty(); }
};

class GuestMemory {
public:
    // Maps layout.memory_size() bytes of zeroed anonymous memory. The layout
    // must outlive this object. Throws hl::Error when the mapping fails.
    explicit GuestMemory(const Layout& layout);
    // The same, mapped copy-on-write from file fd at offset instead (see
    // map_copy_on_write).
    GuestMemory(const Layout& layout, int fd, uint64_t offset);
    ~GuestMemory();
    GuestMemory(const GuestMemory&) = delete;
    GuestMemory& operator=(const GuestMemory&) = delete;

    uint8_t* host_address() const { return base_; }
    uint64_t size() const { return size_; }

    // Unchecked: all of guest memory, for the host building the machine.
    std::span<uint8_t> host_view() { return {base_, size_}; }
    std::span<const uint8_t> host_view() const { return {base_, size_}; }

    // Checked: [address, address + length) must lie in memory without
    // overflow and every page must be mapped for the guest (user) with the
    // access asked for. Write implies the page is also readable. A length of
    // 0 is accepted at any address (it touches nothing) and gives an empty
    // span whose data() is the start of guest memory, never null.
    Checked<const uint8_t> read_view(GuestAddr address, uint64_t length) const;
    // Also records the pages as written by the host (see host_dirty()).
    Checked<uint8_t> write_view(GuestAddr address, uint64_t length);

    // Replaces all of guest memory, at the same host address, with the bytes
    // of file fd from offset, mapped copy-on-write: reads see the file, writes
    // (the guest's and the host's) go to private copies. A snapshot's memory
    // is mapped this way (libsandbox/src/snapshot/snapshot_memory.hpp). Throws
    // hl::Error when the host refuses; guest memory is then unchanged.
    void map_copy_on_write(int fd, uint64_t offset);

    // Pages the host wrote through write_view or mark_host_dirty since the
    // last clear: KVM's dirty log sees only the guest's own writes, and a
    // restore must undo both. One bit per page.
    const std::vector<uint64_t>& host_dirty() const { return host_dirty_; }
    // The same bits for a restore to OR the guest's writes into and clear
    // word by word as it puts the pages back: no copy of a bitmap that grows
    // with memory (32 KiB for 1 GiB) on a path that should cost what was written.
    std::vector<uint64_t>& host_dirty_for_restore() { return host_dirty_; }
    void mark_host_dirty(GuestAddr address, uint64_t length);
    void clear_host_dirty();

private:
    std::string check(GuestAddr address, uint64_t length, GuestAccess access) const;

    const Layout& layout_;
    uint8_t* base_ = nullptr;
    uint64_t size_ = 0;
    std::vector<uint64_t> host_dirty_;
};

} // namespace hl
