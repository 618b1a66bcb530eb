# linux_tests.sh: the Linux personality on arm64 KVM, run by in_machine.sh
# inside the emulated arm64 machine (busybox sh): the C programs of
# tests/linux, built as static aarch64 executables against musl, run under
# hlrun and natively in this same machine, and must print and end alike;
# then what only hlrun does (system calls it does not serve, abort, the
# trace of a system call), and an hl guest whose C library is musl. One line per check (check.sh), then a summary;
# exit status 1 when one failed.
. ./check.sh

# as_native NAME [ARGS...]: the program under hlrun (128 MiB, two variables
# in its environment, $input on stdin) prints and ends as it does natively
# with the same environment.
as_native() {
    program=$1
    shift
    env -i "GREETING=hello there" OTHER=1 "./$program" "$@" >/tmp/native.out 2>/tmp/native.err \
        <"${input:-/dev/null}"
    native=$?
    check "$program: as natively (status $native)" "$native" -- \
        ./hlrun --memory 128Mi --env "GREETING=hello there" --env OTHER=1 "./$program" "$@"
    [ -n "$problem" ] || cmp -s /tmp/native.out "$out" || problem="stdout differs from the native run's: $(cat /tmp/native.out | head -c 200)"
    [ -n "$problem" ] || cmp -s /tmp/native.err "$err" || problem="stderr differs from the native run's: $(cat /tmp/native.err | head -c 200)"
    done_check
}

as_native hello a "b c"
as_native tls
as_native t_format
as_native t_libm
as_native t_sort
as_native t_time
as_native t_malloc
as_native t_env "two words" 7
printf 'first line\nsecond\nthird without newline' >/tmp/stdin.txt
input=/tmp/stdin.txt as_native t_stdin
input=""

# The --dir tree of the x86-64 test: numbers, notes, and a file larger than any one read.
rm -rf /tmp/tree
mkdir -p /tmp/tree/data/sub
i=1
while [ "$i" -le 100 ]; do echo "$i.25"; i=$((i + 1)); done >/tmp/tree/data/numbers.txt
echo "# notes" >/tmp/tree/data/notes.md
head -c 300000 /dev/urandom >/tmp/tree/data/sub/big.bin
(cd /tmp/tree && /payload/t_files) >/tmp/native.out 2>&1
check "t_files: a --dir directory reads, seeks and lists as natively" 0 -- \
    ./hlrun --dir /tmp/tree/data:/srv/in ./t_files /srv/in
has out "100 numbers, sum 5075"; has out "big: 300000 bytes"; has out "missing: No such file or directory"
[ -n "$problem" ] || [ "$(sed 's#/srv/in#data#g' "$out")" = "$(cat /tmp/native.out)" ] || problem="stdout differs from the native run's"
done_check

check "t_files: each openat traced with the path it resolved to" 0 -- \
    ./hlrun --trace --trace-filter=openat --dir /tmp/tree/data:/srv/in ./t_files /srv/in
[ -n "$problem" ] || grep -qE '"/srv/in/numbers.txt", flags=0x[0-9a-f]+, mode=[0-9]+\) = 3' "$err" \
    || problem="no openat of /srv/in/numbers.txt returning 3 in the trace"
has err '"/srv/in/missing.txt"'; done_check

check "t_unsupported: processes and sockets get ENOSYS" 0 -- ./hlrun ./t_unsupported
is_text "fork: -1 Function not implemented
socket: -1 Function not implemented
execve: -1 Function not implemented"; done_check
check "t_unsupported: a fault under --strict-syscalls, named by aarch64's numbers" 125 -- \
    ./hlrun --strict-syscalls ./t_unsupported
has err "hlrun: error: guest fault: unsupported system call clone (220)"; done_check

check "t_abort: abort() ends the run as aborted" 126 -- ./hlrun ./t_abort
is_out "before"
has err "hlrun: error: guest aborted: SIGABRT, which the guest sent itself"; done_check

# musl.hl: tests/guests/musl, an hl guest whose C library is musl (hlbuild --target aarch64, libc = "musl").
init="musl guest: 0.5 (no GREETING), tls 7, 0 arguments"
check "musl guest: main with musl's stdio, TLS, environment and arguments" 0 -- \
    ./hlrun --env GREETING=hi musl.hl a b
is_out "musl guest: 0.5 hi, tls 7, 2 arguments"; has err "the guest called hl_serve and waits for calls"; done_check
check "musl guest: its exit status" 3 -- ./hlrun musl.hl exit 3
is_out "exiting with 3"; done_check
check "musl guest: calls format with musl's printf" 0 -- ./hlrun call musl.hl format 0.1
is_text "$init
0.10000000000000001"; done_check
check "musl guest: calls sort with strtol, malloc and qsort" 0 -- ./hlrun call musl.hl sort "5 3 9 -1 3"
is_text "$init
-1 3 3 5 9"; done_check
check "musl guest: thread-local state kept from call to call" 0 -- ./hlrun call --repeat 3 musl.hl tls_next
is_text "$init
10"; done_check
check "musl guest: --fresh starts each call from the snapshot" 0 -- ./hlrun call --repeat 3 --fresh musl.hl next
is_text "$init
101"; done_check

summary linux_tests
