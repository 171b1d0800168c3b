#!/usr/bin/env bash
# API latency with 100,000 partners, on SQLite and on PostgreSQL, against /healthz in the same run.
#
#   bench/api.sh                 # writes docs/benchmarks.md
#   PARTNERS=20000 ROUNDS=1 bench/api.sh
#
# For each backend: load PARTNERS synthetic partners (crates/rally/examples/bench_seed.rs), start
# `rally serve` on loopback, then alternate wrk runs of /healthz and of the first page of a filtered,
# text-searched partner list, ROUNDS times each, and report the median of each run's p50 and p99.
set -euo pipefail
cd "$(dirname "$0")/.."

PARTNERS=${PARTNERS:-100000}
ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-1}
LIST_PATH=${LIST_PATH:-"/api/v1/campaigns/bench/partners?category=media&q=radio&limit=50"}
out=${OUT:-docs/benchmarks.md}

if ! command -v wrk >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

# Converts wrk's latency ("812.00us", "1.21ms", "2.00s") to microseconds.
to_us() { awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); print v } else if (v ~ /ms$/) { sub(/ms$/, "", v); print v * 1000 } else { sub(/s$/, "", v); print v * 1000000 } }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# measure NAME URL: prints "p50_us p99_us requests_per_s" for one wrk run.
measure() {
    local report
    report=$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $token" "$2")
    if echo "$report" | grep -q "Non-2xx"; then echo "bench: $1 answered errors" >&2; echo "$report" >&2; exit 1; fi
    local p50 p99 rps
    p50=$(echo "$report" | awk '$1 == "50%" { print $2 }' | to_us)
    p99=$(echo "$report" | awk '$1 == "99%" { print $2 }' | to_us)
    rps=$(echo "$report" | awk '$1 == "Requests/sec:" { printf "%d", $2 }')
    echo "$p50 $p99 $rps"
}

# run_backend LABEL DATABASE_URL: appends one result line to $results.
run_backend() {
    local label=$1 url=$2
    echo "bench: $label: loading $PARTNERS partners" >&2
    local started=$SECONDS
    token=$(target/release/examples/bench_seed "$url" "$PARTNERS" 2>/dev/null | tail -n 1)
    local load_s=$((SECONDS - started))
    local port
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    RUST_LOG=warn target/release/rally serve --listen "127.0.0.1:$port" --database "$url" &
    local pid=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
    local base="http://127.0.0.1:$port"
    local items
    items=$(curl -s -H "Authorization: Bearer $token" "$base$LIST_PATH" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["items"]))')
    : >"$tmp/h" ; : >"$tmp/l"
    for round in $(seq "$ROUNDS"); do
        measure healthz "$base/healthz" >>"$tmp/h"
        measure list "$base$LIST_PATH" >>"$tmp/l"
        echo "bench: $label round $round: healthz $(tail -n 1 "$tmp/h"), list $(tail -n 1 "$tmp/l")" >&2
    done
    kill "$pid"; wait "$pid" 2>/dev/null || true
    local h50 h99 hr l50 l99 lr
    h50=$(cut -d' ' -f1 "$tmp/h" | median); h99=$(cut -d' ' -f2 "$tmp/h" | median); hr=$(cut -d' ' -f3 "$tmp/h" | median)
    l50=$(cut -d' ' -f1 "$tmp/l" | median); l99=$(cut -d' ' -f2 "$tmp/l" | median); lr=$(cut -d' ' -f3 "$tmp/l" | median)
    local ratio
    ratio=$(awk -v a="$l50" -v b="$h50" 'BEGIN { printf "%.1f", a / b }')
    echo "| $label | $load_s s | $h50 | $h99 | $hr | $l50 | $l99 | $lr | $items | **${ratio}×** |" >>"$results"
}

if [ "${1:-}" = "--postgres-inner" ]; then
    tmp=$2 results=$3
    run_backend PostgreSQL "$RALLY_TEST_POSTGRES_URL"
    exit 0
fi

cargo build --release --locked -p rally --bin rally --example bench_seed
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
results=$tmp/results
: >"$results"
run_backend SQLite "$tmp/bench.db"
RALLY_PG_DURABLE=1 scripts/with-postgres "$0" --postgres-inner "$tmp" "$results"

{
    cat <<DOC
# Benchmarks

Figures from one machine of this project's kind (2 cores, 24 GiB), noisy and shared: read ratios and
medians, not absolute numbers. Reproduce with the command under each table.

## API latency with $PARTNERS partners

The same server, the same run: \`GET /healthz\` (process and one database round trip) against the first
page of a filtered, text-searched partner list (\`GET $LIST_PATH\`: bearer-token check, slug lookup, role
check, search query, $CONNECTIONS connection(s) at a time). Each cell is the median of $ROUNDS wrk runs of
$DURATION; latencies in microseconds. Target: the list's p50 within 3× of /healthz's p50.

| backend | load | healthz p50 | healthz p99 | healthz req/s | list p50 | list p99 | list req/s | items on page | list p50 / healthz p50 |
|---|---|---|---|---|---|---|---|---|---|
DOC
    cat "$results"
    cat <<DOC

Measured $(date -u +%Y-%m-%d) with:

    bench/api.sh      # PARTNERS=$PARTNERS ROUNDS=$ROUNDS DURATION=$DURATION CONNECTIONS=$CONNECTIONS

PostgreSQL runs in a private cluster (\`scripts/with-postgres\`) with its default durability settings.
DOC
    if [ -f docs/benchmarks-notes.md ]; then echo; cat docs/benchmarks-notes.md; fi
} >"$out"
echo "bench: wrote $out" >&2
cat "$out"
