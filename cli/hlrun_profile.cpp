#include "hlrun_profile.hpp"

#include "hlrun_common.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <unistd.h>

namespace hl::cli {

HlrunProfile::~HlrunProfile()
{
    if (fd_ >= 0)
        ::close(fd_);
}

std::string HlrunProfile::configure(const HlrunOptions& options, const std::vector<std::string>& inputs)
{
    const std::string& path = options.profile;
    if (path.empty())
        return {};
    svg_ = options.profile_format.empty() ? path.ends_with(".svg") : options.profile_format == "svg";
    title_ = std::filesystem::path(inputs.front()).filename().string() + ", " + std::to_string(options.profile_hz) +
             " samples a second";
    if (std::string error = output_is_input("--profile", path, inputs); !error.empty())
        return error;
    path_ = path;
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0)
        return "--profile: cannot write " + path + ": " + std::strerror(errno);
    return {};
}

std::string HlrunProfile::finish(const Image& image)
{
    if (fd_ < 0)
        return {};
    // ftruncate and write: both allowed to a confined thread.
    const std::string folded = profile_.folded(image);
    const std::string text = svg_ ? flame_graph_svg(folded, title_) : folded;
    bool ok = ::ftruncate(fd_, 0) == 0;
    for (size_t done = 0; ok && done < text.size();) {
        const ssize_t n = ::pwrite(fd_, text.data() + done, text.size() - done, static_cast<off_t>(done));
        if (n > 0)
            done += static_cast<size_t>(n);
        else if (!(n < 0 && errno == EINTR))
            ok = false;
    }
    const int error = errno;
    ::close(fd_);
    fd_ = -1;
    return ok ? std::string() : "--profile: cannot write " + path_ + ": " + std::strerror(error);
}

} // namespace hl::cli
