// The KVM requests of a built Sandbox on aarch64 (see kvm_ioctls.hpp). A new
// ioctl in run(), the exit handler, snapshot() or restore() goes here too, or
// a confined thread is stopped at it.
#include "kvm/kvm_ioctls.hpp"

#include "kvm/kvm_system.hpp"

#include <linux/kvm.h>
#include <sys/ioctl.h>

namespace hl {

std::span<const IoctlRequest> kvm_run_loop_ioctls()
{
    static constexpr IoctlRequest kRequests[] = {
        {"KVM_RUN", KVM_RUN},                                       // the run loop, completing a pending store
        {"KVM_GET_ONE_REG", KVM_GET_ONE_REG},                       // registers (arm64 has no KVM_GET_REGS), snapshots
        {"KVM_SET_ONE_REG", KVM_SET_ONE_REG},                       // restores, served system calls
        {"KVM_GET_DIRTY_LOG", KVM_GET_DIRTY_LOG},                   // restores copy back only dirty pages (bitmap)
        {"KVM_RESET_DIRTY_RINGS", KVM_RESET_DIRTY_RINGS},           // the same, with KVM's dirty ring
        {"KVM_SET_USER_MEMORY_REGION", KVM_SET_USER_MEMORY_REGION}, // the first snapshot turns the dirty log on
        {"KVM_CHECK_EXTENSION", KVM_CHECK_EXTENSION},               // capabilities, asked on first use
        {"KVM_SET_SIGNAL_MASK", kKvmSetSignalMask},                 // the profiler's signal, let through in KVM_RUN
    };
    return kRequests;
}

} // namespace hl
