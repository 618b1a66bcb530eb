// hlbuild's incremental build: depfiles as compilers write them, and when an
// output is stale.
#include "build_plan.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

using namespace hl::cli;
namespace fs = std::filesystem;

TEST_CASE("build plan: a depfile's prerequisites, continued lines, escaped spaces and dollars")
{
    CHECK(parse_depfile("obj/a.o: src/a.c include/a.h \\\n  /usr/include/stdio.h\n") ==
          std::vector<std::string>{"src/a.c", "include/a.h", "/usr/include/stdio.h"});
    CHECK(parse_depfile("a.o: my\\ file.c cost$$.h\n") == std::vector<std::string>{"my file.c", "cost$.h"});
    CHECK(parse_depfile("a.o:\n") == std::vector<std::string>{});
    CHECK(parse_depfile("a.o: a.c\r\n") == std::vector<std::string>{"a.c"});
    // -MP's phony rules for each header end the object's list.
    CHECK(parse_depfile("a.o: a.c b.h\n\nb.h:\n") == std::vector<std::string>{"a.c", "b.h"});
    CHECK(parse_depfile("") == std::nullopt);
    CHECK(parse_depfile("no rule here\n") == std::nullopt);
    CHECK(parse_depfile(": a.c\n") == std::nullopt);
}

TEST_CASE("build plan: stale when missing, when its command changed, when an input or dependency is newer or gone")
{
    char pattern[] = "/tmp/hl-plan-XXXXXX";
    REQUIRE(mkdtemp(pattern) != nullptr);
    const fs::path dir = pattern;
    auto write = [](const fs::path& path, const std::string& text) { std::ofstream(path) << text; };
    auto tick = [] { std::this_thread::sleep_for(std::chrono::milliseconds(20)); };
    write(dir / "a.c", "int a;\n");
    write(dir / "a.h", "#define A 1\n");
    const fs::path object = dir / "a.o";
    const fs::path depfile = dir / "a.o.d";
    CHECK(why_stale(object, "cc -c a.c", {dir / "a.c"}, depfile) == "no a.o yet");
    tick();
    write(object, "object");
    write(depfile, "a.o: " + (dir / "a.c").string() + " " + (dir / "a.h").string() + "\n");
    CHECK(why_stale(object, "cc -c a.c", {dir / "a.c"}, depfile) == "its command changed");   // none recorded
    REQUIRE(record_signature(object, "cc -c a.c"));
    CHECK(why_stale(object, "cc -c a.c", {dir / "a.c"}, depfile) == std::nullopt);
    CHECK(why_stale(object, "cc -O2 -c a.c", {dir / "a.c"}, depfile) == "its command changed");
    tick();
    write(dir / "a.h", "#define A 2\n");
    CHECK(why_stale(object, "cc -c a.c", {dir / "a.c"}, depfile) == (dir / "a.h").string() + " changed");
    fs::remove(dir / "a.h");
    CHECK(why_stale(object, "cc -c a.c", {dir / "a.c"}, depfile) == (dir / "a.h").string() + " is gone");
    write(depfile, "garbage");
    CHECK(why_stale(object, "cc -c a.c", {dir / "a.c"}, depfile) == "its dependencies are not known");
    // write_if_changed leaves an equal file's time alone.
    write(dir / "n.c", "same\n");
    const auto before = fs::last_write_time(dir / "n.c");
    tick();
    CHECK(write_if_changed(dir / "n.c", "same\n"));
    CHECK(fs::last_write_time(dir / "n.c") == before);
    CHECK(write_if_changed(dir / "n.c", "other\n"));
    CHECK(fs::last_write_time(dir / "n.c") > before);
    fs::remove_all(dir);
}
