// Where hlbuild finds the guest toolchain: relative to its own executable,
// BIN/../lib/hl (include/hl and tiny/include, which every target shares, and
// a directory of each target's runtime, lib/hl/TARGET: libhlcrt.a,
// libhlmusl.a, guest.ld, guest-musl.ld) and BIN/../share/hl/templates. The
// build tree is laid out the same way as an installed tree, so one rule
// serves both.
#pragma once

#include "guest_target.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace hl::cli {

struct Toolchain {
    std::filesystem::path include_dir;       // <hl/*.h>, for every guest
    std::filesystem::path tiny_include_dir;  // the tiny libc's headers
    std::filesystem::path runtime_dir;       // lib/hl, which holds a directory per target
    std::filesystem::path templates_dir;
    std::filesystem::path hlrun;             // BIN/hlrun, for hlbuild run
};

// One target's runtime, in runtime_dir/TARGET.
struct GuestRuntime {
    std::filesystem::path crt_library;         // libhlcrt.a: hl's layer and the tiny libc
    std::filesystem::path linker_script;
    std::filesystem::path musl_library;        // libhlmusl.a: hl's layer for musl; absent in a build without musl
    std::filesystem::path musl_linker_script;
};

// Throws hl::Error naming the missing piece and where it was looked for: the
// headers, the templates, or the host's runtime, which every build of hl
// has. The musl pieces are not required: hlbuild checks them when a project
// asks for musl; nor is another target's runtime, which hlbuild checks when
// it is asked for (guest_runtime).
Toolchain find_toolchain();

// Where target's runtime is; nothing is checked.
GuestRuntime guest_runtime(const Toolchain& toolchain, Target target);

// The templates in templates_dir (hlbuild new --template NAME), sorted; none when it cannot be read.
std::vector<std::string> template_names(const std::filesystem::path& templates_dir);

} // namespace hl::cli
