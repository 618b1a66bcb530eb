// The profiler's walk over an aarch64 guest's stack: prologues and returns
// read from A64 instruction words, the caller of a function without its
// frame yet found in the link register, then the frame records.
#include "profile/leaf_aarch64.hpp"
#include "profile_fake_stack.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <vector>

using namespace hl;
using namespace hl::aarch64;

namespace {

// Instruction words as the bytes guest memory holds them.
std::vector<uint8_t> code(std::initializer_list<uint32_t> words)
{
    std::vector<uint8_t> bytes(words.size() * 4);
    size_t at = 0;
    for (const uint32_t word : words) {
        std::memcpy(bytes.data() + at, &word, 4);
        at += 4;
    }
    return bytes;
}

constexpr uint32_t kStpPreIndex = 0xa9bf7bfd;   // stp x29, x30, [sp, #-16]!
constexpr uint32_t kMovFp = 0x910003fd;         // mov x29, sp
constexpr uint32_t kSubSp = 0xd10403ff;         // sub sp, sp, #0x100
constexpr uint32_t kStpOffset = 0xa90f7bfd;     // stp x29, x30, [sp, #240]
constexpr uint32_t kAddFp = 0x9103c3fd;         // add x29, sp, #240
constexpr uint32_t kBtiC = 0xd503245f;
constexpr uint32_t kPaciasp = 0xd503233f;
constexpr uint32_t kRet = 0xd65f03c0;
constexpr uint32_t kNop = 0xd503201f;
constexpr uint32_t kLdr = 0xf9400000;           // ldr x0, [x0]

} // namespace

TEST_CASE("profile aarch64: a function's first instructions say whether it makes a frame, and where a sample stands")
{
    const auto framed = code({kStpPreIndex, kMovFp, kLdr});
    CHECK(frame_state(framed, 0) == FrameState::AtEntry);
    CHECK(frame_state(framed, 4) == FrameState::AtEntry);   // the record stored, x29 not yet set
    CHECK(frame_state(framed, 8) == FrameState::Framed);
    const auto large = code({kSubSp, kStpOffset, kAddFp, kLdr});
    CHECK(frame_state(large, 4) == FrameState::AtEntry);
    CHECK(frame_state(large, 8) == FrameState::AtEntry);
    CHECK(frame_state(large, 12) == FrameState::Framed);
    const auto hinted = code({kBtiC, kPaciasp, kStpPreIndex, kMovFp, kLdr});
    CHECK(frame_state(hinted, 8) == FrameState::AtEntry);
    CHECK(frame_state(hinted, 12) == FrameState::AtEntry);
    CHECK(frame_state(hinted, 16) == FrameState::Framed);
    const auto leaf = code({kLdr, kRet});
    CHECK(frame_state(leaf, 0) == FrameState::AtEntry);
    CHECK(frame_state(leaf, 4) == FrameState::Unknown);
    CHECK(frame_state(code({kStpPreIndex, kLdr}), 8) == FrameState::Unknown);   // a record, but x29 left alone
    CHECK(frame_state(code({kStpPreIndex}), 8) == FrameState::Unknown);         // too short to tell
    CHECK(frame_state(std::vector<uint8_t>{0x5f, 0x24}, 4) == FrameState::Unknown);
}

TEST_CASE("profile aarch64: a sample at a return, or just after the frame record is reloaded, walks as at entry")
{
    const std::vector<uint8_t> none;
    CHECK(is_return(code({kRet}), none));
    CHECK(is_return(code({0xd65f0220}), none));   // ret x17
    CHECK(is_return(code({0xd65f0bff}), none));   // retaa
    CHECK(is_return(code({0xd65f0fff}), none));   // retab
    CHECK(is_return(code({kLdr}), code({0xa8c17bfd})));   // after ldp x29, x30, [sp], #16
    CHECK(is_return(code({0x910403ff}), code({0xa9407bfd})));   // add sp, sp, #0x100 after ldp x29, x30, [sp]
    CHECK_FALSE(is_return(code({kLdr}), code({kNop})));
    CHECK_FALSE(is_return(code({0xd61f0200}), none));   // br x16: a jump, not a return
    CHECK_FALSE(is_return(code({0xa8c17bfd}), none));   // the ldp itself: the frame is still there
    CHECK_FALSE(is_return(none, none));
    CHECK_FALSE(is_return(std::vector<uint8_t>{0xc0, 0x03}, none));
}

TEST_CASE("profile aarch64: the link register returns into the caller when a bl or blr is just before it")
{
    // A bl at 0x100040 of a function at 0x100010 returns to 0x100044: imm26 = (0x10 - 0x40) / 4 = -12.
    const auto direct = code({0x97fffff4});
    CHECK(is_call_site(direct, 0x100044, 0x100010));
    CHECK(is_call_site(direct, 0x100044, std::nullopt));
    CHECK_FALSE(is_call_site(direct, 0x100044, 0x100020));   // a call, but of another function
    CHECK(is_call_site(code({0x94000010}), 0x100004, 0x100040));   // forwards: imm26 = 16
    CHECK(is_call_site(code({0xd63f0100}), 0x1000, 0x2000));   // blr x8
    CHECK(is_call_site(code({0xd63f091f}), 0x1000, 0x2000));   // blraaz x8
    CHECK_FALSE(is_call_site(code({0x14000010}), 0x1000, 0x2000));   // b: a jump does not return
    CHECK_FALSE(is_call_site(code({0xd61f0100}), 0x1000, 0x2000));   // br x8
    CHECK_FALSE(is_call_site(code({kLdr}), 0x1000, 0x2000));
    CHECK_FALSE(is_call_site(std::vector<uint8_t>{}, 0x1000, 0x2000));
}

TEST_CASE("profile aarch64: the walk takes the caller from the link register until the frame is made")
{
    FakeStack s;
    s.frame(0x7f40, 0x7f80, 0x401100);   // the caller's frame record: returns into main
    s.frame(0x7f80, 0, 0x401200);        // main's: returns into _start, whose x29 was 0
    // At entry or in the prologue: x29 is the caller's, x30 returns into it.
    CHECK(walk_frame_pointers(0x401005, 0x401020, 0x7f40, FrameState::AtEntry, s.reader()) ==
          std::vector<uint64_t>{0x401005, 0x401020, 0x401100, 0x401200});
    // Framed: its own record names its caller, and x30 is whatever its last call left.
    FakeStack framed = s;
    framed.frame(0x7f00, 0x7f40, 0x401020);
    CHECK(walk_frame_pointers(0x401005, 0x401abc, 0x7f00, FrameState::Framed, framed.reader()) ==
          std::vector<uint64_t>{0x401005, 0x401020, 0x401100, 0x401200});
    // A leaf without a frame: x30 counts when a call is just before it.
    CHECK(walk_frame_pointers(0x401005, 0x401020, 0x7f40, FrameState::Unknown, s.reader({0x401020})) ==
          std::vector<uint64_t>{0x401005, 0x401020, 0x401100, 0x401200});
    CHECK(walk_frame_pointers(0x401005, 0x401abc, 0x7f40, FrameState::Unknown, s.reader()) ==
          std::vector<uint64_t>{0x401005, 0x401100, 0x401200});   // not after a call: x29 is taken as its frame
    // A frame made by a prologue the walk did not read: x30 and the record name the same caller, once.
    CHECK(walk_frame_pointers(0x401005, 0x401020, 0x7f00, FrameState::Unknown, framed.reader({0x401020})) ==
          std::vector<uint64_t>{0x401005, 0x401020, 0x401100, 0x401200});
    // A null link register (crt0 clears it) names no caller.
    CHECK(walk_frame_pointers(0x401005, 0, 0, FrameState::AtEntry, s.reader()) == std::vector<uint64_t>{0x401005});
}
