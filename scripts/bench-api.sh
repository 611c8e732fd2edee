#!/usr/bin/env bash
# In-process read benchmark (not a test): the report and insights answered by a running `serve`,
# as the dashboard, scripts and Graph clients get them, on the 10-million-message ledger.
#
#   scripts/bench-api.sh BIN [RUNS]                one build: each query's median, min and max
#   scripts/bench-api.sh BEFORE_BIN AFTER_BIN [RUNS]  two builds, alternated request by request
#
# Each build serves the ledger of scripts/bench-insights.sh 25000000 on its own loopback port;
# every query is asked once to warm up, then RUNS times (default 30), timed by curl (time_total:
# connect, request, the whole answer). With two builds, the answers must be byte-for-byte equal.
set -euo pipefail
cd "$(dirname "$0")/.."
db=bench-data/insights-25000000.sqlite
[ -f "$db" ] || { echo "run scripts/bench-insights.sh 25000000 first" >&2; exit 1; }
bins=("$1")
runs=30
if [ $# -ge 2 ] && [ -x "$2" ]; then
    bins+=("$2")
    runs=${3:-30}
else
    runs=${2:-30}
fi

export WAMETER_APP_SECRET=bench-secret WAMETER_VERIFY_TOKEN=bench-verify
export WAMETER_API_TOKEN=bench-api-token-0123456789
ports=()
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT
for bin in "${bins[@]}"; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "$bin" serve --database "$db" --port "$port" --log-level warning >/dev/null 2>&1 &
    pids+=($!)
    ports+=("$port")
done
for port in "${ports[@]}"; do
    for _ in $(seq 100); do
        curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
        sleep 0.1
    done
done

ask() { curl -sf -o "$2" -w '%{time_total}\n' -H "Authorization: Bearer $WAMETER_API_TOKEN" "$1"; }
summary() { sort -n | awk '{ a[NR] = $1 * 1000 } END { printf "%.1f ms (%.1f–%.1f)", a[int((NR + 1) / 2)], a[1], a[NR] }'; }
query() {
    local name=$1 path=$2
    local out=()
    for i in "${!ports[@]}"; do
        ask "http://127.0.0.1:${ports[$i]}$path" "/tmp/bench-api-$i.out" >/dev/null
        out+=("")
    done
    if [ ${#ports[@]} -eq 2 ] && ! cmp -s /tmp/bench-api-0.out /tmp/bench-api-1.out; then
        echo "$name: the builds' answers DIFFER" >&2
    fi
    for _ in $(seq "$runs"); do
        for i in "${!ports[@]}"; do out[$i]+="$(ask "http://127.0.0.1:${ports[$i]}$path" /dev/null) "; done
    done
    local line="$name"
    for i in "${!ports[@]}"; do line+=" | $(tr ' ' '\n' <<<"${out[$i]}" | grep . | summary)"; done
    echo "$line"
}

account=100000000000001
query "report, one account's month" "/api/v1/accounts/$account/report?month=2026-02"
query "insights, month by day × phone × country × category" \
    "/api/v1/insights?account=$account&from=2026-02-01&to=2026-02-28&granularity=day&by=phone,country,category"
query "insights, portfolio month total" "/api/v1/insights?portfolio=bench&from=2026-02-01&to=2026-02-28"
query "insights, one day by half-hour × phone × country" \
    "/api/v1/insights?account=$account&from=2026-02-14&to=2026-02-14&granularity=half_hour&by=phone,country"
query "Graph pricing_analytics, month by day × country × phone × category" \
    "/graph/v24.0/$account?fields=pricing_analytics.start(1769904000).end(1772323200).granularity(DAILY).dimensions(%5B%22COUNTRY%22,%22PHONE%22,%22PRICING_CATEGORY%22%5D)"
