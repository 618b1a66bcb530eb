// The x86-64 general registers, as a backend reads them at an exit.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace hl::x86_64 {

struct Registers {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
    // What code common to every architecture reads and sets (aarch64/registers.hpp has the same).
    uint64_t program_counter() const { return rip; }
    uint64_t stack_pointer() const { return rsp; }
    uint64_t frame_pointer() const { return rbp; }
    void set_program_counter(uint64_t value) { rip = value; }
    void set_stack_pointer(uint64_t value) { rsp = value; }
    // The register the entry point gets the boot info in (%rdi).
    void set_first_argument(uint64_t value) { rdi = value; }
};

// The vector registers a debugger and a core file show: the legacy FXSAVE
// region (x87 control and status, st0-st7, mxcsr, xmm0-xmm15), the upper
// halves of ymm0-ymm15 when the guest has AVX, and the whole XSAVE area in
// the standard format with the guest's XCR0 at byte 464, as Linux's core
// files hold it (empty when the backend has none).
struct VectorRegisters {
    std::array<uint8_t, 512> fxsave{};
    std::optional<std::array<uint8_t, 256>> ymm_high;
    std::vector<uint8_t> xsave;
};

} // namespace hl::x86_64
