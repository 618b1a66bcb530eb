# gdb_tests.sh: the arm64 machine's side of hlrun --gdb's tests (busybox sh,
# run by in_machine.sh from the payload directory). gdb itself runs on the
# x86-64 host (tests/arm64/gdb_sessions.sh), which reaches the machine
# through a PCI 16550 serial port (qemu's pci-serial on a host socket:
# Debian's arm64 kernel has the 8250 driver built in, but its network
# drivers are modules the initramfs does not hold). For each session this
# side starts `hlrun --gdb` on the loopback, joins it to the serial port with
# nc, prints "GDB-READY NAME" on the console for the host, and checks how
# hlrun ended; one line per check, then a summary. Exit status 1 when one
# failed.
. ./check.sh

# The PCI serial port: the 16550 the 8250 driver found (the console is the PL011, ttyAMA0).
tty=$(sed -n 's/^\([0-9]*\): uart:16550A.*/\/dev\/ttyS\1/p' /proc/tty/driver/serial 2>/dev/null | head -n 1)
if [ -z "$tty" ] || [ ! -c "$tty" ]; then
    echo "FAILED  gdb: no PCI serial port in the arm64 machine (qemu -device pci-serial): $(cat /proc/tty/driver/serial 2>&1 | head -n 3)"
    echo "gdb_tests: 0 passed, 1 failed"
    exit 1
fi
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up

# session NAME STATUS -- HLRUN-ARGS...: hlrun with HLRUN-ARGS, GDB among
# them standing for its --gdb option, joined to the host's gdb for session
# NAME; it must end with STATUS (then `has` looks at its output).
session() {
    session=$1 name="gdb $1: hlrun's end" want=$2
    shift 3
    for arg do
        shift
        [ "$arg" = GDB ] && arg=--gdb=127.0.0.1:1234
        set -- "$@" "$arg"
    done
    stty -F "$tty" raw -echo 115200
    # Whatever the last session left on the line (gdb's last acks) goes.
    timeout 1 cat "$tty" >/dev/null 2>&1
    # Emptied here, not by the redirection in the background job below: the
    # wait for its message must not find the last session's.
    : >"$err"
    # A session that hangs is one FAILED line, not the machine's whole timeout.
    timeout 240 ./hlrun "$@" 2>"$err" </dev/null >"$out" &
    hlrun=$!
    tries=0
    until grep -q "waiting for gdb" "$err" 2>/dev/null; do
        tries=$((tries + 1))
        if [ "$tries" -gt 100 ] || ! kill -0 "$hlrun" 2>/dev/null; then
            break
        fi
        sleep 0.1
    done
    nc 127.0.0.1 1234 <"$tty" >"$tty" &
    relay=$!
    # The port drops what comes while nobody holds it open: say ready only
    # once the relay has it.
    tries=0
    until ls -l "/proc/$relay/fd" 2>/dev/null | grep -q -- "$tty" || [ "$tries" -gt 50 ]; do
        tries=$((tries + 1))
        sleep 0.1
    done
    echo "GDB-READY $session"
    wait "$hlrun"
    status=$?
    kill "$relay" 2>/dev/null
    wait "$relay" 2>/dev/null
    problem=""
    [ "$status" = "$want" ] || problem="exit status $status, expected $want"
}

# The sessions, in the order gdb_sessions.sh runs them.
session hello 3 -- GDB hello.hl a --exit 3 b
has out "argc=4"; lacks out "argv[4]=b"; done_check   # gdb's set var
session calls 0 -- call GDB --fresh --repeat 2 functions.hl next
has out "101"; done_check
session fault 125 -- GDB faults.hl null-write
has err "guest fault: data abort (DABT) at main+"; done_check
session detach 0 -- GDB hello.hl
has out "argc=1"; lacks err "guest fault"; done_check
session brk 125 -- GDB faults.hl brk
has err "brk #0x42"; done_check
session interrupt 119 -- GDB faults.hl loop
has err "guest killed by the debugger"; done_check
session interrupt-syscalls 119 -- GDB ./linux_loop syscalls 1000000000
has err "guest killed by the debugger"; done_check

echo "gdb_tests: $passed passed, $failed failed"
[ "$failed" = 0 ]
