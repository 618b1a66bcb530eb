// What the tests of real Linux executables share: where the build put them
// (tests/CMakeLists.txt compiles tests/linux/*.c there when it finds
// musl-gcc) and the skip for a build that did not.
#pragma once

#include <catch2/catch.hpp>

#include <string>

namespace hl::test {

inline const std::string kLinuxExecutables = HL_LINUX_EXECUTABLES_DIR;

// "PATH: rest" -> "rest"; anything else comes back whole after a marker, so
// comparing it with the expected rest fails visibly.
inline std::string without_path(const std::string& path, const std::string& message) {
    const std::string prefix = path + ": ";
    return message.rfind(prefix, 0) == 0 ? message.substr(prefix.size()) : "(does not name " + path + ") " + message;
}

} // namespace hl::test

// Skips the rest of a test case, visibly, where the build had no musl-gcc.
#define HL_REQUIRE_MUSL_GCC()                                                                           \
    do {                                                                                                \
        if (!HL_HAVE_MUSL_GCC) {                                                                        \
            WARN("skipped: musl-gcc was not found when the build was configured (install musl-tools)"); \
            return;                                                                                     \
        }                                                                                               \
    } while (0)
