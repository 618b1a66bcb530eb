// hlbuild's subcommands and its exit statuses (documented in hlbuild(1)).
#pragma once

#include <string>

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
    std::string project_dir = ".";
    std::string build_dir;             // default PROJECT/build
    std::string output;                // default BUILD_DIR/NAME.hl
    bool verbose = false;
    unsigned jobs = 0;                 // compiles at once; 0: one a CPU
};

int hlbuild_new(const NewOptions& options);
int hlbuild_compile(const CompileOptions& options);

} // namespace hl::cli
