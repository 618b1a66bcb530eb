#!/bin/sh
# After `cmake --install`: hlbuild finds its toolchain and templates relative
# to its own executable and the guest it builds runs; the function template's
# host program builds with find_package(hl) and runs; pkg-config hl works;
# the other architecture's runtime, where the build made one, builds guests.
# Usage: install_test.sh BUILD_DIR HOST_TARGET CROSS_TARGET (x86-64, aarch64)
set -eu
build=$1
host=$2
cross=$3
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
for f in bin/hlrun bin/hlbuild lib/hl/$host/libhlcrt.a lib/hl/$host/guest.ld lib/hl/$host/guest-musl.ld \
         lib/hl/include/hl/guest.h \
         lib/hl/include/hl/abi.h lib/hl/tiny/include/stdio.h share/hl/templates/c/hlbuild.toml \
         share/man/man1/hlrun.1 share/man/man1/hlbuild.1 share/man/man7/hl-abi.7 \
         include/hl/sandbox.hpp include/hl/abi.h lib/libhlsandbox.a lib/cmake/hl/hlConfig.cmake \
         share/hl/templates/function/host/main.cpp \
         share/bash-completion/completions/hlrun share/bash-completion/completions/hlbuild \
         share/zsh/site-functions/_hlrun share/zsh/site-functions/_hlbuild \
         share/fish/vendor_completions.d/hlrun.fish share/fish/vendor_completions.d/hlbuild.fish; do
    [ -e "$prefix/$f" ] || { echo "FAIL: $f was not installed"; exit 1; }
done
# The runs need /dev/kvm. Only where it cannot be opened are they skipped:
# hlrun's status 123 also means a KVM failure or a seccomp violation, which
# must fail this test, not hide as a skip.
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then kvm=yes; else kvm=no; fi
"$prefix/bin/hlbuild" new "$prefix/work/app" >/dev/null
image=$("$prefix/bin/hlbuild" compile "$prefix/work/app")
[ "$image" = "$prefix/work/app/build/app.hl" ] || { echo "FAIL: hlbuild printed '$image'"; exit 1; }
if [ $kvm = yes ]; then
    status=0
    out=$("$prefix/bin/hlrun" "$image" one 2>"$prefix/err") || status=$?
    [ $status -eq 0 ] && [ "$out" = "$(printf 'hello from app, a guest with 1 argument\n  argv[1] = "one"')" ] ||
        { echo "FAIL: installed hlrun exited $status, printed: $out $(cat "$prefix/err")"; exit 1; }
else
    echo "skipped: the runs: /dev/kvm cannot be opened for reading and writing here"
fi

# A guest with musl, where the build has hl's layer for it (cmake/Musl.cmake).
if [ -e "$build/lib/hl/$host/libhlmusl.a" ]; then
    [ -e "$prefix/lib/hl/$host/libhlmusl.a" ] || { echo "FAIL: lib/hl/$host/libhlmusl.a was not installed"; exit 1; }
    "$prefix/bin/hlbuild" new --libc musl "$prefix/work/m" >/dev/null
    "$prefix/bin/hlbuild" compile "$prefix/work/m" >/dev/null || { echo "FAIL: the musl template did not build"; exit 1; }
    if [ $kvm = yes ]; then
        out=$("$prefix/bin/hlrun" call "$prefix/work/m/build/m.hl" mean 1 2 4.5 2>"$prefix/err") ||
            { echo "FAIL: installed hlrun call of the musl guest: $(cat "$prefix/err")"; exit 1; }
        [ "$out" = "$(printf 'hello from m, a musl guest with 0 arguments\n2.5')" ] ||
            { echo "FAIL: the musl guest printed: $out"; exit 1; }
    fi
fi

# A guest for the other architecture, where the build has its runtime
# (cmake/GuestTargets.cmake): the installed hlbuild finds it too.
if [ -e "$build/lib/hl/$cross/libhlcrt.a" ]; then
    for f in libhlcrt.a guest.ld; do
        [ -e "$prefix/lib/hl/$cross/$f" ] || { echo "FAIL: lib/hl/$cross/$f was not installed"; exit 1; }
    done
    "$prefix/bin/hlbuild" compile --target "$cross" -o "$prefix/work/app-$cross.hl" "$prefix/work/app" >/dev/null ||
        { echo "FAIL: the installed hlbuild did not build for $cross"; exit 1; }
fi

# The function template, built and run exactly as a user would: guest with
# hlbuild, host program with CMake against the installed package.
"$prefix/bin/hlbuild" new --template function "$prefix/work/fn" >/dev/null
"$prefix/bin/hlbuild" compile "$prefix/work/fn" >/dev/null
cmake -S "$prefix/work/fn/host" -B "$prefix/work/fn/host/build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$prefix/work/fn/host/build" >/dev/null
[ -x "$prefix/work/fn/host/build/fn-host" ] || { echo "FAIL: the template's host program was not built"; exit 1; }
# pkg-config alone is enough to build against the library.
cat > "$prefix/work/pc.cpp" <<'CPP'
#include <hl/confine.hpp>
#include <hl/sandbox.hpp>
#include <cstdio>
#include <string>
int main(int, char** argv)
{
    const hl::Image image = hl::Image::load(argv[1]);
    std::printf("%zu exports\n", image.exports().size());
    if (std::string(hl::version()) != HL_VERSION)
        return 2;
    return hl::confine_allow_list().empty(); // links the seccomp filter, so libseccomp too
}
CPP
# hl.pc asks for no -std: users choose C++20 or newer, and an older one is
# told so by the headers, in one line.
pc_flags=$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs hl)
case " $pc_flags " in *" -std="*) echo "FAIL: hl.pc forces a language standard: $pc_flags"; exit 1;; esac
if c++ -std=c++17 "$prefix/work/pc.cpp" $pc_flags -o "$prefix/work/pc17" 2>"$prefix/err"; then
    echo "FAIL: hl's headers compiled as C++17"; exit 1
fi
grep -q "hl's C++ API needs C++20 or newer: compile with -std=c++20" "$prefix/err" ||
    { echo "FAIL: C++17 was not told what hl needs: $(head -3 "$prefix/err")"; exit 1; }
c++ -std=c++23 "$prefix/work/pc.cpp" $pc_flags -o "$prefix/work/pc23" ||
    { echo "FAIL: building with pkg-config hl as C++23"; exit 1; }
c++ -std=c++20 "$prefix/work/pc.cpp" $pc_flags -o "$prefix/work/pc" ||
    { echo "FAIL: building with pkg-config hl"; exit 1; }
[ "$("$prefix/work/pc" "$prefix/work/fn/build/fn.hl")" = "2 exports" ] || { echo "FAIL: the pkg-config build did not work"; exit 1; }
if [ $kvm = yes ]; then
    status=0
    out=$(cd "$prefix/work/fn" && host/build/fn-host 2>"$prefix/err") || status=$?
    expected=$(printf 'guest says: hello, world (call 1)\nadd(2, 40) = 42\ngreet("world") = "hello, world (call 1)"')
    [ $status -eq 0 ] && [ "$out" = "$expected" ] ||
        { echo "FAIL: the function template's host exited $status, printed: $out $(cat "$prefix/err")"; exit 1; }
    echo "function template built and run"
fi
echo "install test passed"
