// The stack of a sampled guest: its pc, then the return addresses found by
// following the frame-pointer chain. Both architectures keep a frame record
// of two words at the frame pointer: the caller's frame pointer, then the
// return address (x86-64: saved RBP at [rbp], return address at [rbp + 8];
// aarch64: x29 and x30 stored at [x29]). Where the sampled function's own
// caller is, before its frame exists, is the architecture's matter
// (profile/leaf_x86_64.hpp, profile/leaf_aarch64.hpp). Pure: guest memory is
// read through functions, so the walk is tested without KVM.
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
// has not made its frame yet: the frame pointer is still the caller's.
enum class FrameState {
    Framed,      // past its prologue: the frame pointer is its own, and its frame record names its caller
    AtEntry,     // its frame not made yet (or undone at its return): the caller is where the call left it
                 // (x86-64: [rsp]; aarch64: the link register)
    AfterPush,   // x86-64 only: `push %rbp` done, `mov %rsp,%rbp` not yet: [rsp + 8]
    Unknown,     // another start: a leaf without a frame, or a prologue GCC moved or mixed with
                 // other instructions; the caller is where the call left it if a call is just before
                 // that address, else the frame pointer is taken as the function's frame
};

struct GuestReader {
    // The 8 bytes at a guest address, or nullopt when the guest may not read them.
    std::function<std::optional<uint64_t>(uint64_t)> u64;
    // Whether an address (a word on the stack, the link register) returns into the sampled function's caller.
    std::function<bool(uint64_t)> returns_from_sampled;
};

// The sampled function's caller as its architecture found it, when its
// frame record does not name it.
struct LeafCaller {
    std::optional<uint64_t> returns_to;
    // Found by looking (FrameState::Unknown): the function may have made its
    // frame after all, in which case its frame record names the same caller,
    // which counts once.
    bool found_by_looking = false;
};

// The walk stops at memory the guest may not read, at a null return
// address, at a frame pointer that does not move up the stack (a frame
// without one, a loop in corrupt memory), and after kMaxProfileDepth entries.
std::vector<uint64_t> walk_frame_chain(uint64_t pc, const LeafCaller& leaf, uint64_t frame, const GuestReader& read);

} // namespace hl
