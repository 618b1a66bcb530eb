// The KVM backend's saved vCPU state on x86-64 (VcpuState::bytes), shared by
// the code that saves and restores it and the code that adopts one read
// from a snapshot file.
#pragma once

#include "x86_64/boot_state.hpp"

#include <linux/kvm.h>

#include <cstdint>

namespace hl {

// The saved state: this header, then the XSAVE image (standard format, as
// KVM_GET_XSAVE2 gives it) of xsave_size bytes.
struct SavedHeader {
    kvm_regs regs;
    kvm_sregs sregs;
    uint64_t xcr0;
    uint64_t xsave_size;
    uint64_t stopped_at_out;  // 1: saved with an `out` pending, now complete; regs.rip is past it
    uint64_t out_rip;         // that `out`
};

// A boot segment register as KVM takes it.
kvm_segment to_kvm(const cpu::SegmentRegister& r);

} // namespace hl
