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
#include <span>
#include <vector>

namespace hl {

// Takes every entry KVM has published from `next` on: marks its page in
// `pages` (one bit per page of memory slot 0 in address space 0; entries of
// other slots, and pages past the bitmap, are not hl's) and hands the entry
// back (RESET) for KVM_RESET_DIRTY_RINGS to recycle. Returns how many it
// took. `ring` holds a power-of-two number of entries. Pure.
size_t harvest_dirty_ring(std::span<kvm_dirty_gfn> ring, uint32_t& next, std::vector<uint64_t>& pages);

class KvmDirtyRing {
public:
    // Turns the ring on for vm_fd, which must have no vCPU yet: the smallest
    // size KVM takes (it keeps some entries in reserve, more on CPUs with
    // Intel's page-modification log). Returns its size in bytes, or 0 where
    // KVM has no dirty ring: the VM then keeps the bitmap.
    static size_t enable(int vm_fd);

    // Maps the ring of vcpu_fd (enable()'s bytes) for a memory of `pages`
    // pages; throws KvmError.
    KvmDirtyRing(int vm_fd, int vcpu_fd, size_t bytes, uint64_t pages);
    ~KvmDirtyRing();
    KvmDirtyRing(const KvmDirtyRing&) = delete;
    KvmDirtyRing& operator=(const KvmDirtyRing&) = delete;

    // ORs into `pages` every page written since the last call, and gives the
    // ring's entries back to KVM; throws KvmError when KVM does not take them.
    void collect(std::vector<uint64_t>& pages);
    // At KVM_EXIT_DIRTY_RING_FULL: keeps the ring's pages for the next
    // collect() (in a bitmap: however often the guest rewrites the same
    // pages, it costs one bit each) and gives the entries back, so the vCPU
    // can run on. Throws KvmError when KVM does not take them back, or says
    // the ring is full while it holds nothing to take.
    void drain();

private:
    void give_back();
    int vm_fd_;
    kvm_dirty_gfn* entries_ = nullptr;
    size_t bytes_;
    uint32_t next_ = 0;            // the entry KVM fills next, once it has filled the others
    bool reset_pending_ = false;   // entries handed back that KVM has not recycled yet
    std::vector<uint64_t> kept_;   // pages harvested by drain(), one bit each
    bool kept_any_ = false;
};

} // namespace hl
