// KVM VM creation, memory slots and the dirty log (see kvm_vm.hpp); the
// backend's entry point (kvm_backend.hpp).
#include "kvm/kvm_vm.hpp"

#include "kvm/kvm_backend.hpp"
#include "kvm/kvm_system.hpp"
#include "kvm/kvm_vcpu.hpp"
#include "pages.hpp"

#include <hl/error.hpp>

#include <cerrno>
#include <cstring>
#include <string>
#include <sys/ioctl.h>
#include <unistd.h>

namespace hl {

KvmVm::KvmVm(DirtyTracking tracking)
{
    const KvmSystem& kvm = KvmSystem::get();
    do {
        fd_ = ioctl(kvm.fd(), KVM_CREATE_VM, 0);
    } while (fd_ < 0 && errno == EINTR);
    if (fd_ < 0)
        throw_kvm_failure("KVM_CREATE_VM");
    if (tracking == DirtyTracking::Best)
        ring_bytes_ = KvmDirtyRing::enable(fd_);
}

KvmVm::~KvmVm()
{
    close(fd_);
}

std::unique_ptr<Vcpu> KvmVm::create_vcpu()
{
    auto vcpu = std::make_unique<KvmVcpu>(*this);
    if (ring_bytes_ != 0) {
        ring_ = std::make_unique<KvmDirtyRing>(fd_, vcpu->fd(), ring_bytes_, size_ / kPage);
        vcpu->set_dirty_ring(ring_.get());
    }
    return vcpu;
}

std::unique_ptr<Vm> create_kvm_vm(DirtyTracking tracking)
{
    return std::make_unique<KvmVm>(tracking);
}

void KvmVm::map_memory(void* host_address, uint64_t size)
{
    host_address_ = host_address;
    size_ = size;
    kvm_userspace_memory_region region{};
    region.flags = dirty_log_ ? KVM_MEM_LOG_DIRTY_PAGES : 0;
    region.slot = 0;
    region.guest_phys_addr = 0;
    region.memory_size = size;
    region.userspace_addr = reinterpret_cast<uint64_t>(host_address);
    if (ioctl(fd_, KVM_SET_USER_MEMORY_REGION, &region) < 0)
        throw_kvm_failure("KVM_SET_USER_MEMORY_REGION");
    // One bit per page, as GuestMemory's dirty bitmap that collect_dirty_pages merges into.
    if (dirty_log_ && ring_bytes_ == 0)
        log_.assign((size_ / kPage + 63) / 64, 0);
}

void KvmVm::enable_dirty_log()
{
    if (dirty_log_)
        return;
    dirty_log_ = true;
    // Before the memory is mapped, the flag goes with it; after, the same slot again.
    if (size_ != 0)
        map_memory(host_address_, size_);
}

void KvmVm::collect_dirty_pages(std::vector<uint64_t>& pages)
{
    if (ring_bytes_ != 0) {
        if (ring_)   // no vCPU yet: nothing written
            ring_->collect(pages);
        return;
    }
    kvm_dirty_log log{};
    log.slot = 0;
    log.dirty_bitmap = log_.data();
    if (ioctl(fd_, KVM_GET_DIRTY_LOG, &log) < 0)
        throw_kvm_failure("KVM_GET_DIRTY_LOG");
    for (size_t i = 0; i < log_.size() && i < pages.size(); ++i)
        if (log_[i] != 0)
            pages[i] |= log_[i];
}

} // namespace hl
