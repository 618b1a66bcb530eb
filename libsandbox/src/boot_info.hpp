// The boot info block and argv the guest finds at HL_BOOT_INFO_ADDR.
#pragma once

#include <hl/abi.h>
#include <hl/layout.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace hl {

struct SandboxOptions;

// What the boot info says beside the memory map and the arguments.
struct BootFacts {
    // The image note's version: a version 1 runtime checks for 1 and reads
    // only the fields before flags (abi.h, HL_ABI_VERSION_MIN).
    uint32_t abi_version = HL_ABI_VERSION;
    uint32_t flags = 0;   // HL_BOOT_* bits
};

// The HL_BOOT_* flags options ask for (stdout_terminal, stderr_terminal).
uint32_t boot_flags(const SandboxOptions& options);

// Writes struct hl_boot_info, then the argv pointer array, then the strings,
// into memory (all of guest memory). Throws LayoutError when they do not fit
// in HL_BOOT_INFO_MAX_SIZE or an argument holds a NUL byte.
void write_boot_info(std::span<uint8_t> memory, const Layout& layout, const std::vector<std::string>& argv,
                     const BootFacts& facts);

} // namespace hl
