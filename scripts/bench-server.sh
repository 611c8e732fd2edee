#!/usr/bin/env bash
# Server load benchmark (not a test): prints figures for docs/benchmarks.md.
#
#   scripts/bench-server.sh [SECONDS] [CONNECTIONS]      defaults 20 s, 64 keep-alive connections
#   WAMETER_BIN=/path/to/wameter scripts/bench-server.sh   the same with another build
#   FSYNC_DELAY_US=1000 scripts/bench-server.sh            both receivers on a modelled slower disk
#
# Builds (release) `wameter` and the hand-rolled baseline receiver (scripts/webhook-baseline: verify
# the signature, insert the raw body as one SQLite row in its own transaction, synchronous=FULL),
# starts both on loopback with fresh databases, and drives them one after the other with wrk
# (Debian package `wrk`, 2 threads) over keep-alive connections, all with the same bodies: 150,000
# realistic ones from `wameter simulate --out` (batched statuses, inbound messages, redeliveries,
# groups; about 480 bytes), each signed (scripts/webhook-requests.py), cycled by
# scripts/wrk-webhooks.lua:
#   1. GET /noop of the baseline (Hummingbird answering 200, nothing else): the no-op ceiling;
#   2. POST /webhook of the baseline;
#   3. POST /webhook of `wameter serve`, durable with the full ledger;
# then prints wameter's rate as a ratio of both. After that, for orientation:
#   4. `wameter simulate --url` with realistic traffic, as fast as the server answers;
#   5. the simulator writing a JSONL file to /dev/null: its generation rate alone; and its CPU time
#      per body sent in step 4 (user + sys, from /usr/bin/time), i.e. what it takes from the server.
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
baseline=${BASELINE_BIN:-.build/release/webhook-baseline}
[ -n "${BASELINE_BIN:-}" ] || swift build -c release --product webhook-baseline >/dev/null
bodies=bench-data/simulated-150000.jsonl
[ -f "$bodies" ] || "$bin" simulate --out "$bodies" --count 150000 --start 2026-02-01 --seed 5 >/dev/null
python3 scripts/webhook-requests.py --count 150000 --secret bench-secret --from "$bodies" \
    --out bench-data/requests.txt

# FSYNC_DELAY_US models a disk whose flushes take that much longer than this machine's
# (scripts/fsync-delay.c, preloaded into both receivers); the flush rate is printed either way.
preload=()
if [ -n "${FSYNC_DELAY_US:-}" ]; then
    cc -shared -fPIC -O2 -o bench-data/fsync-delay.so scripts/fsync-delay.c -ldl
    preload=(env "LD_PRELOAD=$PWD/bench-data/fsync-delay.so" "FSYNC_DELAY_US=$FSYNC_DELAY_US")
fi
"${preload[@]}" python3 - <<'PY'
import os, time
f = os.open("bench-data/fsync-rate", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
start, n = time.time(), 0
while time.time() - start < 1:
    os.write(f, b"x" * 4096)
    os.fdatasync(f)
    n += 1
os.close(f)
os.unlink("bench-data/fsync-rate")
print(f"disk flushes (4 KB write + fdatasync): {n / (time.time() - start):,.0f}/s")
PY

db=bench-data/server.sqlite
baseline_db=bench-data/baseline.sqlite
rm -f "$db" "$db-wal" "$db-shm" "$baseline_db" "$baseline_db-wal" "$baseline_db-shm"
export WAMETER_APP_SECRET=bench-secret WAMETER_VERIFY_TOKEN=bench-verify WAMETER_API_TOKEN=bench-api-token-0123456789
"${preload[@]}" "$bin" serve --database "$db" --port "$port" --log-level warning &
server=$!
baseline_port=$((port + 1))
"${preload[@]}" "$baseline" "$baseline_port" "$baseline_db" &
receiver=$!
trap 'kill $server $receiver 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$baseline_port/noop" >/dev/null && break; sleep 0.1; done

# Runs wrk; prints its lines of interest and keeps the rate in $rate.
load() {
    local out
    out=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency "$@")
    echo "$out" | grep -E "Requests/sec|50%|99%|Non-2xx|Socket errors|requests in"
    rate=$(echo "$out" | awk '/Requests\/sec/ { print $2 }')
}
echo "== 1. GET /noop (baseline's Hummingbird, no work), $connections connections, ${seconds}s"
load "http://127.0.0.1:$baseline_port/noop"
noop=$rate
echo "== 2. POST /webhook, hand-rolled baseline (a row per request, own transaction), ${seconds}s"
load -s scripts/wrk-webhooks.lua "http://127.0.0.1:$baseline_port/webhook"
hand=$rate
echo "== 3. POST /webhook, wameter serve (durable, full ledger), ${seconds}s"
load -s scripts/wrk-webhooks.lua "http://127.0.0.1:$port/webhook"
meter=$rate
python3 -c "print(f'wameter / baseline: {$meter / $hand:.2f}x   wameter / no-op: {$meter / $noop:.2f}x')"
kill $receiver 2>/dev/null || true
echo "== 4. wameter simulate --url (durable), $connections connections, ${seconds}s"
/usr/bin/time -f "simulator CPU: %U s user + %S s sys" "$bin" simulate \
    --url "http://127.0.0.1:$port/webhook" --duration "$seconds" --concurrency "$connections" --seed 5
echo "== 5. wameter simulate --out /dev/null (generation only)"
"$bin" simulate --out /dev/null --count 1000000 --start 2026-02-01 --seed 5
echo "archived bodies: $(sqlite3 "$db" 'SELECT count(*) FROM raw_bodies')"
