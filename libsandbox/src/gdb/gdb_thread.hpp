// What the gdb stub reads and writes of a stopped vCPU, for one
// architecture's register types. arch.hpp's GdbThread is this host's;
// aarch64/gdb_registers.hpp names the aarch64 one, which every host's unit
// tests use and which on an aarch64 host is the same type.
#pragma once

#include <cstdint>
#include <optional>

namespace hl {

template <class Registers, class VectorRegisters>
struct BasicGdbThread {
    Registers registers{};
    uint64_t thread_pointer = 0;   // x86-64: FS base; aarch64: TPIDR_EL0
    // The vector registers (x86-64: x87, SSE, the upper halves of ymm0-ymm15;
    // aarch64: v0-v31, FPSR, FPCR); unset: not offered.
    std::optional<VectorRegisters> vectors{};
};

} // namespace hl
