#include "hlrun_profile.hpp"

#include <cerrno>
#include <cstring>

namespace hl::cli {

HlrunProfile::~HlrunProfile()
{
    if (file_)
        std::fclose(file_);
}

std::string HlrunProfile::configure(const std::string& path)
{
    if (path.empty())
        return {};
    path_ = path;
    file_ = std::fopen(path.c_str(), "w");
    if (!file_)
        return "--profile: cannot write " + path + ": " + std::strerror(errno);
    return {};
}

std::string HlrunProfile::finish(const Image& image)
{
    if (!file_)
        return {};
    const std::string text = profile_.folded(image);
    const bool written = std::fwrite(text.data(), 1, text.size(), file_) == text.size();
    const bool closed = std::fclose(file_) == 0;
    file_ = nullptr;
    if (!written || !closed)
        return "--profile: cannot write " + path_ + ": " + std::strerror(errno);
    return {};
}

} // namespace hl::cli
