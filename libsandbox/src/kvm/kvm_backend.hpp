// The KVM backend, as the rest of the library sees it: one function. The
// only kvm/ header included outside kvm/ besides kvm_ioctls.hpp (for the
// seccomp filter).
#pragma once

#include "backend.hpp"

#include <memory>
#include <string>

namespace hl {

// How a VM learns which pages its guest wrote, for restores: KVM's dirty ring
// where the host has one (kvm_dirty_ring.hpp), its dirty bitmap elsewhere;
// Bitmap asks for the bitmap even where the ring is there (to test it).
enum class DirtyTracking { Best, Bitmap };

// A new KVM VM (KVM_CREATE_VM); throws KvmError.
std::unique_ptr<Vm> create_kvm_vm(DirtyTracking tracking = DirtyTracking::Best);

// A vCPU state saved elsewhere (read from a snapshot file), made safe to
// resume here: every register the guest cannot set itself (control and
// descriptor-table registers, segments but for the FS and GS bases, the
// RFLAGS system bits) is replaced by the boot state's, and what remains is
// checked against this host (the XSAVE area's size and features).
struct AdoptedState {
    std::string error;        // why the state cannot be used here; empty when it can
    bool host_lacks = false;  // the reason is this host's CPU, not the state
};
AdoptedState adopt_saved_state(VcpuState& state, const BootState& boot);

} // namespace hl
