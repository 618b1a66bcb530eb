// hlbuild's subcommands and its exit statuses (documented in hlbuild(1)).
#pragma once

#include "project_file.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hl::cli {

enum HlbuildExit : int {
    kBuildOk = 0,
    kBuildFailed = 1,   // the compiler or linker failed, or the image is invalid
    kBuildUsage = 2,    // bad arguments, bad project file, refused to overwrite
};

struct NewOptions {
    std::string path;                  // directory to create; its last part names the image
    std::string template_name = "c";
    std::string libc = "tiny";         // "musl": the musl template (a full-libc guest)
};

struct CompileOptions {
    std::string project_dir;           // empty: the nearest directory up from here with an hlbuild.toml
    std::string build_dir;             // default PROJECT/build
    std::string output;                // default BUILD_DIR/NAME.hl
    std::string target;                // --target: "x86-64" or "aarch64"; empty: image.target, else the host's
    bool verbose = false;
    unsigned jobs = 0;                 // compiles at once; 0: one a CPU
};

int hlbuild_new(const NewOptions& options);
// Builds the image; `image` (when given) gets its path. Prints the path unless quiet.
int hlbuild_compile(const CompileOptions& options, std::string* image = nullptr, bool quiet = false);
// Removes what compile made in BUILD_DIR: obj/ and the image (with its .cmd).
int hlbuild_clean(const CompileOptions& options);
// Compiles, then runs the image with hlrun (replacing this process): the
// words after `--` are hlrun's options, then the guest's arguments.
int hlbuild_run(const CompileOptions& options, const std::vector<std::string>& after_dashes);

// DIR/hlbuild.toml, read and checked; nullopt after logging every error.
std::optional<ProjectFile> read_project(const std::filesystem::path& dir);

// The project directory: `given`, or without one the nearest directory up
// from the current one that holds an hlbuild.toml; nullopt after logging
// that none does.
std::optional<std::string> locate_project(const std::string& given);

} // namespace hl::cli
