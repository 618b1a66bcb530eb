// The CPU features a guest gets (cpu_features.hpp), decided without KVM.
#include "x86_64/cpu_features.hpp"

#include <catch2/catch.hpp>

using namespace hl::cpu;

namespace {

constexpr uint64_t kBaseCr4 = kCr4Pae | kCr4Osfxsr | kCr4Osxmmexcpt | kCr4Osxsave;

} // namespace

TEST_CASE("cpu features: every XSAVE component KVM offers and hl allows is in XCR0, with CR4.OSXSAVE")
{
    // This project's AMD hosts under PVM: x87, SSE, AVX, PKRU; CPUID 7 lists neither PKU nor FSGSBASE.
    GuestFeatures amd = guest_features({.xcr0 = 0x207});
    CHECK(amd.xcr0 == 0x207);
    CHECK(amd.cr4 == kBaseCr4);
    // An Intel host with AVX-512 and protection keys.
    GuestFeatures intel = guest_features({.xcr0 = 0x2e7, .pku = true, .fsgsbase = true});
    CHECK(intel.xcr0 == 0x2e7);
    CHECK(intel.cr4 == (kBaseCr4 | kCr4Pke | kCr4Fsgsbase));
    // x87 and SSE only.
    CHECK(guest_features({.xcr0 = 0x3}).xcr0 == 0x3);
}

TEST_CASE("cpu features: MPX and AMX stay out of XCR0, and so does PKE without PKRU")
{
    CHECK(guest_features({.xcr0 = 0x1f}).xcr0 == 0x7);          // MPX bound registers and config
    CHECK(guest_features({.xcr0 = 0x602e7}).xcr0 == 0x2e7);     // AMX tile config and data
    GuestFeatures no_pkru = guest_features({.xcr0 = 0x7, .pku = true});
    CHECK(no_pkru.xcr0 == 0x7);
    CHECK((no_pkru.cr4 & kCr4Pke) == 0);
}

TEST_CASE("cpu features: XCR0 keeps the architecture's dependencies")
{
    CHECK(guest_features({.xcr0 = 0}).xcr0 == kXcr0X87);         // x87 is always on
    CHECK(guest_features({.xcr0 = 0x5}).xcr0 == kXcr0X87);       // AVX needs SSE
    CHECK(guest_features({.xcr0 = 0xe3}).xcr0 == 0x3);           // AVX-512 needs AVX
    CHECK(guest_features({.xcr0 = 0xc7}).xcr0 == 0x7);           // AVX-512 needs all three of its components
    CHECK(guest_features({.xcr0 = 0x67}).xcr0 == 0x7);
}
