// The guest's CPU features (see cpu_features.hpp).
#include "x86_64/cpu_features.hpp"

namespace hl::cpu {

GuestFeatures guest_features(const SupportedFeatures& supported)
{
    uint64_t xcr0 = (supported.xcr0 & kGuestXcr0Allowed) | kXcr0X87;
    if (!(xcr0 & kXcr0Sse))
        xcr0 &= ~(kXcr0Avx | kXcr0Avx512);
    if (!(xcr0 & kXcr0Avx) || (xcr0 & kXcr0Avx512) != kXcr0Avx512)
        xcr0 &= ~kXcr0Avx512;
    uint64_t cr4 = kCr4Pae | kCr4Osfxsr | kCr4Osxmmexcpt | kCr4Osxsave;
    if (supported.pku && (xcr0 & kXcr0Pkru))
        cr4 |= kCr4Pke;
    if (supported.fsgsbase)
        cr4 |= kCr4Fsgsbase; // the bases are in the segment state every restore puts back
    return {xcr0, cr4};
}

} // namespace hl::cpu
