// hlbuild new: writes a project from a template directory, replacing
// {{name}}, {{stack}} and {{heap}} in every file. Files named "gitignore"
// become ".gitignore" (kept without the dot in the source tree so git does
// not apply them there).
#include "hlbuild_commands.hpp"
#include "logging.hpp"
#include "project_file.hpp"
#include "toolchain.hpp"

#include <hl/abi.h>
#include <hl/error.hpp>
#include <hl/units.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace hl::cli {

namespace fs = std::filesystem;

namespace {

std::string replace_all(std::string text, const std::string& from, const std::string& to)
{
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

} // namespace

int hlbuild_new(const NewOptions& options)
{
    fs::path target = fs::path(options.path).lexically_normal();
    if (!target.has_filename()) // "dir/" names dir
        target = target.parent_path();
    std::string name = target.filename().string();
    std::error_code ec;
    if (name.empty() || name == "." || name == "..")   // `hlbuild new .`, `hlbuild init`: the directory's own name
        name = fs::weakly_canonical(target, ec).filename().string();
    if (!valid_image_name(name)) {
        log_error("{}: '{}' is not a usable image name; use letters, digits, '_', '-' and '.'", options.path, name);
        return kBuildUsage;
    }
    if (fs::exists(target, ec) && !(fs::is_directory(target, ec) && fs::is_empty(target, ec))) {
        log_error("{}: already exists and is not an empty directory; choose another name", options.path);
        return kBuildUsage;
    }
    if (options.libc != "tiny" && options.libc != "musl") {
        log_error("--libc: no C library '{}'; expected tiny or musl", options.libc);
        return kBuildUsage;
    }
    // A guest with musl starts from its own template: the tiny libc's would not show what musl adds.
    const std::string template_name = options.libc == "musl" ? "musl" : options.template_name;
    const Toolchain toolchain = find_toolchain(); // throws: reported by main
    const fs::path source = toolchain.templates_dir / template_name;
    if (template_name.find('/') != std::string::npos || !fs::is_directory(source, ec)) {
        std::string known;
        for (const std::string& n : template_names(toolchain.templates_dir))
            known += (known.empty() ? "" : ", ") + n;
        log_error("--template: no template '{}'; available: {}", template_name, known);
        return kBuildUsage;
    }

    for (const auto& entry : fs::recursive_directory_iterator(source)) {
        if (!entry.is_regular_file())
            continue;
        fs::path relative = fs::relative(entry.path(), source);
        if (relative.filename() == "gitignore")
            relative.replace_filename(".gitignore");
        const fs::path destination = target / relative;
        fs::create_directories(destination.parent_path(), ec);
        std::ifstream in(entry.path(), std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        std::ofstream out(destination, std::ios::binary);
        // The sizes are abi.h's defaults, written out so that a user sees what to change.
        std::string filled = replace_all(text.str(), "{{name}}", name);
        filled = replace_all(std::move(filled), "{{stack}}", format_size(HL_STACK_DEFAULT));
        out << replace_all(std::move(filled), "{{heap}}", format_size(HL_HEAP_DEFAULT));
        if (!out) {
            log_error("{}: cannot write: {}", destination.string(), std::strerror(errno));
            return kBuildFailed;
        }
    }
    std::printf("created %s: build it with 'hlbuild compile %s', run it with 'hlrun %s/build/%s.hl'\n",
                target.c_str(), target.c_str(), target.c_str(), name.c_str());
    if (fs::exists(target / "host" / "CMakeLists.txt"))
        std::printf("its host program: 'cmake -S %s/host -B %s/host/build && cmake --build %s/host/build', then "
                    "'cd %s && host/build/%s-host'\n",
                    target.c_str(), target.c_str(), target.c_str(), target.c_str(), name.c_str());
    return kBuildOk;
}

} // namespace hl::cli
