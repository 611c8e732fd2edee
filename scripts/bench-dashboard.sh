#!/usr/bin/env bash
# Dashboard benchmark (not a test): what open live pages cost the durable webhook rate.
#
#   [ROUNDS=3] [POLLERS=python|wrk|sse] scripts/bench-dashboard.sh [SECONDS] [PAGES]   defaults 15 s, 200 pages
#
# Starts the release `wameter serve` on a fresh SQLite database, then runs wrk's signed POST
# /webhook load (as scripts/bench-server.sh) twice: alone, and with PAGES pollers
# (scripts/dashboard-pollers.py) holding the account page of the posted traffic open, each asking
# for /dashboard/version every second and fetching the page when it moved (every second, under load).
# POLLERS=wrk holds the pages open with wrk instead (scripts/wrk-pollers.lua: the same requests from
# a client that costs the shared two cores far less than 200 Python threads). POLLERS=sse holds them
# open as the pages do now: PAGES server-sent event streams (scripts/sse-listeners.py, one asyncio
# thread) and each page's refetch about once a second (scripts/wrk-pages.lua).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-15}
pages=${2:-200}
port=${PORT:-18081}
mkdir -p bench-data
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)"; exit 1; }
bin=${WAMETER_BIN:-.build/release/wameter}
[ -n "${WAMETER_BIN:-}" ] || swift build -c release --product wameter >/dev/null
[ -f bench-data/requests.txt ] || python3 scripts/webhook-requests.py --count 150000 --secret bench-secret --out bench-data/requests.txt

db=bench-data/dashboard.sqlite
rm -f "$db" "$db-wal" "$db-shm"
token=bench-api-token-0123456789
export WAMETER_APP_SECRET=bench-secret WAMETER_VERIFY_TOKEN=bench-verify WAMETER_API_TOKEN=$token
"$bin" serve --database "$db" --port "$port" --log-level warning &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done

post() {
    wrk -t2 -c64 -d"${seconds}s" --latency -s scripts/wrk-webhooks.lua "http://127.0.0.1:$port/webhook" \
        | grep -E "Requests/sec|99%|Non-2xx"
}
# ROUNDS alternations of "alone" and "with pages" (the rate drifts as the database grows and the
# machine's other work comes and goes: alternating shows the drift apart from the pages' cost).
rounds=${ROUNDS:-1}
page='/accounts/100000000000001?month=2026-02'
cookie=$(curl -s -i -X POST --data "token=$token" "http://127.0.0.1:$port/sign-in" \
    | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p')
with_pages() {
    clients=()
    if [ "${POLLERS:-python}" = wrk ]; then
        wrk -t1 -c"$pages" -d"$((seconds + 3))s" -H "Cookie: $cookie" -s scripts/wrk-pollers.lua \
            "http://127.0.0.1:$port" -- "$page" | grep -E "Requests/sec|Non-2xx" | sed 's/^/   pollers: /' &
        clients+=($!)
    elif [ "${POLLERS:-python}" = sse ]; then
        python3 scripts/sse-listeners.py --port "$port" --cookie "$cookie" --streams "$pages" \
            --seconds "$((seconds + 3))" &
        clients+=($!)
        wrk -t1 -c"$pages" -d"$((seconds + 3))s" -H "Cookie: $cookie" -s scripts/wrk-pages.lua \
            "http://127.0.0.1:$port" -- "$page" | grep -E "Requests/sec|Non-2xx" | sed 's/^/   pages: /' &
        clients+=($!)
    else
        python3 scripts/dashboard-pollers.py --base "http://127.0.0.1:$port" --token "$token" --pages "$pages" \
            --path "$page" --seconds "$((seconds + 3))" &
        clients+=($!)
    fi
    sleep 2
    post
    wait "${clients[@]}"
}
for round in $(seq "$rounds"); do
    echo "== POST /webhook alone (round $round)"
    post
    echo "== POST /webhook with $pages open pages (${POLLERS:-python} pollers, round $round)"
    with_pages
done
echo "== POST /webhook alone, again"
post
