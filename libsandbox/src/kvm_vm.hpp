// A KVM virtual machine: its fd and its guest memory slot.
#pragma once

#include <cstdint>

namespace hl {

class KvmVm {
public:
    // KVM_CREATE_VM; throws KvmError.
    KvmVm();
    ~KvmVm();
    KvmVm(const KvmVm&) = delete;
    KvmVm& operator=(const KvmVm&) = delete;

    // Backs guest physical [0, size) with host memory at host_address.
    void map_memory(void* host_address, uint64_t size);
    int fd() const { return fd_; }

private:
    int fd_ = -1;
};

} // namespace hl
