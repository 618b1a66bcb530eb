#!/bin/sh
# The main job on a bundled example: scaffold a guest with hlbuild new,
# compile it, run it with hlrun with arguments, showing its output and its
# trace of VM exits.
set -eu
. "$(dirname "$0")/bootstrap.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
set -x
"$HL_BUILD/bin/hlbuild" new "$work/hello"
"$HL_BUILD/bin/hlbuild" compile "$work/hello"
"$HL_BUILD/bin/hlrun" --trace "$work/hello/build/hello.hl" world --answer 42
