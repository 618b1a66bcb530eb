#!/bin/sh
# Installs what is missing, builds, and runs every test (unit, guest,
# process-level, install and man-page checks) through CTest; then builds the
# host parts again under AddressSanitizer + UndefinedBehaviorSanitizer
# (HL_SANITIZE=ON, in build-asan/) and runs the tests there too; then runs
# the libFuzzer targets for a bounded number of inputs each (tests/fuzz/run.sh);
# then the arm64 tests on an emulated arm64 machine (tests/arm64.sh).
set -eu
. "$(dirname "$0")/bootstrap.sh"
cd "$HL_BUILD"
ctest --output-on-failure --timeout 600 -j"$(nproc)"

echo "hl: the same tests under ASan + UBSan"
# The host's C++ at -O1 -g1, as ASan's authors advise: about a quarter less
# compile time than -O2 -g (measured on Boost.Beast's and libsandbox's
# largest files), and reports keep their function names and lines. At -O1
# GCC's -Wmaybe-uninitialized misfires inside <regex> and <functional>;
# the plain build above keeps the warning.
cmake -S "$HL_ROOT" -B "$HL_ROOT/build-asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHL_SANITIZE=ON \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG -Wno-maybe-uninitialized" >/dev/null
cmake --build "$HL_ROOT/build-asan" -j"$(nproc)"
cd "$HL_ROOT/build-asan"
# The install test builds a program of its own against the installed library,
# which would need the sanitizer runtime too; the deploy tests put hlrun in a
# FROM scratch image, which a sanitized (dynamic) hlrun cannot run in. Both
# run in the plain build above.
ctest --output-on-failure --timeout 600 -j"$(nproc)" -E "^(install|deploy):"

echo "hl: the fuzz targets, a bounded run each (tests/fuzz/run.sh)"
sh "$HL_ROOT/tests/fuzz/run.sh"

# They emulate an arm64 machine on an x86-64 one; an arm64 host runs hl natively.
if [ "$(dpkg --print-architecture)" = amd64 ]; then
    echo "hl: the arm64 tests (tests/arm64.sh)"
    sh "$HL_ROOT/tests/arm64.sh"
fi
