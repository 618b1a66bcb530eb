// The aarch64 part of the host's facts (see host_facts.hpp). Guests get the
// CPU's floating point and SIMD as they are (CPACR_EL1 opens them at boot):
// there is nothing KVM must be asked for.
#include "host/host_facts.hpp"

#include <filesystem>

namespace hl {

const char* const kHostArchitecture = "aarch64";

bool running_in_a_vm()
{
    // A device tree's /hypervisor node, or Xen's /sys/hypervisor: arm64 has
    // no CPUID bit for it, and a KVM host's firmware tables say nothing.
    std::error_code error;
    return std::filesystem::exists("/sys/firmware/devicetree/base/hypervisor", error) ||
           std::filesystem::exists("/sys/hypervisor/type", error);
}

void gather_guest_cpu_facts(HostFacts&, int) {}

} // namespace hl
