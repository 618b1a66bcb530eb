// Asking x86-64 KVM for its CPUID and XSAVE size (see kvm_cpu_x86_64.hpp).
#include "kvm/kvm_cpu_x86_64.hpp"

#include "kvm/kvm_system.hpp"

#include <hl/error.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <string>

namespace hl {
namespace {

constexpr const char* kDevice = "/dev/kvm";

} // namespace

KvmCpu::KvmCpu(int fd)
{
    // Snapshots hold the whole XSAVE state: without XSAVE, AVX registers the
    // guest can still write (PVM runs it on the host's XCR0) would outlive restores.
    if (ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE) <= 0)
        throw KvmError(std::string(kDevice) + ": KVM_CAP_XSAVE missing, needed to save and restore the guest's vector registers");
    if (const int xsave2 = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2); xsave2 > 0)
        xsave_size_ = std::max<size_t>(static_cast<size_t>(xsave2), kKvmXsaveHeaderSize);
    // The entry count is not known up front: grow until KVM stops saying E2BIG.
    for (unsigned entries = 64;; entries *= 2) {
        cpuid_storage_.assign(kKvmCpuidHeaderSize + entries * sizeof(kvm_cpuid_entry2), 0);
        std::memcpy(cpuid_storage_.data(), &entries, sizeof entries); // nent
        if (ioctl(fd, kKvmGetSupportedCpuid, cpuid_storage_.data()) == 0)
            break;
        if (errno != E2BIG || entries >= 4096)
            throw KvmError(std::string(kDevice) + ": KVM_GET_SUPPORTED_CPUID failed: " + std::strerror(errno));
    }
}

const kvm_cpuid_entry2* KvmCpu::cpuid_entry(uint32_t function, uint32_t index) const
{
    uint32_t count = 0;
    std::memcpy(&count, cpuid_storage_.data(), sizeof count);
    const auto* entries = reinterpret_cast<const kvm_cpuid_entry2*>(cpuid_storage_.data() + kKvmCpuidHeaderSize);
    for (uint32_t i = 0; i < count; ++i)
        if (entries[i].function == function &&
            (entries[i].index == index || !(entries[i].flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX)))
            return &entries[i];
    return nullptr;
}

cpu::SupportedFeatures KvmCpu::supported_features() const
{
    cpu::SupportedFeatures features;
    if (const kvm_cpuid_entry2* xsave = cpuid_entry(0xd, 0))
        features.xcr0 = uint64_t{xsave->edx} << 32 | xsave->eax;
    if (const kvm_cpuid_entry2* extended = cpuid_entry(7, 0)) {
        features.pku = extended->ecx & (1u << 3);
        features.fsgsbase = extended->ebx & 1u;
    }
    return features;
}

const KvmCpu& KvmCpu::get()
{
    // Retried on every call while it fails, so each caller gets the same clear error.
    static std::mutex mutex;
    static KvmCpu* instance = nullptr;
    const int fd = KvmSystem::get().fd();   // /dev/kvm's own error first
    std::lock_guard lock(mutex);
    if (!instance)
        instance = new KvmCpu(fd); // lives for the process, as KvmSystem
    return *instance;
}

} // namespace hl
