// The architectures hlbuild builds guests for (hlbuild --target, image.target
// in hlbuild.toml; hlbuild(1), "TARGETS"), and what hlbuild needs of each:
// its runtime's directory, the compiler its guests are compiled with and how
// to tell that compiler apart, what to install when it is missing, and its
// ELF machine. The default is the host's own architecture: KVM runs guests
// of the host's architecture only, so an image for another one runs on a
// host of that kind. cmake/GuestTargets.cmake holds the same names,
// triplets and packages for the build. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hl::cli {

enum class Target { X86_64, Aarch64 };

struct TargetFacts {
    const char* name;               // "aarch64": --target's word, and the runtime's lib/hl/NAME
    const char* gnu_arch;           // "aarch64": the start of `CC -dumpmachine` for it
    const char* cross_compiler;     // "aarch64-linux-gnu-gcc": its compiler on another host
    const char* compiler_variable;  // "CC_aarch64": where a user names another
    const char* package;            // "gcc-aarch64-linux-gnu": the Debian package of cross_compiler
    const char* debian_arch;        // "arm64": Debian's name, for multiarch packages (musl-dev:arm64)
    uint16_t elf_machine;           // EM_AARCH64
    const char* elf_name;           // "EM_AARCH64"
};

const TargetFacts& facts(Target target);

// The architecture this hlbuild runs on: the default target.
Target host_target();

// "x86-64" or "aarch64"; nullopt for any other word.
std::optional<Target> parse_target(std::string_view name);

// Every target's name, in a fixed order: "x86-64", "aarch64".
std::vector<std::string> target_names();

// Where the target of a build came from, for messages: "--target aarch64",
// or `PATH: image.target = "aarch64"`.
struct TargetChoice {
    Target target;
    std::string origin;
};

// The guest compiler for target, as words ("ccache gcc" is two): for the
// host's architecture $CC, else cc; for another $CC_<arch> (facts'
// compiler_variable), else its cross compiler, never $CC, which compiles for
// the host. Pure: `env` reads the environment.
std::vector<std::string> target_compiler(Target target, const char* (*env)(const char*));

// Whether a compiler whose `-dumpmachine` printed `machine`
// ("x86_64-linux-gnu", "aarch64-unknown-linux-gnu") compiles for target.
bool compiles_for(Target target, std::string_view machine);

// The one-line refusals, without hlbuild's "error: " prefix:
//   the compiler cannot run (why: "No such file or directory")
std::string compiler_missing_message(const TargetChoice& choice, const std::string& compiler, const std::string& why);
//   the compiler builds for another machine
std::string compiler_mismatch_message(const TargetChoice& choice, const std::string& compiler,
                                      const std::string& machine);
//   this hl has no runtime for the target (`missing`: the file looked for)
std::string runtime_missing_message(const TargetChoice& choice, const std::string& missing);
//   libc = "musl" for a target other than the host's, whose musl runtime this
//   hl was built without (`missing`: the file looked for)
std::string musl_target_message(const std::string& project_file, Target target, const std::string& missing);

} // namespace hl::cli
