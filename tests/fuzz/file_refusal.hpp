// What the targets of the file loaders (snapshot files, core files) share:
// how a finding ends the run, and the rule for a refusal, one line that
// starts with the file's name.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace hl::fuzz {

[[noreturn]] inline void finding(const char* target, const std::string& what)
{
    std::fprintf(stderr, "%s: %s\n", target, what.c_str());
    std::abort();
}

inline void check_refusal(const char* target, const std::string& path, const std::string& message)
{
    if (message.rfind(path + ": ", 0) != 0 || message.find('\n') != std::string::npos)
        finding(target, "a refusal that is not one line naming the file: " + message);
}

} // namespace hl::fuzz
