// hlbuild's daily loop around a project: init in this directory, the project
// found from anywhere inside it, run with hlrun's options and the guest's
// arguments, clean.
#include "process.hpp"

#include <filesystem>

using namespace hl::test;
namespace fs = std::filesystem;

TEST_CASE("hlbuild init scaffolds the current directory, named after it, and only an empty one")
{
    const std::string dir = make_temp_dir();
    fs::create_directories(dir + "/demo");
    ProcessResult r = run_process({HL_HLBUILD, "init"}, {.cwd = dir + "/demo"});
    REQUIRE(r.status == 0);
    CHECK(contains(read_file(dir + "/demo/hlbuild.toml"), "name = \"demo\""));
    CHECK(fs::exists(dir + "/demo/src/main.c"));
    r = run_process({HL_HLBUILD, "init"}, {.cwd = dir + "/demo"});
    CHECK(r.status == 2);
    CHECK(r.err == "hlbuild: error: .: already exists and is not an empty directory; choose another name\n");
    // `new .` is the same.
    fs::create_directories(dir + "/other");
    r = run_process({HL_HLBUILD, "new", "--template", "function", "."}, {.cwd = dir + "/other"});
    REQUIRE(r.status == 0);
    CHECK(contains(read_file(dir + "/other/hlbuild.toml"), "name = \"other\""));
    fs::remove_all(dir);
}

TEST_CASE("hlbuild commands find the project up from where they run, and say so when there is none")
{
    const std::string dir = make_temp_dir();
    REQUIRE(hlbuild({"new", dir + "/p"}).status == 0);
    fs::create_directories(dir + "/p/src/deep");
    ProcessResult r = run_process({HL_HLBUILD, "compile"}, {.cwd = dir + "/p/src/deep"});
    REQUIRE(r.status == 0);
    CHECK(r.out == dir + "/p/build/p.hl\n");
    // From the project itself, the path as found; the objects are up to date whatever the directory.
    r = run_process({HL_HLBUILD, "compile", "-v"}, {.cwd = dir + "/p"});
    REQUIRE(r.status == 0);
    CHECK(r.out == "build/p.hl\n");
    CHECK_FALSE(contains(r.err, " -c "));
    r = run_process({HL_HLBUILD, "compile"}, {.cwd = dir});
    CHECK(r.status == 2);
    CHECK(r.err == "hlbuild: error: no hlbuild.toml in " + dir +
                       " or any directory above it; create a project with 'hlbuild new NAME' or 'hlbuild init', or "
                       "name one: hlbuild COMMAND PROJECT\n");
    fs::remove_all(dir);
}

TEST_CASE("hlbuild run compiles, then runs the image with hlrun's options and the guest's arguments")
{
    HL_REQUIRE_KVM();
    const std::string dir = make_temp_dir();
    REQUIRE(hlbuild({"new", dir + "/p"}).status == 0);
    ProcessResult r = run_process({HL_HLBUILD, "run", "--", "a", "-b"}, {.cwd = dir + "/p"});
    REQUIRE(r.status == 0);
    CHECK(r.out == "hello from p, a guest with 2 arguments\n  argv[1] = \"a\"\n  argv[2] = \"-b\"\n");
    // hlrun's options first, with their values; `--` before arguments that look like options.
    r = run_process({HL_HLBUILD, "run", dir + "/p", "--", "-m", "4Mi", "--stats=json", "--", "--x"});
    REQUIRE(r.status == 0);
    CHECK(r.out == "hello from p, a guest with 1 argument\n  argv[1] = \"--x\"\n");
    CHECK(contains(r.err, "{\"schema\":\"hl-stats/1\""));
    // The guest's exit status is hlbuild run's.
    write_file(dir + "/p/src/main.c", "int main(void) { return 7; }\n");
    r = run_process({HL_HLBUILD, "run", dir + "/p"});
    CHECK(r.status == 7);
    // A build that fails runs nothing; an option hlrun refuses is hlrun's error.
    r = run_process({HL_HLBUILD, "run", dir + "/p", "--", "--memroy", "4Mi"});
    CHECK(r.status == 120);
    CHECK(contains(r.err, "hlrun: error: unknown option '--memroy' (did you mean --memory?)"));
    write_file(dir + "/p/src/main.c", "int main(void) { return nope; }\n");
    r = run_process({HL_HLBUILD, "run", dir + "/p"});
    CHECK(r.status == 1);
    CHECK(r.out.empty());
    fs::remove_all(dir);
}

TEST_CASE("hlbuild clean removes what compile made, and nothing else")
{
    const std::string dir = make_temp_dir();
    REQUIRE(hlbuild({"new", dir + "/p"}).status == 0);
    REQUIRE(hlbuild({"compile", dir + "/p"}).status == 0);
    ProcessResult r = hlbuild({"clean", dir + "/p"});
    CHECK(r.status == 0);
    CHECK_FALSE(fs::exists(dir + "/p/build"));
    CHECK(fs::exists(dir + "/p/src/main.c"));
    // A -B directory keeps what is not hlbuild's.
    fs::create_directories(dir + "/out");
    write_file(dir + "/out/notes.txt", "mine\n");
    REQUIRE(hlbuild({"compile", "-B", dir + "/out", dir + "/p"}).status == 0);
    CHECK(hlbuild({"clean", "-B", dir + "/out", dir + "/p"}).status == 0);
    CHECK(read_file(dir + "/out/notes.txt") == "mine\n");
    CHECK_FALSE(fs::exists(dir + "/out/obj"));
    CHECK_FALSE(fs::exists(dir + "/out/p.hl"));
    // Nothing to clean is no error; no project is.
    CHECK(hlbuild({"clean", dir + "/p"}).status == 0);
    r = hlbuild({"clean", dir + "/nothing"});
    CHECK(r.status == 2);
    CHECK(contains(r.err, dir + "/nothing/hlbuild.toml: cannot read the project file"));
    fs::remove_all(dir);
}
