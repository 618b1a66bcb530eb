// Where hlbuild finds the guest toolchain: relative to its own executable,
// BIN/../lib/hl (libhlcrt.a, libhlmusl.a, guest.ld, guest-musl.ld,
// include/hl, tiny/include) and BIN/../share/hl/templates. The build tree is
// laid out the same way as an installed tree, so one rule serves both.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace hl::cli {

struct Toolchain {
    std::filesystem::path include_dir;       // <hl/*.h>, for every guest
    std::filesystem::path tiny_include_dir;  // the tiny libc's headers
    std::filesystem::path crt_library;       // libhlcrt.a: hl's layer and the tiny libc
    std::filesystem::path linker_script;
    std::filesystem::path musl_library;      // libhlmusl.a: hl's layer for musl; absent in a build without musl
    std::filesystem::path musl_linker_script;
    std::filesystem::path templates_dir;
    std::filesystem::path hlrun;             // BIN/hlrun, for hlbuild run
};

// Throws hl::Error naming the missing piece and where it was looked for.
// The musl pieces are not required: hlbuild checks them when a project asks for musl.
Toolchain find_toolchain();

// The templates in templates_dir (hlbuild new --template NAME), sorted; none when it cannot be read.
std::vector<std::string> template_names(const std::filesystem::path& templates_dir);

} // namespace hl::cli
