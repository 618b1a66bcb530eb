// hlbuild clean: takes away what hlbuild compile made in BUILD_DIR, and
// nothing else: BUILD_DIR/obj and BUILD_DIR/NAME.hl (with NAME.hl.cmd), then
// BUILD_DIR itself if that left it empty. A directory given with -B may hold
// other things: they stay.
#include "hlbuild_commands.hpp"
#include "logging.hpp"

#include <filesystem>

namespace hl::cli {

namespace fs = std::filesystem;

int hlbuild_clean(const CompileOptions& options)
{
    const auto located = locate_project(options.project_dir);
    if (!located)
        return kBuildUsage;
    const fs::path project_dir = *located;
    const auto project = read_project(project_dir);
    if (!project)
        return kBuildUsage;
    const fs::path build_dir = options.build_dir.empty() ? project_dir / "build" : fs::path(options.build_dir);
    const fs::path image = options.output.empty() ? build_dir / (project->name + ".hl") : fs::path(options.output);
    std::error_code ec;
    for (const fs::path& made : {build_dir / "obj", image, fs::path(image.string() + ".cmd")}) {
        fs::remove_all(made, ec);
        if (ec) {
            log_error("{}: cannot remove: {}", made.string(), ec.message());
            return kBuildFailed;
        }
    }
    if (fs::is_directory(build_dir, ec) && fs::is_empty(build_dir, ec))
        fs::remove(build_dir, ec);
    return kBuildOk;
}

} // namespace hl::cli
