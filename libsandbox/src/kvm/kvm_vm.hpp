// A KVM virtual machine: its fd and its guest memory slot.
#pragma once

#include <cstdint>
#include <vector>

namespace hl {

class KvmVm {
public:
    // KVM_CREATE_VM; throws KvmError.
    KvmVm();
    ~KvmVm();
    KvmVm(const KvmVm&) = delete;
    KvmVm& operator=(const KvmVm&) = delete;

    // Backs guest physical [0, size) with host memory at host_address.
    void map_memory(void* host_address, uint64_t size);
    // Turns on KVM's log of the pages the guest writes (for restores).
    void enable_dirty_log();
    // ORs into `pages` (one bit per page) the pages the guest wrote since the
    // last call, and clears KVM's log.
    void collect_dirty_pages(std::vector<uint64_t>& pages);
    int fd() const { return fd_; }

private:
    int fd_ = -1;
    void* host_address_ = nullptr;
    uint64_t size_ = 0;
    bool dirty_log_ = false;
    std::vector<uint64_t> log_;
};

} // namespace hl
