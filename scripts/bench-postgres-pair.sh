#!/usr/bin/env bash
# Two wameter builds on PostgreSQL, alternated round by round (not a test): prints the figures for a
# before/after pair in docs/benchmarks.md (issue 18's PostgreSQL ratios).
#
#   scripts/bench-postgres-pair.sh BEFORE AFTER [ROUNDS] [CONNECTIONS]   defaults 3 rounds, 64 connections
#
# BEFORE and AFTER are wameter binaries (a release build of each commit, copied aside). A throwaway
# durable cluster starts unless WAMETER_BENCH_POSTGRES_URL names a server (scripts/throwaway-postgres.sh).
# Each round runs each build in turn, every step on a new schema:
#   ingest   `wameter ingest` of bench-data/events-200000.jsonl (202,013 single-status bodies):
#            wall time and peak RSS;
#   webhook  one `wameter serve`, then wrk for 10 s with realistic signed bodies (`wameter simulate`
#            traffic: batched statuses, inbound messages, calls, redeliveries): requests/s and p99.
# Each step also prints the machine's busy and idle core-seconds while it ran (from /proc/stat), so a
# figure can be read as CPU-bound or waiting. Everything shares this machine's cores.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { sed -n 2,15p "$0"; exit 2; }
before=$(realpath "$1")
after=$(realpath "$2")
rounds=${3:-3}
connections=${4:-64}
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)"; exit 1; }
mkdir -p bench-data
file=bench-data/events-200000.jsonl
[ -f "$file" ] || python3 scripts/generate-webhooks.py --events 200000 --out "$file" --month 2026-02 --seed 1
simulated=bench-data/simulated-150000.jsonl
[ -f "$simulated" ] || "$after" simulate --out "$simulated" --count 150000 --start 2026-02-01 --seed 5 >/dev/null
python3 scripts/webhook-requests.py --count 150000 --secret bench-secret --from "$simulated" \
    --out bench-data/requests.txt

server=
source scripts/throwaway-postgres.sh
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; stop_throwaway_postgres; }
trap cleanup EXIT
export WAMETER_APP_SECRET=bench-secret WAMETER_VERIFY_TOKEN=bench-verify WAMETER_API_TOKEN=bench-api-token-0123456789

cpu() { read -r _ u n s i w q sq st _ </proc/stat; echo "$((u + n + s + q + sq + st)) $((i + w))"; }
hz=$(getconf CLK_TCK)
# busy and idle core-seconds since the `cpu` reading given
since() { # busy idle
    read -r busy idle < <(cpu)
    awk -v b=$((busy - $1)) -v i=$((idle - $2)) -v hz="$hz" \
        'BEGIN { printf "busy %.1f, idle %.1f core-s", b / hz, i / hz }'
}

step=0
ingest() { # label binary
    step=$((step + 1))
    read -r b i < <(cpu)
    local figures
    if ! figures=$(/usr/bin/time -f "%e s, %M KB" "$2" ingest "$file" --quiet \
        --database "$base_url&schema=pair_$(date +%s)_$step" 2>&1 >/dev/null); then
        echo "ingest   $1: failed: $figures"
        exit 1
    fi
    figures=$(echo "$figures" | tail -1)
    echo "ingest   $1: $figures; $(since "$b" "$i")"
}
webhook() { # label binary
    step=$((step + 1))
    local port=$((18300 + step % 100))
    "$2" serve --database "$base_url&schema=pair_$(date +%s)_$step" --port "$port" --log-level error &
    server=$!
    local up=
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && up=1 && break; sleep 0.1; done
    [ -n "$up" ] || { echo "webhook  $1: the server on port $port did not start"; exit 1; }
    read -r b i < <(cpu)
    local out
    out=$(wrk -t2 -c"$connections" -d10s --latency -s scripts/wrk-webhooks.lua "http://127.0.0.1:$port/webhook")
    local load
    load=$(since "$b" "$i")
    kill "$server"; wait "$server" 2>/dev/null || true; server=
    echo "webhook  $1: $(echo "$out" | awk '/Requests\/sec/ { print $2 }') requests/s," \
        "p99 $(echo "$out" | awk '$1 == "99%" { print $2 }'); $load $(echo "$out" | grep Non-2xx || true)"
}

echo "== before: $before"
echo "== after:  $after"
echo "== $rounds rounds, $connections connections for webhooks"
for round in $(seq "$rounds"); do
    echo "-- round $round"
    ingest before "$before"
    ingest after "$after"
    webhook before "$before"
    webhook after "$after"
done
