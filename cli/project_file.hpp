// hlbuild.toml, the project file of a guest (format in hlbuild(1)):
//   [image]
//   name = "hello"            # required: the image is BUILD_DIR/hello.hl
//   sources = ["src/*.c"]     # files or globs (in the file name), relative to the project
//   cflags = ["-O2"]          # extra guest compiler flags
//   stack = "256Ki"           # stack size asked for in the image note
//   heap = "1Mi"              # minimum heap asked for in the image note
//   libc = "tiny"             # the guest's C library: "tiny" (hl's own) or "musl"
//   target = "aarch64"        # the architecture: "x86-64" or "aarch64"; default the host's
//   include_dirs = ["vendor"] # more header directories, relative to the project
// Pure: parses text; every error is "FILE:LINE:COL: message", and all of
// them are reported, not just the first.
#pragma once

#include "guest_target.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hl::cli {

// The C library a guest is built with (hlbuild(1), "libc").
enum class Libc { Tiny, Musl };

struct ProjectFile {
    std::string name;
    std::vector<std::string> sources{"src/*.c"};
    std::vector<std::string> cflags;
    std::optional<uint64_t> stack;   // unset: HL_STACK_DEFAULT
    std::optional<uint64_t> heap;    // unset: HL_HEAP_DEFAULT
    Libc libc = Libc::Tiny;
    std::optional<Target> target;   // unset: the host's (hlbuild --target overrides it)
    std::vector<std::string> include_dirs;   // relative, never absolute
    bool debug = true;   // DWARF in the image (-g); false: compiled without, linked with --strip-debug
};

struct ProjectParse {
    std::optional<ProjectFile> project;   // set only when errors is empty
    std::vector<std::string> errors;
};

ProjectParse parse_project_file(std::string_view text, const std::string& path);

// Whether `name` can name an image (image.name, `hlbuild new NAME`): letters,
// digits, '_', '-' and '.', not empty and not starting with '.', so that
// NAME.hl is a plain file name, never hidden, and needs no quoting.
bool valid_image_name(std::string_view name);

} // namespace hl::cli
