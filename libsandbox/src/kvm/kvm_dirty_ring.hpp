// KVM's dirty ring (KVM_CAP_DIRTY_LOG_RING): the pages a vCPU writes, as a
// ring of page numbers it shares with the host, instead of a bitmap of all
// guest memory. Collecting them costs what was written, not the memory's
// size: KVM_GET_DIRTY_LOG walks and copies one bit per page, ~9 us more for
// a 1 GiB guest than for a 4 MiB one on these hosts; the ring costs the same
// for both.
#pragma once

#include <linux/kvm.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hl {

class KvmDirtyRing {
public:
    // Turns the ring on for vm_fd, which must have no vCPU yet: the smallest
    // size KVM takes (it keeps some entries in reserve, more on some CPUs).
    // Returns its size in bytes, or 0 where KVM has no dirty ring: the VM
    // then keeps the bitmap.
    static size_t enable(int vm_fd);

    // Maps the ring of vcpu_fd (enable()'s bytes); throws KvmError.
    KvmDirtyRing(int vm_fd, int vcpu_fd, size_t bytes);
    ~KvmDirtyRing();
    KvmDirtyRing(const KvmDirtyRing&) = delete;
    KvmDirtyRing& operator=(const KvmDirtyRing&) = delete;

    // ORs into `pages` (one bit per page of slot 0) every page written since
    // the last call, and gives the ring's entries back to KVM.
    void collect(std::vector<uint64_t>& pages);
    // At KVM_EXIT_DIRTY_RING_FULL: keeps the ring's pages for the next
    // collect() and gives its entries back, so the vCPU can run on.
    void drain();

private:
    void harvest();
    int vm_fd_;
    kvm_dirty_gfn* entries_ = nullptr;
    size_t bytes_;
    uint32_t count_;          // a power of two
    uint32_t next_ = 0;       // the entry KVM fills next, once it has filled the others
    std::vector<uint64_t> kept_;   // page numbers harvested by drain()
};

} // namespace hl
