# hlrun_tests.sh: hlrun on arm64 KVM, run by in_machine.sh inside the
# emulated arm64 machine (busybox sh), from a directory holding the
# aarch64 hlrun and the test guests that `hlbuild --target aarch64` built:
# hello.hl, faults.hl, functions.hl, profile.hl, and hello-x86_64.hl (the x86-64 build of
# hello, which must be refused), and prefix/, hlbuild and its toolchain
# built for aarch64. One line per check (check.sh), then a
# summary; exit status 1 when one failed.
. ./check.sh

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
fault misaligned "data abort (DABT) at main+" ": misaligned read from 0x"
fault misaligned-pc "PC alignment fault (PCALIGN) at main+0x2 ("

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

# folded_count STACK: the samples of one stack in /tmp/profile.folded (0 when absent).
folded_count() {
    awk -v s="$1" '{ n = $NF; $NF = ""; sub(/ $/, ""); if ($0 == s) c += n } END { print c + 0 }' /tmp/profile.folded
}
check "--profile: the hot leaf has most samples, its caller its share, every frame named" 0 -- \
    ./hlrun --profile /tmp/profile.folded profile.hl 30
hot=$(folded_count "_start;__hl_start;main;cold_caller;hot_leaf")
cold=$(folded_count "_start;__hl_start;main;cold_caller")
total=$(awk '{ c += $NF } END { print c + 0 }' /tmp/profile.folded)
[ -n "$problem" ] || [ "$total" -ge 20 ] || problem="$total samples in all"
# Of the work's samples (the start-up's are many under emulation, more on a busy host), the leaf has
# nine tenths, by design; 70 % leaves room for the emulated timer's jitter.
[ -n "$problem" ] || [ $((hot * 100)) -gt $(((hot + cold) * 70)) ] || problem="hot_leaf has $hot of the work's $((hot + cold)) samples"
if [ -z "$problem" ] && ! { [ "$cold" -gt 0 ] && [ "$cold" -lt "$hot" ]; }; then
    problem="cold_caller has $cold samples, hot_leaf $hot"
fi
[ -n "$problem" ] || ! grep -q 0x /tmp/profile.folded || problem="an unnamed frame: $(grep 0x /tmp/profile.folded | head -n 1)"
[ -z "$problem" ] || cp /tmp/profile.folded "$out"
done_check

check "--trace=all: the kernel's view of the run, and its count of exits agrees" 0 -- \
    ./hlrun --trace=all:/tmp/trace-all.txt hello.hl x
# The text trace holds the kernel's lines and the cross-check (hl-abi's hypercall page takes MMIO: EC 0x24).
[ -n "$problem" ] || grep -q "kernel counted 3 returns to user space, hlrun counted 3 exits: agree" /tmp/trace-all.txt \
    || problem="no agreeing cross-check in the trace"
[ -n "$problem" ] || grep -q "kvm_exit .*esr_ec=0x24 vcpu_pc=0x" /tmp/trace-all.txt \
    || problem="no kvm_exit of a data abort (esr_ec=0x24) in the trace"
[ -n "$problem" ] || grep -q "kvm_mmio .*gpa=0x100001004" /tmp/trace-all.txt || problem="no kvm_mmio of the write hypercall"
[ -n "$problem" ] || grep -q "kvm_userspace_exit" /tmp/trace-all.txt || problem="no kvm_userspace_exit in the trace"
[ -z "$problem" ] || cp /tmp/trace-all.txt "$out"
done_check

check "--stats and --report: the run's numbers and its report" 125 -- ./hlrun --stats=json:/tmp/stats.json --report /tmp/report.json faults.hl null-write
[ -n "$problem" ] || grep -q '"exits"' /tmp/stats.json || problem="/tmp/stats.json holds no exits"
[ -n "$problem" ] || grep -q '"ending": *"faulted"' /tmp/report.json || problem="/tmp/report.json: $(head -c 200 /tmp/report.json)"
done_check

check "serve: calls over HTTP from fresh states, a fault and the call after it, metrics, SIGTERM" 0 -- \
    sh ./serve_check.sh
has out "served: add, next, reverse, crash, nope, metrics; SIGTERM drained"; done_check

# hlbuild built for aarch64, with its toolchain in prefix/ (the machine has no C compiler).
check "hlbuild for aarch64: scaffolds a project" 0 -- ./prefix/bin/hlbuild new /tmp/proj
[ -n "$problem" ] || [ -f /tmp/proj/hlbuild.toml ] || problem="no /tmp/proj/hlbuild.toml"
done_check
check "hlbuild for aarch64: a missing compiler is one line" 1 -- env CC=nosuchcc ./prefix/bin/hlbuild compile /tmp/proj
has err "hlbuild: error: cannot run the guest compiler 'nosuchcc': No such file or directory (set CC to a gcc or clang for aarch64)"
one_line; done_check

check "doctor: the arm64 host passes" 0 -- ./hlrun doctor
has out "KVM (arm64): guests run at EL0"; done_check

summary hlrun_tests
