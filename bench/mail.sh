#!/usr/bin/env bash
# E-mail throughput: N personalized campaign e-mails delivered to Postfix's smtp-sink, on SQLite and on
# PostgreSQL, against Postfix's own smtp-source sending as many messages of the same size over as many
# sessions to the same kind of sink, in the same run.
#
#   bench/mail.sh                    # N=100000, 4 SMTP sessions; writes its section of docs/benchmarks.md
#   N=10000 bench/mail.sh            # a quick run
#
# For each backend: seed a campaign with N opted-in contacts and one marketing message in two languages
# (crates/rally/examples/mail_seed.rs), then time, separately and each under /usr/bin/time -v for its
# peak RSS:
#   1. `rally comms queue`: render every e-mail, check the cadence cap, insert the outbox rows;
#   2. `rally worker --drain`: claim, check the cap again, build MIME, send over SMTP, commit each outcome
#      in its own transaction;
#   3. smtp-source -s SESSIONS -m N -l SIZE (a new connection per message: its default), and the same with
#      -d (each session keeps its connection, as Rally's pool does); SOURCE_ROUNDS runs of each, the median
#      counts (they take seconds, and a shared machine's noise shows most on short runs);
#   4. rally-mail alone: `mail_seed --send-only` builds and sends N e-mails of the same shape through
#      Rally's SMTP transport, SESSIONS at a time, without any database (median of SOURCE_ROUNDS runs).
# Each of 2, 3 and 4 gets a fresh `smtp-sink -c` (no -d: nothing is written to disk), whose own message
# counter must reach N. SIZE makes smtp-source's messages as large as Rally's average rendered e-mail,
# measured by delivering a sample of the same seed to a file:// directory first.
#
# Loopback only. Starts smtp-sink (and, for PostgreSQL, a private cluster via scripts/with-postgres with
# RALLY_PG_DURABLE=1, i.e. fsync and synchronous_commit on) and stops exactly those, by PID. Every step
# is bounded by STEP_TIMEOUT seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-100000}
SESSIONS=${SESSIONS:-4}
SAMPLE=${SAMPLE:-1000}
SOURCE_ROUNDS=${SOURCE_ROUNDS:-3}
STEP_TIMEOUT=${STEP_TIMEOUT:-1800}
BASE_URL=${BASE_URL:-https://rally.example.org}
out=${OUT:-docs/benchmarks.md}
SINK=/usr/sbin/smtp-sink
SOURCE=/usr/sbin/smtp-source
BEGIN_MARK='<!-- bench/mail.sh: begin -->'
END_MARK='<!-- bench/mail.sh: end -->'
NOTES_MARK='<!-- bench/mail.sh: notes below are kept when the script rewrites this section -->'

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now_ns() { date +%s%N; }
seconds_since() { awk -v a="$1" -v b="$(now_ns)" 'BEGIN { printf "%.2f\n", (b - a) / 1e9 }'; }
per_second() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%d", n / s }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
peak_rss_mb() { awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"; }

sink_pid=
# start_sink: a fresh counting smtp-sink on a free loopback port; sets sink_pid and sink_port.
start_sink() {
    local as_user=()
    if [ "$(id -u)" = 0 ]; then as_user=(-u postfix); fi
    sink_port=$(free_port)
    "$SINK" "${as_user[@]}" -c "127.0.0.1:$sink_port" 1000 >"$tmp/sink.out" 2>"$tmp/sink.err" &
    sink_pid=$!
    for _ in $(seq 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$sink_port") 2>/dev/null; then return 0; fi
        sleep 0.05
    done
    echo "bench: smtp-sink did not start" >&2
    cat "$tmp/sink.err" >&2
    exit 1
}
# stop_sink WHAT: stops it and checks that its -c counter says it received N messages.
stop_sink() {
    sleep 0.2
    kill "$sink_pid"
    wait "$sink_pid" 2>/dev/null || true
    sink_pid=
    local received
    received=$(tr '\r' '\n' <"$tmp/sink.out" | sed -n 's/.*mesg=\([0-9]*\).*/\1/p' | tail -n 1)
    if [ "$received" != "$N" ]; then
        echo "bench: $1: smtp-sink received ${received:-nothing}, expected $N" >&2
        exit 1
    fi
}

# run_backend LABEL DATABASE_URL: appends one result line to $results.
run_backend() {
    local label=$1 url=$2 started
    echo "bench: $label: seeding $N contacts" >&2
    started=$(now_ns)
    local message
    message=$(timeout "$STEP_TIMEOUT" target/release/examples/mail_seed "$url" "$N" 2>/dev/null | tail -n 1)
    echo "bench: $label: seeded in $(seconds_since "$started") s" >&2

    echo "bench: $label: rally comms queue" >&2
    started=$(now_ns)
    RUST_LOG=warn /usr/bin/time -v -o "$tmp/queue.time" timeout "$STEP_TIMEOUT" target/release/rally comms queue \
        --database "$url" --campaign mailbench --message "$message" --base-url "$BASE_URL" >"$tmp/queue.out"
    local queue_s
    queue_s=$(seconds_since "$started")
    grep -q "queued $N e-mails: $N on time" "$tmp/queue.out" || { echo "bench: $label: $(cat "$tmp/queue.out")" >&2; exit 1; }

    echo "bench: $label: rally worker --drain" >&2
    start_sink
    started=$(now_ns)
    RUST_LOG=warn /usr/bin/time -v -o "$tmp/worker.time" timeout "$STEP_TIMEOUT" target/release/rally worker \
        --database "$url" --mail "smtp://127.0.0.1:$sink_port?tls=none" --concurrency "$SESSIONS" --drain \
        >"$tmp/worker.out"
    local deliver_s
    deliver_s=$(seconds_since "$started")
    stop_sink "$label: rally worker"
    grep -q "delivered or settled $N e-mails" "$tmp/worker.out" || { echo "bench: $label: $(cat "$tmp/worker.out")" >&2; exit 1; }

    echo "bench: $label: smtp-source ($SOURCE_ROUNDS rounds each)" >&2
    local source_s source_d_s round mode
    : >"$tmp/source"
    : >"$tmp/source-d"
    for round in $(seq "$SOURCE_ROUNDS"); do
        for mode in "" -d; do
            start_sink
            started=$(now_ns)
            timeout "$STEP_TIMEOUT" "$SOURCE" ${mode:+"$mode"} -s "$SESSIONS" -m "$N" -l "$payload" -f from@example.org \
                -t to@example.org "127.0.0.1:$sink_port"
            seconds_since "$started" >>"$tmp/source${mode}"
            stop_sink "$label: smtp-source $mode (round $round)"
        done
    done
    source_s=$(median <"$tmp/source")
    source_d_s=$(median <"$tmp/source-d")

    # The delivery path without the database: build and send as many e-mails of the same shape
    # through rally-mail's transport, SESSIONS at a time.
    echo "bench: $label: rally-mail alone ($SOURCE_ROUNDS rounds)" >&2
    : >"$tmp/alone"
    for round in $(seq "$SOURCE_ROUNDS"); do
        start_sink
        started=$(now_ns)
        timeout "$STEP_TIMEOUT" target/release/examples/mail_seed --send-only \
            "smtp://127.0.0.1:$sink_port?tls=none" "$N" "$SESSIONS" >/dev/null
        seconds_since "$started" >>"$tmp/alone"
        stop_sink "$label: rally-mail alone (round $round)"
    done
    local alone_rate
    alone_rate=$(per_second "$N" "$(median <"$tmp/alone")")

    local deliver_rate total_rate source_rate source_d_rate
    deliver_rate=$(per_second "$N" "$deliver_s")
    total_rate=$(per_second "$N" "$(awk -v a="$queue_s" -v b="$deliver_s" 'BEGIN { print a + b }')")
    source_rate=$(per_second "$N" "$source_s")
    source_d_rate=$(per_second "$N" "$source_d_s")
    local ratio ratio_d
    ratio=$(awk -v a="$deliver_rate" -v b="$source_rate" 'BEGIN { printf "%.2f", a / b }')
    ratio_d=$(awk -v a="$deliver_rate" -v b="$source_d_rate" 'BEGIN { printf "%.2f", a / b }')
    echo "| $label | $deliver_rate ($deliver_s s) | $total_rate (queue $queue_s s) | $source_rate ($source_s s) | **${ratio}×** | $source_d_rate ($source_d_s s) | ${ratio_d}× | $alone_rate | $(peak_rss_mb "$tmp/queue.time") | $(peak_rss_mb "$tmp/worker.time") |" >>"$results"
    echo "bench: $label: $(tail -n 1 "$results")" >&2
}

if [ "${1:-}" = "--postgres-inner" ]; then
    tmp=$2 results=$3 payload=$4
    trap 'if [ -n "$sink_pid" ]; then kill "$sink_pid" 2>/dev/null || true; fi' EXIT
    run_backend PostgreSQL "$RALLY_TEST_POSTGRES_URL"
    exit 0
fi

if [ ! -x /usr/bin/time ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
fi
if [ ! -x "$SINK" ] || [ ! -x "$SOURCE" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix >/dev/null
fi

cargo build --release --locked -p rally --bin rally --example mail_seed
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
tmp=$(mktemp -d)
trap 'if [ -n "$sink_pid" ]; then kill "$sink_pid" 2>/dev/null || true; fi; rm -rf "$tmp"' EXIT
results=$tmp/results
: >"$results"

# The size of Rally's e-mails: a sample of the same seed (same templates, names, addresses and links)
# delivered to a directory; each file holds exactly the bytes the SMTP transport sends.
echo "bench: measuring the size of $SAMPLE rendered e-mails" >&2
sample_message=$(target/release/examples/mail_seed "$tmp/sample.db" "$SAMPLE" 2>/dev/null | tail -n 1)
RUST_LOG=warn target/release/rally comms queue --database "$tmp/sample.db" --campaign mailbench \
    --message "$sample_message" --base-url "$BASE_URL" >/dev/null
mkdir "$tmp/eml"
RUST_LOG=warn target/release/rally worker --database "$tmp/sample.db" --mail "file://$tmp/eml" --drain >/dev/null
size=$(find "$tmp/eml" -name '*.eml' -printf '%s\n' | awk '{ s += $1 } END { printf "%d", s / NR }')
# smtp-source adds its own From, To, Date and Message-Id headers (128 bytes with the blank line) and breaks
# its payload into lines of 80 characters plus CRLF, so -l is chosen for the same bytes per message.
payload=$(awk -v s="$size" 'BEGIN { printf "%d", (s - 128) / 1.025 }')

run_backend SQLite "$tmp/mail.db"
RALLY_PG_DURABLE=1 scripts/with-postgres "$0" --postgres-inner "$tmp" "$results" "$payload"

section=$tmp/section.md
{
    cat <<DOC
## E-mail delivery: $N personalized e-mails against smtp-source

The same run, loopback, $SESSIONS SMTP sessions everywhere (Rally: \`--concurrency $SESSIONS\`, the size of its
connection pool). Rally's e-mails are rendered from two templates (hr/en) with the contact's first name,
the campaign's message and a signed unsubscribe link, cap-checked, stored in the outbox, then delivered
as multipart text + HTML with RFC 8058 unsubscribe headers; every outcome is committed in its own
transaction. smtp-source sends N messages of the same size (Rally's average: $size bytes; \`-l $payload\`
plus its own headers) to the same kind of sink, once as its default (a new connection per message) and
once with \`-d\` (one connection per session for all its messages, as Rally's pool keeps them); each is
the median of $SOURCE_ROUNDS runs. Every delivery goes to a fresh \`smtp-sink -c\` (nothing written to
disk) whose counter must reach N. "rally-mail alone" is the delivery path without the database: the
same number of e-mails of the same shape built and sent through Rally's SMTP transport, $SESSIONS at a time
(\`mail_seed --send-only\`, median of $SOURCE_ROUNDS runs). Rates in e-mails per second; peak RSS from
\`/usr/bin/time -v\`. Target: Rally's delivery ≥ 0.5× smtp-source's rate.

| backend | Rally delivery /s | Rally end to end /s (queue + delivery) | smtp-source /s | Rally / smtp-source | smtp-source -d /s | Rally / smtp-source -d | rally-mail alone /s | queue peak RSS MB | worker peak RSS MB |
|---|---|---|---|---|---|---|---|---|---|
DOC
    cat "$results"
    cat <<DOC

Measured $(date -u +%Y-%m-%d) with:

    bench/mail.sh      # N=$N SESSIONS=$SESSIONS SOURCE_ROUNDS=$SOURCE_ROUNDS

PostgreSQL runs in a private cluster (\`scripts/with-postgres\` with \`RALLY_PG_DURABLE=1\`: fsync,
synchronous_commit and full_page_writes on), on the same $(nproc) cores as everything else. Load average
(1, 5, 15 min) before the run: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg).
DOC
} >"$section"

bench/write-section "$out" "$section" "$BEGIN_MARK" "$END_MARK" "$NOTES_MARK"
echo "bench: wrote its section of $out" >&2
cat "$section"
