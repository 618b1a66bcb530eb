# hlrun_tests.sh: hlrun on arm64 KVM, run by in_machine.sh inside the
# emulated arm64 machine (busybox sh), from a directory holding the
# aarch64 hlrun and the test guests that `hlbuild --target aarch64` built:
# hello.hl, faults.hl, functions.hl, and hello-x86_64.hl (the x86-64 build of
# hello, which must be refused). Each check runs one command and compares
# its exit status, and lines of its stdout and stderr, with what hl promises;
# one line per check, then a summary. Exit status 1 when one failed.
. ./checks.sh

check "hello: arguments in, the guest's status out" 3 -- ./hlrun hello.hl a "b c" --exit 3
has out "argc=5"; has out "argv[2]=b c"; has err "to stderr"; done_check

check "hello: status 0" 0 -- ./hlrun hello.hl
has out "argc=1"; done_check

fault() {   # fault WHAT TEXT...: faults WHAT ends in a guest fault whose line holds every TEXT
    what=$1
    shift
    check "faults $what: reported" 125 -- ./hlrun faults.hl "$what"
    for text in "$@"; do has err "$text"; done
    done_check
}
fault null-write "hlrun: error: guest fault: data abort (DABT) at main+" ": write to 0x0 (null page)"
fault write-text "data abort (DABT) at main+" "(image segment 0: read-only, executable)"
fault write-rodata "data abort (DABT) at main+" "(image segment 1: read-only, not executable)"
fault exec-stack "instruction abort (IABT)" "(stack: read-write, not executable)"
fault udf "undefined instruction (UNDEF) at main+"
fault hvc "undefined instruction (UNDEF) at main+"
fault brk "breakpoint instruction (brk) (BRK) at main+" ": brk #0x42"
fault svc "system call (SVC) at main+" ": hl guests make hypercalls, not system calls"
fault wfi "trapped wfi or wfe (WFx) at main+"
fault read-vectors ": read from 0x1000 (vectors: host only)"
fault stack-overflow "data abort (DABT) at recurse" "(stack guard page: stack overflow)"
fault stack-clash "data abort (DABT) at stack_clash+" "(stack guard page: stack overflow)"

check "core file: written for a fault, an aarch64 ELF core" 125 -- ./hlrun --core /tmp/faults.core faults.hl null-write
has err "data abort (DABT)"
[ -n "$problem" ] || [ "$(od -An -tx1 -j16 -N4 /tmp/faults.core | tr -d ' ')" = "0400b700" ] ||
    problem="/tmp/faults.core is not an ET_CORE for EM_AARCH64"
done_check

check "faults abort: the guest's message" 126 -- ./hlrun faults.hl abort
has err "the guest gave up"; done_check

check "faults loop: stopped by --timeout" 124 -- ./hlrun --timeout 300ms faults.hl loop
has err "guest timed out after 300ms"; done_check

check "trace: every exit, its hypercall decoded" 0 -- ./hlrun --trace hello.hl x
has err "write(fd=1"; has err "exit(status=0)"; has err "guest exited with status 0"; done_check

check "calls: state kept from call to call" 0 -- ./hlrun call --repeat 5 functions.hl next
is_out 105; done_check

check "calls: --fresh starts every call from the snapshot" 0 -- ./hlrun call --repeat 5 --fresh functions.hl next
is_out 101; done_check

check "calls: each starts with FP and SIMD as at boot, state kept" 0 -- ./hlrun call --repeat 2 functions.hl fpu_then_dirty
is_out 0; done_check

check "calls: each starts with FP and SIMD as at boot, --fresh" 0 -- ./hlrun call --repeat 2 --fresh functions.hl fpu_then_dirty
is_out 0; done_check

check "calls: typed arguments and results" 0 -- ./hlrun call functions.hl greet arm64
is_out "hello, arm64!"; done_check

check "calls: floating point" 0 -- ./hlrun call functions.hl scale 1.5 2
is_out 3; done_check

check "calls: a faulting call" 125 -- ./hlrun call functions.hl crash
has err "data abort (DABT) at hl_thunk_crash+"; done_check

check "snapshot file: written at hl_serve" 0 -- ./hlrun snapshot -o /tmp/functions.snap functions.hl
done_check
check "snapshot file: calls resume from it" 0 -- ./hlrun call /tmp/functions.snap add 2 40
is_out 42; done_check

check "an x86-64 image is refused in one line" 122 -- ./hlrun hello-x86_64.hl
has err "e_machine: 0x3e (EM_X86_64): built for x86-64, and this host runs aarch64 guests, expected 0xb7 (EM_AARCH64)"
one_line; done_check

# --gdb works on aarch64 (gdb_tests.sh debugs with it); a bad address is still refused in one line.
check "--gdb: a bad address is refused in one line, not an unported feature" 120 -- ./hlrun --gdb=nonsense hello.hl
has err "hlrun: error: --gdb: gdb address 'nonsense' is not HOST:PORT"; one_line; done_check

check "--profile is refused on aarch64 in one line" 120 -- ./hlrun --profile=/tmp/profile.folded hello.hl
has err "profiling (--profile) is not available on aarch64 hosts yet"; one_line; done_check

check "--stats and --report: the run's numbers and its report" 125 -- ./hlrun --stats=json:/tmp/stats.json --report /tmp/report.json faults.hl null-write
[ -n "$problem" ] || grep -q '"exits"' /tmp/stats.json || problem="/tmp/stats.json holds no exits"
[ -n "$problem" ] || grep -q '"ending": *"faulted"' /tmp/report.json || problem="/tmp/report.json: $(head -c 200 /tmp/report.json)"
done_check

check "doctor: the arm64 host passes" 0 -- ./hlrun doctor
has out "KVM (arm64): guests run at EL0"; done_check

echo "hlrun_tests: $passed passed, $failed failed"
[ "$failed" = 0 ]
