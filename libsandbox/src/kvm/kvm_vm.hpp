// A KVM virtual machine: its fd and its guest memory slot.
#pragma once

#include "backend.hpp"
#include "kvm/kvm_backend.hpp"
#include "kvm/kvm_dirty_ring.hpp"

#include <cstdint>
#include <memory>
#include <vector>

namespace hl {

class KvmVm final : public Vm {
public:
    // KVM_CREATE_VM, and the dirty ring unless asked for the bitmap; throws KvmError.
    explicit KvmVm(DirtyTracking tracking);
    ~KvmVm() override;
    KvmVm(const KvmVm&) = delete;
    KvmVm& operator=(const KvmVm&) = delete;

    void map_memory(void* host_address, uint64_t size) override;
    void enable_dirty_log() override;
    void collect_dirty_pages(std::vector<uint64_t>& pages) override;
    std::unique_ptr<Vcpu> create_vcpu() override;
    int fd() const { return fd_; }
    bool uses_dirty_ring() const { return ring_bytes_ != 0; }

private:
    int fd_ = -1;
    void* host_address_ = nullptr;
    uint64_t size_ = 0;
    bool dirty_log_ = false;
    std::vector<uint64_t> log_;          // KVM_GET_DIRTY_LOG's bitmap, without a ring
    size_t ring_bytes_ = 0;              // KvmDirtyRing::enable's answer; 0: the bitmap
    std::unique_ptr<KvmDirtyRing> ring_; // the vCPU's, once there is one
};

} // namespace hl
