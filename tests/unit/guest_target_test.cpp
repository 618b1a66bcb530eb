// hlbuild's targets: names, the compiler each one takes, and the refusals.
#include "guest_target.hpp"

#include <catch2/catch.hpp>

#include <elf.h>

#include <map>
#include <string>

using namespace hl::cli;

namespace {

// A made-up environment for target_compiler.
std::map<std::string, std::string> environment;

const char* fake_env(const char* name)
{
    const auto found = environment.find(name);
    return found == environment.end() ? nullptr : found->second.c_str();
}

Target other_target()
{
    return host_target() == Target::X86_64 ? Target::Aarch64 : Target::X86_64;
}

} // namespace

TEST_CASE("targets: names, hl's spelling only")
{
    CHECK(parse_target("x86-64") == Target::X86_64);
    CHECK(parse_target("aarch64") == Target::Aarch64);
    CHECK_FALSE(parse_target("x86_64").has_value());
    CHECK_FALSE(parse_target("arm64").has_value());
    CHECK_FALSE(parse_target("").has_value());
    CHECK(target_names() == std::vector<std::string>{"x86-64", "aarch64"});
    CHECK(facts(Target::Aarch64).elf_machine == EM_AARCH64);
    CHECK(facts(Target::X86_64).elf_machine == EM_X86_64);
#if defined(__aarch64__)
    CHECK(host_target() == Target::Aarch64);
#else
    CHECK(host_target() == Target::X86_64);
#endif
}

TEST_CASE("targets: the host's takes $CC, another its own variable or its cross gcc, never $CC")
{
    environment = {};
    CHECK(target_compiler(host_target(), fake_env) == std::vector<std::string>{"cc"});
    const Target other = other_target();
    const std::string cross = facts(other).cross_compiler;
    CHECK(target_compiler(other, fake_env) == std::vector<std::string>{cross});

    environment = {{"CC", "ccache gcc"}};
    CHECK(target_compiler(host_target(), fake_env) == std::vector<std::string>{"ccache", "gcc"});
    CHECK(target_compiler(other, fake_env) == std::vector<std::string>{cross});

    environment = {{facts(other).compiler_variable, "clang --target=x"}, {"CC", "gcc"}};
    CHECK(target_compiler(other, fake_env) == std::vector<std::string>{"clang", "--target=x"});
    environment = {{facts(other).compiler_variable, "  "}, {"CC", " "}};
    CHECK(target_compiler(other, fake_env) == std::vector<std::string>{cross});
    CHECK(target_compiler(host_target(), fake_env) == std::vector<std::string>{"cc"});
    CHECK(std::string(facts(Target::Aarch64).compiler_variable) == "CC_aarch64");
    CHECK(std::string(facts(Target::X86_64).compiler_variable) == "CC_x86_64");
    CHECK(std::string(facts(Target::Aarch64).cross_compiler) == "aarch64-linux-gnu-gcc");
    environment = {};
}

TEST_CASE("targets: a compiler's -dumpmachine says whether it compiles for one")
{
    CHECK(compiles_for(Target::X86_64, "x86_64-linux-gnu"));
    CHECK(compiles_for(Target::X86_64, "x86_64-pc-linux-gnu"));
    CHECK(compiles_for(Target::Aarch64, "aarch64-linux-gnu"));
    CHECK(compiles_for(Target::Aarch64, "aarch64-unknown-linux-gnu"));
    CHECK(compiles_for(Target::Aarch64, "aarch64"));
    CHECK_FALSE(compiles_for(Target::Aarch64, "aarch64_be-linux-gnu"));
    CHECK_FALSE(compiles_for(Target::Aarch64, "x86_64-linux-gnu"));
    CHECK_FALSE(compiles_for(Target::X86_64, "i686-linux-gnu"));
    CHECK_FALSE(compiles_for(Target::X86_64, ""));
}

TEST_CASE("targets: each refusal is one line that says what to do")
{
    const TargetChoice flag{Target::Aarch64, "--target aarch64"};
    const std::string host = facts(host_target()).name;
    if (host_target() == Target::X86_64) {
        CHECK(compiler_missing_message(flag, "aarch64-linux-gnu-gcc", "No such file or directory") ==
              "--target aarch64: cannot run the guest compiler 'aarch64-linux-gnu-gcc': No such file or directory "
              "(install gcc-aarch64-linux-gnu, or set CC_aarch64 to a gcc or clang for aarch64)");
        CHECK(compiler_mismatch_message(flag, "gcc", "x86_64-linux-gnu") ==
              "--target aarch64: the guest compiler 'gcc' compiles for x86_64-linux-gnu, not aarch64 (install "
              "gcc-aarch64-linux-gnu, or set CC_aarch64 to a gcc or clang for aarch64)");
        // The default target names no origin, and points at $CC.
        CHECK(compiler_missing_message({Target::X86_64, ""}, "nosuchcc", "No such file or directory") ==
              "cannot run the guest compiler 'nosuchcc': No such file or directory (set CC to a gcc or clang for "
              "x86-64)");
        CHECK(compiler_mismatch_message({Target::X86_64, ""}, "aarch64-linux-gnu-gcc", "aarch64-linux-gnu") ==
              "the guest compiler 'aarch64-linux-gnu-gcc' compiles for aarch64-linux-gnu, not x86-64 (set CC to a "
              "gcc or clang for x86-64)");
    }
    CHECK(runtime_missing_message({Target::Aarch64, "p/hlbuild.toml: image.target = \"aarch64\""},
                                  "/opt/hl/lib/hl/aarch64/libhlcrt.a") ==
          "p/hlbuild.toml: image.target = \"aarch64\": this hl was built without the aarch64 guest runtime "
          "(/opt/hl/lib/hl/aarch64/libhlcrt.a is missing); install gcc-aarch64-linux-gnu, then build hl again");
    CHECK(musl_target_message("p/hlbuild.toml", Target::Aarch64, "/opt/hl/lib/hl/aarch64/libhlmusl.a") ==
          "p/hlbuild.toml: image.libc = \"musl\": this hl was built without musl for aarch64 "
          "(/opt/hl/lib/hl/aarch64/libhlmusl.a is missing); install musl-dev:arm64, then build hl again, or use "
          "libc = \"tiny\"");
    CHECK(musl_target_message("p/hlbuild.toml", Target::X86_64, "/opt/hl/lib/hl/x86-64/libhlmusl.a") ==
          "p/hlbuild.toml: image.libc = \"musl\": this hl was built without musl for x86-64 "
          "(/opt/hl/lib/hl/x86-64/libhlmusl.a is missing); install musl-dev:amd64, then build hl again, or use "
          "libc = \"tiny\"");
}
