// The skip of tests that need musl (cmake/Musl.cmake), for a build that did
// not find it: no libhlmusl.a, no test guest with libc = "musl".
#pragma once

#include <catch2/catch.hpp>

// Skips the rest of a test case, visibly, where the build had no musl.
#define HL_REQUIRE_MUSL()                                                                                   \
    do {                                                                                                    \
        if (!HL_HAVE_MUSL) {                                                                                \
            WARN("skipped: musl was not found when the build was configured (install musl-dev and "         \
                 "musl-tools)");                                                                            \
            return;                                                                                         \
        }                                                                                                   \
    } while (0)
