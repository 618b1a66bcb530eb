#!/bin/sh
# tests/arm64.sh: hl's arm64 tests, on this x86-64 machine (issue 16).
#   1. installs what is missing: Debian's aarch64 cross toolchain, the arm64
#      libraries hl links (multiarch), user-mode qemu, and what
#      tests/arm64/machine.sh needs (qemu-system-arm, cpio, an arm64 kernel);
#   2. cross-builds hlrun, hlbuild and tests/arm64's programs for aarch64
#      (cmake/aarch64-linux-gnu.cmake, HL_ARM64_TESTS) in build-arm64/hl,
#      the C programs of tests/linux as static aarch64 executables (musl),
#      and builds the test guests for aarch64
#      with this host's hlbuild (--target aarch64; build/ is brought up to
#      date first, by tests/bootstrap.sh);
#   3. runs the unit tests built for aarch64 under qemu-aarch64-static;
#   4. boots an emulated arm64 machine with KVM inside and runs there
#      kvm_probe (the machine hl builds, case by case), library_tests
#      (host functions, snapshots), hlrun_tests.sh (hlrun itself: hello,
#      every fault kind, timeouts, traces, profiles, calls with fresh state,
#      snapshot files, serve, refusals), linux_tests.sh (the Linux
#      personality: the programs under hlrun and natively, alike) and
#      gdb_tests.sh (hlrun --gdb, debugged by this host's gdb-multiarch
#      through a PCI serial port of the machine: tests/arm64/gdb_sessions.sh);
# then prints one summary line. Exit status 0 when every step passed.
# HL_ARM64_BUILD (default build-arm64) is where it builds and keeps the
# machine's kernel between runs.
set -eu
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "hl: adding the arm64 architecture (dpkg --add-architecture arm64)"
    $sudo dpkg --add-architecture arm64
    $sudo apt-get update -qq
fi
packages="g++-aarch64-linux-gnu musl-dev:arm64 qemu-user-static qemu-system-arm cpio gdb-multiarch python3 libelf-dev:arm64 zlib1g-dev:arm64 libspdlog-dev:arm64 libfmt-dev:arm64 libtomlplusplus-dev:arm64 libseccomp-dev:arm64 libboost1.81-dev:arm64"
missing=""
for package in $packages; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
done
if [ -n "$missing" ]; then
    echo "hl: installing:$missing"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
fi
# Then this host's hl: its hlbuild builds the guests, with the aarch64
# runtime as it is now (bootstrap.sh installs what hl needs, the aarch64
# cross compiler among it, and configures and builds build/ again, which
# now finds the aarch64 musl just installed).
. "$(dirname "$0")/bootstrap.sh"
build=${HL_ARM64_BUILD:-$HL_ROOT/build-arm64}
machine=$build/machine
sh "$HL_ROOT/tests/arm64/machine.sh" prepare "$machine"

echo "hl: cross-building hlrun and tests/arm64 for aarch64 in $build"
# Release: no debug information to compile and copy into the machine.
cmake -S "$HL_ROOT" -B "$build/hl" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DHL_ARM64_TESTS=ON \
      -DCMAKE_TOOLCHAIN_FILE="$HL_ROOT/cmake/aarch64-linux-gnu.cmake" >/dev/null
cmake --build "$build/hl" -j"$(nproc)" --target hlrun hlbuild hl_arch_tests kvm_probe library_tests

echo "hl: the test guests, built for aarch64 by this host's hlbuild"
payload=$build/payload
rm -rf "$payload"
mkdir -p "$payload"
for guest in hello functions profile; do
    "$HL_ROOT/build/bin/hlbuild" compile --target aarch64 --build-dir "$build/guests/$guest" \
        -o "$payload/$guest.hl" "$HL_ROOT/tests/guests/$guest"
done
"$HL_ROOT/build/bin/hlbuild" compile --target aarch64 --build-dir "$build/guests/musl" \
    -o "$payload/musl.hl" "$HL_ROOT/tests/guests/musl"
"$HL_ROOT/build/bin/hlbuild" compile --target aarch64 --build-dir "$build/guests/faults" \
    -o "$payload/faults.hl" "$HL_ROOT/tests/arm64/guests/faults"
"$HL_ROOT/build/bin/hlbuild" compile --target x86-64 --build-dir "$build/guests/hello-x86_64" \
    -o "$payload/hello-x86_64.hl" "$HL_ROOT/tests/guests/hello"
echo "hl: the C programs of tests/linux, as static aarch64 executables against musl"
for program in hello tls t_format t_libm t_sort t_time t_malloc t_env t_stdin t_files t_unsupported t_abort; do
    aarch64-linux-gnu-gcc -specs /usr/lib/aarch64-linux-musl/musl-gcc.specs -static -O2 -Wall -Werror \
        "$HL_ROOT/tests/linux/$program.c" -o "$payload/$program" -lm
done
aarch64-linux-gnu-gcc -specs /usr/lib/aarch64-linux-musl/musl-gcc.specs -static -O2 -Wall -Werror \
    "$HL_ROOT/tests/bench/linux_loop.c" -o "$payload/linux_loop"
cp "$build/hl/bin/hlrun" "$build/hl/bin/kvm_probe" "$build/hl/bin/library_tests" "$payload/"
# hlbuild for an aarch64 host, with the toolchain it finds beside it (BIN/../lib/hl, BIN/../share/hl).
mkdir -p "$payload/prefix/bin"
cp "$build/hl/bin/hlbuild" "$payload/prefix/bin/"
cp -r "$build/hl/lib" "$build/hl/share" "$payload/prefix/"
for script in in_machine check hlrun_tests serve_check linux_tests gdb_tests; do
    cp "$HL_ROOT/tests/arm64/$script.sh" "$payload/"
done

unit=failed
echo "hl: the aarch64 unit tests, under qemu-aarch64-static"
if /usr/bin/qemu-aarch64-static "$build/hl/bin/hl_arch_tests"; then
    unit=passed
fi

kvm=failed
echo "hl: kvm_probe and hlrun in an emulated arm64 machine with KVM"
# gdb reaches hlrun --gdb in the machine through a PCI 16550 serial port
# on a host socket (gdb_tests.sh says why not the network); this host's
# side of those sessions runs next to the machine.
gdb_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
: >"$build/console.log"
sh "$HL_ROOT/tests/arm64/gdb_sessions.sh" "$build/console.log" "$gdb_port" "$payload" "$build/gdb.results" &
gdb_sessions=$!
if ARM64_QUIET=1 ARM64_TIMEOUT=${HL_ARM64_TIMEOUT:-1500} ARM64_LOG="$build/console.log" \
       ARM64_QEMU_ARGS="-chardev socket,id=gdb,host=127.0.0.1,port=$gdb_port,server=on,wait=off -device pci-serial,chardev=gdb" \
       sh "$HL_ROOT/tests/arm64/machine.sh" run "$machine" "$payload" in_machine.sh; then
    kvm=passed
fi
gdb=failed
wait "$gdb_sessions" && gdb=passed
cat "$build/gdb.results"

# The machine's own last line names what failed there (in_machine.sh).
machine_line=$(grep -a '^in the machine, ' "$build/console.log" | tail -n 1 | tr -d '\r')
[ "$kvm" = passed ] || [ -n "$machine_line" ] || machine_line="the machine never finished (its console: $build/console.log)"
echo "hl arm64: unit tests under qemu-aarch64 $unit; kvm_probe, library_tests, hlrun, the Linux personality and hlrun --gdb" \
     "on KVM in the arm64 machine $kvm (${machine_line:-in the machine, all passed});" \
     "gdb-multiarch's side $gdb ($(tail -n 1 "$build/gdb.results"))"
[ "$unit" = passed ] && [ "$kvm" = passed ] && [ "$gdb" = passed ]
