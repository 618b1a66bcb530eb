// hlbuild --target and image.target as a user meets them: an image for the
// other architecture (aarch64 on an x86-64 host), which the host's hlrun
// refuses in one line, and every refusal of hlbuild's with its exact line.
// The builds need the other architecture's cross compiler, which the tests
// without it skip, visibly; the refusals need none.
#include "guest_target.hpp"
#include "process.hpp"

#include <elf.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>

using namespace hl::test;
using namespace hl::cli;
namespace fs = std::filesystem;

namespace {

Target other_target()
{
    return host_target() == Target::X86_64 ? Target::Aarch64 : Target::X86_64;
}

// lib/hl/TARGET of the hl under test: there when the build found TARGET's cross compiler.
fs::path runtime_dir(Target target)
{
    return fs::path(HL_HLBUILD).parent_path().parent_path() / "lib/hl" / facts(target).name;
}

// Why `target`'s images cannot be built here, or empty when they can.
std::string cannot_build(Target target)
{
    const std::string compiler = facts(target).cross_compiler;
    if (run_process({"/bin/sh", "-c", "command -v " + compiler}).status != 0)
        return compiler + " is not installed (Debian: " + facts(target).package + ")";
    if (!fs::exists(runtime_dir(target) / "libhlcrt.a"))
        return "this build has no " + std::string(facts(target).name) + " guest runtime (configure again)";
    return "";
}

uint16_t elf_machine(const std::string& path)
{
    const std::string bytes = read_file(path);
    Elf64_Ehdr header{};
    REQUIRE(bytes.size() >= sizeof header);
    std::memcpy(&header, bytes.data(), sizeof header);
    return header.e_machine;
}

std::string hex(uint16_t value)
{
    char text[8];
    std::snprintf(text, sizeof text, "0x%x", value);
    return text;
}

} // namespace

// Skips the rest of a test case, visibly, where the other architecture's images cannot be built.
#define HL_REQUIRE_CROSS(target)                                          \
    do {                                                                  \
        if (const std::string why = cannot_build(target); !why.empty()) { \
            WARN("skipped: " << why);                                     \
            return;                                                       \
        }                                                                 \
    } while (0)

TEST_CASE("hlbuild --target builds an image for the other architecture, which this host's hlrun refuses")
{
    const Target other = other_target();
    HL_REQUIRE_CROSS(other);
    const std::string dir = make_temp_dir();
    const std::string name = facts(other).name;
    auto r = hlbuild({"compile", "-v", "--target", name, "-B", dir + "/build", HL_TEST_SOURCE_DIR "/guests/hello"});
    INFO(r.err);
    REQUIRE(r.status == 0);
    const std::string image = dir + "/build/hello.hl";
    CHECK(r.out == image + "\n");
    CHECK(elf_machine(image) == facts(other).elf_machine);
    // Its compiler, runtime and linker script; hl's headers, which every target shares.
    CHECK(r.err.find(std::string("info: ") + facts(other).cross_compiler + " -ffreestanding ") != std::string::npos);
    CHECK(r.err.find(runtime_dir(other).string() + "/libhlcrt.a") != std::string::npos);
    CHECK(r.err.find("-Wl,-T," + runtime_dir(other).string() + "/guest.ld") != std::string::npos);

    // KVM runs guests of the host's architecture only: refused before any VM exists, so with or without KVM.
    const auto run = run_process({HL_HLRUN, image});
    CHECK(run.status == 122);
    const TargetFacts& host = facts(host_target());
    CHECK(run.err == "hlrun: error: " + image + ": e_machine: " + hex(facts(other).elf_machine) + " (" +
                         facts(other).elf_name + "): built for " + name + ", and this host runs " + host.name +
                         " guests, expected " + hex(host.elf_machine) + " (" + host.elf_name + ")\n");
    CHECK(run.out.empty());
}

TEST_CASE("hlbuild: image.target builds for that architecture, and --target overrides it")
{
    const Target other = other_target();
    HL_REQUIRE_CROSS(other);
    const std::string dir = make_temp_dir();
    REQUIRE(hlbuild({"new", dir + "/p"}).status == 0);
    write_file(dir + "/p/hlbuild.toml",
               read_file(dir + "/p/hlbuild.toml") + "target = \"" + facts(other).name + "\"\n");
    auto r = hlbuild({"compile", dir + "/p"});
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(elf_machine(dir + "/p/build/p.hl") == facts(other).elf_machine);
    // Another target's objects are other objects: all are compiled again.
    r = hlbuild({"compile", "--target", facts(host_target()).name, dir + "/p"});
    REQUIRE(r.status == 0);
    CHECK(elf_machine(dir + "/p/build/p.hl") == facts(host_target()).elf_machine);
    HL_REQUIRE_KVM();
    CHECK(run_process({HL_HLRUN, dir + "/p/build/p.hl"}).status == 0);
}

TEST_CASE("hlbuild --target: $CC is the host's compiler, the other architecture's is CC_<arch>")
{
    const Target other = other_target();
    HL_REQUIRE_CROSS(other);
    const std::string dir = make_temp_dir();
    REQUIRE(hlbuild({"new", dir + "/p"}).status == 0);
    // $CC does not reach the other target's build.
    setenv("CC", "nosuchcc", 1);
    auto r = hlbuild({"compile", "--target", facts(other).name, dir + "/p"});
    unsetenv("CC");
    INFO(r.err);
    CHECK(r.status == 0);
    CHECK(elf_machine(dir + "/p/build/p.hl") == facts(other).elf_machine);

    // CC_<arch> does, and a compiler for another machine is refused before it compiles anything.
    setenv(facts(other).compiler_variable, "cc", 1);
    r = hlbuild({"compile", "--target", facts(other).name, dir + "/p"});
    unsetenv(facts(other).compiler_variable);
    const std::string machine = run_process({"/bin/sh", "-c", "cc -dumpmachine"}).out;
    REQUIRE_FALSE(machine.empty());
    CHECK(r.status == 1);
    CHECK(r.err == "hlbuild: error: --target " + std::string(facts(other).name) + ": the guest compiler 'cc' compiles for " +
                       machine.substr(0, machine.size() - 1) + ", not " + facts(other).name + " (install " +
                       facts(other).package + ", or set " + facts(other).compiler_variable + " to a gcc or clang for " +
                       facts(other).name + ")\n");
}

TEST_CASE("hlbuild --target with a cross compiler that is not there says what to install")
{
    const Target other = other_target();
    if (!fs::exists(runtime_dir(other) / "libhlcrt.a")) {
        WARN("skipped: this build has no " << facts(other).name << " guest runtime");
        return;
    }
    const std::string dir = make_temp_dir();
    REQUIRE(hlbuild({"new", dir + "/p"}).status == 0);
    setenv(facts(other).compiler_variable, "nosuch-gcc", 1);
    const auto r = hlbuild({"compile", "--target", facts(other).name, dir + "/p"});
    unsetenv(facts(other).compiler_variable);
    CHECK(r.status == 1);
    CHECK(r.err == "hlbuild: error: --target " + std::string(facts(other).name) + ": cannot run the guest compiler "
                   "'nosuch-gcc': No such file or directory (install " + facts(other).package + ", or set " +
                   facts(other).compiler_variable + " to a gcc or clang for " + facts(other).name + ")\n");
    CHECK_FALSE(fs::exists(dir + "/p/build/p.hl"));
}

TEST_CASE("hlbuild --target where hl was built without that architecture's runtime says what to install")
{
    // An hl whose toolchain has no runtime for the other architecture: a copy
    // of hlbuild beside a copy of lib/hl without it (hlbuild finds its
    // toolchain beside its own executable).
    const Target other = other_target();
    const std::string prefix = make_temp_dir();
    const fs::path build = fs::path(HL_HLBUILD).parent_path().parent_path();
    for (const char* sub : {"/bin", "/lib", "/share"})
        fs::create_directories(prefix + sub);
    fs::copy_file(HL_HLBUILD, prefix + "/bin/hlbuild");
    fs::permissions(prefix + "/bin/hlbuild", fs::perms::owner_exec, fs::perm_options::add);
    fs::copy(build / "lib/hl", prefix + "/lib/hl", fs::copy_options::recursive);
    fs::remove_all(prefix + "/lib/hl/" + facts(other).name);
    fs::copy(build / "share/hl", prefix + "/share/hl", fs::copy_options::recursive);
    const std::string hlbuild_copy = prefix + "/bin/hlbuild";

    const std::string dir = make_temp_dir();
    REQUIRE(hlbuild({"new", dir + "/p"}, hlbuild_copy).status == 0);
    const std::string name = facts(other).name;
    const std::string missing = prefix + "/lib/hl/" + name + "/libhlcrt.a";
    auto r = hlbuild({"compile", "--target", name, dir + "/p"}, hlbuild_copy);
    CHECK(r.status == 1);
    CHECK(r.err == "hlbuild: error: --target " + name + ": this hl was built without the " + name +
                       " guest runtime (" + missing + " is missing); install " + facts(other).package +
                       ", then build hl again\n");
    write_file(dir + "/p/hlbuild.toml", read_file(dir + "/p/hlbuild.toml") + "target = \"" + name + "\"\n");
    r = hlbuild({"compile", dir + "/p"}, hlbuild_copy);
    CHECK(r.status == 1);
    CHECK(r.err == "hlbuild: error: " + dir + "/p/hlbuild.toml: image.target = \"" + name + "\": this hl was built "
                   "without the " + name + " guest runtime (" + missing + " is missing); install " +
                   facts(other).package + ", then build hl again\n");
    // The host's own target still builds.
    r = hlbuild({"compile", "--target", facts(host_target()).name, dir + "/p"}, hlbuild_copy);
    INFO(r.err);
    CHECK(r.status == 0);
}

TEST_CASE("hlbuild refuses a target it does not know, on the command line and in hlbuild.toml")
{
    const std::string dir = make_temp_dir();
    REQUIRE(hlbuild({"new", dir + "/p"}).status == 0);
    auto r = hlbuild({"compile", "--target", "riscv", dir + "/p"});
    CHECK(r.status == 2);
    CHECK(r.err == "hlbuild: error: --target: 'riscv' is not x86-64 or aarch64; see hlbuild compile --help\n");
    r = hlbuild({"run", "--target", "X86-64", dir + "/p"});
    CHECK(r.status == 2);
    CHECK(r.err == "hlbuild: error: --target: 'X86-64' is not x86-64 or aarch64 (did you mean x86-64?); see hlbuild "
                   "run --help\n");
    write_file(dir + "/p/hlbuild.toml", "[image]\nname = \"p\"\ntarget = \"arm64\"\n");
    r = hlbuild({"compile", dir + "/p"});
    CHECK(r.status == 2);
    CHECK(r.err == "hlbuild: error: " + dir + "/p/hlbuild.toml:3:10: image.target: expected \"x86-64\" or "
                   "\"aarch64\", got \"arm64\"\n");
    CHECK_FALSE(fs::exists(dir + "/p/build/p.hl"));
}

TEST_CASE("hlbuild builds libc = \"musl\" for the other architecture where this hl has its musl, else says what to install")
{
    const Target other = other_target();
    HL_REQUIRE_CROSS(other);
    const std::string dir = make_temp_dir();
    REQUIRE(hlbuild({"new", "--libc", "musl", dir + "/p"}).status == 0);
    const std::string name = facts(other).name;
    const auto r = hlbuild({"compile", "--target", name, dir + "/p"});
    const std::string musl = (runtime_dir(other) / "libhlmusl.a").string();
    if (fs::exists(musl)) {
        // hlbuild checked the image with hlrun's rules for its target; it is musl's.
        CHECK(r.status == 0);
        CHECK(elf_machine(dir + "/p/build/p.hl") == facts(other).elf_machine);
        CHECK(read_file(dir + "/p/build/p.hl").find("__libc_start_main") != std::string::npos);
    } else {
        CHECK(r.status == 1);
        CHECK(r.err == "hlbuild: error: " + dir + "/p/hlbuild.toml: image.libc = \"musl\": this hl was built without "
                       "musl for " + name + " (" + musl + " is missing); install musl-dev:" + facts(other).debian_arch +
                       ", then build hl again, or use libc = \"tiny\"\n");
        CHECK_FALSE(fs::exists(dir + "/p/build/p.hl"));
    }
}
