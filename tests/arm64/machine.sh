#!/bin/sh
# tests/arm64/machine.sh: an emulated arm64 machine with KVM inside it, for
# hl's arm64 tests on an x86-64 host (tests/arm64.sh drives it).
#
#   machine.sh prepare WORKDIR
#       Installs the host tools that are missing (apt-get), adds the arm64
#       dpkg architecture if absent, and downloads and extracts Debian's arm64
#       kernel and busybox-static:arm64 into WORKDIR (cached; nothing is
#       installed as an arm64 package).
#   machine.sh run WORKDIR PAYLOAD_DIR SCRIPT [ARG...]
#       Builds an initramfs of busybox, an /init and PAYLOAD_DIR (as
#       /payload), boots it with qemu-system-aarch64 (virt with
#       virtualization=on: the emulated CPU has EL2, so the kernel brings up
#       KVM and /dev/kvm), runs `sh /payload/SCRIPT ARG...` (in /payload),
#       prints its output on stdout and exits with its exit status.
#
# Exit statuses of `run`: the payload's status, or
#   125  no result marker (kernel did not boot, panic, guest hung, timeout...);
#        a one-line reason is printed on stderr, the console is in the log.
#   126  usage / missing files (run `prepare` first).
#
# Tunables (environment):
#   ARM64_TIMEOUT  hard timeout in seconds for the whole qemu run (default 600)
#   ARM64_SMP      guest vCPUs (default 2)
#   ARM64_MEM      guest memory in MiB (default 2048)
#   ARM64_CPU      qemu -cpu model (default max,pauth-impdef=on: plain `max`
#                  emulates QARMA pointer auth and boots ~3x slower;
#                  max,pauth=off and neoverse-n1 are as fast or faster)
#   ARM64_MACHINE  qemu -M value (default virt,virtualization=on,gic-version=3;
#                  virtualization=on gives EL2 => KVM; with the virt default
#                  GICv2 the inner KVM only offers VGIC_V2 and 8 vCPUs)
#   ARM64_ACCEL    qemu -accel value (default tcg,thread=multi; set empty to
#                  pass no -accel option at all)
#   ARM64_APPEND   extra kernel command line words (e.g. loglevel=7 to undo
#                  `quiet` and get the full boot log into the console log)
#   ARM64_QEMU_ARGS extra qemu arguments (split on blanks)
#   ARM64_LOG      console log file (default WORKDIR/console.log; give each
#                  concurrent run its own)
#   ARM64_QUIET=1  do not print the "console log: ..." / timing lines on stderr
#
# Output protocol on the guest console:
#   ARM64-BEGIN            payload starts (everything before is boot noise)
#   ...payload output...   (copied to stdout)
#   ARM64-RESULT: <rc>     payload ended with status rc (not copied)

set -u

MARK_BEGIN='ARM64-BEGIN'
MARK_RESULT='ARM64-RESULT:'

die() { echo "machine.sh: $*" >&2; exit 126; }
say() { [ "${ARM64_QUIET:-0}" = 1 ] || echo "machine.sh: $*" >&2; }

# Root installs directly, anyone else through sudo.
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

apt_updated=0
apt_update() {
    [ "$apt_updated" = 1 ] && return 0
    say "apt-get update"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=900 update -q >/dev/null || die "apt-get update failed"
    apt_updated=1
}

# ---------------------------------------------------------------- prepare
prepare() {
    wd=$1
    mkdir -p "$wd" || die "cannot create $wd"
    wd=$(cd "$wd" && pwd)

    # 1. host tools
    missing=""
    command -v qemu-system-aarch64 >/dev/null 2>&1 || missing="$missing qemu-system-arm"
    command -v qemu-aarch64-static >/dev/null 2>&1 || command -v qemu-aarch64 >/dev/null 2>&1 \
        || missing="$missing qemu-user-static"
    command -v cpio >/dev/null 2>&1 || missing="$missing cpio"
    command -v gzip >/dev/null 2>&1 || missing="$missing gzip"
    command -v timeout >/dev/null 2>&1 || missing="$missing coreutils"
    command -v awk >/dev/null 2>&1 || missing="$missing mawk"
    if [ -n "$missing" ]; then
        apt_update
        say "apt-get install$missing"
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends $missing >/dev/null \
            || die "apt-get install$missing failed"
    fi

    # 2. arm64 architecture + package lists
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
        say "dpkg --add-architecture arm64"
        $sudo dpkg --add-architecture arm64 || die "dpkg --add-architecture arm64 failed"
        apt_update
    fi

    # 3. kernel + busybox (cached)
    if [ -s "$wd/vmlinuz" ] && [ -s "$wd/busybox" ] && [ -s "$wd/kernel.pkg" ]; then
        say "cached: $(cat "$wd/kernel.pkg"), $(cat "$wd/busybox.pkg" 2>/dev/null)"
        return 0
    fi
    # package lists without arm64 entries (fresh arch, or lists cleaned)?
    apt-cache show busybox-static:arm64 >/dev/null 2>&1 || apt_update

    kpkg=$(pick_kernel) || die "no suitable linux-image-*-arm64 package found"
    say "kernel package: $kpkg"

    dl="$wd/debs"
    rm -rf "$dl" "$wd/kernel-root" "$wd/busybox-root" "$wd/kernel.pkg" "$wd/vmlinuz" "$wd/busybox"
    mkdir -p "$dl" "$wd/kernel-root" "$wd/busybox-root"
    # apt-get download drops privileges to _apt when it can write the dir
    chown _apt "$dl" 2>/dev/null || true
    (cd "$dl" && apt-get download -q "$kpkg:arm64" busybox-static:arm64 >/dev/null 2>"$dl/download.err") \
        || { cat "$dl/download.err" >&2; die "apt-get download failed"; }
    kdeb=$(ls "$dl"/linux-image-*_arm64.deb 2>/dev/null | head -n1)
    bdeb=$(ls "$dl"/busybox-static_*_arm64.deb 2>/dev/null | head -n1)
    [ -n "$kdeb" ] && [ -n "$bdeb" ] || die "downloaded .debs not found in $dl"

    # kernel: only the boot files are needed (KVM, devtmpfs are built in)
    dpkg-deb --fsys-tarfile "$kdeb" | tar -x -C "$wd/kernel-root" --wildcards './boot/*' \
        || die "cannot extract $kdeb"
    dpkg-deb -x "$bdeb" "$wd/busybox-root" || die "cannot extract $bdeb"

    vmlinuz=$(ls "$wd"/kernel-root/boot/vmlinuz-* 2>/dev/null | head -n1)
    config=$(ls "$wd"/kernel-root/boot/config-* 2>/dev/null | head -n1)
    [ -n "$vmlinuz" ] || die "no vmlinuz in $kdeb"
    if [ -n "$config" ]; then
        for opt in CONFIG_KVM CONFIG_DEVTMPFS CONFIG_BLK_DEV_INITRD CONFIG_RD_GZIP CONFIG_SERIAL_AMBA_PL011_CONSOLE; do
            grep -q "^$opt=y" "$config" || die "$kpkg: $opt is not =y (need it built in)"
        done
    fi
    [ -n "$config" ] && cp "$config" "$wd/kernel.config"
    mv "$wd/busybox-root/bin/busybox" "$wd/busybox" && mv "$vmlinuz" "$wd/vmlinuz" \
        || die "cannot install vmlinuz/busybox into $wd"
    echo "busybox-static:arm64 $(dpkg-deb -f "$bdeb" Version)" >"$wd/busybox.pkg"
    # written last: its presence marks a complete WORKDIR
    echo "$kpkg $(dpkg-deb -f "$kdeb" Version)" >"$wd/kernel.pkg"
    rm -rf "$dl" "$wd/kernel-root" "$wd/busybox-root"
    say "ready: $(cat "$wd/kernel.pkg"), $(cat "$wd/busybox.pkg")"
}

# Choose the arm64 kernel image package: the linux-image-arm64 metapackage's
# dependency; else the newest plain linux-image-<ver>-<abi>-arm64 (not -rt,
# not -cloud: a trimmed flavour (it does have CONFIG_KVM=y in bookworm, but
# fewer drivers), not -dbg/-unsigned).
pick_kernel() {
    k=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null \
        | sed -n 's/^ *Depends: \(linux-image-[0-9][^:]*-arm64\)\(:arm64\)\{0,1\}$/\1/p' | head -n1)
    if [ -n "$k" ] && apt-cache show "$k:arm64" >/dev/null 2>&1; then
        echo "$k"; return 0
    fi
    k=$(apt-cache search --names-only '^linux-image-[0-9.]+-[0-9]+-arm64$' 2>/dev/null \
        | awk '{print $1}' | sort -V | tail -n1)
    [ -n "$k" ] || return 1
    echo "$k"
}

# ---------------------------------------------------------------- run
shquote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

run() {
    wd=$1 payload=$2 script=$3
    shift 3
    [ -s "$wd/vmlinuz" ] && [ -s "$wd/busybox" ] || die "$wd is not prepared (run: $0 prepare $wd)"
    [ -d "$payload" ] || die "payload dir $payload does not exist"
    [ -f "$payload/$script" ] || die "$payload/$script does not exist"
    command -v qemu-system-aarch64 >/dev/null 2>&1 || die "qemu-system-aarch64 missing (run prepare)"
    command -v cpio >/dev/null 2>&1 || die "cpio missing (run prepare)"
    wd=$(cd "$wd" && pwd)

    timeout_s=${ARM64_TIMEOUT:-600}
    smp=${ARM64_SMP:-2}
    mem=${ARM64_MEM:-2048}
    cpu=${ARM64_CPU:-max,pauth-impdef=on}
    machine=${ARM64_MACHINE:-virt,virtualization=on,gic-version=3}
    accel=${ARM64_ACCEL-tcg,thread=multi}
    log=${ARM64_LOG:-$wd/console.log}

    t0=$(date +%s.%N)
    stage=$(mktemp -d "${TMPDIR:-/tmp}/arm64-initrd.XXXXXX") || die "mktemp failed"
    trap 'rm -rf "$stage"' EXIT
    trap 'exit 130' INT TERM
    root=$stage/root
    mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp" "$root/payload"
    cp "$wd/busybox" "$root/bin/busybox"
    chmod 755 "$root/bin/busybox"
    ln -s busybox "$root/bin/sh"
    # a /dev/console in the initramfs lets the kernel give /init a console
    # before devtmpfs is mounted (needs root; /init re-opens it anyway)
    mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true
    cp -a "$payload/." "$root/payload/" || die "cannot copy $payload"

    args=""
    for a in "$@"; do args="$args $(shquote "$a")"; done
    cat >"$root/init" <<EOF
#!/bin/sh
/bin/busybox --install -s /bin
export PATH=/bin HOME=/tmp TMPDIR=/tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
exec </dev/console >/dev/console 2>&1
# keep kernel messages (except emergencies) off the console from now on
echo 1 >/proc/sys/kernel/printk
cd /payload
echo $MARK_BEGIN
sh /payload/$(shquote "$script")$args </dev/null
rc=\$?
echo
echo "$MARK_RESULT \$rc"
sync
poweroff -f
EOF
    chmod 755 "$root/init"
    (cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$stage/initrd.gz" \
        || die "cannot build initramfs"
    t1=$(date +%s.%N)

    say "booting ($machine cpu=$cpu smp=$smp mem=${mem}M accel=$accel timeout=${timeout_s}s), console log: $log"
    : >"$log"
    # Payload lines between the markers go to stdout as they come, everything
    # goes to the log. The marker lines are matched at line starts only.
    # mawk (Debian's awk) reads a pipe in blocks unless interactive: the
    # lines would come out only as 4 KiB fill up (gdb_sessions.sh waits for one).
    awk_interactive=""
    awk -W version 2>/dev/null | grep -q mawk && awk_interactive="-W interactive"
    timeout -k 5 "$timeout_s" qemu-system-aarch64 \
        -M "$machine" -cpu "$cpu" ${accel:+-accel "$accel"} \
        -smp "$smp" -m "$mem" \
        -nographic -nodefaults -serial stdio -monitor none -nic none -no-reboot \
        ${ARM64_QEMU_ARGS:-} \
        -kernel "$wd/vmlinuz" -initrd "$stage/initrd.gz" \
        -append "console=ttyAMA0 quiet panic=-1 rdinit=/init ${ARM64_APPEND:-}" \
        </dev/null 2>"$stage/qemu.err" \
    | awk $awk_interactive -v logf="$log" -v b="$MARK_BEGIN" -v r="$MARK_RESULT" '
        { sub(/\r$/, ""); print >logf; fflush(logf) }
        # the guest echoes one empty line before the result marker (in case
        # the payload output did not end in a newline): hold empty lines back
        # and drop the last one if the marker follows
        inside && index($0, r " ") == 1 { for (; held > 1; held--) print ""; held = 0; inside = 0; fflush(); next }
        inside && $0 == "" { held++; next }
        inside { for (; held > 0; held--) print ""; print; fflush() }
        $0 == b { inside = 1; held = 0 }'
    # POSIX sh has no PIPESTATUS; tell a timeout from the log instead
    t2=$(date +%s.%N)

    if [ -s "$stage/qemu.err" ]; then
        { echo "--- qemu stderr ---"; cat "$stage/qemu.err"; } >>"$log"
    fi
    rc=$(sed -n "s/^$MARK_RESULT \([0-9][0-9]*\)\$/\1/p" "$log" | tail -n1)
    say "$(awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN{printf "initramfs %.1fs, qemu %.1fs, total %.1fs", b-a, c-b, c-a}')"
    if [ -n "$rc" ]; then
        exit "$rc"
    fi
    elapsed=$(awk -v b="$t1" -v c="$t2" 'BEGIN{printf "%d", c-b}')
    if [ "$elapsed" -ge "$timeout_s" ]; then
        reason="timeout after ${timeout_s}s"
    elif grep -q 'Kernel panic' "$log"; then
        reason="kernel panic: $(grep -m1 'Kernel panic' "$log")"
    elif grep -qx "$MARK_BEGIN" "$log"; then
        reason="payload started but the guest stopped before reporting a status"
    elif [ -s "$stage/qemu.err" ]; then
        reason="qemu: $(tail -n1 "$stage/qemu.err")"
    elif ! [ -s "$log" ]; then
        reason="qemu printed nothing (failed to start?)"
    else
        reason="guest never reached the payload (last line: $(tail -n1 "$log"))"
    fi
    echo "machine.sh: no $MARK_RESULT marker: $reason (see $log)" >&2
    exit 125
}

# ---------------------------------------------------------------- main
cmd=${1:-}
case "$cmd" in
prepare)
    [ $# -eq 2 ] || die "usage: $0 prepare WORKDIR"
    prepare "$2" ;;
run)
    [ $# -ge 4 ] || die "usage: $0 run WORKDIR PAYLOAD_DIR SCRIPT [ARG...]"
    shift
    run "$@" ;;
*)
    echo "usage: $0 prepare WORKDIR | run WORKDIR PAYLOAD_DIR SCRIPT [ARG...]" >&2
    exit 126 ;;
esac
