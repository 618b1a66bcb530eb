// The x86-64 part of the host's facts (see host_facts.hpp): CPUID's
// hypervisor bit, and the CPU features KVM gives guests.
#include "host/host_facts.hpp"

#include "kvm/kvm_cpu_x86_64.hpp"
#include "x86_64/cpu_features.hpp"

#include <hl/error.hpp>

#include <cpuid.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>

namespace hl {

const char* const kHostArchitecture = "x86_64";

bool running_in_a_vm()
{
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    return __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & (1u << 31));
}

void gather_guest_cpu_facts(HostFacts& f, int fd)
{
    f.capabilities.xsave = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE) > 0;
    f.capabilities.xsave2 = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2) > 0;
    try {
        const KvmCpu& kvm = KvmCpu::get();
        const cpu::SupportedFeatures supported = kvm.supported_features();
        f.guest_xcr0 = cpu::guest_features(supported).xcr0;
        f.fsgsbase = supported.fsgsbase;
        f.pku = supported.pku;
        f.xsave_size = kvm.xsave_size();
    } catch (const Error&) {
        // guest_xcr0 stays unknown; the capabilities say why.
    }
}

} // namespace hl
