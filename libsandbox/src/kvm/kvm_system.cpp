// Opening and probing /dev/kvm (see kvm_system.hpp).
#include "kvm/kvm_system.hpp"

#include <hl/open_files.hpp>
#include <hl/abi.h>
#include <hl/error.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <string>
#include <sys/ioctl.h>
#include <unistd.h>

namespace hl {
namespace {

constexpr const char* kDevice = "/dev/kvm";

std::string device_hint(int error)
{
    if (error == ENOENT)
        return " (KVM is not available here: no KVM module, or one that registered no device; hl::check_host, "
               "or hlrun doctor, says which)";
    if (error == EACCES || error == EPERM)
        return " (this user may not open it; hl::check_host, or hlrun doctor, says which fix fits)";
    return {};
}

} // namespace

void throw_kvm_failure(const char* what)
{
    const int error = errno;
    std::string message = std::string(what) + " failed: " + std::strerror(error);
    if (error == EMFILE)   // the usual wall of a process with hundreds of sandboxes
        message += " (each sandbox holds " + std::to_string(kFilesPerSandbox) +
                   "; raise the limit with 'ulimit -n' or hl::raise_open_file_limit)";
    throw KvmError(message);
}

void set_kvm_signal_mask(int vcpu_fd, const sigset_t& mask)
{
    // The kernel's sigset is 64 bits: the first 8 bytes of glibc's sigset_t.
    constexpr size_t kKernelSigsetSize = 8;
    alignas(uint32_t) uint8_t request[kKvmSignalMaskHeaderSize + kKernelSigsetSize];
    const uint32_t length = kKernelSigsetSize;
    std::memcpy(request, &length, sizeof length);
    std::memcpy(request + kKvmSignalMaskHeaderSize, &mask, kKernelSigsetSize);
    if (ioctl(vcpu_fd, kKvmSetSignalMask, request) < 0)
        throw_kvm_failure("KVM_SET_SIGNAL_MASK");
}

void complete_kvm_exit(int vcpu_fd, kvm_run* run, const char* what)
{
    run->immediate_exit = 1;
    const int rc = ioctl(vcpu_fd, KVM_RUN, 0);
    const int error = errno;
    run->immediate_exit = 0;
    if (rc < 0 && error != EINTR) {
        errno = error;
        throw_kvm_failure(what);
    }
}

KvmSystem::KvmSystem()
{
    fd_ = open(kDevice, O_RDWR | O_CLOEXEC);
    if (fd_ < 0) {
        const int error = errno;
        throw KvmError(std::string(kDevice) + ": cannot open: " + std::strerror(error) + device_hint(error));
    }
    try {
        probe();
    } catch (...) {
        close(fd_);
        throw;
    }
}

void KvmSystem::probe()
{
    const int version = ioctl(fd_, KVM_GET_API_VERSION, 0);
    if (version != KVM_API_VERSION)
        throw KvmError(std::string(kDevice) + ": KVM API version " + std::to_string(version) +
                       ", expected " + std::to_string(KVM_API_VERSION));
    if (ioctl(fd_, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) <= 0)
        throw KvmError(std::string(kDevice) + ": KVM_CAP_IMMEDIATE_EXIT missing, needed to stop guests on time");
    // Restores copy back what KVM's dirty log marks, one bit per host page,
    // as 4 KiB guest pages; guest memory is mapped at 4 KiB offsets too.
    if (const long page = sysconf(_SC_PAGESIZE); page != HL_PAGE_SIZE)
        throw KvmError("this host's pages are " + std::to_string(page) +
                       " bytes: hl needs a kernel with 4 KiB pages (arm64: CONFIG_ARM64_4K_PAGES, Debian's arm64 kernel)");
    const int size = ioctl(fd_, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (size <= 0)
        throw KvmError(std::string(kDevice) + ": KVM_GET_VCPU_MMAP_SIZE failed: " + std::strerror(errno));
    vcpu_mmap_size_ = static_cast<size_t>(size);
}

const KvmSystem& KvmSystem::get()
{
    // Retried on every call while it fails, so each caller gets the same clear error.
    static std::mutex mutex;
    static KvmSystem* instance = nullptr;
    std::lock_guard lock(mutex);
    if (!instance)
        instance = new KvmSystem(); // lives for the process: vCPUs may outlive any owner
    return *instance;
}

} // namespace hl
