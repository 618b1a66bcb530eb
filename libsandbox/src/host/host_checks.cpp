// How check_host judges what it found (host_facts.hpp): pure.
#include "host/host_facts.hpp"

#include <hl/open_files.hpp>

#include <cstring>

namespace hl {
namespace {

constexpr int kKvmApiVersion = 12;

std::string mode_text(const HostFacts::Device& d)
{
    std::string text = d.character ? "c" : "-";
    const char* letters = "rwxrwxrwx";
    for (int bit = 8; bit >= 0; --bit)
        text += (d.mode >> bit) & 1 ? letters[8 - bit] : '-';
    return text + " " + d.owner + ":" + d.group;
}

// Why a loaded vendor module offers no device, as far as can be told from here.
std::string unbound_reason(const HostFacts& f)
{
    if (f.hypervisor == "kvm_pvm" && f.nested)
        return "kvm_pvm did not bind: this kernel is itself a PVM guest, and PVM does not nest";
    if (f.nested)
        return f.hypervisor + " did not bind: this virtual machine does not pass " +
               (f.hypervisor == "kvm_amd" ? "AMD-V" : "VT-x") + " through to it (nested virtualization is off)";
    return f.hypervisor + " did not bind: virtualization (VT-x or AMD-V) is off in the firmware, or the CPU lacks it";
}

HostCheck device_check(const HostFacts& f)
{
    const HostFacts::Device& d = f.device;
    const std::string name = "kvm-device";
    const bool module_loaded = !f.hypervisor.empty();
    if (!d.exists && module_loaded && !f.device_registered)
        return {HostCheck::Level::Fail, name,
                "/dev/kvm is not there, and " + f.hypervisor +
                    " registered no device for one (the hypervisor line says why): hl cannot run guests on this "
                    "machine"};
    if (!d.exists && module_loaded)
        return {HostCheck::Level::Fail, name,
                "/dev/kvm is not there, though the KVM module is loaded: a container started without the device "
                "(pass it in, e.g. --device /dev/kvm), or a missing node (mknod /dev/kvm c 10 232)"};
    if (!d.exists)
        return {HostCheck::Level::Fail, name,
                "/dev/kvm is not there: load KVM (modprobe kvm_intel or kvm_amd) and turn on virtualization "
                "(VT-x or AMD-V) in the firmware"};
    if (!d.character || d.major != 10 || d.minor != 232)
        return {HostCheck::Level::Fail, name,
                "/dev/kvm (" + mode_text(d) + ") is not the KVM device, a character device 10:232"};
    if (d.open_error == 0)
        return {HostCheck::Level::Ok, name, "/dev/kvm (" + mode_text(d) + ") opens for reading and writing"};
    std::string detail = "/dev/kvm (" + mode_text(d) + ") cannot be opened: " + std::strerror(d.open_error);
    if (d.open_error != EACCES && d.open_error != EPERM)
        return {HostCheck::Level::Fail, name, detail};
    const bool group_may = (d.mode & 060) == 060;
    const bool owner_may = (d.mode & 0600) == 0600 && d.owner == d.user;
    const bool others_may = (d.mode & 006) == 006;
    if (d.root || owner_may || others_may || (group_may && d.in_group))
        detail += "; its mode lets you, so something else refuses it: a container's device rules, a nodev mount, "
                  "an ACL or a security module";
    else if (group_may && d.group_lists_user && !d.in_group)
        detail += "; you were added to group " + d.group + " after this login began: log in again (or run 'newgrp " +
                  d.group + "')";
    else if (group_may)
        detail += "; add your user to group " + d.group + " ('sudo usermod -aG " + d.group + " " + d.user +
                  "'), then log in again";
    else
        detail += "; only its owner may open it: run as root, or give it a group and mode 0660 "
                  "(a udev rule: KERNEL==\"kvm\", GROUP=\"kvm\", MODE=\"0660\") and join that group";
    return {HostCheck::Level::Fail, name, detail};
}

HostCheck capabilities_check(const HostFacts::Capabilities& c)
{
    const std::string name = "kvm-capabilities";
    if (!c.immediate_exit)
        return {HostCheck::Level::Fail, name, "KVM_CAP_IMMEDIATE_EXIT is missing: hl needs it to stop guests on time"};
    if (!c.xsave)
        return {HostCheck::Level::Fail, name,
                "KVM_CAP_XSAVE is missing: hl needs it to save and restore the guest's vector registers"};
    std::string missing;
    if (!c.sync_regs)
        missing += "; no KVM_CAP_SYNC_REGS: each exit that needs the registers asks for them";
    if (!c.dirty_ring)
        missing += "; no KVM_CAP_DIRTY_LOG_RING: restores find written pages in the dirty bitmap, more slowly";
    if (!c.xsave2)
        missing += "; no KVM_CAP_XSAVE2: vector state is limited to 4096 bytes";
    if (!missing.empty())
        return {HostCheck::Level::Warn, name, "immediate exit and XSAVE, as needed" + missing};
    return {HostCheck::Level::Ok, name, "immediate exit, XSAVE, XSAVE2, synced registers and the dirty ring"};
}

HostCheck hypervisor_check(const HostFacts& f)
{
    const std::string name = "hypervisor";
    const std::string nested = f.nested ? ", inside a virtual machine (nested)" : "";
    if (!f.hypervisor.empty() && !f.device_registered)
        return {HostCheck::Level::Fail, name, unbound_reason(f)};
    if (f.hypervisor == "kvm_pvm")
        return {HostCheck::Level::Ok, name,
                "PVM (kvm_pvm)" + nested + ": guest code at CPL3 runs natively, and hl runs guests there"};
    if (f.hypervisor == "kvm_intel")
        return {HostCheck::Level::Ok, name, "VMX (kvm_intel)" + nested};
    if (f.hypervisor == "kvm_amd")
        return {HostCheck::Level::Ok, name, "SVM (kvm_amd)" + nested};
    return {HostCheck::Level::Warn, name,
            "no kvm_intel, kvm_amd or kvm_pvm in /sys/module (KVM built into the kernel, or another module)" + nested};
}

// On aarch64 KVM is built into the kernel (no vendor module) and binds only
// when the kernel booted at EL2; it needs no XSAVE, and its vCPU registers
// come one by one (no KVM_CAP_SYNC_REGS).
HostCheck capabilities_check_aarch64(const HostFacts::Capabilities& c)
{
    const std::string name = "kvm-capabilities";
    if (!c.immediate_exit)
        return {HostCheck::Level::Fail, name, "KVM_CAP_IMMEDIATE_EXIT is missing: hl needs it to stop guests on time"};
    if (!c.dirty_ring)
        return {HostCheck::Level::Warn, name,
                "immediate exit, as needed; no KVM_CAP_DIRTY_LOG_RING: restores find written pages in the dirty "
                "bitmap, more slowly"};
    return {HostCheck::Level::Ok, name, "immediate exit and the dirty ring"};
}

HostCheck hypervisor_check_aarch64(const HostFacts& f)
{
    const std::string name = "hypervisor";
    const std::string nested = f.nested ? ", inside a virtual machine (nested)" : "";
    if (!f.device_registered)
        return {HostCheck::Level::Fail, name,
                "KVM registered no device: the kernel did not start at EL2 (the firmware, or the hypervisor this "
                "machine runs under, keeps EL2 to itself), or it was booted with kvm-arm.mode=none" + nested};
    return {HostCheck::Level::Ok, name, "KVM (arm64)" + nested + ": guests run at EL0"};
}

HostCheck cpu_check(const HostFacts& f)
{
    const std::string name = "guest-cpu";
    if (!f.guest_xcr0)
        return {HostCheck::Level::Warn, name, "the features guests get are unknown: KVM's CPUID could not be read"};
    const uint64_t xcr0 = *f.guest_xcr0;
    std::string list = "x87";
    const struct {
        uint64_t bits;
        const char* what;
    } components[] = {{1u << 1, "SSE"}, {1u << 2, "AVX"}, {0xe0, "AVX-512"}, {1u << 9, "PKRU"}, {3u << 17, "AMX"}};
    for (const auto& c : components)
        if ((xcr0 & c.bits) == c.bits)
            list += std::string(", ") + c.what;
    if (f.fsgsbase)
        list += ", FSGSBASE";
    if (f.pku)
        list += ", PKU";
    const std::string detail = "guests get " + list + "; an XSAVE area of " + std::to_string(f.xsave_size) + " bytes";
    if (!(xcr0 & 2))
        return {HostCheck::Level::Warn, name, detail + "; without SSE, x86-64 floating-point code faults"};
    return {HostCheck::Level::Ok, name, detail};
}

} // namespace

const char* level_name(HostCheck::Level level)
{
    switch (level) {
    case HostCheck::Level::Ok: return "ok";
    case HostCheck::Level::Warn: return "warn";
    case HostCheck::Level::Fail: return "fail";
    }
    return "?";
}

std::vector<HostCheck> judge_host(const HostFacts& f)
{
    std::vector<HostCheck> checks{device_check(f)};
    // What KVM offers is known only through the device.
    if (f.api_version >= 0) {
        if (f.api_version != kKvmApiVersion)
            checks.push_back({HostCheck::Level::Fail, "kvm-api",
                              "KVM API version " + std::to_string(f.api_version) + ", hl needs " +
                                  std::to_string(kKvmApiVersion)});
        else
            checks.push_back({HostCheck::Level::Ok, "kvm-api", "KVM API version 12"});
        if (f.architecture == "aarch64") {
            checks.push_back(capabilities_check_aarch64(f.capabilities));
        } else {
            checks.push_back(capabilities_check(f.capabilities));
            checks.push_back(cpu_check(f));
        }
    }
    checks.push_back(f.architecture == "aarch64" ? hypervisor_check_aarch64(f) : hypervisor_check(f));
    if (f.kernel_trace_error.empty())
        checks.push_back({HostCheck::Level::Ok, "trace-all", "--trace=all may open KVM's tracepoints"});
    else
        checks.push_back({HostCheck::Level::Warn, "trace-all",
                          "--trace=all: " + f.kernel_trace_error + " (--trace works without it)"});
    if (f.seccomp_error.empty())
        checks.push_back({HostCheck::Level::Ok, "seccomp", "seccomp filters load: hlrun confines itself before the guest runs"});
    else
        checks.push_back({HostCheck::Level::Warn, "seccomp",
                          f.seccomp_error + ": hlrun runs guests only with --no-seccomp, unconfined"});
    const std::string limits = "soft " + std::to_string(f.open_files_soft) + ", hard " + std::to_string(f.open_files_hard);
    const uint64_t room = f.open_files_hard / kFilesPerSandbox;
    if (room < 1000)
        checks.push_back({HostCheck::Level::Warn, "open-files",
                          limits + ": the hard limit leaves room for " + std::to_string(room) +
                              " sandboxes a process; raise it (ulimit -Hn, or LimitNOFILE= for a service)"});
    else
        checks.push_back({HostCheck::Level::Ok, "open-files",
                          limits + ": room for " + std::to_string(room) +
                              " sandboxes a process (hlrun serve raises the soft limit as it needs)"});
    return checks;
}

} // namespace hl
