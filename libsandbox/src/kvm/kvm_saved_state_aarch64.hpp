// A saved aarch64 vCPU state (VcpuState::bytes, and so snapshot files): what
// the guest at EL0 can change, and nothing of EL1's, which the host sets
// from the boot state whenever it resumes one.
#pragma once

#include <cstdint>

namespace hl {

struct SavedAarch64State {
    static constexpr uint32_t kVersion = 1;
    uint32_t version;
    uint32_t fpsr, fpcr;
    uint32_t _reserved;
    uint64_t x[31], sp, pc, pstate;
    uint64_t tpidr_el0;
    uint8_t v[32][16];
};
static_assert(sizeof(SavedAarch64State) == 16 + 34 * 8 + 8 + 512, "saved state layout");

} // namespace hl
