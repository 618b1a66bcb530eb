// hlbuild.toml parsing: values, defaults, and every error with its position.
#include "project_file.hpp"

#include <catch2/catch.hpp>

using namespace hl::cli;

namespace {

std::vector<std::string> errors_of(const char* text)
{
    return parse_project_file(text, "hlbuild.toml").errors;
}

} // namespace

TEST_CASE("project file: a full [image] table")
{
    const auto parse = parse_project_file(R"([image]
name = "hello"
sources = ["src/*.c", "lib/x.c"]
cflags = ["-O3", "-DX=1"]
stack = "128Ki"
heap = 2097152
)", "hlbuild.toml");
    REQUIRE(parse.errors.empty());
    REQUIRE(parse.project.has_value());
    CHECK(parse.project->name == "hello");
    CHECK(parse.project->sources == std::vector<std::string>{"src/*.c", "lib/x.c"});
    CHECK(parse.project->cflags == std::vector<std::string>{"-O3", "-DX=1"});
    CHECK(parse.project->stack == 128u << 10);
    CHECK(parse.project->heap == 2u << 20);
    CHECK(parse_project_file("[image]\nname = \"x\"\nheap = 0\n", "f").project->heap == 0u);
}

TEST_CASE("project file: defaults")
{
    const auto parse = parse_project_file("[image]\nname = \"x\"\n", "hlbuild.toml");
    REQUIRE(parse.project.has_value());
    CHECK(parse.project->sources == std::vector<std::string>{"src/*.c"});
    CHECK(parse.project->cflags.empty());
    CHECK_FALSE(parse.project->stack.has_value());
    CHECK_FALSE(parse.project->heap.has_value());
}

TEST_CASE("project file: unknown keys are errors with line and column")
{
    CHECK(errors_of("[image]\nname = \"x\"\noptimise = true\n") ==
          std::vector<std::string>{"hlbuild.toml:3:12: unknown key 'image.optimise'; expected one of name, "
                                   "sources, cflags, stack, heap, libc, target, include_dirs, debug"});
    CHECK(errors_of("[image]\nname = \"x\"\n[link]\nx = 1\n") ==
          std::vector<std::string>{"hlbuild.toml:3:1: unknown key 'link'; expected an [image] table"});
}

TEST_CASE("project file: debug is a boolean, true by default")
{
    CHECK(parse_project_file("[image]\nname = \"x\"\n", "hlbuild.toml").project->debug);
    CHECK_FALSE(parse_project_file("[image]\nname = \"x\"\ndebug = false\n", "hlbuild.toml").project->debug);
    CHECK(errors_of("[image]\nname = \"x\"\ndebug = \"no\"\n") ==
          std::vector<std::string>{"hlbuild.toml:3:9: image.debug: expected true or false"});
}

TEST_CASE("project file: wrong types and values name the key")
{
    CHECK(errors_of("[image]\nname = 3\n") ==
          std::vector<std::string>{"hlbuild.toml:2:8: image.name: expected a non-empty string"});
    CHECK(errors_of("[image]\nname = \"x\"\nsources = \"src/*.c\"\n") ==
          std::vector<std::string>{"hlbuild.toml:3:11: image.sources: expected an array of strings"});
    CHECK(errors_of("[image]\nname = \"x\"\ncflags = [\"-O2\", 3]\n") ==
          std::vector<std::string>{"hlbuild.toml:3:18: image.cflags: expected a string"});
    CHECK(errors_of("[image]\nname = \"x\"\nstack = \"lots\"\n") ==
          std::vector<std::string>{"hlbuild.toml:3:9: image.stack: expected a size like \"256Ki\" or \"1Mi\""});
    CHECK(errors_of("[image]\nname = \"x\"\nstack = \"6000\"\n") ==
          std::vector<std::string>{"hlbuild.toml:3:9: image.stack: expected a multiple of 4Ki from 4Ki to 256Mi"});
    CHECK(errors_of("[image]\nname = \"x\"\nstack = 0\n") ==
          std::vector<std::string>{"hlbuild.toml:3:9: image.stack: expected a multiple of 4Ki from 4Ki to 256Mi"});
    CHECK(errors_of("[image]\nname = \"x\"\nstack = \"512Mi\"\n") ==
          std::vector<std::string>{"hlbuild.toml:3:9: image.stack: expected a multiple of 4Ki from 4Ki to 256Mi"});
    CHECK(errors_of("[image]\nname = \"x\"\nheap = \"5Gi\"\n") ==
          std::vector<std::string>{"hlbuild.toml:3:8: image.heap: expected at most 4Gi"});
    CHECK(errors_of("[image]\nname = \"a/b\"\n") ==
          std::vector<std::string>{"hlbuild.toml:2:8: image.name: 'a/b' may use only letters, digits, '_', '-' and '.'"});
}

TEST_CASE("project file: every error is reported, not just the first")
{
    const auto errors = errors_of("[image]\nname = \"x\"\nstack = \"?\"\nheap = \"?\"\nfoo = 1\n");
    CHECK(errors.size() == 3);
}

TEST_CASE("project file: missing pieces and syntax errors")
{
    CHECK(errors_of("") == std::vector<std::string>{
                               "hlbuild.toml: missing the [image] table with at least name = \"...\""});
    CHECK(errors_of("[image]\nstack = \"64Ki\"\n") ==
          std::vector<std::string>{"hlbuild.toml:1:1: image.name: missing, expected the image name"});
    const auto syntax = errors_of("[image]\nname = \"x\n");
    REQUIRE(syntax.size() == 1);
    CHECK(syntax[0].rfind("hlbuild.toml:2:", 0) == 0);
}

TEST_CASE("project file: image names are plain file names, the same rule as hlbuild new's")
{
    for (const char* name : {"a", "hello", "my-app_2", "v1.0", "A.b-c_d", "x."})
        CHECK(valid_image_name(name));
    for (const char* name : {"", ".", ".hidden", "a/b", "bad name", "a\n", "na\xc3\xafve", "x*"})
        CHECK_FALSE(valid_image_name(name));
}

TEST_CASE("project file: libc picks the guest's C library, tiny by default")
{
    CHECK(parse_project_file("[image]\nname = \"x\"\n", "f").project->libc == Libc::Tiny);
    CHECK(parse_project_file("[image]\nname = \"x\"\nlibc = \"tiny\"\n", "f").project->libc == Libc::Tiny);
    CHECK(parse_project_file("[image]\nname = \"x\"\nlibc = \"musl\"\n", "f").project->libc == Libc::Musl);
    CHECK(errors_of("[image]\nname = \"x\"\nlibc = \"glibc\"\n") ==
          std::vector<std::string>{"hlbuild.toml:3:8: image.libc: expected \"tiny\" or \"musl\", got \"glibc\""});
    CHECK(errors_of("[image]\nname = \"x\"\nlibc = \"MUSL\"\n") ==
          std::vector<std::string>{"hlbuild.toml:3:8: image.libc: expected \"tiny\" or \"musl\", got \"MUSL\""});
    CHECK(errors_of("[image]\nname = \"x\"\nlibc = true\n") ==
          std::vector<std::string>{"hlbuild.toml:3:8: image.libc: expected \"tiny\" or \"musl\""});
}

TEST_CASE("project file: target picks the guest's architecture, the host's when unset")
{
    CHECK_FALSE(parse_project_file("[image]\nname = \"x\"\n", "f").project->target.has_value());
    CHECK(parse_project_file("[image]\nname = \"x\"\ntarget = \"aarch64\"\n", "f").project->target == Target::Aarch64);
    CHECK(parse_project_file("[image]\nname = \"x\"\ntarget = \"x86-64\"\n", "f").project->target == Target::X86_64);
    CHECK(errors_of("[image]\nname = \"x\"\ntarget = \"riscv64\"\n") ==
          std::vector<std::string>{"hlbuild.toml:3:10: image.target: expected \"x86-64\" or \"aarch64\", got \"riscv64\""});
    // GNU's spelling is not hl's: one word for each architecture.
    CHECK(errors_of("[image]\nname = \"x\"\ntarget = \"x86_64\"\n") ==
          std::vector<std::string>{"hlbuild.toml:3:10: image.target: expected \"x86-64\" or \"aarch64\", got \"x86_64\""});
    CHECK(errors_of("[image]\nname = \"x\"\ntarget = 64\n") ==
          std::vector<std::string>{"hlbuild.toml:3:10: image.target: expected \"x86-64\" or \"aarch64\""});
}

TEST_CASE("project file: include_dirs are directories relative to the project")
{
    const auto parse = parse_project_file("[image]\nname = \"x\"\ninclude_dirs = [\"vendor/json\", \"../shared\"]\n", "f");
    REQUIRE(parse.project.has_value());
    CHECK(parse.project->include_dirs == std::vector<std::string>{"vendor/json", "../shared"});
    CHECK(parse_project_file("[image]\nname = \"x\"\n", "f").project->include_dirs.empty());
    CHECK(errors_of("[image]\nname = \"x\"\ninclude_dirs = \"vendor\"\n") ==
          std::vector<std::string>{"hlbuild.toml:3:16: image.include_dirs: expected an array of strings"});
    CHECK(errors_of("[image]\nname = \"x\"\ninclude_dirs = [\"vendor\", 3]\n") ==
          std::vector<std::string>{"hlbuild.toml:3:27: image.include_dirs: expected a string"});
    CHECK(errors_of("[image]\nname = \"x\"\ninclude_dirs = [\"/usr/include\"]\n") ==
          std::vector<std::string>{"hlbuild.toml:3:17: image.include_dirs: '/usr/include' is absolute; expected a "
                                   "directory relative to the project"});
    CHECK(errors_of("[image]\nname = \"x\"\ninclude_dirs = [\"\"]\n") ==
          std::vector<std::string>{"hlbuild.toml:3:17: image.include_dirs: expected a directory, got an empty string"});
}
