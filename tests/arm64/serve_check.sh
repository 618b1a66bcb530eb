# serve_check.sh: `hlrun serve` on arm64 KVM, run by hlrun_tests.sh inside
# the arm64 machine (busybox sh): a server on the loopback, calls by JSON
# and by bytes each from a fresh state, a faulting call and the call after
# it, an unknown function, the metrics, and SIGTERM ending it with status 0.
# Prints what went wrong on stderr and exits 1 at the first difference.
port=18080
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up

# http METHOD PATH [BODY]: the whole response (status line, headers, body).
http() {
    printf '%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s' \
        "$1" "$2" "${#3}" "${3:-}" | nc 127.0.0.1 "$port"
}
# expect WHAT RESPONSE TEXT...: RESPONSE holds every TEXT.
expect() {
    what=$1 response=$2
    shift 2
    for text in "$@"; do
        case "$response" in
        *"$text"*) ;;
        *) echo "$what: the response lacks '$text': $(echo "$response" | tr '\r\n' '  ' | head -c 300)" >&2
           kill "$server" 2>/dev/null
           exit 1 ;;
        esac
    done
}

./hlrun serve --listen "127.0.0.1:$port" --workers 2 functions.hl 2>/tmp/serve.err &
server=$!
tries=0
until http GET /readyz 2>/dev/null | grep -q ready; do
    tries=$((tries + 1))
    if [ "$tries" -ge 100 ] || ! kill -0 "$server" 2>/dev/null; then
        echo "the server was not ready: $(cat /tmp/serve.err)" >&2
        kill "$server" 2>/dev/null
        exit 1
    fi
    sleep 0.2
done

expect "add" "$(http POST /v1/call/add '[2, 3]')" "HTTP/1.1 200" '{"value":5}'
for i in 1 2 3; do
    expect "next, fresh state $i" "$(http POST /v1/call/next '[]')" '{"value":101}'
done
expect "invoke reverse" "$(http POST /v1/invoke/reverse hello)" "HTTP/1.1 200" "application/octet-stream" "olleh"
expect "a faulting call" "$(http POST /v1/call/crash '[]')" "HTTP/1.1 500" '{"error":{"ending":"faulted"' "data abort"
expect "the call after a fault" "$(http POST /v1/call/add '[40, 2]')" '{"value":42}'
expect "an unknown function" "$(http POST /v1/call/nope '[]')" "HTTP/1.1 404" "no export named 'nope'"
expect "metrics" "$(http GET /metrics)" 'hl_requests_total{function="add",status="200"} 2' \
    'hl_requests_total{function="crash",status="500"} 1' "hl_pool_sandboxes 2"
kill -TERM "$server"
wait "$server"
status=$?
if [ "$status" != 0 ]; then
    echo "SIGTERM: exit status $status, expected 0: $(cat /tmp/serve.err)" >&2
    exit 1
fi
echo "served: add, next, reverse, crash, nope, metrics; SIGTERM drained"
