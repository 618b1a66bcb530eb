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

size_t KvmDirtyRing::enable(int vm_fd)
{
    const int most = ioctl(KvmSystem::get().fd(), KVM_CHECK_EXTENSION, KVM_CAP_DIRTY_LOG_RING);
    // 8 KiB, 512 entries, where KVM reserves 64 of them: a call that writes
    // more than ~450 pages exits once per ~450 to have them collected, a few
    // per cent of what copying them back costs. Some CPUs make KVM reserve
    // more (Intel's page-modification log): the size doubles until it takes.
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

KvmDirtyRing::KvmDirtyRing(int vm_fd, int vcpu_fd, size_t bytes)
    : vm_fd_(vm_fd), bytes_(bytes), count_(static_cast<uint32_t>(bytes / sizeof(kvm_dirty_gfn)))
{
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu_fd,
                   static_cast<off_t>(KVM_DIRTY_LOG_PAGE_OFFSET) * sysconf(_SC_PAGESIZE));
    if (p == MAP_FAILED)
        throw_kvm_failure("mmap of the vCPU dirty ring");
    entries_ = static_cast<kvm_dirty_gfn*>(p);
}

KvmDirtyRing::~KvmDirtyRing() { munmap(entries_, bytes_); }

void KvmDirtyRing::harvest()
{
    // KVM publishes an entry by setting DIRTY last (release); the host takes
    // it, then hands it back with RESET, and KVM_RESET_DIRTY_RINGS recycles
    // every entry so marked and write-protects its page again.
    bool any = false;
    for (;; ++next_) {
        kvm_dirty_gfn& entry = entries_[next_ & (count_ - 1)];
        if ((__atomic_load_n(&entry.flags, __ATOMIC_ACQUIRE) & KVM_DIRTY_GFN_F_DIRTY) == 0)
            break;
        if (entry.slot == 0)   // hl's one memory slot
            kept_.push_back(entry.offset);
        __atomic_store_n(&entry.flags, KVM_DIRTY_GFN_F_RESET, __ATOMIC_RELEASE);
        any = true;
    }
    if (any && ioctl(vm_fd_, KVM_RESET_DIRTY_RINGS, 0) < 0)
        throw_kvm_failure("KVM_RESET_DIRTY_RINGS");
}

void KvmDirtyRing::drain() { harvest(); }

void KvmDirtyRing::collect(std::vector<uint64_t>& pages)
{
    harvest();
    for (const uint64_t page : kept_)
        if (page / 64 < pages.size())
            pages[page / 64] |= uint64_t{1} << (page % 64);
    kept_.clear();
}

} // namespace hl
