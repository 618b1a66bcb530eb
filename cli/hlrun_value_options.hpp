// The options of a run and of hlrun call that take a value as the next
// word: what tells hlrun's options from IMAGE, for hlrun itself and for
// hlbuild run, which hands options on to it.
#pragma once

#include <algorithm>
#include <array>
#include <string_view>

namespace hl::cli {

inline constexpr std::array<std::string_view, 16> kHlrunValueOptions = {
    "-m",    "--memory",  "-t",           "--timeout",        "--trace-format", "--trace-filter", "--max-exits", "--env",
    "--dir", "--profile", "--profile-hz", "--profile-format", "--core",         "-n",             "--repeat",
    "--report"};

inline bool hlrun_option_takes_value(std::string_view word)
{
    return std::find(kHlrunValueOptions.begin(), kHlrunValueOptions.end(), word) != kHlrunValueOptions.end();
}

} // namespace hl::cli
