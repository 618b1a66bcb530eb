#!/bin/sh
# Installs what hl needs that is missing (Debian 12 packages) and builds it
# into build/. Sourced by tests/demo.sh and tests/run-all.sh; safe to re-run.
set -eu
HL_ROOT=$(cd "$(dirname "$0")/.." && pwd)
HL_BUILD="$HL_ROOT/build"

packages="cmake make g++ pkg-config libcli11-dev libtomlplusplus-dev libelf-dev libspdlog-dev catch2 nlohmann-json3-dev libboost1.81-dev curl man-db groff-base mandoc binutils libseccomp-dev clang libclang-rt-14-dev musl-tools gdb yamllint podman runc prometheus wrk hey zsh fish"
# The cross compiler of the other architecture hlbuild builds guests for
# (hlbuild --target): the build makes that one's guest runtime too.
case "$(dpkg --print-architecture)" in
    amd64) packages="$packages gcc-aarch64-linux-gnu" ;;
    arm64) packages="$packages gcc-x86-64-linux-gnu" ;;
esac
missing=""
for package in $packages; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
done
# The deploy/ tests run node and npm; a nodejs package from elsewhere may
# bring npm itself, so each is asked for only when its command is missing.
command -v node >/dev/null || missing="$missing nodejs"
command -v npm >/dev/null || missing="$missing npm"
if [ -n "$missing" ]; then
    echo "hl: installing:$missing"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
fi

cmake -S "$HL_ROOT" -B "$HL_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$HL_BUILD" -j"$(nproc)"
