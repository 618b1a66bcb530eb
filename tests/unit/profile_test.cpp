// The profiler's pure parts: the frame-pointer walk over an x86-64 guest's
// stack (aarch64's: profile_aarch64_test.cpp), and folded stacks.
#include "profile/leaf_x86_64.hpp"
#include "profile_fake_stack.hpp"

#include <hl/profile.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <algorithm>
#include <map>
#include <optional>
#include <string>

using namespace hl;

using x86_64::frame_state;
using x86_64::is_call_site;
using x86_64::is_return;
using x86_64::walk_frame_pointers;

TEST_CASE("profile: the walk follows the frame pointers up to the outermost frame")
{
    FakeStack s;
    s.frame(0x7f00, 0x7f40, 0x401020);   // leaf's frame: returns into its caller
    s.frame(0x7f40, 0x7f80, 0x401100);   // caller's: returns into main
    s.frame(0x7f80, 0, 0x401200);        // main's: returns into _start, whose RBP was 0
    const auto stack = walk_frame_pointers(0x401005, 0x7ee0, 0x7f00, FrameState::Framed, s.reader());
    CHECK(stack == std::vector<uint64_t>{0x401005, 0x401020, 0x401100, 0x401200});
}

TEST_CASE("profile: the walk stops at memory the guest cannot read, a null return, a frame that goes down, and at its depth")
{
    FakeStack s;
    s.frame(0x7f00, 0x9000, 0x401020);   // the next frame is not readable
    CHECK(walk_frame_pointers(1, 0x7000, 0x7f00, FrameState::Framed, s.reader()) ==
          std::vector<uint64_t>{1, 0x401020});
    CHECK(walk_frame_pointers(1, 0x7000, 0x5000, FrameState::Framed, s.reader()) == std::vector<uint64_t>{1});
    CHECK(walk_frame_pointers(1, 0x7000, 0x7f01, FrameState::Framed, s.reader()) == std::vector<uint64_t>{1});   // unaligned

    FakeStack null_return;
    null_return.frame(0x7f00, 0x7f40, 0);
    CHECK(walk_frame_pointers(1, 0x7000, 0x7f00, FrameState::Framed, null_return.reader()) ==
          std::vector<uint64_t>{1});

    FakeStack loop;   // corrupt memory: a frame pointing back down (or at itself) ends the walk
    loop.frame(0x7f00, 0x7f40, 0x401020);
    loop.frame(0x7f40, 0x7f00, 0x401100);
    CHECK(walk_frame_pointers(1, 0x7000, 0x7f00, FrameState::Framed, loop.reader()) ==
          std::vector<uint64_t>{1, 0x401020, 0x401100});

    FakeStack deep;   // a chain longer than the limit
    for (uint64_t i = 0; i < 1000; ++i)
        deep.frame(0x10000 + i * 16, 0x10000 + (i + 1) * 16, 0x400000 + i);
    CHECK(walk_frame_pointers(1, 0x7000, 0x10000, FrameState::Framed, deep.reader()).size() == kMaxProfileDepth);
}

TEST_CASE("profile: a leaf without a frame, or sampled in its prologue, has its caller found on the stack")
{
    FakeStack s;
    s.words[0x7ee0] = 0x401020;          // top of the stack: the return into the caller
    s.words[0x7ee8] = 0x401030;          // one word up, where it is after `push %rbp`
    s.frame(0x7f00, 0, 0x401100);        // the caller's frame: returns into main
    CHECK(walk_frame_pointers(0x401005, 0x7ee0, 0x7f00, FrameState::AtEntry, s.reader()) ==
          std::vector<uint64_t>{0x401005, 0x401020, 0x401100});
    CHECK(walk_frame_pointers(0x401006, 0x7ee0, 0x7f00, FrameState::AfterPush, s.reader()) ==
          std::vector<uint64_t>{0x401006, 0x401030, 0x401100});
    CHECK(walk_frame_pointers(0x401005, 0x7ee0, 0x7f00, FrameState::Framed, s.reader()) ==
          std::vector<uint64_t>{0x401005, 0x401100});
    // A start the walk does not know: the top words count only when a call is just before them.
    CHECK(walk_frame_pointers(0x401005, 0x7ee0, 0x7f00, FrameState::Unknown, s.reader({0x401020})) ==
          std::vector<uint64_t>{0x401005, 0x401020, 0x401100});
    CHECK(walk_frame_pointers(0x401005, 0x7ee0, 0x7f00, FrameState::Unknown, s.reader({0x401030})) ==
          std::vector<uint64_t>{0x401005, 0x401030, 0x401100});   // one register pushed first
    CHECK(walk_frame_pointers(0x401005, 0x7ee0, 0x7f00, FrameState::Unknown, s.reader()) ==
          std::vector<uint64_t>{0x401005, 0x401100});   // saved registers: RBP is the function's frame
    // A frame made by a prologue the first bytes did not show (push %rbp; mov $1,%edx; mov %rsp,%rbp):
    // the caller is both above the saved RBP on the stack and in the frame; it counts once.
    FakeStack framed;
    framed.words[0x7ee0] = 0x7f40;            // saved RBP at [rsp], RBP == RSP
    framed.words[0x7ee8] = 0x401020;          // the return into the caller
    framed.frame(0x7f40, 0, 0x401100);
    CHECK(walk_frame_pointers(0x401005, 0x7ee0, 0x7ee0, FrameState::Unknown, framed.reader({0x401020})) ==
          std::vector<uint64_t>{0x401005, 0x401020, 0x401100});
}

TEST_CASE("profile: a function's first bytes say whether it makes a frame, and where a sample stands in it")
{
    const std::vector<uint8_t> framed = {0x55, 0x48, 0x89, 0xe5, 0x48, 0x83, 0xec, 0x10};   // push, mov, sub
    CHECK(frame_state(framed, 0) == FrameState::AtEntry);
    CHECK(frame_state(framed, 1) == FrameState::AfterPush);
    CHECK(frame_state(framed, 4) == FrameState::Framed);
    const std::vector<uint8_t> ibt = {0xf3, 0x0f, 0x1e, 0xfa, 0x55, 0x48, 0x89, 0xe5};   // endbr64 first
    CHECK(frame_state(ibt, 2) == FrameState::AtEntry);
    CHECK(frame_state(ibt, 5) == FrameState::AfterPush);
    CHECK(frame_state(ibt, 8) == FrameState::Framed);
    const std::vector<uint8_t> leaf = {0x48, 0x8b, 0x05, 0xc9, 0x50, 0x00, 0x00, 0x48};   // mov ...(%rip),%rax
    CHECK(frame_state(leaf, 0) == FrameState::AtEntry);
    CHECK(frame_state(leaf, 7) == FrameState::Unknown);
    CHECK(frame_state(std::vector<uint8_t>{0x55}, 3) == FrameState::Unknown);   // too short to tell
}

TEST_CASE("profile: a sample at a return has undone its frame, and walks as at entry")
{
    CHECK(is_return(std::vector<uint8_t>{0xc3, 0x90}));         // ret
    CHECK(is_return(std::vector<uint8_t>{0xf3, 0xc3}));         // rep ret
    CHECK(is_return(std::vector<uint8_t>{0xc2, 0x08}));         // ret $8
    CHECK(is_return(std::vector<uint8_t>{0xf2, 0xc3}));         // bnd ret
    CHECK(is_return(std::vector<uint8_t>{0xc3}));               // the last byte the guest may read
    CHECK_FALSE(is_return(std::vector<uint8_t>{0x5d, 0xc3}));   // pop %rbp: the frame is still there
    CHECK_FALSE(is_return(std::vector<uint8_t>{0xc9, 0xc3}));   // leave
    CHECK_FALSE(is_return(std::vector<uint8_t>{0xf3, 0x90}));   // pause
    CHECK_FALSE(is_return(std::vector<uint8_t>{}));
    // At the ret after `pop %rbp`, RBP is the caller's frame and [rsp] returns into the caller.
    FakeStack s;
    s.words[0x7ee0] = 0x401020;          // into the caller
    s.frame(0x7f40, 0x7f80, 0x401100);   // the caller's frame: returns into main
    s.frame(0x7f80, 0, 0x401200);
    CHECK(walk_frame_pointers(0x401010, 0x7ee0, 0x7f40, FrameState::AtEntry, s.reader()) ==
          std::vector<uint64_t>{0x401010, 0x401020, 0x401100, 0x401200});
}

TEST_CASE("profile: a word on the stack is a return address when a call is just before it")
{
    // cold_caller's `call hot_leaf` (e8 rel32) at 0x1000a4, returning to 0x1000a9; hot_leaf at 0x100010.
    const std::vector<uint8_t> direct = {0x00, 0x00, 0xe8, 0x67, 0xff, 0xff, 0xff};
    CHECK(is_call_site(direct, 0x1000a9, 0x100010));
    CHECK(is_call_site(direct, 0x1000a9, std::nullopt));
    CHECK_FALSE(is_call_site(direct, 0x1000a9, 0x100050));   // a call, but of another function
    // call *%rax, call *%r11 (REX), call *0x8(%rdx), call *0x8(%rsp) (SIB), call *disp32(%rip)
    CHECK(is_call_site(std::vector<uint8_t>{0x90, 0x90, 0x90, 0x90, 0x90, 0xff, 0xd0}, 0x1000, 0x2000));
    CHECK(is_call_site(std::vector<uint8_t>{0x90, 0x90, 0x90, 0x90, 0x41, 0xff, 0xd3}, 0x1000, 0x2000));
    CHECK(is_call_site(std::vector<uint8_t>{0x90, 0x90, 0x90, 0x90, 0xff, 0x52, 0x08}, 0x1000, 0x2000));
    CHECK(is_call_site(std::vector<uint8_t>{0x90, 0x90, 0x90, 0xff, 0x54, 0x24, 0x08}, 0x1000, 0x2000));
    CHECK(is_call_site(std::vector<uint8_t>{0x90, 0xff, 0x15, 0x10, 0x20, 0x00, 0x00}, 0x1000, 0x2000));
    // Saved registers and data: a loop counter, a pointer, the guest's text after a jmp *%rax (ff /4)
    CHECK_FALSE(is_call_site(std::vector<uint8_t>{0, 0, 0, 0, 0, 0, 0}, 0x1000, 0x2000));
    CHECK_FALSE(is_call_site(std::vector<uint8_t>{0x48, 0x89, 0xe5, 0x41, 0x55, 0x41, 0x54}, 0x1000, 0x2000));
    CHECK_FALSE(is_call_site(std::vector<uint8_t>{0x90, 0x90, 0x90, 0x90, 0x90, 0xff, 0xe0}, 0x1000, 0x2000));
}

TEST_CASE("profile: folded stacks name frames outermost first, a return address by its call, and add up equal lines")
{
    Profile profile;
    profile.add({0x1005, 0x2010, 0x3010});   // hot, called from work at 0x200f, from main at 0x300f
    profile.add({0x1005, 0x2010, 0x3010});
    profile.add({0x1007, 0x2010, 0x3010});   // hot again, elsewhere in it: the same line
    profile.add({0x2003, 0x3010});           // work itself
    profile.add({0x1005, 0x2020, 0x3010});   // hot from another call site in work: the same functions
    CHECK(profile.samples() == 5);
    CHECK(profile.stacks().size() == 4);
    const auto name_of = [](uint64_t address, uint64_t) -> std::string {
        if (address >= 0x1000 && address < 0x2000)
            return "hot";
        if (address >= 0x2000 && address < 0x3000)
            return "work";
        if (address >= 0x3000 && address < 0x3010)   // 0x3010 - 1 is main's call
            return "main";
        return "?";
    };
    CHECK(profile.folded(name_of) == "main;work 1\nmain;work;hot 4\n");
    profile.clear();
    CHECK(profile.samples() == 0);
    CHECK(profile.folded(name_of).empty());
}
