// What the Linux personality keeps of one guest process between its system
// calls: the program break, the anonymous mappings and which standard
// descriptors are still open. Plain data, copied into snapshots with the
// memory it describes.
//
// brk and mmap share one arena, the layout's heap: the break grows up from
// its start, mappings are placed down from its end, and neither may pass the
// other. The pages stay readable and writable in the page tables whatever
// protection the guest asks for; none is ever executable (W^X).
#pragma once

#include <hl/layout.hpp>

#include <bitset>
#include <cstdint>
#include <map>

namespace hl {

struct LinuxProcess {
    uint64_t arena_start = 0, arena_end = 0;
    uint64_t brk = 0;                          // the program break: [arena_start, brk) is in use
    std::map<uint64_t, uint64_t> mappings;     // start -> length, both page multiples
    uint64_t clear_child_tid = 0;              // set_tid_address's address (no thread ever exits)
    uint64_t fs_base = 0;                      // as arch_prctl(ARCH_SET_FS) last set it
    uint64_t signal_mask = 0;                  // rt_sigprocmask's (no signal is ever delivered)
    std::bitset<3> closed;                     // fds 0, 1, 2 closed by the guest

    // A process whose arena is the layout's heap.
    static LinuxProcess for_layout(const Layout& layout);
    // The lowest address a mapping may take: the break, rounded up to a page.
    uint64_t mapping_floor() const;
    // The highest address the break may reach: the lowest mapping, or the arena's end.
    uint64_t break_ceiling() const;
};

} // namespace hl
