// KVM's dirty ring (see kvm_dirty_ring.hpp; the protocol is the kernel's
// Documentation/virt/kvm/api.rst, KVM_CAP_DIRTY_LOG_RING).
#include "kvm/kvm_dirty_ring.hpp"

#include "kvm/kvm_system.hpp"

#include <hl/error.hpp>

#include <cerrno>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

// Where a vCPU's ring starts in its mmap area, in pages (<asm/kvm.h> on x86).
#ifndef KVM_DIRTY_LOG_PAGE_OFFSET
#error "this architecture's <asm/kvm.h> does not say where KVM maps the dirty ring"
#endif

namespace hl {

size_t harvest_dirty_ring(std::span<kvm_dirty_gfn> ring, uint32_t& next, std::vector<uint64_t>& pages)
{
    // KVM publishes an entry by setting DIRTY last (release); the host takes
    // it, then hands it back with RESET. At most one lap: an entry KVM has
    // not published since stops the walk.
    size_t taken = 0;
    for (; taken < ring.size(); ++next, ++taken) {
        kvm_dirty_gfn& entry = ring[next & (ring.size() - 1)];
        if ((__atomic_load_n(&entry.flags, __ATOMIC_ACQUIRE) & KVM_DIRTY_GFN_F_DIRTY) == 0)
            break;
        // slot is (address space << 16) | slot id: hl has slot 0 of space 0.
        if (entry.slot == 0 && entry.offset / 64 < pages.size())
            pages[entry.offset / 64] |= uint64_t{1} << (entry.offset % 64);
        __atomic_store_n(&entry.flags, KVM_DIRTY_GFN_F_RESET, __ATOMIC_RELEASE);
    }
    return taken;
}

size_t KvmDirtyRing::enable(int vm_fd)
{
    const int most = ioctl(KvmSystem::get().fd(), KVM_CHECK_EXTENSION, KVM_CAP_DIRTY_LOG_RING);
    // 8 KiB, 512 entries, where KVM keeps 64 in reserve: a call that writes
    // more than ~450 pages stops once per ~450 to have them collected, a few
    // per cent of what copying them back costs. With Intel's page-modification
    // log KVM keeps 576 in reserve: the size doubles until it takes.
    for (size_t bytes = 8192; most > 0 && bytes <= static_cast<size_t>(most); bytes *= 2) {
        kvm_enable_cap cap{};
        cap.cap = KVM_CAP_DIRTY_LOG_RING;
        cap.args[0] = bytes;
        if (ioctl(vm_fd, KVM_ENABLE_CAP, &cap) == 0)
            return bytes;
        if (errno != EINVAL)
            return 0;
    }
    return 0;
}

KvmDirtyRing::KvmDirtyRing(int vm_fd, int vcpu_fd, size_t bytes, uint64_t pages)
    : vm_fd_(vm_fd), bytes_(bytes), kept_((pages + 63) / 64, 0)
{
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu_fd,
                   static_cast<off_t>(KVM_DIRTY_LOG_PAGE_OFFSET) * sysconf(_SC_PAGESIZE));
    if (p == MAP_FAILED)
        throw_kvm_failure("mmap of the vCPU dirty ring");
    entries_ = static_cast<kvm_dirty_gfn*>(p);
}

KvmDirtyRing::~KvmDirtyRing() { munmap(entries_, bytes_); }

void KvmDirtyRing::give_back()
{
    // KVM_RESET_DIRTY_RINGS recycles every entry marked RESET and
    // write-protects its page again. Until it succeeds, the entries stay
    // handed back and it is asked again next time.
    if (!reset_pending_)
        return;
    if (ioctl(vm_fd_, KVM_RESET_DIRTY_RINGS, 0) < 0)
        throw_kvm_failure("KVM_RESET_DIRTY_RINGS");
    reset_pending_ = false;
}

void KvmDirtyRing::drain()
{
    const std::span<kvm_dirty_gfn> ring(entries_, bytes_ / sizeof(kvm_dirty_gfn));
    const size_t taken = harvest_dirty_ring(ring, next_, kept_);
    if (taken == 0 && !reset_pending_)
        throw KvmError("KVM_RUN stopped for a full dirty ring that holds no page to collect");
    reset_pending_ = reset_pending_ || taken > 0;
    kept_any_ = kept_any_ || taken > 0;
    give_back();
}

void KvmDirtyRing::collect(std::vector<uint64_t>& pages)
{
    const std::span<kvm_dirty_gfn> ring(entries_, bytes_ / sizeof(kvm_dirty_gfn));
    reset_pending_ = harvest_dirty_ring(ring, next_, pages) > 0 || reset_pending_;
    // Only a call that filled the ring has pages kept: the usual collection
    // walks no bitmap of all memory.
    if (kept_any_) {
        for (size_t word = 0; word < kept_.size() && word < pages.size(); ++word) {
            pages[word] |= kept_[word];
            kept_[word] = 0;
        }
        kept_any_ = false;
    }
    give_back();
}

} // namespace hl
