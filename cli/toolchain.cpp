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
    t.runtime_dir = prefix / "lib/hl";
    t.templates_dir = prefix / "share/hl/templates";
    t.hlrun = exe.parent_path() / "hlrun";
    const GuestRuntime host = guest_runtime(t, host_target());
    for (const fs::path& needed : {t.include_dir / "hl/guest.h", t.tiny_include_dir / "stdio.h", host.crt_library,
                                   host.linker_script, t.templates_dir})
        if (!fs::exists(needed, ec))
            throw Error("guest toolchain incomplete: " + needed.string() +
                        " is missing; rebuild or reinstall hl");
    return t;
}

GuestRuntime guest_runtime(const Toolchain& toolchain, Target target)
{
    const fs::path dir = toolchain.runtime_dir / facts(target).name;
    return {.crt_library = dir / "libhlcrt.a",
            .linker_script = dir / "guest.ld",
            .musl_library = dir / "libhlmusl.a",
            .musl_linker_script = dir / "guest-musl.ld"};
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
