// x86-64's part of the profiler's walk (profile/frame_walk.hpp): how a
// function's first bytes say where it stands with its frame, and where a
// call left the return address before the frame exists (on the stack).
// Pure, compiled and tested on every host.
#pragma once

#include "profile/frame_walk.hpp"

namespace hl::x86_64 {

// What the function at `entry` does with its frame, from its first bytes
// (`push %rbp; mov %rsp,%rbp`, after an `endbr64`), when sampled at `offset`
// bytes into it.
FrameState frame_state(std::span<const uint8_t> entry, uint64_t offset);

// Whether the instruction at the sampled RIP, whose first bytes are `at_rip`,
// is a return (`ret`, `rep ret`, `bnd ret`, `ret $n`): the function has undone its frame,
// RBP is its caller's again, and [rsp] returns to the caller, as at entry.
bool is_return(std::span<const uint8_t> at_rip);

// Whether `before`, the up to 7 bytes just before `returns_to`, end with a
// call: `call rel32` (to `callee` when it is known) or one of the forms of
// `call *...` (ff /2). A saved register or a stale word on the stack is
// rarely that.
bool is_call_site(std::span<const uint8_t> before, uint64_t returns_to, std::optional<uint64_t> callee);

// The stack of a guest sampled at rip: the caller of the sampled function
// from the top of the stack as `leaf` says, then the frame chain from rbp.
std::vector<uint64_t> walk_frame_pointers(uint64_t rip, uint64_t rsp, uint64_t rbp, FrameState leaf,
                                          const GuestReader& read);

} // namespace hl::x86_64
