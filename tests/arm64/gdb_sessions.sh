#!/bin/sh
# gdb_sessions.sh: the x86-64 host's side of hlrun --gdb's arm64 tests
# (tests/arm64.sh starts it next to the machine; gdb_tests.sh is the
# machine's side). For each session it waits for the machine's
# "GDB-READY NAME" on the console log, then runs gdb-multiarch against the
# machine's PCI serial port (a qemu socket on 127.0.0.1:PORT) and checks
# what gdb printed; one line per check into RESULTS, then a summary line.
#   gdb_sessions.sh CONSOLE_LOG PORT PAYLOAD_DIR RESULTS
# Exit status 1 when a check failed or the machine never got there.
set -u
log=$1 port=$2 payload=$3 results=$4
out=$(mktemp "${TMPDIR:-/tmp}/hl-gdb.XXXXXX")
trap 'rm -f "$out"' EXIT
passed=0
failed=0
: >"$results"
say() { echo "$*" >>"$results"; }

# wait_ready NAME: until the machine says it waits for gdb in session NAME;
# false when the machine ended (or 20 minutes went) first.
wait_ready() {
    waited=0
    until grep -qx "GDB-READY $1" "$log" 2>/dev/null; do
        grep -q '^ARM64-RESULT:' "$log" 2>/dev/null && return 1
        [ "$waited" -ge 1200 ] && return 1
        sleep 1
        waited=$((waited + 1))
    done
}

# gdb_session NAME IMAGE COMMAND...: gdb-multiarch with IMAGE's symbols,
# attached to the machine, running each COMMAND; its output in $out.
gdb_session() {
    name=$1 image=$2
    shift 2
    problem=""
    if ! wait_ready "$name"; then
        problem="the machine never got to this session"
        : >"$out"
        return
    fi
    set -- -ex "set pagination off" -ex "set confirm off" -ex "set remotetimeout 60" \
        -ex "target remote 127.0.0.1:$port" "$@"
    # A gdb that hangs is one FAILED line (status 124), not the whole run's timeout.
    timeout 300 gdb-multiarch -nx -q -batch "$@" "$payload/$image" >"$out" 2>&1 </dev/null
}
# has TEXT...: gdb printed every TEXT.
has() {
    for text in "$@"; do
        [ -n "$problem" ] && return
        grep -qF -- "$text" "$out" || problem="gdb's output lacks '$text'"
    done
}
# has_line LINE: gdb's output has LINE whole ("$2 = 4" is not "$2 = 40").
has_line() {
    [ -n "$problem" ] && return
    grep -qxF -- "$1" "$out" || problem="gdb's output lacks the line '$1'"
}
done_check() {
    if [ -z "$problem" ]; then
        say "ok      gdb $name: $1"
        passed=$((passed + 1))
    else
        say "FAILED  gdb $name: $1: $problem"
        sed 's/^/          gdb: /' "$out" | tail -n 25 >>"$results"
        failed=$((failed + 1))
    fi
    [ -s "$out" ] && problem=""   # the session's next check starts afresh, unless it never ran
}

# A breakpoint at a function, registers, a step of one instruction (4
# bytes), the fpu feature, a variable changed (argc 5 to 4: the guest
# prints 4 and leaves its last argument out), a
# breakpoint where the guest owns no code (hl's vectors) refused, and
# continuing to the guest's exit status.
gdb_session hello hello.hl -ex "break main" -ex "continue" -ex "p argc" -ex "info registers pc" \
    -ex 'set $before = $pc' -ex "stepi" -ex 'p $pc - $before' -ex "info registers fpcr" -ex "set var argc = 4" \
    -ex "p argc" -ex "break *0x1000" -ex "continue" -ex "delete 2" -ex "continue"
has "_start () at " "Breakpoint 1, main (argc=5, argv=" "\$1 = 5" "pc             0x"
done_check "a breakpoint at main, its arguments and pc"
has_line "\$2 = 4"; done_check "stepi moves pc by 4"
has "fpcr           0x"; done_check "the fpu registers"
has_line "\$3 = 4"; done_check "set var changes a variable"
has "Cannot insert breakpoint 2."
done_check "a breakpoint in hl's vectors is refused"
has "[Inferior 1 (Remote target) exited with code 03]"; done_check "continue to the exit status"

# A write watchpoint on a global, then breakpoints in a function guest's
# fresh calls: each call restores a snapshot taken with the breakpoint in
# (lifted out of it, placed again after the restore).
gdb_session calls functions.hl -ex "break main" -ex "continue" -ex "watch counter" -ex "continue" \
    -ex "delete" -ex "break next" -ex "continue" -ex "p counter" -ex "continue" -ex "p counter" -ex "continue"
has "Hardware watchpoint 2: counter" "Old value = 0" "New value = 100"; done_check "a write watchpoint"
has "Breakpoint 3, next () at " "\$1 = 100"; done_check "a breakpoint in the first fresh call"
has "\$2 = 100" "[Inferior 1 (Remote target) exited normally]"
[ -n "$problem" ] || [ "$(grep -c 'Breakpoint 3, next () at ' "$out")" = 2 ] || problem="the second call did not stop"
done_check "a breakpoint in the second fresh call, then the end"

# A fault stops where it happened, with its signal; then the run ends with it.
gdb_session fault faults.hl -ex "continue" -ex "bt 1" -ex "continue"
has "Program received signal SIGSEGV, Segmentation fault." "#0  " " main ("
done_check "a fault stops in main"
has "Program terminated with signal SIGSEGV, Segmentation fault."; done_check "then the run ends"

# A detach after a step: the breakpoint and the step leave the guest, which
# runs to its end (gdb_tests.sh checks it exits 0, unfaulted).
gdb_session detach hello.hl -ex "break main" -ex "continue" -ex "stepi" -ex "detach"
has "Breakpoint 1, main (" "[Inferior 1 (Remote target) detached]"; done_check "detach after a step"

# The guest's own brk (not gdb's) is the fault it is without gdb: a stop
# where it happened, then the end of the run.
gdb_session brk faults.hl -ex "continue" -ex "bt 1" -ex "continue"
has "Program received signal SIGTRAP, Trace/breakpoint trap." " main ("; done_check "the guest's own brk stops in main"
has "Program terminated with signal SIGTRAP, Trace/breakpoint trap."; done_check "then the run ends"

# Ctrl-C: a raw remote client (gdb's batch mode cannot wait for an
# asynchronous stop) continues the running guest and interrupts it, ROUNDS
# times at varied moments, reads the registers and kills it.
# interrupt_session NAME ROUNDS: the session NAME of gdb_tests.sh.
interrupt_session() {
    name=$1 rounds=$2
    problem=""
    if ! wait_ready "$name"; then
        problem="the machine never got to this session"
        : >"$out"
    elif ! timeout 300 python3 - "$port" "$rounds" >"$out" 2>&1 <<'PY'; then
import socket, sys, time
def packet(data):
    return "$%s#%02x" % (data, sum(data.encode()) % 256)
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
def receive_packet():
    data = b""
    while not (b"#" in data and len(data) >= data.index(b"#") + 3):
        data += s.recv(4096)
    return data.decode()
rounds = int(sys.argv[2])
stops = []
for round in range(rounds):
    s.sendall(packet("c").encode())
    ack = s.recv(1)
    time.sleep(2 if round == 0 else 0.1 + 0.37 * (round % 5))
    s.sendall(b"\x03")
    try:
        stops.append(receive_packet())
    except TimeoutError:
        sys.exit("no stop for Ctrl-C number %d" % (round + 1))
    s.sendall(b"+")
print("stop reply:", stops[0])
print("stop replies alike:", all(stop == stops[0] for stop in stops), len(stops))
s.sendall(packet("g").encode())
registers = receive_packet()
print("registers:", registers[:40])
s.sendall(("+" + packet("k")).encode())
time.sleep(1)
PY
        problem="the raw client failed"
    fi
}

# A guest in a loop of its own code.
interrupt_session interrupt 1
has "stop reply: \$T02thread:1;#"; done_check "Ctrl-C stops the running guest"
has "registers: +\$"; done_check "its registers, then kill"

# A static Linux executable in a loop of system calls, where a Ctrl-C comes
# mostly while the vCPU is in hl's vectors or the host serves a call: each
# of 24 stops at the guest's next instruction of its own, none waits for a
# later Ctrl-C.
interrupt_session interrupt-syscalls 24
has "stop reply: \$T02thread:1;#" "stop replies alike: True 24"
done_check "24 Ctrl-Cs stop a guest making system calls"
has "registers: +\$"; done_check "its registers, then kill"

say "gdb_sessions: $passed passed, $failed failed"
[ "$failed" = 0 ]
