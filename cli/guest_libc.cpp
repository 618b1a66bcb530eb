// The compile and link recipe of each C library a guest can have (see guest_libc.hpp).
#include "guest_libc.hpp"

#include "guest_flags.hpp"

#include <hl/abi.h>
#include <hl/error.hpp>

namespace hl::cli {

namespace fs = std::filesystem;

namespace {

// The guest flags, then the target's own (HL_GUEST_ARCH_CFLAGS_<arch>).
std::vector<std::string> guest_cflags(std::initializer_list<const char*> common, Target target)
{
    std::vector<std::string> flags(common.begin(), common.end());
    const auto own = target == Target::Aarch64 ? kGuestArchCflagsAarch64 : kGuestArchCflagsX86_64;
    flags.insert(flags.end(), own.begin(), own.end());
    return flags;
}

LibcRecipe tiny_recipe(const Toolchain& t, const GuestRuntime& runtime, Target target, const std::string& cc_include)
{
    // hl's headers first, so the tiny libc's limits.h wins over the compiler's own.
    LibcRecipe r;
    r.cflags = guest_cflags(kGuestCflags, target);
    r.cflags.insert(r.cflags.end(), {"-isystem", t.include_dir.string(), "-isystem", t.tiny_include_dir.string(),
                                     "-isystem", cc_include});
    r.linker_script = runtime.linker_script;
    r.link_after = {runtime.crt_library.string(), "-lgcc"};
    return r;
}

LibcRecipe musl_recipe(const Toolchain& t, const GuestRuntime& runtime, Target target, const std::string& cc_include,
                       const fs::path& project_file)
{
    const std::string key = project_file.string() + ": image.libc = \"musl\": ";
    std::error_code ec;
    const bool aarch64 = target == Target::Aarch64;
    const char* include_dir = aarch64 ? kMuslIncludeDirAarch64 : kMuslIncludeDirX86_64;
    const char* lib_dir = aarch64 ? kMuslLibDirAarch64 : kMuslLibDirX86_64;
    if (*lib_dir == '\0' || !fs::exists(runtime.musl_library, ec)) {
        if (target != host_target())
            throw Error(musl_target_message(project_file.string(), target, runtime.musl_library.string()));
        throw Error(key + "this hl was built without musl (" + runtime.musl_library.string() +
                    " is missing); install musl-dev and musl-tools, then build hl again");
    }
    const fs::path include(include_dir), lib(lib_dir);
    for (const fs::path& needed : {include / "stdio.h", lib / "crt1.o", lib / "crti.o", lib / "crtn.o", lib / "libc.a"})
        if (!fs::exists(needed, ec))
            throw Error(key + "musl's " + needed.string() + " is missing; install musl-dev");
    // musl's headers, then the compiler's, as musl-gcc orders them; of hl's
    // toolchain only include/, which holds <hl/*.h> and no libc header.
    LibcRecipe r;
    r.cflags = guest_cflags(kGuestMuslCflags, target);
    r.cflags.insert(r.cflags.end(), {"-isystem", t.include_dir.string(), "-isystem", include.string(), "-isystem",
                                     cc_include});
    r.linker_script = runtime.musl_linker_script;
    r.link_before = {(lib / "crt1.o").string(), (lib / "crti.o").string()};
    // A group: libgcc may call into libc, and libc into libgcc.
    r.link_after = {runtime.musl_library.string(), "-Wl,--start-group", (lib / "libc.a").string(), "-lgcc",
                    "-Wl,--end-group", (lib / "crtn.o").string()};
    r.note_flags = HL_NOTE_LINUX_SYSCALLS;
    return r;
}

} // namespace

LibcRecipe libc_recipe(Libc libc, const Toolchain& toolchain, Target target, const std::string& cc_include,
                       const fs::path& project_file)
{
    const GuestRuntime runtime = guest_runtime(toolchain, target);
    return libc == Libc::Musl ? musl_recipe(toolchain, runtime, target, cc_include, project_file)
                              : tiny_recipe(toolchain, runtime, target, cc_include);
}

} // namespace hl::cli
