// The KVM vCPU of the architecture hl is built for (kvm_vcpu_x86_64.hpp or
// kvm_vcpu_aarch64.hpp): both are class KvmVcpu, made by KvmVm::create_vcpu.
#pragma once

#if defined(__aarch64__)
#include "kvm/kvm_vcpu_aarch64.hpp"
#else
#include "kvm/kvm_vcpu_x86_64.hpp"
#endif
