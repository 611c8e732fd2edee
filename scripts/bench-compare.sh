#!/usr/bin/env bash
# Before/after benchmark (not a test): two builds alternated query by query, so that a machine
# whose speed drifts between runs (this VM's does, by 20% and more) compares like with like.
#
#   scripts/bench-compare.sh BEFORE_BIN AFTER_BIN [RUNS]      default 10 runs per query and build
#
# Needs the 10-million-message ledger of scripts/bench-insights.sh 25000000 and, for the tier
# report, the database scripts/bench-tiers.sh leaves (its three accounts in one portfolio). Prints
# each query's median, min and max per build; checks that both builds answer the tier report with
# the same bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
before=${1:?before binary}
after=${2:?after binary}
runs=${3:-10}
db=bench-data/insights-25000000.sqlite
tiers=bench-data/tiers-1000000.sqlite

elapsed() {
    local start=$(date +%s%N)
    "$@" >/dev/null
    echo $(( ($(date +%s%N) - start) / 1000000 ))
}
summary() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] " ms (" a[1] "–" a[NR] ")" }'; }
compare() {
    local name=$1
    shift
    "$before" "$@" >/dev/null
    "$after" "$@" >/dev/null
    local a=() b=()
    for _ in $(seq "$runs"); do
        a+=($(elapsed "$before" "$@"))
        b+=($(elapsed "$after" "$@"))
    done
    echo "$name | before $(printf '%s\n' "${a[@]}" | summary) | after $(printf '%s\n' "${b[@]}" | summary)"
}

if [ -f "$db" ]; then
    month=(--from 2026-02-01 --to 2026-02-28 --database "$db" --format json)
    compare "report, one account's month" report --account 100000000000001 --month 2026-02 --database "$db" \
        --format json
    compare "insights, month by day × phone × country × category" insights --account 100000000000001 \
        "${month[@]}" --granularity day --by phone,country,category
    compare "insights, portfolio month total" insights --portfolio bench "${month[@]}"
    compare "insights, one day by phone × country" insights --account 100000000000001 --from 2026-02-14 \
        --to 2026-02-14 --database "$db" --format json --by phone,country
    compare "insights, one day by half-hour × phone × country" insights --account 100000000000001 \
        --from 2026-02-14 --to 2026-02-14 --granularity half_hour --database "$db" --format json --by phone,country
fi
if [ -f "$tiers" ]; then
    report=(report --account 100000000000001 --month 2026-02 --database "$tiers" --format json)
    if cmp -s <("$before" "${report[@]}") <("$after" "${report[@]}"); then
        echo "tier report: the same JSON from both builds"
    else
        echo "tier report: the builds' JSON DIFFERS"
    fi
    compare "report past tier boundaries, three-account portfolio" "${report[@]}"
fi
