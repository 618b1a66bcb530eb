#!/bin/sh
# deploy/prometheus.yml, used for real: promtool checks it, then Prometheus
# scrapes a running hlrun serve with it (pointed at the test's port, every
# second) and answers queries of hl's metrics, the autoscaler's gauge among
# them, with the values the server has.
# Usage: prometheus_test.sh SOURCE_DIR BUILD_DIR
set -eu
source=$1 build=$2
for tool in prometheus promtool curl; do
    command -v $tool >/dev/null || { echo "FAIL: $tool is not installed (tests/bootstrap.sh installs it)"; exit 1; }
done
config="$source/deploy/prometheus.yml"
promtool check config "$config" >/dev/null 2>&1 ||
    { echo "FAIL: promtool check config $config: $(promtool check config "$config" 2>&1 | tail -n 2)"; exit 1; }
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
    echo "skipped: /dev/kvm cannot be opened for reading and writing here"
    exit 0
fi
tmp=$(mktemp -d "$build/deploy-prometheus.XXXXXX")
serve="" scraper=""
cleanup() {
    [ -z "$serve" ] || kill "$serve" 2>/dev/null || true
    [ -z "$scraper" ] || kill "$scraper" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

"$build/bin/hlrun" serve --listen 127.0.0.1:0 --workers 1 "$build/tests/guests/functions/functions.hl" 2>"$tmp/serve.log" &
serve=$!
url=""
for _ in $(seq 150); do
    url=$(sed -n 's|^hlrun: info: serving .* on \(http://[0-9.:]*\) .*|\1|p' "$tmp/serve.log")
    [ -n "$url" ] && break
    sleep 0.2
done
[ -n "$url" ] || { echo "FAIL: hlrun serve did not start: $(tail -n 2 "$tmp/serve.log")"; exit 1; }
[ "$(curl -s --max-time 10 -X POST "$url/v1/call/add" -d '[2, 3]')" = '{"value":5}' ] ||
    { echo "FAIL: the call before the scrape was not answered"; exit 1; }

# The file's own job, aimed at this server and scraped every second.
grep -q '"127.0.0.1:8080"' "$config" || { echo "FAIL: $config has no target 127.0.0.1:8080 to aim at the test's server"; exit 1; }
sed -e "s|\"127.0.0.1:8080\"|\"${url#http://}\"|" -e 's|scrape_interval: 15s|scrape_interval: 1s|' "$config" >"$tmp/prometheus.yml"

# Prometheus cannot listen on port 0 and say which it got: the first free
# port of a range, found by starting it.
api=""
for port in $(seq 39090 39139); do
    prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/data" \
        --web.listen-address="127.0.0.1:$port" >"$tmp/prometheus.log" 2>&1 &
    scraper=$!
    for _ in $(seq 150); do
        kill -0 "$scraper" 2>/dev/null || break
        if curl -sf --max-time 2 "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1; then
            api="http://127.0.0.1:$port/api/v1/query"
            break
        fi
        sleep 0.2
    done
    [ -n "$api" ] && break
    kill "$scraper" 2>/dev/null || true
    wait "$scraper" 2>/dev/null || true
    scraper=""
done
[ -n "$api" ] || { echo "FAIL: Prometheus did not start: $(tail -n 2 "$tmp/prometheus.log")"; exit 1; }

# QUERY's single value, once Prometheus has it (up to 60 s).
value_of() {
    for _ in $(seq 120); do
        answer=$(curl -s --max-time 5 "$api" --data-urlencode "query=$1") || answer=""
        value=$(printf '%s' "$answer" | sed -n 's|.*"value":\[[0-9.]*,"\([^"]*\)"\].*|\1|p')
        [ -n "$value" ] && { echo "$value"; return; }
        sleep 0.5
    done
    echo "none: $answer"
}
for check in 'up{job="hl-serve"}=1' 'sum(hl_inflight_requests)=0' 'hl_pool_sandboxes=1' \
             'hl_requests_total{function="add",status="200"}=1'; do
    query=${check%=*} expected=${check##*=}
    got=$(value_of "$query")
    [ "$got" = "$expected" ] || { echo "FAIL: Prometheus answers $query with $got, expected $expected"; exit 1; }
done
echo "Prometheus scrapes hlrun serve with deploy/prometheus.yml and reads its metrics"
