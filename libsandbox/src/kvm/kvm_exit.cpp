// KVM_RUN's outcomes every architecture shares (see kvm_exit.hpp).
#include "kvm/kvm_exit.hpp"

#include "interrupt_signal.hpp"
#include "kvm/kvm_system.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace hl {

bool stop_before_run(const std::atomic<bool>* stop_flag)
{
    // From enter_run on, a stop is seen here or its signal sets immediate_exit.
    if (!interrupt::take_missed() && !(stop_flag && stop_flag->load()))
        return false;
    interrupt::leave_run(true);
    return true;
}

VcpuExit failed_run(int error)
{
    if (error != EINTR && error != EAGAIN) {
        errno = error;
        throw_kvm_failure("KVM_RUN");
    }
    VcpuExit exit;
    exit.reason = VcpuExit::Reason::Interrupted;
    return exit;
}

VcpuExit common_exit(const kvm_run& run)
{
    VcpuExit exit;
    exit.raw_reason = run.exit_reason;
    switch (run.exit_reason) {
    case KVM_EXIT_MMIO:
        exit.reason = VcpuExit::Reason::Mmio;
        exit.address = run.mmio.phys_addr;
        exit.size = static_cast<uint8_t>(run.mmio.len);
        exit.write = run.mmio.is_write;
        if (exit.write)
            std::memcpy(&exit.value, run.mmio.data, std::min<size_t>(exit.size, sizeof exit.value));
        break;
    case KVM_EXIT_SHUTDOWN:
        exit.reason = VcpuExit::Reason::Shutdown;
        break;
    case KVM_EXIT_FAIL_ENTRY:
        exit.reason = VcpuExit::Reason::FailEntry;
        exit.detail = run.fail_entry.hardware_entry_failure_reason;
        break;
    case KVM_EXIT_INTERNAL_ERROR:
        exit.reason = VcpuExit::Reason::InternalError;
        exit.detail = run.internal.suberror;
        break;
    case KVM_EXIT_INTR:
        exit.reason = VcpuExit::Reason::Interrupted;
        break;
    default:
        exit.reason = VcpuExit::Reason::Other;
        break;
    }
    return exit;
}

} // namespace hl
