#!/bin/sh
# Installs what is missing, builds, and runs every test (unit, guest,
# process-level, install and man-page checks) through CTest.
set -eu
. "$(dirname "$0")/bootstrap.sh"
cd "$HL_BUILD"
ctest --output-on-failure --timeout 600 -j"$(nproc)"
