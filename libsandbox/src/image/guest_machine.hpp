// The machine hl runs guests of: the host's own, since KVM runs guests of its
// own architecture only. The one place the image rules (and the tests that
// craft images) learn it.
#pragma once

#include <hl/image.hpp>

#include <elf.h>

#include <cstdint>

namespace hl {

struct GuestMachine {
    uint16_t elf_machine;
    const char* elf_name;   // "EM_X86_64"
    const char* name;       // "x86-64", as hlbuild --target and messages say it
};

inline constexpr GuestMachine kX86_64Machine{EM_X86_64, "EM_X86_64", "x86-64"};
inline constexpr GuestMachine kAarch64Machine{EM_AARCH64, "EM_AARCH64", "aarch64"};

// The host's, and the other one (for tests that craft images of both).
#if defined(__aarch64__)
inline constexpr GuestMachine kGuestMachine = kAarch64Machine;
inline constexpr GuestMachine kOtherMachine = kX86_64Machine;
#else
inline constexpr GuestMachine kGuestMachine = kX86_64Machine;
inline constexpr GuestMachine kOtherMachine = kAarch64Machine;
#endif

constexpr const GuestMachine& machine_of(Architecture architecture)
{
    return architecture == Architecture::Aarch64 ? kAarch64Machine : kX86_64Machine;
}

} // namespace hl
