// The KVM requests of a built Sandbox on x86-64 (see kvm_ioctls.hpp). A new ioctl in
// run(), the exit handler, snapshot() or restore() goes here too, or a
// confined thread is stopped at it ("seccomp stopped system call ioctl (16,
// request 0x...)").
#include "kvm/kvm_ioctls.hpp"

#include "kvm/kvm_cpu_x86_64.hpp"
#include "kvm/kvm_system.hpp"

#include <linux/kvm.h>
#include <sys/ioctl.h>

namespace hl {

std::span<const IoctlRequest> kvm_run_loop_ioctls()
{
    static constexpr IoctlRequest kRequests[] = {
        {"KVM_RUN", KVM_RUN},                                       // the run loop, completing a pending `out`
        {"KVM_GET_REGS", KVM_GET_REGS},                             // registers without KVM_CAP_SYNC_REGS, snapshots
        {"KVM_SET_REGS", KVM_SET_REGS},                             // restores without KVM_CAP_SYNC_REGS
        {"KVM_GET_SREGS", KVM_GET_SREGS},                           // fault address (CR2), snapshots
        {"KVM_SET_SREGS", KVM_SET_SREGS},                           // restores without KVM_CAP_SYNC_REGS
        {"KVM_GET_XSAVE2", kKvmGetXsave2},                          // snapshots: every XSAVE component
        {"KVM_SET_XSAVE", kKvmSetXsave},                            // restores
        {"KVM_SET_XCRS", KVM_SET_XCRS},                             // restores of a state saved with another XCR0
        {"KVM_GET_DIRTY_LOG", KVM_GET_DIRTY_LOG},                   // restores copy back only dirty pages (bitmap)
        {"KVM_RESET_DIRTY_RINGS", KVM_RESET_DIRTY_RINGS},           // the same, with KVM's dirty ring
        {"KVM_SET_USER_MEMORY_REGION", KVM_SET_USER_MEMORY_REGION}, // the first snapshot turns the dirty log on
        {"KVM_CHECK_EXTENSION", KVM_CHECK_EXTENSION},               // KVM_CAP_SYNC_REGS, asked on first use
        {"KVM_SET_SIGNAL_MASK", kKvmSetSignalMask},                 // the profiler's signal, let through in KVM_RUN
    };
    return kRequests;
}

} // namespace hl
