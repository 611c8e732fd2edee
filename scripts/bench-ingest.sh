#!/usr/bin/env bash
# Ingest and report benchmark (not a test): prints figures for docs/benchmarks.md.
#
#   scripts/bench-ingest.sh [EVENTS]      default 1000000 status events
#
# Builds the release binary, generates a JSONL file of EVENTS status events (cached in bench-data/),
# ingests it into a fresh SQLite database, and reports: events/s, peak memory (max RSS), database
# size, and `report` latency (whole process, median of 20 runs). Run it twice with different sizes to
# see that memory does not grow with the file.
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-1000000}
mkdir -p bench-data
file=bench-data/events-$events.jsonl
db=bench-data/bench-$events.sqlite

# WAMETER_BIN runs another build (e.g. an older commit's, for a before/after pair in one session).
bin=${WAMETER_BIN:-.build/release/wameter}
[ -n "${WAMETER_BIN:-}" ] || swift build -c release --product wameter >/dev/null
[ -f "$file" ] || python3 scripts/generate-webhooks.py --events "$events" --out "$file" --month 2026-02 --seed 1
rm -f "$db" "$db-wal" "$db-shm"

echo "file: $file ($(wc -l <"$file") bodies, $(du -h "$file" | cut -f1))"
summary=$(/usr/bin/time -f "%e %M" -o bench-data/time.txt "$bin" ingest "$file" --database "$db" --quiet 2>/dev/null | tail -1)
echo "$summary"
read -r seconds rss_kb <bench-data/time.txt
statuses=$(echo "$summary" | sed -E 's/.*: ([0-9]+) statuses.*/\1/')
echo "ingest: ${seconds} s, $(python3 -c "print(f'{$statuses/$seconds:,.0f}')") status events/s, peak RSS $((rss_kb / 1024)) MiB"
echo "database: $(du -ch "$db"* | tail -1 | cut -f1)"

account=100000000000001
"$bin" report --account "$account" --month 2026-02 --database "$db" --format json >/dev/null
times=()
for _ in $(seq 20); do
    start=$(date +%s%N)
    "$bin" report --account "$account" --month 2026-02 --database "$db" --format json >/dev/null
    times+=($(( ($(date +%s%N) - start) / 1000000 )))
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
echo "report (whole process, 20 runs): median ${sorted[10]} ms, max ${sorted[19]} ms"
start=$(date +%s%N)
"$bin" --help >/dev/null
echo "process start-up alone (wameter --help): $(( ($(date +%s%N) - start) / 1000000 )) ms"
