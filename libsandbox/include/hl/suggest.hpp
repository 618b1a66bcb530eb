// "Did you mean": the candidate closest to what the user typed, when one is
// close enough to be a slip of the keyboard rather than another word.
#pragma once

#include <hl/version.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hl {

// Edits between a and b: insertions, deletions, substitutions and swaps of
// two neighbours (optimal string alignment), case-sensitive.
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `typed`, if it is within a third of the longer
// word's length in edits (at least one, at most three) and no other
// candidate is as near; a candidate that starts with `typed` (a word cut
// short) is taken too when it is the only one.
std::optional<std::string> closest(std::string_view typed, const std::vector<std::string>& candidates);

// " (did you mean WORD?)" for closest's answer, else "".
std::string did_you_mean(std::string_view typed, const std::vector<std::string>& candidates);

} // namespace hl
