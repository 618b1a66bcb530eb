// What check_host looks at, gathered (host_facts.cpp) apart from how it is
// judged (host_checks.cpp, pure and unit-tested with made-up facts).
#pragma once

#include <hl/host_check.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hl {

struct HostFacts {
    std::string architecture = "x86_64";  // the host's, which judges the rest: "x86_64" or "aarch64"
    struct Device {
        bool exists = false;
        bool character = false;
        unsigned major = 0, minor = 0;
        unsigned mode = 0;              // permission bits
        std::string owner, group;       // names, or numbers where none
        int open_error = 0;             // errno of opening it read-write; 0: opened
        bool root = false;              // the effective user is root
        bool in_group = false;          // the device's group is one of this process's
        bool group_lists_user = false;  // /etc/group lists the user in it (a login ago, say)
        std::string user;
    } device;
    int api_version = -1;               // KVM_GET_API_VERSION; -1: not asked (the device did not open)
    struct Capabilities {
        bool immediate_exit = false, xsave = false;              // needed
        bool xsave2 = false, sync_regs = false, dirty_ring = false;   // used where present
    } capabilities;
    std::string hypervisor;             // the KVM module: "kvm_intel", "kvm_amd", "kvm_pvm", or empty
    // The kernel registered KVM's device (/sys/class/misc/kvm): a vendor
    // module bound. Loaded but unbound, there is no device to make a node for.
    bool device_registered = false;
    bool nested = false;                // this machine is itself a guest (CPUID's hypervisor bit)
    std::optional<uint64_t> guest_xcr0; // the XSAVE components guests get; unset: unknown
    bool fsgsbase = false, pku = false;
    uint64_t xsave_size = 0;
    std::string kernel_trace_error;     // why --trace=all's perf events cannot open; empty: they can
    std::string seccomp_error;          // why a seccomp filter cannot be loaded; empty: it can
    uint64_t open_files_soft = 0, open_files_hard = 0;
};

HostFacts gather_host_facts();

// What each architecture gathers itself (host_facts_x86_64.cpp,
// host_facts_aarch64.cpp): its name, whether this machine is itself a
// guest, and, asked of the opened device kvm_fd, its own capabilities and
// what KVM gives a guest's CPU (x86-64: XSAVE, its components, FSGSBASE, PKU).
extern const char* const kHostArchitecture;
bool running_in_a_vm();
void gather_guest_cpu_facts(HostFacts& facts, int kvm_fd);
std::vector<HostCheck> judge_host(const HostFacts& facts);

} // namespace hl
