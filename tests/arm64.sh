#!/bin/sh
# tests/arm64.sh: hl's arm64 tests, on this x86-64 machine (issue 16).
#   1. installs what is missing: Debian's aarch64 cross toolchain, the arm64
#      libraries it links (multiarch), user-mode qemu, and what
#      tests/arm64/machine.sh needs (qemu-system-arm, cpio, an arm64 kernel);
#   2. cross-builds tests/arm64 (cmake/aarch64-linux-gnu.cmake) in build-arm64/;
#   3. runs the unit tests built for aarch64 under qemu-aarch64-static;
#   4. boots an emulated arm64 machine with KVM inside and runs kvm_probe there;
# then prints one summary line. Exit status 0 when every step passed.
# HL_ARM64_BUILD (default build-arm64) is where it builds and keeps the
# machine's kernel between runs.
set -eu
HL_ROOT=$(cd "$(dirname "$0")/.." && pwd)
build=${HL_ARM64_BUILD:-$HL_ROOT/build-arm64}
machine=$build/machine

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "hl: adding the arm64 architecture (dpkg --add-architecture arm64)"
    $sudo dpkg --add-architecture arm64
    $sudo apt-get update -qq
fi
packages="g++-aarch64-linux-gnu qemu-user-static libelf-dev:arm64 zlib1g-dev:arm64 cmake make"
missing=""
for package in $packages; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
done
if [ -n "$missing" ]; then
    echo "hl: installing:$missing"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
fi
sh "$HL_ROOT/tests/arm64/machine.sh" prepare "$machine"

echo "hl: cross-building tests/arm64 for aarch64 in $build"
cmake -S "$HL_ROOT/tests/arm64" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_TOOLCHAIN_FILE="$HL_ROOT/cmake/aarch64-linux-gnu.cmake" >/dev/null
cmake --build "$build" -j"$(nproc)"

unit=failed
echo "hl: the aarch64 unit tests, under qemu-aarch64-static"
if /usr/bin/qemu-aarch64-static "$build/hl_arch_tests"; then
    unit=passed
fi

kvm=failed
echo "hl: kvm_probe in an emulated arm64 machine with KVM"
payload=$build/payload
rm -rf "$payload"
mkdir -p "$payload"
cp "$build/kvm_probe" "$HL_ROOT/tests/arm64/in_machine.sh" "$payload/"
if ARM64_QUIET=1 ARM64_TIMEOUT=${HL_ARM64_TIMEOUT:-900} ARM64_LOG="$build/console.log" \
       sh "$HL_ROOT/tests/arm64/machine.sh" run "$machine" "$payload" in_machine.sh; then
    kvm=passed
fi

echo "hl arm64: unit tests under qemu-aarch64 $unit; KVM in the arm64 machine $kvm"
[ "$unit" = passed ] && [ "$kvm" = passed ]
