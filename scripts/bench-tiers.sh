#!/usr/bin/env bash
# Volume-tier report benchmark (not a test): prints figures for docs/benchmarks.md.
#
#   scripts/bench-tiers.sh [EVENTS]      default 1000000; run scripts/bench-ingest.sh EVENTS first
#
# Copies the ingest benchmark's database, imports the example USD card and a tier table for every
# market (utility and authentication: 1–1,000, 1,001–10,000, 10,001 and up, so every pool passes
# a boundary and must be priced in delivery order: from the half-hour counters, reading messages only
# where a tier changes), puts the three accounts in one portfolio, and times `report` (whole process,
# median of 20 runs) before and after the portfolio.
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-1000000}
source_db=bench-data/bench-$events.sqlite
db=bench-data/tiers-$events.sqlite
# WAMETER_BIN runs another build (e.g. an older commit's, for a before/after pair in one session).
bin=${WAMETER_BIN:-.build/release/wameter}
[ -f "$source_db" ] || { echo "run scripts/bench-ingest.sh $events first" >&2; exit 1; }
rm -f "$db" "$db-wal" "$db-shm"
sqlite3 "$source_db" ".backup '$db'"

tiers=bench-data/tiers.csv
echo "effective_from,currency,market,category,volume_from,volume_to,rate" >"$tiers"
for market in "North America" Brazil Mexico Colombia India Indonesia Germany "United Kingdom" Nigeria \
    "Rest of Africa" "Rest of Asia Pacific" "Rest of Central & Eastern Europe" "Rest of Latin America" \
    "Rest of Middle East" "Rest of Western Europe" Other; do
    for category in utility authentication; do
        echo "2026-01-01,USD,$market,$category,1,1000,0.0100" >>"$tiers"
        echo "2026-01-01,USD,$market,$category,1001,10000,0.0050" >>"$tiers"
        echo "2026-01-01,USD,$market,$category,10001,,0.0010" >>"$tiers"
    done
done
"$bin" rates import "$tiers" --database "$db" >/dev/null

time_reports() {
    local account=100000000000001 times=()
    "$bin" report --account "$account" --month 2026-02 --database "$db" --format json >/dev/null
    for _ in $(seq 20); do
        local start=$(date +%s%N)
        "$bin" report --account "$account" --month 2026-02 --database "$db" --format json >/dev/null
        times+=($(( ($(date +%s%N) - start) / 1000000 )))
    done
    local sorted=($(printf '%s\n' "${times[@]}" | sort -n))
    echo "median ${sorted[10]} ms, max ${sorted[19]} ms"
}
units=$(sqlite3 "$db" "SELECT count(*) FROM messages WHERE account = '100000000000001' AND delivered_at IS NOT NULL
    AND pricing_category IN ('utility', 'authentication', 'authentication_international')")
echo "one account, its own portfolio ($units utility/authentication messages in its pools): $(time_reports)"
for account in 100000000000001 100000000000002 100000000000003; do
    "$bin" accounts add "$account" --timezone UTC --currency USD --portfolio P --database "$db" >/dev/null
done
units=$(sqlite3 "$db" "SELECT count(*) FROM messages WHERE delivered_at IS NOT NULL
    AND pricing_category IN ('utility', 'authentication', 'authentication_international')")
echo "three accounts, one portfolio ($units messages in the pools): $(time_reports)"
