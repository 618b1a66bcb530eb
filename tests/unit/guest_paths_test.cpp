// The guest file namespace's path arithmetic (guest_paths.cpp), pure.
#include "linux/guest_paths.hpp"

#include <catch2/catch.hpp>

using namespace hl::linux_abi;
using Kind = PathPlace::Kind;

TEST_CASE("guest paths: made absolute against the base, `..` and `.` resolved lexically")
{
    CHECK(normal_guest_path("/", "a/b") == "/a/b");
    CHECK(normal_guest_path("/x", "../..//y/./z/") == "/y/z");
    CHECK(normal_guest_path("/a", "/b/../c") == "/c");
    CHECK(normal_guest_path("/", "") == "/");
    CHECK(normal_guest_path("/data", ".") == "/data");
    CHECK(normal_guest_path("/", "../../etc/passwd") == "/etc/passwd");   // `..` at the root stays there
}

TEST_CASE("guest paths: which are absolute and normal")
{
    for (const char* yes : {"/", "/data", "/a/b.c/d"})
        CHECK(is_normal_guest_path(yes));
    for (const char* no : {"", "data", "/data/", "/a/./b", "/a/../b", "//a", "/.."})
        CHECK_FALSE(is_normal_guest_path(no));
}

TEST_CASE("guest paths: the innermost mapped directory holds a path, its ancestors hold only it")
{
    const std::vector<std::string> mounts = {"/data", "/data/sub", "/opt/x"};
    PathPlace p = place_guest_path(mounts, "/data/f");
    CHECK(p.kind == Kind::Mapped);
    CHECK(p.mount == 0);
    CHECK(p.rest == "f");
    p = place_guest_path(mounts, "/data/sub/g/h");
    CHECK(p.kind == Kind::Mapped);
    CHECK(p.mount == 1);
    CHECK(p.rest == "g/h");
    p = place_guest_path(mounts, "/data");
    CHECK(p.kind == Kind::Mapped);
    CHECK(p.rest == ".");
    p = place_guest_path(mounts, "/");
    CHECK(p.kind == Kind::Ancestor);
    CHECK(p.children == std::vector<std::string>{"data", "opt"});
    p = place_guest_path(mounts, "/opt");
    CHECK(p.kind == Kind::Ancestor);
    CHECK(p.children == std::vector<std::string>{"x"});
    CHECK(place_guest_path(mounts, "/etc").kind == Kind::Outside);
    CHECK(place_guest_path(mounts, "/datax").kind == Kind::Outside);   // a prefix, not a parent
    CHECK(place_guest_path({}, "/").kind == Kind::Outside);
}

TEST_CASE("guest paths: a directory mapped at / holds every path")
{
    PathPlace p = place_guest_path({"/"}, "/a/b");
    CHECK(p.kind == Kind::Mapped);
    CHECK(p.rest == "a/b");
    CHECK(place_guest_path({"/"}, "/").rest == ".");
}
