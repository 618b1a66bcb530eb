// Commands run side by side (hlbuild's compiles): up to so many at once,
// each one's output kept apart and handed over whole when it ends, so that
// two compilers' errors never interleave.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace hl::cli {

struct JobEnd {
    std::optional<int> status;   // exit status; nullopt: it could not start or was killed (said in output)
    std::string output;          // its stdout and stderr, as written
};

// Runs every command (argv, searched in PATH), at most `parallel` at once
// (at least one), calling started(index) as each starts and ended(index,
// end) as each ends, in the order they end.
void run_jobs(const std::vector<std::vector<std::string>>& commands, unsigned parallel,
              const std::function<void(size_t)>& started, const std::function<void(size_t, const JobEnd&)>& ended);

} // namespace hl::cli
