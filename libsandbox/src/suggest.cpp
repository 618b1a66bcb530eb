#include <hl/suggest.hpp>

#include <algorithm>

namespace hl {

size_t edit_distance(std::string_view a, std::string_view b)
{
    // Three rows of the dynamic programme: two back for a swap.
    std::vector<size_t> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j)
        previous[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitute});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                current[j] = std::min(current[j], before[j - 2] + 1);
        }
        std::swap(before, previous);
        std::swap(previous, current);
    }
    return previous[b.size()];
}

std::optional<std::string> closest(std::string_view typed, const std::vector<std::string>& candidates)
{
    if (typed.empty())
        return std::nullopt;
    std::optional<std::string> best;
    size_t best_distance = SIZE_MAX;
    bool tied = false;
    for (const std::string& candidate : candidates) {
        if (candidate == typed)
            return std::nullopt;   // not a slip: the word exists (the caller refused it for another reason)
        const size_t distance = edit_distance(typed, candidate);
        const size_t longer = std::max(typed.size(), candidate.size());
        if (distance > std::clamp<size_t>(longer / 3, 1, 3))
            continue;
        if (distance < best_distance) {
            best = candidate;
            best_distance = distance;
            tied = false;
        } else if (distance == best_distance) {
            tied = true;
        }
    }
    if (best && !tied)
        return best;
    if (best)
        return std::nullopt;   // two as near: guessing would mislead
    std::optional<std::string> extension;
    for (const std::string& candidate : candidates)
        if (typed.size() >= 2 && candidate.starts_with(typed)) {
            if (extension)
                return std::nullopt;
            extension = candidate;
        }
    return extension;
}

std::string did_you_mean(std::string_view typed, const std::vector<std::string>& candidates)
{
    const std::optional<std::string> word = closest(typed, candidates);
    return word ? " (did you mean " + *word + "?)" : "";
}

} // namespace hl
