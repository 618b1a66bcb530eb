// aarch64's part of the profiler's walk (profile/frame_walk.hpp): how a
// function's first instructions say where it stands with its frame, and
// where a call left the return address before the frame exists: in the link
// register (x30), which `bl`/`blr` set and the frame record saves. Pure,
// compiled and tested on every host.
#pragma once

#include "profile/frame_walk.hpp"

namespace hl::aarch64 {

// What the function at `entry` does with its frame, from its first
// instructions (`stp x29, x30, [sp, #-n]!; mov x29, sp`, or for a large
// frame `sub sp, sp, #n; stp x29, x30, [sp, #m]; add x29, sp, #m`, after
// any `bti`/`paciasp` hints), when sampled at `offset` bytes into it. Until
// x29 is set the caller's frame is x29 and the return address is x30:
// AtEntry; after it, Framed.
FrameState frame_state(std::span<const uint8_t> entry, uint64_t offset);

// Whether the sampled function has undone its frame: the instruction at pc
// (`at_pc`, 4 bytes) is a return (`ret`, `retaa`, `retab`), or the one just
// before it (`before_pc`) reloaded x29 and x30 from the frame record. x29 is
// the caller's frame again and x30 returns into the caller, as at entry.
bool is_return(std::span<const uint8_t> at_pc, std::span<const uint8_t> before_pc);

// Whether `before`, the 4 bytes just before `returns_to`, are a call that
// returns there: `bl` (to `callee` when it is known) or `blr`.
bool is_call_site(std::span<const uint8_t> before, uint64_t returns_to, std::optional<uint64_t> callee);

// The stack of a guest sampled at pc: the sampled function's caller from
// the link register as `leaf` says, then the frame chain from x29.
std::vector<uint64_t> walk_frame_pointers(uint64_t pc, uint64_t link_register, uint64_t frame_pointer,
                                          FrameState leaf, const GuestReader& read);

} // namespace hl::aarch64
