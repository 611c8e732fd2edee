#!/usr/bin/env bash
# SQLite versus PostgreSQL, one and two instances (not a test): prints figures for
# docs/benchmarks.md.
#
#   scripts/bench-postgres.sh [SECONDS] [CONNECTIONS]     defaults 15 s, 64 keep-alive connections
#
# Starts a throwaway PostgreSQL cluster on loopback (durable settings: fsync and synchronous_commit
# on, as in production), unless WAMETER_BENCH_POSTGRES_URL names a server to use instead. Then:
#   1. `wameter ingest` of 200,000 generated bodies into SQLite, then into PostgreSQL;
#   2. wrk POSTing signed single-status bodies (scripts/wrk-webhooks.lua) to one `wameter serve`
#      on SQLite, one on PostgreSQL, and two on one PostgreSQL database (two wrk processes, half
#      the connections each, cycling the same bodies: every delivery reaches both instances at
#      about the same time, as when Meta delivers to two subscribed apps).
# Every run starts from an empty ledger. Everything shares this machine's cores with PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-15}
connections=${2:-64}
mkdir -p bench-data
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)"; exit 1; }
swift build -c release --product wameter >/dev/null
W=.build/release/wameter
python3 scripts/webhook-requests.py --count 150000 --secret bench-secret --out bench-data/requests.txt
file=bench-data/events-200000.jsonl
# Ingest uses the same generator and figures as scripts/bench-ingest.sh.
[ -f "$file" ] || python3 scripts/generate-webhooks.py --events 200000 --out "$file" --month 2026-02 --seed 1

pids=()
source scripts/throwaway-postgres.sh
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; stop_throwaway_postgres; }
trap cleanup EXIT
run=$(date +%s)

echo "== wameter ingest, 200,000 status events ($(wc -l <"$file") bodies)"
rm -f bench-data/ingest.sqlite*
echo "-- SQLite:"
$W ingest "$file" --database bench-data/ingest.sqlite --quiet 2>/dev/null | tail -1
echo "-- PostgreSQL:"
$W ingest "$file" --database "$base_url&schema=ingest_$run" --quiet 2>/dev/null | tail -1

export WAMETER_APP_SECRET=bench-secret WAMETER_VERIFY_TOKEN=bench-verify WAMETER_API_TOKEN=bench-api-token-0123456789
serve() { # database port
    $W serve --database "$1" --port "$2" --log-level error &
    pids+=($!)
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$2/health" >/dev/null && return; sleep 0.1; done
    echo "server on port $2 did not start"; exit 1
}
load() { # port connections
    wrk -t2 -c"$2" -d"${seconds}s" --latency -s scripts/wrk-webhooks.lua "http://127.0.0.1:$1/webhook" \
        | grep -E "Requests/sec|50%|99%|Non-2xx|Socket errors|requests in"
}

echo "== POST /webhook, one instance on SQLite, $connections connections, ${seconds}s"
rm -f bench-data/serve-pg.sqlite*
serve bench-data/serve-pg.sqlite 18181
load 18181 "$connections"
kill "${pids[@]}"; wait 2>/dev/null || true; pids=()

echo "== POST /webhook, one instance on PostgreSQL, $connections connections, ${seconds}s"
serve "$base_url&schema=one_$run" 18182
load 18182 "$connections"
kill "${pids[@]}"; wait 2>/dev/null || true; pids=()

echo "== POST /webhook, two instances on one PostgreSQL database, $((connections / 2)) connections each, ${seconds}s"
serve "$base_url&schema=two_$run" 18183
serve "$base_url&schema=two_$run" 18184
load 18183 $((connections / 2)) > bench-data/two-a.txt &
a=$!
load 18184 $((connections / 2)) > bench-data/two-b.txt &
b=$!
wait $a $b
echo "-- instance 1:"; cat bench-data/two-a.txt
echo "-- instance 2:"; cat bench-data/two-b.txt
