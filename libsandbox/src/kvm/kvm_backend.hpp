// The KVM backend, as the rest of the library sees it: one function. The
// only kvm/ header included outside kvm/ besides kvm_ioctls.hpp (for the
// seccomp filter).
#pragma once

#include "backend.hpp"

#include <memory>

namespace hl {

// A new KVM VM (KVM_CREATE_VM); throws KvmError.
std::unique_ptr<Vm> create_kvm_vm();

} // namespace hl
