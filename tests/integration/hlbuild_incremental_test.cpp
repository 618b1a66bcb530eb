// hlbuild compile builds what changed and nothing else: objects against
// their sources and the headers the compiler said they include, the
// commands that made them, the image against its objects and runtime; side
// by side with -j, a progress line on a terminal.
#include "process.hpp"

#include <filesystem>
#include <sstream>
#include <thread>

using namespace hl::test;
namespace fs = std::filesystem;

namespace {

// A project of `count` sources, each including include/shared.h.
std::string make_project(const std::string& dir, int count)
{
    const std::string project = dir + "/p";
    REQUIRE(hlbuild({"new", project}).status == 0);
    fs::create_directories(project + "/include");
    write_file(project + "/include/shared.h", "#define SHARED 1\n");
    for (int i = 0; i < count; ++i)
        write_file(project + "/src/f" + std::to_string(i) + ".c",
                   "#include \"shared.h\"\nint f" + std::to_string(i) + "(void) { return SHARED + " +
                       std::to_string(i) + "; }\n");
    return project;
}

// The sources -v says it compiled ("... -c SOURCE -o ..."), and whether it linked.
struct Built {
    std::vector<std::string> compiled;
    bool linked = false;
};

Built built(const ProcessResult& r)
{
    Built b;
    std::istringstream lines(r.err);
    for (std::string line; std::getline(lines, line);) {
        if (const size_t c = line.find(" -c "); c != std::string::npos)
            b.compiled.push_back(line.substr(c + 4, line.find(' ', c + 4) - c - 4));
        else if (line.find(" -nostdlib ") != std::string::npos)
            b.linked = true;
    }
    return b;
}

// File times have the kernel's tick: an edit right after a build must look newer.
void later() { std::this_thread::sleep_for(std::chrono::milliseconds(20)); }

} // namespace

TEST_CASE("hlbuild compile: a second build does nothing, an edit rebuilds its file and what includes its header")
{
    const std::string dir = make_temp_dir();
    const std::string project = make_project(dir, 30);
    ProcessResult r = hlbuild({"compile", "-v", project});
    REQUIRE(r.status == 0);
    CHECK(built(r).compiled.size() == 32);   // main.c, 30 sources, the image note
    CHECK(built(r).linked);
    const auto image_time = fs::last_write_time(project + "/build/p.hl");

    r = hlbuild({"compile", "-v", project});
    REQUIRE(r.status == 0);
    CHECK(r.out == project + "/build/p.hl\n");
    CHECK(built(r).compiled.empty());
    CHECK_FALSE(built(r).linked);
    CHECK(fs::last_write_time(project + "/build/p.hl") == image_time);

    later();
    write_file(project + "/src/f7.c", "#include \"shared.h\"\nint f7(void) { return SHARED * 7; }\n");
    r = hlbuild({"compile", "-v", project});
    REQUIRE(r.status == 0);
    CHECK(built(r).compiled == std::vector<std::string>{project + "/src/f7.c"});
    CHECK(built(r).linked);

    later();
    write_file(project + "/include/shared.h", "#define SHARED 2\n");
    r = hlbuild({"compile", "-v", project});
    REQUIRE(r.status == 0);
    CHECK(built(r).compiled.size() == 30);   // not main.c, not the note
    if (hl::test::kvm_unusable_reason().empty())
        CHECK(hlrun({project + "/build/p.hl"}).status == 0);
    else
        WARN("the image was not run: " << hl::test::kvm_unusable_reason());
    fs::remove_all(dir);
}

TEST_CASE("hlbuild compile: changed flags or project keys rebuild everything they touch")
{
    const std::string dir = make_temp_dir();
    const std::string project = make_project(dir, 3);
    REQUIRE(hlbuild({"compile", project}).status == 0);
    // A cflag changes every compile command.
    std::string toml = read_file(project + "/hlbuild.toml");
    write_file(project + "/hlbuild.toml",
               toml.replace(toml.find("sources"), 0, "cflags = [\"-DEXTRA=1\"]\n"));
    ProcessResult r = hlbuild({"compile", "-v", project});
    REQUIRE(r.status == 0);
    CHECK(built(r).compiled.size() == 5);
    // The stack size is in the image note only.
    toml = read_file(project + "/hlbuild.toml");
    write_file(project + "/hlbuild.toml", toml.replace(toml.find("256Ki"), 5, "512Ki"));
    r = hlbuild({"compile", "-v", project});
    REQUIRE(r.status == 0);
    CHECK(built(r).compiled == std::vector<std::string>{project + "/build/obj/.generated/hl_note.c"});
    // Another -o links again, compiling nothing.
    r = hlbuild({"compile", "-v", "-o", dir + "/other.hl", project});
    REQUIRE(r.status == 0);
    CHECK(built(r).compiled.empty());
    CHECK(built(r).linked);
    // A failed compile leaves nothing that looks built: the next build tries again.
    write_file(project + "/src/f1.c", "int f1(void) { return nope; }\n");
    CHECK(hlbuild({"compile", project}).status == 1);
    r = hlbuild({"compile", "-v", project});
    CHECK(r.status == 1);
    CHECK(built(r).compiled == std::vector<std::string>{project + "/src/f1.c"});
    CHECK(contains(r.err, "hlbuild: error: 1 of 4 source files failed to compile\n"));   // the note is not counted
    fs::remove_all(dir);
}

TEST_CASE("hlbuild compile -j: side by side, each compiler's errors whole, and a progress line on a terminal")
{
    const std::string dir = make_temp_dir();
    const std::string project = make_project(dir, 4);
    write_file(project + "/src/bad1.c", "int b1(void) { return nope1; }\n");
    write_file(project + "/src/bad2.c", "int b2(void) { return nope2; }\n");
    ProcessResult r = hlbuild({"compile", "-j", "4", project});
    CHECK(r.status == 1);
    // Each compiler's message is in one piece: its file name and its error are on neighbouring lines.
    for (const std::string bad : {"bad1", "bad2"}) {
        const size_t at = r.err.find(project + "/src/" + bad + ".c: In function");
        REQUIRE(at != std::string::npos);
        const size_t error = r.err.find("error: ", at);
        REQUIRE(error != std::string::npos);
        CHECK(r.err.substr(at, error - at).find(bad == "bad1" ? "bad2" : "bad1") == std::string::npos);
    }
    fs::remove(project + "/src/bad1.c");
    fs::remove(project + "/src/bad2.c");
    Terminal terminal;
    r = run_process({HL_HLBUILD, "compile", "-B", dir + "/fresh", project}, {.stderr_fd = terminal.side()});
    CHECK(r.status == 0);
    const std::string shown = terminal.written();
    CHECK(contains(shown, "\r[1/"));
    CHECK(contains(shown, "/6] src/"));     // main.c, 4 sources, the note
    CHECK(contains(shown, "\r\x1b[K"));    // cleared at the end
    r = hlbuild({"compile", "-j", "0", project});
    CHECK(r.status == 2);
    CHECK(r.err == "hlbuild: error: --jobs: '0' is not a whole number from 1 to 1024; see hlbuild compile --help\n");
    fs::remove_all(dir);
}

TEST_CASE("hlbuild compile: the progress line fits the terminal, its middle elided")
{
    const std::string dir = make_temp_dir();
    const std::string project = make_project(dir, 0);
    const std::string long_name = "a_source_file_whose_name_is_much_wider_than_this_narrow_terminal.c";
    write_file(project + "/src/" + long_name, "int wide(void) { return 1; }\n");
    Terminal terminal(24, 40);
    const ProcessResult r = run_process({HL_HLBUILD, "compile", "-j", "1", project}, {.stderr_fd = terminal.side()});
    CHECK(r.status == 0);
    const std::string shown = terminal.written();
    bool elided = false;
    for (size_t at = shown.find("\r["); at != std::string::npos; at = shown.find("\r[", at + 1)) {
        const std::string line = shown.substr(at + 1, shown.find("\x1b[K", at) - at - 1);
        INFO(line);
        CHECK(line.size() <= 39);
        if (contains(line, "...")) {
            elided = true;
            CHECK(line.rfind("[", 0) == 0);      // the count stays in sight
            CHECK(line.ends_with("terminal.c"));   // and so does the end of the name
        }
    }
    CHECK(elided);
    fs::remove_all(dir);
}

TEST_CASE("hlbuild compile: a build killed after a compile leaves that object to be made again")
{
    const std::string dir = make_temp_dir();
    const std::string project = make_project(dir, 1);
    REQUIRE(hlbuild({"compile", "-j", "1", project}).status == 0);
    // A compiler that finishes its object, then kills hlbuild before it can record how it was made.
    write_file(dir + "/killer.sh", "cc \"$@\" || exit 1\ncase \" $* \" in *\" -c \"*) kill -9 $PPID;; esac\n");
    std::string toml = read_file(project + "/hlbuild.toml");
    write_file(project + "/hlbuild.toml", std::string(toml).replace(toml.find("sources"), 0, "cflags = [\"-DSHARED2\"]\n"));
    setenv("CC", ("sh " + dir + "/killer.sh").c_str(), 1);
    ProcessResult r = hlbuild({"compile", "-j", "1", project});
    unsetenv("CC");
    CHECK(r.status == 128 + 9);
    // Back to the first flags, whose record that object's old one matched: it must not count as built.
    write_file(project + "/hlbuild.toml", toml);
    r = hlbuild({"compile", "-v", "-j", "1", project});
    REQUIRE(r.status == 0);
    CHECK(built(r).compiled.size() >= 1);
    fs::remove_all(dir);
}

TEST_CASE("hlbuild compile: a failing note or flag is reported, and the count is of the project's sources")
{
    const std::string dir = make_temp_dir();
    REQUIRE(hlbuild({"new", dir + "/p"}).status == 0);
    std::string toml = read_file(dir + "/p/hlbuild.toml");
    write_file(dir + "/p/hlbuild.toml", toml.replace(toml.find("sources"), 0, "cflags = [\"-fno-such-flag\"]\n"));
    const ProcessResult r = hlbuild({"compile", dir + "/p"});
    CHECK(r.status == 1);
    CHECK(contains(r.err, "hlbuild: error: " + dir + "/p/src/main.c: compilation failed\n"));
    CHECK(contains(r.err, "hl_note.c: compilation failed\n"));
    CHECK(contains(r.err, "hlbuild: error: 1 of 1 source files failed to compile\n"));
    fs::remove_all(dir);
}
