// hlrun --profile FILE [--profile-hz N] [--profile-format F]: the guest's
// sampled stacks, written to FILE as folded stacks or a flame graph
// (hl/profile.hpp) when the guest has run, however its run or its calls ended.
#pragma once

#include "hlrun_options.hpp"

#include <hl/image.hpp>
#include <hl/profile.hpp>

#include <string>
#include <vector>

namespace hl::cli {

class HlrunProfile {
public:
    HlrunProfile() = default;
    ~HlrunProfile();
    HlrunProfile(const HlrunProfile&) = delete;
    HlrunProfile& operator=(const HlrunProfile&) = delete;

    // Opens FILE now, without emptying it, so that one that cannot be written
    // is said before the guest runs and one that was there is untouched until
    // there is a profile to put in it. `inputs` are files it must not be
    // (the image). No --profile profiles nothing. Returns an error, or empty.
    std::string configure(const HlrunOptions& options, const std::vector<std::string>& inputs);
    // For SandboxOptions::profile: null when not profiling.
    Profile* profile() { return fd_ >= 0 ? &profile_ : nullptr; }
    // Replaces FILE's contents with the folded stacks or their flame graph,
    // named by image's symbols; returns an error, or empty.
    std::string finish(const Image& image);

private:
    Profile profile_;
    int fd_ = -1;
    std::string path_;
    bool svg_ = false;
    std::string title_;   // the flame graph's
};

} // namespace hl::cli
