// The stack of a sampled guest: its RIP, then the return addresses found by
// following the frame-pointer chain (saved RBP at [rbp], return address at
// [rbp + 8]). Pure: guest memory is read through functions, so the walk is
// tested without KVM.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

namespace hl {

inline constexpr size_t kMaxProfileDepth = 128;

// Where the sampled function stands with its own frame, which decides where
// its caller's return address is. GCC leaves leaf functions without a frame
// even with -fno-omit-frame-pointer, and a function sampled in its prologue
// has not made its frame yet: RBP is still the caller's, and the return
// address is at the top of the stack.
enum class FrameState {
    Framed,      // it began with `push %rbp; mov %rsp,%rbp`, past them: [rbp + 8] returns to its caller
    AtEntry,     // nothing pushed yet: [rsp] returns to its caller
    AfterPush,   // `push %rbp` done, `mov %rsp,%rbp` not yet: [rsp + 8]
    Unknown,     // another start: a leaf without a frame, or a prologue GCC moved or mixed with
                 // other instructions; the caller is at [rsp] or [rsp + 8] if a call is just before
                 // that word, else RBP is taken as the function's frame
};

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

struct GuestReader {
    // The 8 bytes at a guest address, or nullopt when the guest may not read them.
    std::function<std::optional<uint64_t>(uint64_t)> u64;
    // Whether a word on the stack is a return address into the sampled function's caller.
    std::function<bool(uint64_t)> returns_from_sampled;
};

// The walk stops at memory the guest may not read, at a null return
// address, at a frame pointer that does not move up the stack (a frame
// without one, a loop in corrupt memory), and after kMaxProfileDepth entries.
std::vector<uint64_t> walk_frame_pointers(uint64_t rip, uint64_t rsp, uint64_t rbp, FrameState leaf,
                                          const GuestReader& read);

} // namespace hl
