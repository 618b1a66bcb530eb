// The guest's file namespace as path arithmetic, pure of the host: paths
// are resolved lexically (`..` removes the component before it, as
// `realpath -s` does) against the guest's working directory "/", then
// matched against the guest paths of the mapped directories.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hl::linux_abi {

// `path` made absolute against the directory `base` (itself absolute and
// normal) and normal: one '/' between components, no "." or "..", no '/'
// at the end unless it is "/". `..` at the root stays at the root.
std::string normal_guest_path(std::string_view base, std::string_view path);

// Whether `path` is absolute and already normal.
bool is_normal_guest_path(std::string_view path);

// Where a normal guest path lies among the mapped directories' guest paths
// (normal, each once).
struct PathPlace {
    enum class Kind {
        Mapped,     // inside mount_points[mount]; `rest` is relative to it ("." for its root)
        Ancestor,   // a directory above some mapped ones: only their next components are in it
        Outside,    // nothing there: ENOENT
    };
    Kind kind = Kind::Outside;
    size_t mount = 0;
    std::string rest;
    std::vector<std::string> children;   // Ancestor: sorted, each once
};

// The innermost mapped directory holding `path` wins.
PathPlace place_guest_path(const std::vector<std::string>& mount_points, const std::string& path);

} // namespace hl::linux_abi
