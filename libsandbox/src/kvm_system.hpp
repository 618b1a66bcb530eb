// The host's /dev/kvm: opened once per process, checked for the API version
// and capabilities hl needs. KVM specifics stay in kvm_* files.
#pragma once

#include <linux/kvm.h>

#include <cstddef>
#include <sys/ioctl.h>
#include <vector>

namespace hl {

// In C++ the kernel header's flexible-array macro puts kvm_cpuid2::entries at
// offset 12 instead of the kernel's 8 (an empty struct takes a byte), so the
// struct and the ioctl numbers built from it are wrong. hl lays the buffer
// out itself: nent, padding, then the entries at offset 8.
inline constexpr unsigned long kKvmCpuidHeaderSize = 8;
inline constexpr unsigned long kKvmGetSupportedCpuid =
    _IOC(_IOC_READ | _IOC_WRITE, KVMIO, 0x05, kKvmCpuidHeaderSize);
inline constexpr unsigned long kKvmSetCpuid2 = _IOC(_IOC_WRITE, KVMIO, 0x90, kKvmCpuidHeaderSize);

class KvmSystem {
public:
    // The process-wide instance; throws KvmError with a one-line reason (no
    // /dev/kvm, no permission, API too old) on first use and on every use after.
    static const KvmSystem& get();

    int fd() const { return fd_; }
    size_t vcpu_mmap_size() const { return vcpu_mmap_size_; }
    // KVM_GET_SUPPORTED_CPUID in the kernel's layout (see above), ready for
    // KVM_SET_CPUID2: hands the guest the host CPU's features (SSE).
    const void* supported_cpuid() const { return cpuid_storage_.data(); }

private:
    KvmSystem();
    void probe();
    int fd_ = -1;
    size_t vcpu_mmap_size_ = 0;
    std::vector<unsigned char> cpuid_storage_;
};

} // namespace hl
