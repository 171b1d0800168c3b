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
# The first page of a filtered, text-searched list at the default page size, and a short page.
LIST_PATHS=${LIST_PATHS:-"/api/v1/campaigns/bench/partners?category=media&q=radio&limit=50 /api/v1/campaigns/bench/partners?category=media&q=radio&limit=10"}
# The team's web pages for the same campaign, signed in: the board and the searched partner list.
PAGE_PATHS=${PAGE_PATHS:-"/campaigns/bench/board /campaigns/bench/partners?category=media&q=radio"}
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
    report=$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $token" -H "Cookie: rally_session=$session" "$2")
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
    # Sign in as a browser would: the form's token and its cookie, then the session cookie.
    local jar="$tmp/cookies" form csrf
    form=$(curl -s -c "$jar" "$base/login")
    csrf=$(echo "$form" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -n 1)
    curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf=$csrf" --data-urlencode "next=/campaigns" \
        --data-urlencode "email=bench@example.org" --data-urlencode "password=bench-password-1" "$base/login"
    session=$(awk '$6 == "rally_session" { print $7 }' "$jar")
    [ -n "$session" ] || { echo "bench: could not sign in" >&2; exit 1; }
    local lists pages paths
    read -r -a lists <<<"$LIST_PATHS"
    read -r -a pages <<<"$PAGE_PATHS"
    paths=(/healthz "${lists[@]}" "${pages[@]}")
    local i
    for i in "${!paths[@]}"; do : >"$tmp/m$i"; done
    for round in $(seq "$ROUNDS"); do
        for i in "${!paths[@]}"; do
            measure "${paths[$i]}" "$base${paths[$i]}" >>"$tmp/m$i"
        done
        echo "bench: $label round $round: $(for i in "${!paths[@]}"; do printf '[%s] ' "$(tail -n 1 "$tmp/m$i")"; done)" >&2
    done
    local items=()
    for i in "${!paths[@]}"; do
        items[i]=$(curl -s -H "Authorization: Bearer $token" "$base${paths[$i]}" \
            | python3 -c 'import json, sys
try:
    d = json.load(sys.stdin)
    print(len(d["items"]) if "items" in d else "–")
except ValueError:
    print("–")')
    done
    kill "$pid"; wait "$pid" 2>/dev/null || true
    local h50
    h50=$(cut -d' ' -f1 "$tmp/m0" | median)
    for i in "${!paths[@]}"; do
        local p50 p99 rps ratio
        p50=$(cut -d' ' -f1 "$tmp/m$i" | median); p99=$(cut -d' ' -f2 "$tmp/m$i" | median); rps=$(cut -d' ' -f3 "$tmp/m$i" | median)
        ratio=$(awk -v a="$p50" -v b="$h50" 'BEGIN { printf "%.1f", a / b }')
        echo "| $label | \`${paths[$i]}\` | ${items[$i]} | $p50 | $p99 | $rps | **${ratio}×** |" >>"$results"
    done
    echo "| $label | (loading $PARTNERS partners: ${load_s} s) | | | | | |" >>"$results"
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

# bench/mail.sh keeps its own section of the same file: carry it over.
mail_section=$(sed -n '/^<!-- bench\/mail.sh: begin -->$/,/^<!-- bench\/mail.sh: end -->$/p' "$out" 2>/dev/null || true)
site_section=$(sed -n '/^<!-- bench\/site.sh: begin -->$/,/^<!-- bench\/site.sh: end -->$/p' "$out" 2>/dev/null || true)
import_section=$(sed -n '/^<!-- bench\/import.sh: begin -->$/,/^<!-- bench\/import.sh: end -->$/p' "$out" 2>/dev/null || true)
{
    cat <<DOC
# Benchmarks

Figures from one machine of this project's kind (2 cores, 24 GiB), noisy and shared: read ratios and
medians, not absolute numbers. Reproduce with the command under each table.

## API latency with $PARTNERS partners

The same server, the same run: \`GET /healthz\` (the process and one database round trip) against the
first page of a filtered, text-searched partner list (bearer-token check, slug lookup, role check, the
search), at the default page size of 50 and at 10; and the team's web pages, signed in: the pipeline board
(seven columns of 20 cards, column totals) and the partner list page with the same search. wrk with $CONNECTIONS connection(s); each cell is the
median of $ROUNDS runs of $DURATION, interleaved; latencies in microseconds. Target: the list's p50
within 3× of /healthz's p50.

| backend | request | items | p50 µs | p99 µs | req/s | p50 / healthz p50 |
|---|---|---|---|---|---|---|
DOC
    cat "$results"
    cat <<DOC

Measured $(date -u +%Y-%m-%d) with:

    bench/api.sh      # PARTNERS=$PARTNERS ROUNDS=$ROUNDS DURATION=$DURATION CONNECTIONS=$CONNECTIONS

PostgreSQL runs in a private cluster (\`scripts/with-postgres\`) with its default durability settings.
DOC
    if [ -f docs/benchmarks-notes.md ]; then echo; cat docs/benchmarks-notes.md; fi
    if [ -n "$mail_section" ]; then echo; echo "$mail_section"; fi
    if [ -n "$site_section" ]; then echo; echo "$site_section"; fi
    if [ -n "$import_section" ]; then echo; echo "$import_section"; fi
} >"$out"
echo "bench: wrote $out" >&2
cat "$out"
