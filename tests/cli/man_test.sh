#!/bin/sh
# Every man page renders with man -l, and neither groff nor mandoc's lint
# finds anything to warn about.
# Usage: man_test.sh MAN_DIR
set -eu
status=0
for page in "$1"/*.[1-9]; do
    warnings=$(groff -man -ww -z "$page" 2>&1)
    if [ -n "$warnings" ]; then
        echo "FAIL: $page: $warnings"
        status=1
    fi
    if command -v mandoc >/dev/null; then
        lint=$(mandoc -Tlint -W warning "$page" 2>&1) || true
        if [ -n "$lint" ]; then
            echo "FAIL: $page: $lint"
            status=1
        fi
    else
        echo "FAIL: mandoc is not installed (tests/bootstrap.sh installs it)"
        status=1
    fi
    if ! MANWIDTH=80 man -l "$page" >/dev/null 2>&1; then
        echo "FAIL: $page does not render with man -l"
        status=1
    fi
done
[ $status -eq 0 ] && echo "man pages render cleanly"
exit $status
