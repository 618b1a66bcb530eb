// The host's /dev/kvm: opened once per process, checked for the API version
// and capabilities hl needs on every architecture (each architecture's own,
// CPUID and XSAVE on x86-64, are kvm_cpu_x86_64.hpp's). KVM specifics stay in
// kvm_* files.
#pragma once

#include <linux/kvm.h>

#include <csignal>
#include <cstddef>
#include <cstdint>
#include <sys/ioctl.h>

namespace hl {

// In C++, kvm_signal_mask takes 8 bytes, the kernel 4 (its flexible array
// takes a byte here). hl lays the request out itself: its length, then the
// kernel's 64-bit sigset at offset 4.
inline constexpr unsigned long kKvmSignalMaskHeaderSize = 4;
inline constexpr unsigned long kKvmSetSignalMask = _IOC(_IOC_WRITE, KVMIO, 0x8b, kKvmSignalMaskHeaderSize);

// Throws KvmError("WHAT failed: <strerror(errno)>"): every failed KVM request.
[[noreturn]] void throw_kvm_failure(const char* what);

// KVM_SET_SIGNAL_MASK of a vCPU: the signals that may end its KVM_RUN;
// throws KvmError.
void set_kvm_signal_mask(int vcpu_fd, const sigset_t& mask);
// KVM_RUN with immediate_exit: KVM completes what the last exit left (an
// `out`, an MMIO access: the pc moves past it) and returns without entering
// the guest; throws KvmError("WHAT failed: ...") for anything but that return.
// Between runs immediate_exit is clear (interrupt::leave_run keeps a late
// signal as missed), so setting and clearing it here loses no stop.
void complete_kvm_exit(int vcpu_fd, kvm_run* run, const char* what);

class KvmSystem {
public:
    // The process-wide instance; throws KvmError with a one-line reason (no
    // /dev/kvm, no permission, API too old) on first use and on every use after.
    static const KvmSystem& get();

    int fd() const { return fd_; }
    size_t vcpu_mmap_size() const { return vcpu_mmap_size_; }

private:
    KvmSystem();
    void probe();
    int fd_ = -1;
    size_t vcpu_mmap_size_ = 0;
};

} // namespace hl
