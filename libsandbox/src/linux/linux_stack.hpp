// The initial stack of a static Linux executable, laid out as the kernel's
// execve leaves it: argc, argv, envp and the auxiliary vector at the stack
// pointer, the strings they point to above. Pure: writes into a span
// standing for guest memory.
#pragma once

#include <hl/layout.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace hl::linux_abi {

struct LinuxStart {
    uint64_t entry = 0;
    // The program headers (AT_PHDR): where a segment loads them, or, when
    // none does, their bytes, copied onto the stack.
    std::optional<uint64_t> program_headers_at;
    std::span<const uint8_t> program_headers;
    uint16_t program_header_size = 0;
    uint16_t program_header_count = 0;
    std::vector<std::string> argv;
    std::vector<std::string> environment;
    std::array<uint8_t, 16> random{};   // AT_RANDOM: what the C library seeds its secrets from
};

// Writes the stack below layout.stack_top() and returns the initial stack
// pointer (16-byte aligned, at argc). Throws LayoutError when an argument or
// environment entry holds a NUL byte, or when they all take more than a
// quarter of the stack (Linux's own limit on them).
uint64_t write_linux_stack(std::span<uint8_t> memory, const Layout& layout, const LinuxStart& start);

} // namespace hl::linux_abi
