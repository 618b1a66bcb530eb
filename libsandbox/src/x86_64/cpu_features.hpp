// Which CPU features a guest gets, decided once and for every host alike
// (pure: unit-tested without KVM).
//
// On PVM-based KVM the guest's CPL3 code runs natively on the host's XCR0,
// so it can execute AVX, AVX-512, opmask and PKRU instructions whatever
// CR4.OSXSAVE the guest was given (measured). Hiding them is not possible
// there, so hl shows them everywhere: CR4.OSXSAVE (and CR4.PKE with PKRU) set,
// XCR0 holding each of these components KVM supports. CPUID then tells the
// guest the truth, and every component in XCR0 is state that snapshots save
// and restores put back (kvm_vcpu_state_x86_64.cpp).
#pragma once

#include <cstdint>

namespace hl::cpu {

// XCR0 components (Intel SDM vol. 1, 13.1).
inline constexpr uint64_t kXcr0X87 = 1u << 0;
inline constexpr uint64_t kXcr0Sse = 1u << 1;
inline constexpr uint64_t kXcr0Avx = 1u << 2;
inline constexpr uint64_t kXcr0Opmask = 1u << 5;
inline constexpr uint64_t kXcr0ZmmHi256 = 1u << 6;
inline constexpr uint64_t kXcr0Hi16Zmm = 1u << 7;
inline constexpr uint64_t kXcr0Pkru = 1u << 9;
inline constexpr uint64_t kXcr0Avx512 = kXcr0Opmask | kXcr0ZmmHi256 | kXcr0Hi16Zmm;

// What a guest may get. Not MPX (bits 3-4: withdrawn from newer CPUs), nor AMX
// (17-18: KVM offers it only after a per-process permission, and its 8 KiB
// of tile data would double every snapshot's CPU state).
inline constexpr uint64_t kGuestXcr0Allowed = kXcr0X87 | kXcr0Sse | kXcr0Avx | kXcr0Avx512 | kXcr0Pkru;

inline constexpr uint64_t kCr4Pae = 1u << 5;
inline constexpr uint64_t kCr4Osfxsr = 1u << 9;
inline constexpr uint64_t kCr4Osxmmexcpt = 1u << 10;
inline constexpr uint64_t kCr4Fsgsbase = 1u << 16;
inline constexpr uint64_t kCr4Osxsave = 1u << 18;
inline constexpr uint64_t kCr4Pke = 1u << 22;

// What KVM can give a guest, from KVM_GET_SUPPORTED_CPUID.
struct SupportedFeatures {
    uint64_t xcr0 = 0;        // CPUID 0xD.0 EDX:EAX
    bool pku = false;         // CPUID 7.0 ECX bit 3: protection keys (rdpkru/wrpkru)
    bool fsgsbase = false;    // CPUID 7.0 EBX bit 0: rdfsbase/wrfsbase and the GS pair
};

struct GuestFeatures {
    uint64_t xcr0;
    uint64_t cr4;
};

// The architecture's own dependencies are kept: AVX only with SSE, AVX-512
// only whole and with AVX; x87 always. PKRU stays in XCR0 whenever KVM can
// save it, CR4.PKE (the instructions) only where KVM offers PKU: PVM hosts
// list PKRU in 0xD but not PKU in 7, and still run wrpkru at CPL3 (measured),
// so PKRU must be saved and restored there too.
GuestFeatures guest_features(const SupportedFeatures& supported);

} // namespace hl::cpu
