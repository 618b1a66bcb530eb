# in_machine.sh: what tests/arm64.sh runs inside the emulated arm64 machine,
# from its payload directory (busybox sh). Prints the machine and its KVM,
# then each test program's lines (kvm_probe, library_tests, hlrun_tests.sh,
# linux_tests.sh, then gdb_tests.sh, whose gdb runs on the host:
# gdb_sessions.sh), and last which of them failed; exits non-zero when one
# did.
echo "arm64 machine: $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs"
if [ ! -c /dev/kvm ]; then
    echo "FAILED  /dev/kvm is missing in the arm64 machine: $(dmesg | grep -i kvm | tail -n 1)"
    exit 1
fi
# run NAME COMMAND...: one test program; NAME joins the failed ones when it fails.
failed=""
run() {
    name=$1
    shift
    "$@" || failed="$failed $name"
}
run kvm_probe ./kvm_probe
run library_tests ./library_tests --use-colour no
run hlrun_tests sh ./hlrun_tests.sh
run linux_tests sh ./linux_tests.sh
run gdb_tests sh ./gdb_tests.sh
# The last line, which tests/arm64.sh's summary quotes.
if [ -n "$failed" ]; then
    echo "in the machine, failed:$failed"
    exit 1
fi
echo "in the machine, all passed"
