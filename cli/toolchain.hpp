// Where hlbuild finds the guest toolchain: relative to its own executable,
// BIN/../lib/hl (libhlcrt.a, guest.ld, include/) and BIN/../share/hl/templates.
// The build tree is laid out the same way as an installed tree, so one rule
// serves both.
#pragma once

#include <filesystem>

namespace hl::cli {

struct Toolchain {
    std::filesystem::path include_dir;
    std::filesystem::path crt_library;
    std::filesystem::path linker_script;
    std::filesystem::path templates_dir;
};

// Throws hl::Error naming the missing piece and where it was looked for.
Toolchain find_toolchain();

} // namespace hl::cli
