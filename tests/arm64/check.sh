# check.sh: the checks of the arm64 machine's test scripts (hlrun_tests.sh,
# linux_tests.sh, gdb_tests.sh), sourced from the payload directory (busybox
# sh). A check runs one command and sets $status and $problem (empty: passed
# so far); has, lacks and the others look at its output; done_check prints
# its line, with the first lines of its output when it failed, and counts it
# in $passed and $failed.
passed=0
failed=0
out=/tmp/hlrun.out
err=/tmp/hlrun.err

# check NAME STATUS -- COMMAND...: runs COMMAND (its stdin $input, or
# /dev/null); then `has`, `lacks`, `is_out`, `is_text` and `one_line` look at
# what it printed.
check() {
    name=$1 want=$2
    shift 3
    # A hang is one FAILED line (status 143), not the whole machine's timeout.
    timeout 60 "$@" >"$out" 2>"$err" <"${input:-/dev/null}"
    status=$?
    problem=""
    [ "$status" = "$want" ] || problem="exit status $status, expected $want"
}
# has STREAM TEXT: STREAM (out or err) holds TEXT.
has() {
    [ -n "$problem" ] && return
    file=$out
    [ "$1" = err ] && file=$err
    grep -qF -- "$2" "$file" || problem="std$1 lacks '$2'"
}
# lacks STREAM TEXT: STREAM (out or err) does not hold TEXT.
lacks() {
    [ -n "$problem" ] && return
    file=$out
    [ "$1" = err ] && file=$err
    ! grep -qF -- "$2" "$file" || problem="std$1 holds '$2'"
}
# is_out TEXT: stdout is exactly TEXT and a newline.
is_out() {
    [ -n "$problem" ] && return
    [ "$(cat "$out")" = "$1" ] && [ "$(wc -l <"$out")" -eq 1 ] || problem="stdout is '$(cat "$out")', expected '$1'"
}
# is_text TEXT: stdout is exactly TEXT, of any number of lines.
is_text() {
    [ -n "$problem" ] && return
    [ "$(cat "$out")" = "$1" ] || problem="stdout is '$(cat "$out")', expected '$1'"
}
# one_line: stderr is one line.
one_line() {
    [ -n "$problem" ] && return
    [ "$(wc -l <"$err")" -eq 1 ] || problem="stderr has $(wc -l <"$err") lines, expected one"
}
done_check() {
    if [ -z "$problem" ]; then
        echo "ok      $name"
        passed=$((passed + 1))
    else
        echo "FAILED  $name: $problem"
        sed 's/^/          stdout: /' "$out" | head -n 5
        sed 's/^/          stderr: /' "$err" | head -n 5
        failed=$((failed + 1))
    fi
}

# summary NAME: the counts, and exit status 1 when a check failed.
summary() {
    echo "$1: $passed passed, $failed failed"
    [ "$failed" = 0 ]
}
