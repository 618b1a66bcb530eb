// The KVM ioctl requests a Sandbox makes once it is built (runs, exits,
// snapshots, restores): the only KVM requests a confined thread may make
// (seccomp_filter.cpp). Kept beside the kvm_* code that makes them, since a
// request missing here stops the run loop of a confined thread.
#pragma once

#include <span>

namespace hl {

struct IoctlRequest {
    const char* name;
    unsigned long number;
};

// Never KVM_CREATE_VM, KVM_CREATE_VCPU or the set-up requests (CPUID, MSRs):
// a confined thread runs the machines it was given and builds no new ones.
std::span<const IoctlRequest> kvm_run_loop_ioctls();

} // namespace hl
