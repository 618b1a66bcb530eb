// What every architecture's KVM vCPU does the same way around KVM_RUN: the
// stop that must keep a run from starting, a failed KVM_RUN, and the exits
// whose decoding does not depend on the architecture.
#pragma once

#include "backend.hpp"

#include <linux/kvm.h>

#include <atomic>

namespace hl {

// After interrupt::enter_run: whether a stop came first (a signal the last
// run missed, the stop flag). Then it leaves the run, and the vCPU returns
// an Interrupted exit without entering the guest.
bool stop_before_run(const std::atomic<bool>* stop_flag);

// An Interrupted exit for a KVM_RUN a signal ended (error EINTR or EAGAIN);
// throws KvmError for any other failure.
VcpuExit failed_run(int error);

// The exits decoded the same way on every architecture: MMIO, failed entry,
// internal errors, signals, shutdown; any other is Other. Sets raw_reason.
VcpuExit common_exit(const kvm_run& run);

} // namespace hl
