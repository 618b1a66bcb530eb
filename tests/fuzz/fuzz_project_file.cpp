// libFuzzer target: bytes as the text of hlbuild.toml, through
// parse_project_file, the parser hlbuild runs on every project. The parser
// reports problems as errors in its result and throws nothing: any exception,
// a crash or a sanitizer report is a finding, and so is a result that breaks
// the contract of project_file.hpp (a project only without errors, every
// error located in the file, the accepted values within their rules).
#include "project_file.hpp"

#include <hl/abi.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

using hl::cli::ProjectFile;
using hl::cli::ProjectParse;

namespace {

constexpr const char* kPath = "hlbuild.toml";

[[noreturn]] void finding(const std::string& what)
{
    std::fprintf(stderr, "fuzz_project_file: %s\n", what.c_str());
    std::abort();
}

void check(const ProjectParse& parse)
{
    if (parse.project.has_value() == !parse.errors.empty())
        finding("a project is set if and only if there are no errors");
    for (const std::string& error : parse.errors)
        if (error.rfind(std::string(kPath) + ":", 0) != 0)
            finding("an error that does not name the file: " + error);
    if (!parse.project)
        return;
    const ProjectFile& p = *parse.project;
    const bool plain_name = !p.name.empty() && p.name.front() != '.' &&
                            std::all_of(p.name.begin(), p.name.end(), [](char c) {
                                return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
                            });
    if (!plain_name)
        finding("an accepted image name that is not plain: " + p.name);
    if (p.stack && (*p.stack % HL_PAGE_SIZE || *p.stack < HL_STACK_MIN || *p.stack > HL_STACK_MAX))
        finding("an accepted stack size out of its rules: " + std::to_string(*p.stack));
    if (p.heap && *p.heap > HL_HEAP_MAX)
        finding("an accepted heap size over 4Gi: " + std::to_string(*p.heap));
    for (const std::string& dir : p.include_dirs)
        if (dir.empty() || dir.front() == '/')
            finding("an accepted include_dirs entry that is empty or absolute: " + dir);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        check(hl::cli::parse_project_file(std::string_view(reinterpret_cast<const char*>(data), size), kPath));
    } catch (const std::exception& error) {
        finding(std::string("parse_project_file threw: ") + error.what());
    }
    return 0;
}
