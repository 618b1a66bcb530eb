// The Linux personality's memory calls over a real GuestMemory (linux_memory.cpp).
#include "linux/linux_memory.hpp"
#include "test_layouts.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <sys/mman.h>

using namespace hl;
namespace la = hl::linux_abi;

namespace {

constexpr uint64_t kAnon = MAP_PRIVATE | MAP_ANONYMOUS;
constexpr uint64_t kRw = PROT_READ | PROT_WRITE;

struct Process {
    Layout layout = test::typical_layout();
    GuestMemory memory{layout};
    LinuxProcess p = LinuxProcess::for_layout(layout);

    uint8_t& byte(uint64_t address) { return memory.host_view()[address]; }
    int64_t map(uint64_t length, uint64_t flags = kAnon, uint64_t address = 0, uint64_t prot = kRw)
    {
        return la::mmap(p, memory, address, length, prot, flags, -1, 0);
    }
};

} // namespace

TEST_CASE("linux brk: grows from the heap's start, zeroed, and answers a refusal with the old break")
{
    Process t;
    const uint64_t start = t.layout.heap_start();
    CHECK(la::brk(t.p, t.memory, 0) == static_cast<int64_t>(start));
    CHECK(la::brk(t.p, t.memory, start + 0x1800) == static_cast<int64_t>(start + 0x1800));
    t.byte(start + 0x10) = 0x77;
    CHECK(la::brk(t.p, t.memory, start) == static_cast<int64_t>(start));          // shrink
    CHECK(la::brk(t.p, t.memory, start + 0x20) == static_cast<int64_t>(start + 0x20));
    CHECK(t.byte(start + 0x10) == 0);                                              // grown again: zero
    CHECK(la::brk(t.p, t.memory, start - 1) == static_cast<int64_t>(start + 0x20)); // below the heap
    CHECK(la::brk(t.p, t.memory, t.p.arena_end + 1) == static_cast<int64_t>(start + 0x20));
    CHECK(t.memory.host_dirty()[(start / HL_PAGE_SIZE) / 64] != 0);               // a restore undoes it
}

TEST_CASE("linux mmap: anonymous memory top down, zeroed, never executable, never a file")
{
    Process t;
    const int64_t a = t.map(0x3000);
    CHECK(a == static_cast<int64_t>(t.p.arena_end - 0x3000));
    const int64_t b = t.map(1);
    CHECK(b == a - 0x1000);
    t.byte(static_cast<uint64_t>(b)) = 0x55;
    CHECK(la::munmap(t.p, static_cast<uint64_t>(b), 0x1000) == 0);
    CHECK(t.map(0x1000) == b);
    CHECK(t.byte(static_cast<uint64_t>(b)) == 0);
    CHECK(t.map(0) == -EINVAL);
    CHECK(t.map(0x1000, MAP_PRIVATE) == -ENODEV);                             // a file mapping
    CHECK(t.map(0x1000, kAnon, 0, PROT_READ | PROT_EXEC) == -EACCES);          // W^X
    CHECK(t.map(t.p.arena_end) == -ENOMEM);                                    // more than the arena
    CHECK(t.map(uint64_t{1} << 60) == -ENOMEM);
}

TEST_CASE("linux mmap and brk do not pass each other")
{
    Process t;
    const uint64_t arena = t.p.arena_end - t.p.arena_start;
    const int64_t top = t.map(arena - 0x2000);
    REQUIRE(top == static_cast<int64_t>(t.p.arena_start + 0x2000));
    CHECK(la::brk(t.p, t.memory, t.p.arena_start + 0x2000) == static_cast<int64_t>(t.p.arena_start + 0x2000));
    CHECK(la::brk(t.p, t.memory, t.p.arena_start + 0x2001) == static_cast<int64_t>(t.p.arena_start + 0x2000));
    CHECK(t.map(0x1000) == -ENOMEM);
}

TEST_CASE("linux mmap MAP_FIXED replaces inside the arena, MAP_FIXED_NOREPLACE refuses to")
{
    Process t;
    const uint64_t at = t.p.arena_end - 0x4000;
    CHECK(t.map(0x2000, kAnon | MAP_FIXED, at) == static_cast<int64_t>(at));
    t.byte(at) = 9;
    CHECK(t.map(0x1000, kAnon | MAP_FIXED, at) == static_cast<int64_t>(at));
    CHECK(t.byte(at) == 0);
    CHECK(t.map(0x1000, kAnon | MAP_FIXED_NOREPLACE, at + 0x1000) == -EEXIST);
    CHECK(t.map(0x1000, kAnon | MAP_FIXED, at + 1) == -EINVAL);
    CHECK(t.map(0x1000, kAnon | MAP_FIXED, t.layout.stack_top() - 0x1000) == -ENOMEM); // the stack is not the arena
}

TEST_CASE("linux munmap splits mappings, mremap shrinks, grows in place, moves with its bytes")
{
    Process t;
    const uint64_t a = static_cast<uint64_t>(t.map(0x4000));
    CHECK(la::munmap(t.p, a + 0x1000, 0x1000) == 0);
    CHECK(t.p.mappings.size() == 2);
    CHECK(la::munmap(t.p, a + 1, 0x1000) == -EINVAL);
    CHECK(la::munmap(t.p, a, 0) == -EINVAL);
    // The mapping at a (one page) cannot grow in place: a + 0x1000 is free but
    // a + 0x2000 is mapped. It moves, with its bytes.
    t.byte(a) = 0x42;
    CHECK(la::mremap(t.p, t.memory, a, 0x1000, 0x3000, 0, 0) == -ENOMEM);
    const int64_t moved = la::mremap(t.p, t.memory, a, 0x1000, 0x3000, MREMAP_MAYMOVE, 0);
    REQUIRE(moved > 0);
    CHECK(t.byte(static_cast<uint64_t>(moved)) == 0x42);
    CHECK(t.byte(static_cast<uint64_t>(moved) + 0x2000) == 0);
    // Shrink, then grow back in place into what it gave up.
    CHECK(la::mremap(t.p, t.memory, static_cast<uint64_t>(moved), 0x3000, 0x1000, 0, 0) == moved);
    CHECK(la::mremap(t.p, t.memory, static_cast<uint64_t>(moved), 0x1000, 0x2000, 0, 0) == moved);
    CHECK(la::mremap(t.p, t.memory, t.p.arena_start, 0x1000, 0x2000, MREMAP_MAYMOVE, 0) == -EFAULT); // not a mapping
    CHECK(la::mremap(t.p, t.memory, static_cast<uint64_t>(moved), 0x1000, 0x2000, MREMAP_FIXED, 0) == -EINVAL);
}

TEST_CASE("linux mprotect and madvise: no executable memory, DONTNEED zeroes")
{
    Process t;
    const uint64_t a = static_cast<uint64_t>(t.map(0x2000));
    CHECK(la::mprotect(t.p, t.layout, a, 0x2000, PROT_READ) == 0);
    CHECK(la::mprotect(t.p, t.layout, a, 0x2000, PROT_READ | PROT_EXEC) == -EACCES);
    CHECK(la::mprotect(t.p, t.layout, 0x100000, 0x1000, PROT_READ) == -ENOMEM); // text: not the guest's to change
    CHECK(la::mprotect(t.p, t.layout, a + 1, 0x1000, PROT_READ) == -EINVAL);
    t.byte(a + 0x1000) = 3;
    CHECK(la::madvise(t.p, t.memory, a, 0x2000, MADV_DONTNEED) == 0);
    CHECK(t.byte(a + 0x1000) == 0);
    CHECK(la::madvise(t.p, t.memory, 0x100000, 0x1000, MADV_DONTNEED) == -ENOMEM);
}
