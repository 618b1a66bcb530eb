// KVM VM creation and memory slots (see kvm_vm.hpp).
#include "kvm_vm.hpp"

#include "kvm_system.hpp"

#include <hl/error.hpp>

#include <cerrno>
#include <cstring>
#include <string>
#include <sys/ioctl.h>
#include <unistd.h>

namespace hl {

KvmVm::KvmVm()
{
    const KvmSystem& kvm = KvmSystem::get();
    do {
        fd_ = ioctl(kvm.fd(), KVM_CREATE_VM, 0);
    } while (fd_ < 0 && errno == EINTR);
    if (fd_ < 0)
        throw KvmError(std::string("KVM_CREATE_VM failed: ") + std::strerror(errno));
}

KvmVm::~KvmVm()
{
    close(fd_);
}

void KvmVm::map_memory(void* host_address, uint64_t size)
{
    kvm_userspace_memory_region region{};
    region.slot = 0;
    region.guest_phys_addr = 0;
    region.memory_size = size;
    region.userspace_addr = reinterpret_cast<uint64_t>(host_address);
    if (ioctl(fd_, KVM_SET_USER_MEMORY_REGION, &region) < 0)
        throw KvmError(std::string("KVM_SET_USER_MEMORY_REGION failed: ") + std::strerror(errno));
}

} // namespace hl
