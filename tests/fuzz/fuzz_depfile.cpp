// libFuzzer target: bytes as a compiler's depfile, through hlbuild's
// parse_depfile (cli/build_plan.hpp), which reads whatever a compiler, a
// crash or a user left in the build directory.
//
// nullopt is the refusal. A crash, an exception or a sanitizer report is a
// finding; so is an empty prerequisite, or a list that does not come back
// the same once written out again, escaped, as a depfile.
#include "build_plan.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

[[noreturn]] void finding(const std::string& what)
{
    std::fprintf(stderr, "fuzz_depfile: %s\n", what.c_str());
    std::abort();
}

// A name as make reads it back: spaces, '#' and backslashes escaped, '$' doubled.
std::string escaped(const std::string& name)
{
    std::string out;
    for (const char c : name) {
        if (c == ' ' || c == '#' || c == '\\')
            out += '\\';
        if (c == '$')
            out += '$';
        out += c;
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto prerequisites = hl::cli::parse_depfile(text);
    if (!prerequisites)
        return 0;
    std::string again = "out.o:";
    for (const std::string& name : *prerequisites) {
        if (name.empty())
            finding("an empty prerequisite");
        again += " \\\n  " + escaped(name);
    }
    const auto reparsed = hl::cli::parse_depfile(again + "\n");
    if (!reparsed || *reparsed != *prerequisites)
        finding("the prerequisites did not survive being written out again");
    return 0;
}
