// hlbuild as a process: scaffold, compile, run, and every refusal.
#include "process.hpp"

#include <filesystem>

using namespace hl::test;
namespace fs = std::filesystem;

namespace {

// True when the shell finds `program` on PATH.
bool installed(const std::string& program)
{
    return run_process({"/bin/sh", "-c", "command -v " + program}).status == 0;
}

} // namespace

TEST_CASE("hlbuild new, compile and hlrun: the whole path a user takes")
{
    const std::string dir = make_temp_dir();
    const std::string project = dir + "/greeter";
    auto r = hlbuild({"new", project});
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(fs::exists(project + "/hlbuild.toml"));
    CHECK(fs::exists(project + "/src/main.c"));
    CHECK(read_file(project + "/.gitignore") == "build/\n");
    CHECK(read_file(project + "/hlbuild.toml") == "# hlbuild project file; every key is described in hlbuild(1).\n"
                                                   "[image]\nname = \"greeter\"\nsources = [\"src/*.c\"]\n"
                                                   "stack = \"256Ki\"\nheap = \"1Mi\"\n");

    r = hlbuild({"compile", project});
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(r.out == project + "/build/greeter.hl\n");

    HL_REQUIRE_KVM();
    const auto run = run_process({HL_HLRUN, project + "/build/greeter.hl", "x", "y"});
    CHECK(run.status == 0);
    CHECK(run.out == "hello from greeter, a guest with 2 arguments\n  argv[1] = \"x\"\n  argv[2] = \"y\"\n");
}

TEST_CASE("hlbuild compile -v shows each command, -o and -B place the output")
{
    const std::string dir = make_temp_dir();
    REQUIRE(hlbuild({"new", dir + "/p"}).status == 0);
    const auto r = hlbuild({"compile", "-v", "-B", dir + "/out", "-o", dir + "/p.hl", dir + "/p"});
    CHECK(r.status == 0);
    CHECK(r.out == dir + "/p.hl\n");
    CHECK(fs::exists(dir + "/out/obj/src/main.c.o"));
    CHECK(r.err.find("-ffreestanding") != std::string::npos);
    CHECK(r.err.find("guest.ld") != std::string::npos);
    CHECK(r.err.find("libhlcrt.a") != std::string::npos);
}

TEST_CASE("hlbuild compile: images carry DWARF, unless image.debug = false, and keep their symbols either way")
{
    const std::string dir = make_temp_dir();
    REQUIRE(hlbuild({"new", dir + "/p"}).status == 0);
    REQUIRE(hlbuild({"compile", "-o", dir + "/debug.hl", dir + "/p"}).status == 0);
    write_file(dir + "/p/hlbuild.toml", read_file(dir + "/p/hlbuild.toml") + "debug = false\n");
    const auto r = hlbuild({"compile", "-v", "-o", dir + "/plain.hl", dir + "/p"});
    REQUIRE(r.status == 0);
    CHECK(r.err.find("--strip-debug") != std::string::npos);
    const std::string debug = read_file(dir + "/debug.hl"), plain = read_file(dir + "/plain.hl");
    // Section names live in the section header string table.
    CHECK(debug.find(".debug_info") != std::string::npos);
    CHECK(debug.find(".debug_line") != std::string::npos);
    CHECK(plain.find(".debug_info") == std::string::npos);
    CHECK(plain.find(".debug_line") == std::string::npos);
    CHECK(plain.size() < debug.size());
    CHECK(plain.find(".symtab") != std::string::npos);
    HL_REQUIRE_KVM();
    CHECK(run_process({HL_HLRUN, dir + "/plain.hl"}).status == 0);
}

TEST_CASE("hlbuild new refuses to overwrite and rejects bad names and templates")
{
    const std::string dir = make_temp_dir();
    write_file(dir + "/keep.txt", "precious");
    auto r = hlbuild({"new", dir});
    CHECK(r.status == 2);
    CHECK(r.err == "hlbuild: error: " + dir + ": already exists and is not an empty directory; choose another name\n");
    CHECK(read_file(dir + "/keep.txt") == "precious");

    r = hlbuild({"new", dir + "/bad name"});
    CHECK(r.status == 2);
    CHECK(r.err == "hlbuild: error: " + dir + "/bad name: 'bad name' is not a usable image name; use letters, "
                   "digits, '_', '-' and '.'\n");

    r = hlbuild({"new", "--template", "cobol", dir + "/x"});
    CHECK(r.status == 2);
    CHECK(r.err == "hlbuild: error: --template: no template 'cobol'; available: c, function, musl\n");
    CHECK_FALSE(fs::exists(dir + "/x"));

    r = hlbuild({});
    CHECK(r.status == 2);
    CHECK(lines(r.err).size() == 1);
}

TEST_CASE("hlbuild compile reports project file errors with line and column, all of them")
{
    const std::string dir = make_temp_dir();
    REQUIRE(hlbuild({"new", dir + "/p"}).status == 0);
    write_file(dir + "/p/hlbuild.toml", "[image]\nname = \"p\"\nstack = \"huge\"\nopt = 3\n");
    const auto r = hlbuild({"compile", dir + "/p"});
    CHECK(r.status == 2);
    CHECK(r.err == "hlbuild: error: " + dir + "/p/hlbuild.toml:3:9: image.stack: expected a size like \"256Ki\" or \"1Mi\"\n"
                   "hlbuild: error: " + dir + "/p/hlbuild.toml:4:7: unknown key 'image.opt'; expected one of name, "
                   "sources, cflags, stack, heap, libc, target, include_dirs, debug\n");
}

TEST_CASE("hlbuild compile without a project file or with sources matching nothing")
{
    const std::string dir = make_temp_dir();
    auto r = hlbuild({"compile", dir});
    CHECK(r.status == 2);
    CHECK(r.err == "hlbuild: error: " + dir + "/hlbuild.toml: cannot read the project file (No such file or "
                   "directory); create a project with 'hlbuild new NAME'\n");
    write_file(dir + "/hlbuild.toml", "[image]\nname = \"p\"\nsources = [\"src/*.cc\"]\n");
    r = hlbuild({"compile", dir});
    CHECK(r.status == 2);
    CHECK(r.err == "hlbuild: error: " + dir + "/hlbuild.toml: image.sources: 'src/*.cc' matches no file\n");
}

TEST_CASE("hlbuild compile reports every source that fails, then stops")
{
    const std::string dir = make_temp_dir();
    REQUIRE(hlbuild({"new", dir + "/p"}).status == 0);
    write_file(dir + "/p/src/bad1.c", "int f(void) { return nope; }\n");
    write_file(dir + "/p/src/bad2.c", "int g(void) { return also_nope; }\n");
    const auto r = hlbuild({"compile", dir + "/p"});
    CHECK(r.status == 1);
    CHECK(r.err.find("hlbuild: error: " + dir + "/p/src/bad1.c: compilation failed") != std::string::npos);
    CHECK(r.err.find("hlbuild: error: " + dir + "/p/src/bad2.c: compilation failed") != std::string::npos);
    CHECK(r.err.find("hlbuild: error: 2 of 3 source files failed to compile") != std::string::npos);
    CHECK(r.out.empty());
    CHECK_FALSE(fs::exists(dir + "/p/build/p.hl"));
}

TEST_CASE("hlbuild compile refuses a call to a function no header declares")
{
    const std::string dir = make_temp_dir();
    REQUIRE(hlbuild({"new", dir + "/p"}).status == 0);
    // strtod is not in the small libc: without a declaration, gcc would guess `int strtod()`.
    write_file(dir + "/p/src/main.c", "int main(void) { return (int)strtod(\"1.5\", 0); }\n");
    const auto r = hlbuild({"compile", dir + "/p"});
    CHECK(r.status == 1);
    CHECK(r.err.find("implicit declaration of function") != std::string::npos);
    CHECK(r.err.find("[-Werror=implicit-function-declaration]") != std::string::npos);
    CHECK(r.err.find("hlbuild: error: " + dir + "/p/src/main.c: compilation failed") != std::string::npos);
}

TEST_CASE("hlbuild compile reports a link failure")
{
    const std::string dir = make_temp_dir();
    REQUIRE(hlbuild({"new", dir + "/p"}).status == 0);
    write_file(dir + "/p/src/main.c", "void missing(void);\nint main(void) { missing(); return 0; }\n");
    const auto r = hlbuild({"compile", dir + "/p"});
    CHECK(r.status == 1);
    CHECK(r.err.find("undefined reference to `missing'") != std::string::npos);
    CHECK(r.err.find("hlbuild: error: " + dir + "/p/build/p.hl: linking failed") != std::string::npos);
}

TEST_CASE("hlbuild compile keeps same-named sources apart, compiles a file named twice once, and splits $CC")
{
    const std::string dir = make_temp_dir();
    REQUIRE(hlbuild({"new", dir + "/p"}).status == 0);
    fs::create_directories(dir + "/p/src/a");
    fs::create_directories(dir + "/p/src/b");
    write_file(dir + "/p/src/a/util.c", "int a_util(void) { return 40; }\n");
    write_file(dir + "/p/src/b/util.c", "int b_util(void) { return 2; }\n");
    write_file(dir + "/p/src/main.c",
               "#ifndef FROM_CC\n#error CC's extra words were lost\n#endif\n"
               "int a_util(void); int b_util(void);\nint main(void) { return a_util() + b_util(); }\n");
    write_file(dir + "/p/hlbuild.toml",
               "[image]\nname = \"p\"\nsources = [\"src/*.c\", \"src/a/*.c\", \"src/b/util.c\", \"src/main.c\"]\n");
    setenv("CC", "cc -DFROM_CC=1", 1);
    const auto r = hlbuild({"compile", dir + "/p"});
    unsetenv("CC");
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(fs::exists(dir + "/p/build/obj/src/a/util.c.o"));
    CHECK(fs::exists(dir + "/p/build/obj/src/b/util.c.o"));
    HL_REQUIRE_KVM();
    CHECK(run_process({HL_HLRUN, dir + "/p/build/p.hl"}).status == 42);
}

TEST_CASE("hlbuild compile with a compiler that is not there says so in one line")
{
    const std::string dir = make_temp_dir();
    REQUIRE(hlbuild({"new", dir + "/p"}).status == 0);
    setenv("CC", "nosuchcc -O2", 1);
    const auto r = hlbuild({"compile", dir + "/p"});
    unsetenv("CC");
    CHECK(r.status == 1);
    CHECK(r.err == "hlbuild: error: cannot run the guest compiler 'nosuchcc -O2': No such file or directory (set CC to "
                   "a gcc or clang for x86-64)\n");
    CHECK_FALSE(fs::exists(dir + "/p/build/p.hl"));
    fs::remove_all(dir);
}

TEST_CASE("hlbuild compile with CC=clang prints no warning and builds a runnable image")
{
    if (!installed("clang")) {
        WARN("skipped: clang is not installed");
        return;
    }
    const std::string dir = make_temp_dir();
    REQUIRE(hlbuild({"new", dir + "/p"}).status == 0);
    setenv("CC", "clang", 1);
    const auto r = hlbuild({"compile", dir + "/p"});
    unsetenv("CC");
    CHECK(r.status == 0);
    CHECK(r.err.empty()); // clang warns about any flag it does not use; it once did about -no-pie
    CHECK(r.out == dir + "/p/build/p.hl\n");
    HL_REQUIRE_KVM();
    const auto run = run_process({HL_HLRUN, dir + "/p/build/p.hl"});
    CHECK(run.status == 0);
    CHECK(run.out == "hello from p, a guest with 0 arguments\n");
}

TEST_CASE("hlbuild compiles guests with stack-clash protection, with gcc and clang alike")
{
    HL_REQUIRE_KVM();
    std::vector<std::string> compilers = {"cc"};
    if (installed("clang"))
        compilers.push_back("clang");
    else
        WARN("clang is not installed: only cc is checked");
    const std::string dir = make_temp_dir();
    REQUIRE(hlbuild({"new", dir + "/p"}).status == 0);
    // A 300 KiB frame starts below the 256 KiB stack and its guard page. Its
    // only store goes to the frame's bottom, in the heap; a fault in the guard
    // page can only come from the probes the flag adds.
    write_file(dir + "/p/src/main.c",
               "__attribute__((noinline)) void big_frame(void)\n"
               "{\n"
               "    volatile char frame[300 * 1024];\n"
               "    __asm__ volatile(\"\" : : \"r\"(frame) : \"memory\");\n"
               "    frame[0] = 1;\n"
               "}\n"
               "int main(void) { big_frame(); return 0; }\n");
    for (const std::string& cc : compilers) {
        INFO("CC=" << cc);
        setenv("CC", cc.c_str(), 1);
        const auto r = hlbuild({"compile", "-B", dir + "/" + cc, dir + "/p"});
        unsetenv("CC");
        CHECK(r.status == 0);
        CHECK(r.err.empty()); // no warning about an unknown or unused flag
        const auto run = run_process({HL_HLRUN, dir + "/" + cc + "/p.hl"});
        CHECK(run.status == 125);
        CHECK(run.err.rfind("hlrun: error: guest fault: page fault (#PF) at big_frame+0x", 0) == 0);
        CHECK(run.err.ends_with(" (stack guard page: stack overflow)\n"));
        // 16Mi of memory and a 256Ki stack put the guard page at 0xfb4000 (hl-abi(7)).
        const size_t at = run.err.find(": write to 0x");
        REQUIRE(at != std::string::npos);
        const uint64_t address = std::stoull(run.err.substr(at + 11), nullptr, 16);
        CHECK(address >= 0xfb4000);
        CHECK(address < 0xfb5000);
    }
}
