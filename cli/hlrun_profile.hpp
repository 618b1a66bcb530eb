// hlrun --profile FILE [--profile-hz N]: the guest's sampled stacks, written
// as folded stacks (hl/profile.hpp) to FILE when the guest has run, however
// its run or its calls ended.
#pragma once

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
    // (the image). An empty path profiles nothing. Returns an error, or empty.
    std::string configure(const std::string& path, const std::vector<std::string>& inputs);
    // For SandboxOptions::profile: null when not profiling.
    Profile* profile() { return fd_ >= 0 ? &profile_ : nullptr; }
    // Replaces FILE's contents with the folded stacks, named by image's
    // symbols; returns an error, or empty.
    std::string finish(const Image& image);

private:
    Profile profile_;
    int fd_ = -1;
    std::string path_;
};

} // namespace hl::cli
