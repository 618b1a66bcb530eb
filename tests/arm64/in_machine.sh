# in_machine.sh: what tests/arm64.sh runs inside the emulated arm64 machine,
# from its payload directory (busybox sh). Prints the machine and its KVM,
# then each test program's lines (kvm_probe, library_tests, hlrun_tests.sh,
# linux_tests.sh, then gdb_tests.sh, whose gdb runs on the host:
# gdb_sessions.sh); exits non-zero when one failed.
echo "arm64 machine: $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs"
if [ ! -c /dev/kvm ]; then
    echo "FAILED  /dev/kvm is missing in the arm64 machine: $(dmesg | grep -i kvm | tail -n 1)"
    exit 1
fi
status=0
./kvm_probe || status=1
./library_tests --use-colour no || status=1
sh ./hlrun_tests.sh || status=1
sh ./linux_tests.sh || status=1
sh ./gdb_tests.sh || status=1
exit "$status"
