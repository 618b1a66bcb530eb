// The stack of a sampled guest: its RIP, then the return addresses found by
// following the frame-pointer chain (saved RBP at [rbp], return address at
// [rbp + 8]). Pure: guest memory is read through a function, so the walk is
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
    Framed,      // RBP is the function's own frame: [rbp + 8] returns to its caller
    AtEntry,     // nothing pushed yet: [rsp] returns to its caller
    AfterPush,   // `push %rbp` done, `mov %rsp,%rbp` not yet: [rsp + 8]
    Frameless,   // the function makes no frame (a leaf): [rsp], trusting it pushed nothing
};

// What the function at `entry` does with its frame, from its first bytes
// (`push %rbp; mov %rsp,%rbp`, after an `endbr64`), when sampled at `offset`
// bytes into it.
FrameState frame_state(std::span<const uint8_t> entry, uint64_t offset);

// read_u64 gives the 8 bytes at a guest address, or nullopt when the guest
// may not read them. The walk stops there, at a null return address, or at
// a frame pointer that does not move up the stack (a frame without one, a
// loop in corrupt memory), and after kMaxProfileDepth entries.
std::vector<uint64_t> walk_frame_pointers(uint64_t rip, uint64_t rsp, uint64_t rbp, FrameState leaf,
                                          const std::function<std::optional<uint64_t>(uint64_t)>& read_u64);

} // namespace hl
