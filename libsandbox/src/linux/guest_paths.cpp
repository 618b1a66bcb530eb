// Lexical path resolution of the guest's file namespace (see guest_paths.hpp).
#include "linux/guest_paths.hpp"

#include <algorithm>

namespace hl::linux_abi {
namespace {

// Whether `path` is `dir` or below it; both normal.
bool within(std::string_view dir, std::string_view path)
{
    if (dir == "/")
        return true;
    return path.starts_with(dir) && (path.size() == dir.size() || path[dir.size()] == '/');
}

} // namespace

std::string normal_guest_path(std::string_view base, std::string_view path)
{
    std::vector<std::string_view> parts;
    auto take = [&](std::string_view text) {
        size_t start = 0;
        while (start <= text.size()) {
            const size_t slash = std::min(text.find('/', start), text.size());
            const std::string_view part = text.substr(start, slash - start);
            if (part == "..") {
                if (!parts.empty())
                    parts.pop_back();
            } else if (!part.empty() && part != ".") {
                parts.push_back(part);
            }
            start = slash + 1;
        }
    };
    if (!path.starts_with('/'))
        take(base);
    take(path);
    std::string out;
    for (const std::string_view part : parts) {
        out += '/';
        out += part;
    }
    return out.empty() ? "/" : out;
}

bool is_normal_guest_path(std::string_view path)
{
    return path.starts_with('/') && normal_guest_path("/", path) == path;
}

PathPlace place_guest_path(const std::vector<std::string>& mount_points, const std::string& path)
{
    PathPlace place;
    size_t longest = 0;
    for (size_t i = 0; i < mount_points.size(); ++i) {
        const std::string& point = mount_points[i];
        if (within(point, path) && (place.kind != PathPlace::Kind::Mapped || point.size() > longest)) {
            place.kind = PathPlace::Kind::Mapped;
            place.mount = i;
            longest = point.size();
        }
    }
    if (place.kind == PathPlace::Kind::Mapped) {
        const std::string& point = mount_points[place.mount];
        place.rest = path.size() == point.size() ? "." : path.substr(point == "/" ? 1 : point.size() + 1);
        return place;
    }
    for (const std::string& point : mount_points) {
        if (!within(path, point))
            continue;
        const size_t from = path == "/" ? 1 : path.size() + 1;
        place.children.push_back(point.substr(from, point.find('/', from) - from));
    }
    if (!place.children.empty()) {
        place.kind = PathPlace::Kind::Ancestor;
        std::sort(place.children.begin(), place.children.end());
        place.children.erase(std::unique(place.children.begin(), place.children.end()), place.children.end());
    }
    return place;
}

} // namespace hl::linux_abi
