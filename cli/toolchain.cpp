// Locating the guest toolchain next to the running executable.
#include "toolchain.hpp"

#include <algorithm>

#include <hl/error.hpp>

namespace hl::cli {

namespace fs = std::filesystem;

Toolchain find_toolchain()
{
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec)
        throw Error("cannot find my own executable (/proc/self/exe): " + ec.message());
    const fs::path prefix = exe.parent_path().parent_path();
    Toolchain t;
    t.include_dir = prefix / "lib/hl/include";
    t.tiny_include_dir = prefix / "lib/hl/tiny/include";
    t.crt_library = prefix / "lib/hl/libhlcrt.a";
    t.linker_script = prefix / "lib/hl/guest.ld";
    t.musl_library = prefix / "lib/hl/libhlmusl.a";
    t.musl_linker_script = prefix / "lib/hl/guest-musl.ld";
    t.templates_dir = prefix / "share/hl/templates";
    t.hlrun = exe.parent_path() / "hlrun";
    for (const fs::path& needed : {t.include_dir / "hl/guest.h", t.tiny_include_dir / "stdio.h", t.crt_library,
                                   t.linker_script, t.templates_dir})
        if (!fs::exists(needed, ec))
            throw Error("guest toolchain incomplete: " + needed.string() +
                        " is missing; rebuild or reinstall hl");
    return t;
}

std::vector<std::string> template_names(const std::filesystem::path& templates_dir)
{
    std::vector<std::string> names;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(templates_dir, error))
        if (entry.is_directory(error))
            names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

} // namespace hl::cli
