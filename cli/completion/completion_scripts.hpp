// What the three completion scripts' writers share (completion_spec.hpp
// declares the writers themselves). Pure.
#pragma once

#include "completion/completion_spec.hpp"

#include <string>
#include <vector>

namespace hl::cli {

// text in single quotes, for bash, zsh and fish alike: a quote in it closes
// the quotes, is escaped, and opens them again ('\''), which all three read
// the same. Backslashes are not expected (fish reads \\ inside quotes).
std::string shell_quote(const std::string& text);
// The case pattern of an option of a command, for bash's and zsh's
// scripts: 'call:--memory'|'call:-m'.
std::string option_pattern(const CompletionCommand& command, const CompletionOption& option);
// Each word quoted, separated by spaces.
std::string shell_words(const std::vector<std::string>& words);

} // namespace hl::cli
