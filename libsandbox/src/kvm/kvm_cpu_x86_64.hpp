// What x86-64 KVM offers a guest's CPU: the CPUID it supports and the size of
// its XSAVE area, asked of /dev/kvm once per process (kvm_system.hpp).
#pragma once

#include "x86_64/cpu_features.hpp"

#include <linux/kvm.h>

#include <cstddef>
#include <cstdint>
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
// The same goes for kvm_xsave (4096 bytes in C, 4100 in C++): the XSAVE
// requests are built with the kernel's size.
inline constexpr unsigned long kKvmXsaveHeaderSize = 4096;
inline constexpr unsigned long kKvmGetXsave2 = _IOC(_IOC_READ, KVMIO, 0xcf, kKvmXsaveHeaderSize);
inline constexpr unsigned long kKvmSetXsave = _IOC(_IOC_WRITE, KVMIO, 0xa5, kKvmXsaveHeaderSize);

class KvmCpu {
public:
    // The process-wide instance; throws KvmError with a one-line reason (no
    // KVM, no XSAVE, CPUID refused) on first use and on every use after.
    static const KvmCpu& get();

    // KVM_GET_SUPPORTED_CPUID in the kernel's layout (see above), ready for
    // KVM_SET_CPUID2: hands the guest the host CPU's features (SSE).
    const void* supported_cpuid() const { return cpuid_storage_.data(); }
    // The CPUID entry for function/index in supported_cpuid(); nullptr if absent.
    const kvm_cpuid_entry2* cpuid_entry(uint32_t function, uint32_t index) const;
    // What of cpu_features.hpp KVM can give a guest, and the bytes of
    // KVM_GET_XSAVE2's buffer (KVM_CAP_XSAVE2; 4096 without it).
    cpu::SupportedFeatures supported_features() const;
    size_t xsave_size() const { return xsave_size_; }

private:
    explicit KvmCpu(int kvm_fd);
    size_t xsave_size_ = kKvmXsaveHeaderSize;
    std::vector<unsigned char> cpuid_storage_;
};

} // namespace hl
