// hlrun doctor's judgement of made-up machines: each finding's level, and
// the fix it names.
#include "host/host_facts.hpp"

#include <catch2/catch.hpp>

#include <cerrno>

using namespace hl;

namespace {

// A machine where everything is as hl wants it.
HostFacts good_machine()
{
    HostFacts f;
    f.device = {.exists = true, .character = true, .major = 10, .minor = 232, .mode = 0660, .owner = "root",
                .group = "kvm", .open_error = 0, .root = false, .in_group = true, .group_lists_user = true,
                .user = "ada"};
    f.api_version = 12;
    f.capabilities = {true, true, true, true, true};
    f.hypervisor = "kvm_intel";
    f.device_registered = true;
    f.guest_xcr0 = 0x207;   // x87, SSE, AVX, PKRU
    f.fsgsbase = true;
    f.xsave_size = 2696;
    f.open_files_soft = 1024;
    f.open_files_hard = 524288;
    return f;
}

const HostCheck& find(const std::vector<HostCheck>& checks, const std::string& name)
{
    for (const HostCheck& check : checks)
        if (check.name == name)
            return check;
    FAIL("no check named " << name);
    throw;
}

bool contains_text(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

bool any_fails(const std::vector<HostCheck>& checks)
{
    for (const HostCheck& check : checks)
        if (check.level == HostCheck::Level::Fail)
            return true;
    return false;
}

} // namespace

TEST_CASE("doctor: a machine as hl wants it passes every check, in order")
{
    const auto checks = judge_host(good_machine());
    std::vector<std::string> names;
    for (const HostCheck& check : checks) {
        names.push_back(check.name);
        CHECK(check.level == HostCheck::Level::Ok);
    }
    CHECK(names == std::vector<std::string>{"kvm-device", "kvm-api", "kvm-capabilities", "guest-cpu", "hypervisor",
                                            "trace-all", "seccomp", "open-files"});
    CHECK(find(checks, "kvm-device").detail == "/dev/kvm (crw-rw---- root:kvm) opens for reading and writing");
    CHECK(find(checks, "guest-cpu").detail == "guests get x87, SSE, AVX, PKRU, FSGSBASE; an XSAVE area of 2696 bytes");
    CHECK(find(checks, "hypervisor").detail == "VMX (kvm_intel)");
    CHECK(find(checks, "open-files").detail ==
          "soft 1024, hard 524288: room for 262144 sandboxes a process (hlrun serve raises the soft limit as it needs)");
}

TEST_CASE("doctor: a /dev/kvm that is missing, not KVM's, or closed to the user fails with its fix")
{
    HostFacts f = good_machine();
    f.device.exists = false;
    f.api_version = -1;   // the device did not open: KVM was not asked
    f.hypervisor = "";    // nor is a KVM module loaded
    auto checks = judge_host(f);
    CHECK(any_fails(checks));
    CHECK(find(checks, "kvm-device").detail ==
          "/dev/kvm is not there: load KVM (modprobe kvm_intel or kvm_amd) and turn on virtualization (VT-x or "
          "AMD-V) in the firmware");
    CHECK(checks.size() == 5);   // no KVM checks without the device
    // The module is there, the device is not: a container without it.
    f.hypervisor = "kvm_intel";
    CHECK(find(judge_host(f), "kvm-device").detail ==
          "/dev/kvm is not there, though the KVM module is loaded: a container started without the device (pass it "
          "in, e.g. --device /dev/kvm), or a missing node (mknod /dev/kvm c 10 232)");
    // The module is there but bound to nothing: no node would help, and the hypervisor check says why.
    f.device_registered = false;
    f.nested = true;
    checks = judge_host(f);
    CHECK(find(checks, "kvm-device").detail ==
          "/dev/kvm is not there, and kvm_intel registered no device for one (the hypervisor line says why): hl "
          "cannot run guests on this machine");
    CHECK(find(checks, "hypervisor").detail ==
          "kvm_intel did not bind: this virtual machine does not pass VT-x through to it (nested virtualization is "
          "off)");
    CHECK(find(checks, "hypervisor").level == HostCheck::Level::Fail);
    f.hypervisor = "kvm_pvm";
    CHECK(find(judge_host(f), "hypervisor").detail ==
          "kvm_pvm did not bind: this kernel is itself a PVM guest, and PVM does not nest");
    f.hypervisor = "kvm_amd";
    f.nested = false;
    CHECK(find(judge_host(f), "hypervisor").detail ==
          "kvm_amd did not bind: virtualization (VT-x or AMD-V) is off in the firmware, or the CPU lacks it");

    f = good_machine();
    f.device.minor = 1;
    CHECK(find(judge_host(f), "kvm-device").detail ==
          "/dev/kvm (crw-rw---- root:kvm) is not the KVM device, a character device 10:232");

    // Group kvm may, the user is not in it: join it.
    f = good_machine();
    f.device.open_error = EACCES;
    f.device.in_group = false;
    f.device.group_lists_user = false;
    checks = judge_host(f);
    CHECK(find(checks, "kvm-device").level == HostCheck::Level::Fail);
    CHECK(find(checks, "kvm-device").detail ==
          "/dev/kvm (crw-rw---- root:kvm) cannot be opened: Permission denied; add your user to group kvm "
          "('sudo usermod -aG kvm ada'), then log in again");
    // Joined since this login began: log in again.
    f.device.group_lists_user = true;
    CHECK(find(judge_host(f), "kvm-device").detail ==
          "/dev/kvm (crw-rw---- root:kvm) cannot be opened: Permission denied; you were added to group kvm after "
          "this login began: log in again (or run 'newgrp kvm')");
    // Refused though the mode lets this user: something else refuses it, no group to join.
    f.device.in_group = true;
    CHECK(find(judge_host(f), "kvm-device").detail ==
          "/dev/kvm (crw-rw---- root:kvm) cannot be opened: Permission denied; its mode lets you, so something else "
          "refuses it: a container's device rules, a nodev mount, an ACL or a security module");
    f.device.in_group = false;
    f.device.mode = 0600;
    f.device.group = "root";
    f.device.root = true;
    CHECK(contains_text(find(judge_host(f), "kvm-device").detail, "its mode lets you, so something else refuses it"));
    f.device.root = false;
    // Only the owner may: no group to join.
    f.device.mode = 0600;
    f.device.group = "root";
    CHECK(find(judge_host(f), "kvm-device").detail ==
          "/dev/kvm (crw------- root:root) cannot be opened: Permission denied; only its owner may open it: run as "
          "root, or give it a group and mode 0660 (a udev rule: KERNEL==\"kvm\", GROUP=\"kvm\", MODE=\"0660\") and "
          "join that group");
}

TEST_CASE("doctor: what KVM lacks fails when hl needs it, warns when hl only does better with it")
{
    HostFacts f = good_machine();
    f.api_version = 11;
    CHECK(find(judge_host(f), "kvm-api").level == HostCheck::Level::Fail);
    CHECK(find(judge_host(f), "kvm-api").detail == "KVM API version 11, hl needs 12");
    f = good_machine();
    f.capabilities.immediate_exit = false;
    CHECK(find(judge_host(f), "kvm-capabilities").detail ==
          "KVM_CAP_IMMEDIATE_EXIT is missing: hl needs it to stop guests on time");
    f = good_machine();
    f.capabilities.dirty_ring = false;
    const auto checks = judge_host(f);
    CHECK(find(checks, "kvm-capabilities").level == HostCheck::Level::Warn);
    CHECK(find(checks, "kvm-capabilities").detail ==
          "immediate exit and XSAVE, as needed; no KVM_CAP_DIRTY_LOG_RING: restores find written pages in the dirty "
          "bitmap, more slowly");
    CHECK_FALSE(any_fails(checks));
}

TEST_CASE("doctor: the hypervisor, the guests' CPU, tracing, seccomp and the file limit")
{
    HostFacts f = good_machine();
    f.hypervisor = "kvm_pvm";
    f.nested = true;
    CHECK(find(judge_host(f), "hypervisor").detail ==
          "PVM (kvm_pvm), inside a virtual machine (nested): guest code at CPL3 runs natively, and hl runs guests "
          "there");
    f.hypervisor = "";
    CHECK(find(judge_host(f), "hypervisor").level == HostCheck::Level::Warn);
    f = good_machine();
    f.guest_xcr0 = 0x1;
    CHECK(find(judge_host(f), "guest-cpu").level == HostCheck::Level::Warn);
    CHECK(find(judge_host(f), "guest-cpu").detail ==
          "guests get x87, FSGSBASE; an XSAVE area of 2696 bytes; without SSE, x86-64 floating-point code faults");
    f = good_machine();
    f.kernel_trace_error = "perf_event_open on KVM tracepoints needs root or CAP_PERFMON";
    f.seccomp_error = "seccomp is not in this kernel (Invalid argument)";
    f.open_files_hard = 1024;
    const auto checks = judge_host(f);
    CHECK(find(checks, "trace-all").detail ==
          "--trace=all: perf_event_open on KVM tracepoints needs root or CAP_PERFMON (--trace works without it)");
    CHECK(find(checks, "seccomp").detail ==
          "seccomp is not in this kernel (Invalid argument): hlrun runs guests only with --no-seccomp, unconfined");
    CHECK(find(checks, "open-files").level == HostCheck::Level::Warn);
    CHECK(find(checks, "open-files").detail ==
          "soft 1024, hard 1024: the hard limit leaves room for 512 sandboxes a process; raise it (ulimit -Hn, or "
          "LimitNOFILE= for a service)");
    CHECK_FALSE(any_fails(checks));
}

TEST_CASE("doctor: an arm64 host is judged by what arm64 KVM needs")
{
    HostFacts f = good_machine();
    f.architecture = "aarch64";
    f.hypervisor.clear();               // KVM is built into arm64 kernels
    f.capabilities = {.immediate_exit = true, .xsave = false, .xsave2 = false, .sync_regs = false, .dirty_ring = true};
    f.guest_xcr0.reset();
    std::vector<HostCheck> checks = judge_host(f);
    for (const HostCheck& check : checks) {
        INFO(check.name << ": " << check.detail);
        CHECK(check.level == HostCheck::Level::Ok);
        CHECK(check.name != "guest-cpu");
    }
    CHECK(find(checks, "hypervisor").detail == "KVM (arm64): guests run at EL0");
    CHECK(find(checks, "kvm-capabilities").detail == "immediate exit and the dirty ring");

    f.capabilities.dirty_ring = false;
    CHECK(find(judge_host(f), "kvm-capabilities").level == HostCheck::Level::Warn);
    f.capabilities.immediate_exit = false;
    CHECK(find(judge_host(f), "kvm-capabilities").detail ==
          "KVM_CAP_IMMEDIATE_EXIT is missing: hl needs it to stop guests on time");
    f.device_registered = false;
    f.nested = true;
    checks = judge_host(f);
    const HostCheck& hypervisor = find(checks, "hypervisor");
    CHECK(hypervisor.level == HostCheck::Level::Fail);
    CHECK(hypervisor.detail ==
          "KVM registered no device: the kernel did not start at EL2 (the firmware, or the hypervisor this machine "
          "runs under, keeps EL2 to itself), or it was booted with kvm-arm.mode=none, inside a virtual machine "
          "(nested)");
}
