// A KVM virtual machine: its fd and its guest memory slot.
#pragma once

#include "backend.hpp"

#include <cstdint>
#include <vector>

namespace hl {

class KvmVm final : public Vm {
public:
    // KVM_CREATE_VM; throws KvmError.
    KvmVm();
    ~KvmVm() override;
    KvmVm(const KvmVm&) = delete;
    KvmVm& operator=(const KvmVm&) = delete;

    void map_memory(void* host_address, uint64_t size) override;
    void enable_dirty_log() override;
    void collect_dirty_pages(std::vector<uint64_t>& pages) override;
    std::unique_ptr<Vcpu> create_vcpu() override;
    int fd() const { return fd_; }

private:
    int fd_ = -1;
    void* host_address_ = nullptr;
    uint64_t size_ = 0;
    bool dirty_log_ = false;
    std::vector<uint64_t> log_;
};

} // namespace hl
