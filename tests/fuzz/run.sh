#!/bin/sh
# Builds the libFuzzer targets in build-fuzz/ (clang, HL_FUZZ=ON) and runs them.
#
#   tests/fuzz/run.sh                           every target for a bounded number of runs:
#                                               the stage of tests/run-all.sh
#   tests/fuzz/run.sh --long [TARGET] [SECONDS] TARGET (image, project_file, hypercall, syscall, snapshot, core, gdb, call_json, flame_graph, depfile or all;
#                                               default all) for SECONDS each (default 600)
#
# Each target starts from its seeds, tests/fuzz/corpus/TARGET (and, for image,
# the images in tests/images when that directory exists), copied into a working
# corpus: build-fuzz/fuzz-work/TARGET for a bounded run, removed after it,
# build-fuzz/corpus/TARGET for a long one, which keeps every input that found
# something new from one long run to the next. The repository is never
# written. The targets run side by side, one a core. Any crash, sanitizer
# report or broken invariant fails the run; its input is saved in
# build-fuzz/crashes/ and its path printed. Logs are in build-fuzz/fuzz-logs/.
set -eu
HL_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FUZZ_DIR="$HL_ROOT/tests/fuzz"
BUILD="$HL_ROOT/build-fuzz"

# Bounded runs: about 20 seconds a target on a 2-core machine; the time cap
# keeps a slower machine within the same budget.
bounded_runs() {
    case "$1" in
        image) echo 200000 ;;
        project_file) echo 500000 ;;
        hypercall) echo 100000 ;;   # each input also goes through three trace sinks
        syscall) echo 100000 ;;
        snapshot) echo 3000 ;;      # each input is a file, mapped and checked: ~14 ms
        core) echo 100000 ;;
        gdb) echo 300000 ;;
        call_json) echo 300000 ;;
        flame_graph) echo 300000 ;;
        depfile) echo 300000 ;;
    esac
}
bounded_max_seconds=40

usage() {
    echo "usage: tests/fuzz/run.sh [--long [image|project_file|hypercall|syscall|snapshot|core|gdb|call_json|flame_graph|depfile|all] [SECONDS]]" >&2
    exit 2
}

targets="image project_file hypercall syscall snapshot core gdb call_json flame_graph depfile"
long=""
seconds=600
if [ "${1:-}" = "--long" ]; then
    long=yes
    case "${2:-all}" in
        all) ;;
        image|project_file|hypercall|syscall|snapshot|core|gdb|call_json|flame_graph|depfile) targets=$2 ;;
        fuzz_image|fuzz_project_file|fuzz_hypercall|fuzz_syscall|fuzz_snapshot|fuzz_core|fuzz_gdb|fuzz_call_json|fuzz_flame_graph|fuzz_depfile) targets=${2#fuzz_} ;;
        *) usage ;;
    esac
    seconds=${3:-600}
    case "$seconds" in ''|*[!0-9]*) usage ;; esac
    [ $# -le 3 ] || usage
elif [ $# -gt 0 ]; then
    usage
fi

CC=clang CXX=clang++ cmake -S "$HL_ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHL_FUZZ=ON \
    -DBUILD_TESTING=OFF >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target hl_fuzz
mkdir -p "$BUILD/crashes" "$BUILD/fuzz-logs"

work="$BUILD/fuzz-work"
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
rm -rf "$work"
mkdir -p "$work"

# Copies the seeds of target $1 into the working corpus $2.
copy_seeds() {
    mkdir -p "$2"
    cp -R "$FUZZ_DIR/corpus/$1/." "$2/"
    if [ "$1" = image ] && [ -d "$HL_ROOT/tests/images" ]; then
        mkdir -p "$2/tests-images"
        cp "$HL_ROOT"/tests/images/*.elf "$2/tests-images/"
    fi
}

# fuzz TARGET: runs it, then says how it went on stdout (and, when it
# failed, its log's end and how to reproduce on stderr); status 1 when it
# found something.
fuzz() {
    target=$1
    # A snapshot's CPU state is checked against the host's KVM: without a
    # usable /dev/kvm the target cannot run, and says so rather than fail.
    if [ "$target" = snapshot ] && ! { [ -r /dev/kvm ] && [ -w /dev/kvm ]; }; then
        echo "hl: fuzz_snapshot: skipped: /dev/kvm cannot be opened for reading and writing here"
        return 0
    fi
    if [ -n "$long" ]; then
        corpus="$BUILD/corpus/$target"
        limits="-max_total_time=$seconds"
    else
        corpus="$work/$target"
        limits="-runs=$(bounded_runs "$target") -max_total_time=$bounded_max_seconds"
    fi
    copy_seeds "$target" "$corpus"
    dict=""
    if [ -f "$FUZZ_DIR/$target.dict" ]; then
        dict="-dict=$FUZZ_DIR/$target.dict"
    fi
    log="$BUILD/fuzz-logs/$target.log"
    binary="$BUILD/bin/fuzz_$target"
    start=$(date +%s)
    # shellcheck disable=SC2086 # $limits and $dict are lists of options
    if "$binary" $limits $dict -timeout=25 -print_final_stats=1 -artifact_prefix="$BUILD/crashes/$target-" \
        "$corpus" >"$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        edges=$(sed -n 's/.*DONE *cov: \([0-9]*\).*/\1/p' "$log")
        seed=$(sed -n 's/^INFO: Seed: //p' "$log")
        echo "hl: fuzz_$target: $runs runs in $(($(date +%s) - start)) s, $edges edges covered, no finding (seed $seed)"
    else
        tail -n 30 "$log" >&2
        input=$(sed -n 's/.*Test unit written to //p' "$log" | tail -n 1)
        echo "hl: fuzz_$target: FAILED; input: ${input:-none saved}; log: $log" >&2
        if [ -n "$input" ]; then
            echo "hl: reproduce with: $binary $input" >&2
        fi
        return 1
    fi
    [ -n "$long" ] || rm -rf "$corpus"
}

# libFuzzer runs on one core: the targets run side by side, one a core,
# each into a report of its own, printed in order once all are done.
lanes=$(nproc)
running=""
failed=""
# wait_oldest: waits for the longest-running target, noting whether it failed.
wait_oldest() {
    # shellcheck disable=SC2086 # $running is a list of PID:TARGET words
    set -- $running
    oldest=$1
    shift
    running=$*
    wait "${oldest%%:*}" || failed="$failed fuzz_${oldest#*:}"
}
for target in $targets; do
    fuzz "$target" >"$work/$target.report" 2>&1 &
    running="$running $!:$target"
    # shellcheck disable=SC2086 # as above
    set -- $running
    [ $# -lt "$lanes" ] || wait_oldest
done
while [ -n "${running# }" ]; do
    wait_oldest
done
for target in $targets; do
    cat "$work/$target.report"
done

if [ -n "$long" ] && [ -z "$failed" ]; then
    echo "hl: new inputs are in $BUILD/corpus; add the ones with new coverage to the seeds with"
    echo "    $BUILD/bin/fuzz_TARGET -merge=1 tests/fuzz/corpus/TARGET $BUILD/corpus/TARGET"
fi
if [ -n "$failed" ]; then
    echo "hl: fuzzing found problems in:$failed" >&2
    exit 1
fi
