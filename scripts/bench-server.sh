#!/usr/bin/env bash
# Server load benchmark (not a test): prints figures for docs/benchmarks.md.
#
#   scripts/bench-server.sh [SECONDS] [CONNECTIONS]      defaults 20 s, 64 keep-alive connections
#   WAMETER_BIN=/path/to/wameter scripts/bench-server.sh   the same with another build
#
# Starts the release `wameter serve` on loopback with a fresh SQLite database, then drives it with
# wrk (Debian package `wrk`) over keep-alive connections:
#   1. POST /webhook with signed single-status bodies, each distinct (150,000 pre-generated with
#      their X-Hub-Signature-256 by scripts/webhook-requests.py, cycled by scripts/wrk-webhooks.lua);
#   2. GET /webhook (the verification handshake), a route that touches no database: the no-op
#      baseline, so the ratio shows what durability costs;
#   3. `wameter simulate --url` with realistic traffic (batched bodies, inbound messages,
#      redeliveries), as fast as the server answers;
#   4. the simulator writing a JSONL file to /dev/null: its generation rate alone; and its CPU time
#      per body sent in step 3 (user + sys, from /usr/bin/time), i.e. what it takes from the server.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
connections=${2:-64}
port=${PORT:-18080}
mkdir -p bench-data
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)"; exit 1; }
# WAMETER_BIN runs another build (e.g. an older commit's, for a before/after pair in one session).
bin=${WAMETER_BIN:-.build/release/wameter}
[ -n "${WAMETER_BIN:-}" ] || swift build -c release --product wameter >/dev/null
python3 scripts/webhook-requests.py --count 150000 --secret bench-secret --out bench-data/requests.txt

db=bench-data/server.sqlite
rm -f "$db" "$db-wal" "$db-shm"
export WAMETER_APP_SECRET=bench-secret WAMETER_VERIFY_TOKEN=bench-verify WAMETER_API_TOKEN=bench-api-token-0123456789
"$bin" serve --database "$db" --port "$port" --log-level warning &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done

echo "== POST /webhook (durable), $connections connections, ${seconds}s"
wrk -t2 -c"$connections" -d"${seconds}s" --latency -s scripts/wrk-webhooks.lua "http://127.0.0.1:$port/webhook" \
    | grep -E "Requests/sec|50%|99%|Non-2xx|Socket errors|requests in"
echo "== GET /webhook handshake (no-op), $connections connections, ${seconds}s"
wrk -t2 -c"$connections" -d"${seconds}s" --latency \
    "http://127.0.0.1:$port/webhook?hub.mode=subscribe&hub.challenge=1&hub.verify_token=bench-verify" \
    | grep -E "Requests/sec|50%|99%|Non-2xx|Socket errors|requests in"
echo "== wameter simulate --url (durable), $connections connections, ${seconds}s"
/usr/bin/time -f "simulator CPU: %U s user + %S s sys" "$bin" simulate \
    --url "http://127.0.0.1:$port/webhook" --duration "$seconds" --concurrency "$connections" --seed 5
echo "== wameter simulate --out /dev/null (generation only)"
"$bin" simulate --out /dev/null --count 1000000 --start 2026-02-01 --seed 5
echo "archived bodies: $(sqlite3 "$db" 'SELECT count(*) FROM raw_bodies')"
