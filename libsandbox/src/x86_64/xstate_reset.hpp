// Recognises hl's XSAVE reset sequence in guest memory, so that a restore may
// leave the vector and FPU registers to the guest without taking its word.
//
// guest-crt's hl_serve waits for calls at one `out`; the instructions right
// after it, where a snapshot taken there resumes, load the init state into
// every XSAVE component (serve_wait.S):
//
//   mov    $-1, %eax                 b8 ff ff ff ff
//   mov    $-1, %edx                 ba ff ff ff ff
//   xrstor64 clean(%rip)             48 0f ae 2d <disp32>
//
// with `clean` a 64-byte aligned XSAVE image whose header marks no component
// (so XRSTOR initialises every component of XCR0) and whose MXCSR, which
// XRSTOR loads from memory regardless, is 0x1f80. A guest resumed there clears
// whatever the previous call left in x87, SSE, AVX, AVX-512, opmask and PKRU
// before it can read any of it. The host checks the bytes themselves, and that
// they lie on pages the guest cannot write, so the check holds for as long as
// the guest's memory is its snapshot's. Pure.
#pragma once

#include <hl/layout.hpp>

#include <cstdint>
#include <span>

namespace hl::cpu {

inline constexpr size_t kXstateResetCodeSize = 18;   // the three instructions above
inline constexpr size_t kCleanXsaveImageSize = 576;  // legacy area and XSAVE header

// Whether the code at `at` in memory (all of guest memory, laid out by
// layout) is the reset sequence above, on guest-read-only pages, with a clean
// image on guest-read-only pages.
bool resets_xstate_at(const Layout& layout, std::span<const uint8_t> memory, GuestAddr at);

} // namespace hl::cpu
