#!/usr/bin/env bash
# The public site under load, on SQLite and on PostgreSQL with 100,000 events stored: nginx serving a
# small static JSON file is the baseline; against it, Rally's public statistics endpoint and its event
# registration (a form POST answered after its transaction commits, confirmation e-mail queued in it).
#
#   bench/site.sh                  # updates its section of docs/benchmarks.md
#   EVENTS=20000 ROUNDS=1 bench/site.sh
#
# wrk with THREADS threads and CONNECTIONS connections on loopback; each figure is the median of ROUNDS
# interleaved runs of DURATION. nginx and Rally each get the machine's cores (nginx: one worker per core;
# Rally: tokio's default, one thread per core).
set -euo pipefail
cd "$(dirname "$0")/.."

EVENTS=${EVENTS:-100000}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
out=${OUT:-docs/benchmarks.md}

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

to_us() { awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); print v } else if (v ~ /ms$/) { sub(/ms$/, "", v); print v * 1000 } else { sub(/s$/, "", v); print v * 1000000 } }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# measure URL [LUA]: prints "requests_per_s p50_us p99_us requests" of one wrk run; fails on any non-2xx answer.
measure() {
    local report
    if [ -n "${2:-}" ]; then
        report=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$2" "$1")
    else
        report=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$1")
    fi
    if echo "$report" | grep -q "Non-2xx\|Socket errors"; then echo "bench: $1 answered errors" >&2; echo "$report" >&2; exit 1; fi
    local rps p50 p99
    rps=$(echo "$report" | awk '$1 == "Requests/sec:" { printf "%d", $2 }')
    p50=$(echo "$report" | awk '$1 == "50%" { print $2 }' | to_us)
    p99=$(echo "$report" | awk '$1 == "99%" { print $2 }' | to_us)
    local n
    n=$(echo "$report" | awk '$2 == "requests" && $3 == "in" { print $1 }')
    echo "$rps $p50 $p99 $n"
}

# run_backend LABEL DATABASE_URL: appends result lines to $results.
run_backend() {
    local label=$1 url=$2
    echo "bench: $label: storing $EVENTS events" >&2
    local started=$SECONDS
    target/release/examples/site_seed "$url" "$EVENTS" >/dev/null
    local load_s=$((SECONDS - started))
    local port nport
    port=$(free_port)
    # The most registrations an address may send that the setting takes: its burst (a quarter of it) covers
    # every registration of the runs, all from 127.0.0.1.
    RUST_LOG=warn target/release/rally serve --listen "127.0.0.1:$port" --database "$url" --data-dir "$tmp/files" \
        --no-worker --registrations-per-hour 1000000 &
    local pid=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
    local base="http://127.0.0.1:$port"
    # nginx serves the very bytes Rally answers with.
    mkdir -p "$tmp/www"
    curl -sf "$base/api/v1/public/campaigns/bench-site/stats" >"$tmp/www/stats.json"
    nport=$(free_port)
    cat >"$tmp/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $tmp/nginx.pid;
error_log $tmp/nginx.err warn;
events { worker_connections 1024; }
http {
    access_log off;
    default_type application/json;
    client_body_temp_path $tmp/nginx-body;
    proxy_temp_path $tmp/nginx-proxy;
    fastcgi_temp_path $tmp/nginx-fastcgi;
    uwsgi_temp_path $tmp/nginx-uwsgi;
    scgi_temp_path $tmp/nginx-scgi;
    server {
        listen 127.0.0.1:$nport;
        root $tmp/www;
        location = /stats.json { add_header Access-Control-Allow-Origin *; }
    }
}
CONF
    "$NGINX" -c "$tmp/nginx.conf" &
    local npid=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$nport/stats.json" >/dev/null && break; sleep 0.1; done
    local day
    day=$(date -u +%Y-%m-%d)
    cat >"$tmp/register.lua" <<LUA
-- Every request registers another event (another organizer): no update of an earlier registration.
local threads = 0
function setup(thread) threads = threads + 1; thread:set("id", os.getenv("ROUND") .. "t" .. threads) end
local n = 0
request = function()
    n = n + 1
    local body = "organizer_name=Bench+" .. id .. "+" .. n .. "&organizer_email=b" .. id .. "x" .. n ..
        "%40school.example.org&organization=Bench+school&event_type=in_school&country=HR&city=Zagreb" ..
        "&starts_on=$day&students=25&ages=10&language=hr&listing=public&consent=on&website="
    return wrk.format("POST", nil, { ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
end
LUA
    : >"$tmp/nginx.m"; : >"$tmp/stats.m"; : >"$tmp/register.m"
    local before after
    before=$(curl -sf "$base/api/v1/public/campaigns/bench-site/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["events"])')
    for round in $(seq "$ROUNDS"); do
        measure "http://127.0.0.1:$nport/stats.json" >>"$tmp/nginx.m"
        measure "$base/api/v1/public/campaigns/bench-site/stats" >>"$tmp/stats.m"
        ROUND=$round measure "$base/c/bench-site/register" "$tmp/register.lua" >>"$tmp/register.m"
        echo "bench: $label round $round: nginx [$(tail -n1 "$tmp/nginx.m")] stats [$(tail -n1 "$tmp/stats.m")] register [$(tail -n1 "$tmp/register.m")]" >&2
    done
    # Every registration answered 200 was stored: count them (unconfirmed, so not in the counter). A
    # request cut off when a run ends may still commit, so stored ≥ answered.
    local answered
    answered=$(awk '{ s += $4 } END { print s }' "$tmp/register.m")
    local stored
    stored=$(python3 - "$url" <<'PY'
import sys, sqlite3, subprocess
url = sys.argv[1]
q = "SELECT COUNT(*) FROM events WHERE organizer_name LIKE 'Bench %'"
if url.startswith("postgres"):
    print(subprocess.run(["psql", url, "-tAc", q], capture_output=True, text=True).stdout.strip())
else:
    print(sqlite3.connect(url).execute(q).fetchone()[0])
PY
)
    # `rally serve`'s peak resident memory over all the runs (target: ≤ 128 MB).
    local peak_rss
    peak_rss=$(awk '/^VmHWM:/ { printf "%d", $2 / 1024 }' "/proc/$pid/status")
    kill "$pid" "$npid"; wait "$pid" "$npid" 2>/dev/null || true
    local n_rps n50 n99
    n_rps=$(cut -d' ' -f1 "$tmp/nginx.m" | median); n50=$(cut -d' ' -f2 "$tmp/nginx.m" | median); n99=$(cut -d' ' -f3 "$tmp/nginx.m" | median)
    echo "| $label | nginx: static \`stats.json\` (baseline) | $n_rps | $n50 | $n99 | 1.00× |" >>"$results"
    for what in stats register; do
        local rps p50 p99 ratio name
        rps=$(cut -d' ' -f1 "$tmp/$what.m" | median); p50=$(cut -d' ' -f2 "$tmp/$what.m" | median); p99=$(cut -d' ' -f3 "$tmp/$what.m" | median)
        ratio=$(awk -v a="$rps" -v b="$n_rps" 'BEGIN { printf "%.2f", a / b }')
        case $what in
            stats) name='Rally `GET /api/v1/public/campaigns/{slug}/stats`' ;;
            register) name='Rally `POST /c/{slug}/register` (stored, e-mail queued, committed)' ;;
        esac
        echo "| $label | $name | $rps | $p50 | $p99 | **${ratio}×** |" >>"$results"
    done
    echo "| $label | ($EVENTS events stored in ${load_s} s; $answered registrations answered 200 and $stored stored during the runs; the counter had $before events; \`rally serve\` peak RSS $peak_rss MB) | | | | |" >>"$results"
}

if [ "${1:-}" = "--postgres-inner" ]; then
    tmp=$2 results=$3
    run_backend PostgreSQL "$RALLY_TEST_POSTGRES_URL"
    exit 0
fi

cargo build --release --locked -p rally --bin rally --example site_seed
tmp=$(mktemp -d)
chmod 755 "$tmp"   # nginx's workers read the file as another user
trap 'rm -rf "$tmp"' EXIT
results=$tmp/results
: >"$results"
run_backend SQLite "$tmp/site.db"
RALLY_PG_DURABLE=1 scripts/with-postgres "$0" --postgres-inner "$tmp" "$results"

section=$(mktemp)
{
    echo "<!-- bench/site.sh: begin -->"
    cat <<DOC
## The public site under load ($EVENTS events stored)

nginx serving a small static JSON file (the same bytes as Rally's statistics answer) is the baseline;
Rally's public statistics endpoint (served from a one-second in-process cache, refreshed from the event
tallies) and the registration form's POST (validated, stored with its confirmation e-mail in the outbox,
answered after the commit) against it. wrk, $THREADS threads, $CONNECTIONS connections, loopback; each cell is
the median of $ROUNDS interleaved runs of $DURATION; latencies in microseconds. Targets: statistics ≥ 1.0×
nginx's requests/s, registrations ≥ 0.5×.

| backend | request | req/s | p50 µs | p99 µs | req/s vs nginx |
|---|---|---|---|---|---|
DOC
    cat "$results"
    cat <<DOC

Measured $(date -u +%Y-%m-%d) with:

    bench/site.sh      # EVENTS=$EVENTS ROUNDS=$ROUNDS DURATION=$DURATION THREADS=$THREADS CONNECTIONS=$CONNECTIONS

wrk, nginx and Rally share the machine's cores. SQLite runs in WAL mode with \`synchronous=NORMAL\` (a
commit survives the process, not a power cut); PostgreSQL in a private cluster with \`fsync\` and
\`synchronous_commit\` on (\`RALLY_PG_DURABLE=1\`).

Where the time goes (measured with \`perf\` on the same machine, same load): serving the statistics,
two thirds of Rally's CPU time is the kernel's loopback TCP path, the same path nginx takes; the rest is
hyper and axum. A minimal axum program answering the same bytes from memory reaches 0.94–0.96× of nginx
here, and Rally's route is within 6% of it (it runs outside the API's middleware, request spans are made
only when debug logging is on, the state clone allocates nothing), so the remaining gap is the HTTP
stack's, not the handler's: **the 1.0× target is not met** (0.86–0.89×). Registrations are bounded by the
database's one writer: each is one transaction of four statements (the event, its log entry, its
confirmation e-mail, the commit), and on SQLite every statement is a hand-off to the connection's thread
(a sixth of the CPU time is context switches). **The 0.5× target is far off** (0.03×): a registration
that is answered only after a durable commit costs as much as 30–40 static answers. The measured
4,000–5,000 a second are over 14 million registrations an hour; batching concurrent registrations into one
transaction (group commit) would be the next step if a campaign ever needed more.
DOC
    echo "<!-- bench/site.sh: end -->"
} >"$section"
python3 - "$out" "$section" <<'PY'
import re, sys
out, section = sys.argv[1], open(sys.argv[2]).read().rstrip("\n")
try:
    doc = open(out).read()
except FileNotFoundError:
    doc = "# Benchmarks\n"
pattern = re.compile(r"<!-- bench/site.sh: begin -->.*?<!-- bench/site.sh: end -->", re.S)
doc = pattern.sub(lambda _: section, doc) if pattern.search(doc) else doc.rstrip("\n") + "\n\n" + section + "\n"
open(out, "w").write(doc)
PY
rm -f "$section"
echo "bench: wrote $out" >&2
sed -n '/<!-- bench\/site.sh: begin -->/,/<!-- bench\/site.sh: end -->/p' "$out"
