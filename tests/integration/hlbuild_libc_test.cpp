// hlbuild's C libraries and header directories as a user meets them: `new
// --libc musl`, libc = "musl" and what happens where hl has no musl,
// include_dirs, and each refusal with its exact line.
#include "guest_target.hpp"
#include "musl.hpp"
#include "process.hpp"

#include <filesystem>

using namespace hl::test;
using hl::cli::facts;
using hl::cli::host_target;
namespace fs = std::filesystem;

TEST_CASE("hlbuild new --libc musl scaffolds a guest with the full C library, which builds, runs and serves calls")
{
    HL_REQUIRE_MUSL();
    const std::string dir = make_temp_dir();
    auto r = hlbuild({"new", "--libc", "musl", dir + "/stats"});
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(read_file(dir + "/stats/hlbuild.toml").find("\nlibc = \"musl\"") != std::string::npos);
    r = hlbuild({"compile", "-v", dir + "/stats"});
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(r.out == dir + "/stats/build/stats.hl\n");
    // musl's headers and start files, hl's layer for it; nothing of the tiny libc's.
    CHECK(r.err.find("-isystem /") != std::string::npos);
    CHECK(r.err.find("guest-musl.ld") != std::string::npos);
    CHECK(r.err.find("/crt1.o") != std::string::npos);
    CHECK(r.err.find("libhlmusl.a") != std::string::npos);
    CHECK(r.err.find("tiny/include") == std::string::npos);
    CHECK(r.err.find("libhlcrt.a") == std::string::npos);
    CHECK(r.err.find("-ffreestanding") == std::string::npos);

    HL_REQUIRE_KVM();
    const std::string image = dir + "/stats/build/stats.hl";
    const auto run = run_process({HL_HLRUN, image, "1.5", "1e3"});
    CHECK(run.status == 0);
    CHECK(run.out == "hello from stats, a musl guest with 2 arguments\n  argv[1] = \"1.5\" = 1.5\n"
                     "  argv[2] = \"1e3\" = 1000\n");
    const auto call = run_process({HL_HLRUN, "call", image, "mean", "1.5", "2", "4"});
    CHECK(call.status == 0);
    CHECK(call.out == "hello from stats, a musl guest with 0 arguments\n2.5\n");
    CHECK(run_process({HL_HLRUN, "call", image, "parse", "0x1p-3"}).out ==
          "hello from stats, a musl guest with 0 arguments\n0.125\n");
}

TEST_CASE("hlbuild new --libc refuses a C library it does not know, and --template beside it")
{
    const std::string dir = make_temp_dir();
    auto r = hlbuild({"new", "--libc", "glibc", dir + "/x"});
    CHECK(r.status == 2);
    CHECK(r.err == "hlbuild: error: --libc: no C library 'glibc'; expected tiny or musl\n");
    r = hlbuild({"new", "--libc", "musl", "--template", "function", dir + "/x"});
    CHECK(r.status == 2);
    CHECK(r.err == "hlbuild: error: --template excludes --libc; see hlbuild new --help\n");
    CHECK_FALSE(fs::exists(dir + "/x"));
}

TEST_CASE("hlbuild compile with libc = \"musl\" where hl was built without musl says what to install")
{
    // An hl whose toolchain has no libhlmusl.a: hlbuild finds its toolchain
    // beside its own executable, so a copy of it with the rest is one.
    const std::string prefix = make_temp_dir();
    const fs::path build = fs::path(HL_HLBUILD).parent_path().parent_path();
    for (const char* sub : {"/bin", "/lib", "/share"})
        fs::create_directories(prefix + sub);
    fs::copy_file(HL_HLBUILD, prefix + "/bin/hlbuild");
    fs::permissions(prefix + "/bin/hlbuild", fs::perms::owner_exec, fs::perm_options::add);
    fs::copy(build / "lib/hl", prefix + "/lib/hl", fs::copy_options::recursive);
    const std::string runtime = prefix + "/lib/hl/" + facts(host_target()).name;
    fs::remove(runtime + "/libhlmusl.a");
    fs::copy(build / "share/hl", prefix + "/share/hl", fs::copy_options::recursive);
    const std::string hlbuild_copy = prefix + "/bin/hlbuild";

    const std::string dir = make_temp_dir();
    REQUIRE(hlbuild({"new", "--libc", "musl", dir + "/p"}, hlbuild_copy).status == 0);
    const auto r = hlbuild({"compile", dir + "/p"}, hlbuild_copy);
    CHECK(r.status == 1);
    CHECK(r.err == "hlbuild: error: " + dir + "/p/hlbuild.toml: image.libc = \"musl\": this hl was built without "
                   "musl (" + runtime + "/libhlmusl.a is missing); install musl-dev and musl-tools, then "
                   "build hl again\n");
    CHECK(r.out.empty());
    CHECK_FALSE(fs::exists(dir + "/p/build/p.hl"));
}

TEST_CASE("hlbuild compile finds headers in include_dirs, relative to the project")
{
    const std::string dir = make_temp_dir();
    REQUIRE(hlbuild({"new", dir + "/p"}).status == 0);
    fs::create_directories(dir + "/p/third_party/answer/include");
    fs::create_directories(dir + "/shared");
    write_file(dir + "/p/third_party/answer/include/answer.h", "#define ANSWER 40\n");
    write_file(dir + "/shared/two.h", "#define TWO 2\n");
    write_file(dir + "/p/src/main.c", "#include <answer.h>\n#include \"two.h\"\nint main(void) { return ANSWER + TWO; }\n");
    write_file(dir + "/p/hlbuild.toml",
               "[image]\nname = \"p\"\ninclude_dirs = [\"third_party/answer/include\", \"../shared\"]\n");
    auto r = hlbuild({"compile", "-v", dir + "/p"});
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(r.err.find("-I " + dir + "/p/third_party/answer/include ") != std::string::npos);
    CHECK(r.err.find("-I " + dir + "/shared ") != std::string::npos);
    HL_REQUIRE_KVM();
    CHECK(run_process({HL_HLRUN, dir + "/p/build/p.hl"}).status == 42);
}

TEST_CASE("hlbuild compile refuses include_dirs that are not directories, each one")
{
    const std::string dir = make_temp_dir();
    REQUIRE(hlbuild({"new", dir + "/p"}).status == 0);
    write_file(dir + "/p/notes.txt", "not a directory");
    write_file(dir + "/p/hlbuild.toml", "[image]\nname = \"p\"\ninclude_dirs = [\"vendor\", \"notes.txt\"]\n");
    const auto r = hlbuild({"compile", dir + "/p"});
    CHECK(r.status == 2);
    CHECK(r.err == "hlbuild: error: " + dir + "/p/hlbuild.toml: image.include_dirs: 'vendor' is not a directory (" +
                       dir + "/p/vendor does not exist or is a file)\n"
                   "hlbuild: error: " + dir + "/p/hlbuild.toml: image.include_dirs: 'notes.txt' is not a directory (" +
                       dir + "/p/notes.txt does not exist or is a file)\n");
}
