// The compile and link recipe of each C library a guest can have (see guest_libc.hpp).
#include "guest_libc.hpp"

#include "guest_flags.hpp"

#include <hl/abi.h>
#include <hl/error.hpp>

namespace hl::cli {

namespace fs = std::filesystem;

namespace {

LibcRecipe tiny_recipe(const Toolchain& t, const std::string& cc_include)
{
    // hl's headers first, so the tiny libc's limits.h wins over the compiler's own.
    LibcRecipe r;
    r.cflags.assign(std::begin(kGuestCflags), std::end(kGuestCflags));
    r.cflags.insert(r.cflags.end(), {"-isystem", t.include_dir.string(), "-isystem", t.tiny_include_dir.string(),
                                     "-isystem", cc_include});
    r.linker_script = t.linker_script;
    r.link_after = {t.crt_library.string(), "-lgcc"};
    return r;
}

LibcRecipe musl_recipe(const Toolchain& t, const std::string& cc_include, const fs::path& project_file)
{
    const std::string key = project_file.string() + ": image.libc = \"musl\": ";
    std::error_code ec;
    if (*kMuslLibDir == '\0' || !fs::exists(t.musl_library, ec))
        throw Error(key + "this hl was built without musl (" + t.musl_library.string() +
                    " is missing); install musl-dev and musl-tools, then build hl again");
    const fs::path include(kMuslIncludeDir), lib(kMuslLibDir);
    for (const fs::path& needed : {include / "stdio.h", lib / "crt1.o", lib / "crti.o", lib / "crtn.o", lib / "libc.a"})
        if (!fs::exists(needed, ec))
            throw Error(key + "musl's " + needed.string() + " is missing; install musl-dev");
    // musl's headers, then the compiler's, as musl-gcc orders them; of hl's
    // toolchain only include/, which holds <hl/*.h> and no libc header.
    LibcRecipe r;
    r.cflags.assign(std::begin(kGuestMuslCflags), std::end(kGuestMuslCflags));
    r.cflags.insert(r.cflags.end(), {"-isystem", t.include_dir.string(), "-isystem", include.string(), "-isystem",
                                     cc_include});
    r.linker_script = t.musl_linker_script;
    r.link_before = {(lib / "crt1.o").string(), (lib / "crti.o").string()};
    // A group: libgcc may call into libc, and libc into libgcc.
    r.link_after = {t.musl_library.string(), "-Wl,--start-group", (lib / "libc.a").string(), "-lgcc",
                    "-Wl,--end-group", (lib / "crtn.o").string()};
    r.note_flags = HL_NOTE_LINUX_SYSCALLS;
    return r;
}

} // namespace

LibcRecipe libc_recipe(Libc libc, const Toolchain& toolchain, const std::string& cc_include,
                       const fs::path& project_file)
{
    return libc == Libc::Musl ? musl_recipe(toolchain, cc_include, project_file) : tiny_recipe(toolchain, cc_include);
}

} // namespace hl::cli
