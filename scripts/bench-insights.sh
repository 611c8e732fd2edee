#!/usr/bin/env bash
# Insights benchmark (not a test): prints figures for docs/benchmarks.md.
#
#   scripts/bench-insights.sh [EVENTS]      default 25000000 status events (about 10 million messages)
#
# Generates EVENTS status events for February 2026 plus 300,000 more with other message ids (cached
# in bench-data/), ingests them into a fresh SQLite database (kept for later runs), puts the three
# accounts in one portfolio, imports the example card, and times `wameter insights` as a process
# (median and max of 10 runs after a warm-up): a month by day × phone × country × category, a
# portfolio-wide month total, a day by day × phone, and a CSV export of the month by every
# dimension (with its peak RSS).
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-25000000}
mkdir -p bench-data
file=bench-data/events-$events.jsonl
extra=bench-data/events-extra.jsonl
db=bench-data/insights-$events.sqlite
bin=${WAMETER_BIN:-.build/release/wameter}
[ -n "${WAMETER_BIN:-}" ] || swift build -c release --product wameter >/dev/null
[ -f "$file" ] || python3 scripts/generate-webhooks.py --events "$events" --out "$file" --month 2026-02 --seed 1
[ -f "$extra" ] || python3 scripts/generate-webhooks.py --events 300000 --out "$extra" --month 2026-02 --seed 2 \
    --id-offset 100000000

if [ ! -f "$db" ]; then
    for account in 100000000000001 100000000000002 100000000000003; do
        "$bin" accounts add "$account" --timezone UTC --currency USD --portfolio bench --database "$db" >/dev/null
    done
    /usr/bin/time -f "%e %M" -o bench-data/time.txt "$bin" ingest "$file" --database "$db" --quiet | tail -1
    read -r seconds rss_kb <bench-data/time.txt
    echo "ingest of $file: ${seconds} s, peak RSS $((rss_kb / 1024)) MiB"
    "$bin" ingest "$extra" --database "$db" --quiet | tail -1
fi
echo "ledger: $(sqlite3 "$db" "SELECT count(*) FROM messages") messages, $(du -ch "$db"* | tail -1 | cut -f1)"

time_runs() {
    "$@" >/dev/null
    local times=()
    for _ in $(seq 10); do
        local start=$(date +%s%N)
        "$@" >/dev/null
        times+=($(( ($(date +%s%N) - start) / 1000000 )))
    done
    local sorted=($(printf '%s\n' "${times[@]}" | sort -n))
    echo "median ${sorted[5]} ms, max ${sorted[9]} ms"
}
month=(--from 2026-02-01 --to 2026-02-28 --database "$db" --format json)
echo "report, one account's month: $(time_runs "$bin" report --account 100000000000001 --month 2026-02 --database "$db" --format json)"
echo "insights, one account's month by day × phone × country × category: $(time_runs "$bin" insights \
    --account 100000000000001 "${month[@]}" --granularity day --by phone,country,category)"
echo "insights, portfolio month total: $(time_runs "$bin" insights --portfolio bench "${month[@]}")"
echo "insights, one account's day by phone × country: $(time_runs "$bin" insights --account 100000000000001 \
    --from 2026-02-14 --to 2026-02-14 --database "$db" --format json --by phone,country)"
csv=bench-data/insights-export.csv
/usr/bin/time -f "%e %M" -o bench-data/time.txt "$bin" insights --all --from 2026-02 --to 2026-02 --granularity day \
    --by account,phone,country,market,category,pricing_type,direction,kind --format csv --database "$db" >"$csv"
read -r seconds rss_kb <bench-data/time.txt
echo "CSV export, every account's month by day and every dimension: $(($(wc -l <"$csv") - 1)) rows," \
    "$(du -h "$csv" | cut -f1), ${seconds} s, peak RSS $((rss_kb / 1024)) MiB"
