// hlrun --profile FILE [--profile-hz N]: the guest's sampled stacks, written
// as folded stacks (hl/profile.hpp) to FILE when the run or the calls end,
// however they end.
#pragma once

#include <hl/image.hpp>
#include <hl/profile.hpp>

#include <cstdio>
#include <string>

namespace hl::cli {

class HlrunProfile {
public:
    HlrunProfile() = default;
    ~HlrunProfile();
    HlrunProfile(const HlrunProfile&) = delete;
    HlrunProfile& operator=(const HlrunProfile&) = delete;

    // Opens FILE now, so that one that cannot be written is said before the
    // guest runs; an empty path profiles nothing. Returns an error, or empty.
    std::string configure(const std::string& path);
    // For SandboxOptions::profile: null when not profiling.
    Profile* profile() { return file_ ? &profile_ : nullptr; }
    // Writes the folded stacks, named by image's symbols; returns an error, or empty.
    std::string finish(const Image& image);

private:
    Profile profile_;
    std::FILE* file_ = nullptr;
    std::string path_;
};

} // namespace hl::cli
