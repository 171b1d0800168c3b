#!/usr/bin/env bash
# Queueing a message to a segment of a million: `rally comms queue`'s peak RSS and duration at 1,000,
# 100,000 and 1,000,000 contacts, on SQLite and on PostgreSQL. The smallest size is the baseline: what
# the process costs whatever the segment (the binary, the runtime, the connection pools, SQLite's page
# cache); the targets are peak RSS ≤ 128 MB at a million and flat (≤ 10% growth) from 100,000 to a million.
#
#   bench/queue-memory.sh                          # writes its section of docs/benchmarks.md
#   SIZES="1000 100000" ROUNDS=1 bench/queue-memory.sh
#
# Seeding (not timed): `mail_seed DATABASE 0` (crates/rally/examples/mail_seed.rs) makes the campaign
# `mailbench`, its cadence (every e-mail may go now) and one marketing message in two languages to
# everyone; the contacts come from bench/import.sh's generator (crates/rally/examples/import_seed.rs: 10,000
# organizations, names with diacritics, a language on most rows) with a consent column added, imported
# with `rally import contacts`. Each size is imported once into its own database; each round queues a
# fresh copy of it (a copied file; `CREATE DATABASE … TEMPLATE`), so every round queues a draft. The
# median round counts. Each queue must answer "queued N e-mails: N on time", leave N rows in the outbox
# and an empty staging table.
#
# Loopback only. PostgreSQL is a private cluster (scripts/with-postgres with RALLY_PG_DURABLE=1: fsync
# and synchronous_commit on), stopped at the end; every step is bounded by STEP_TIMEOUT seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"1000 100000 1000000"}
ROUNDS=${ROUNDS:-3}
STEP_TIMEOUT=${STEP_TIMEOUT:-1800}
BASE_URL=${BASE_URL:-https://rally.example.org}
out=${OUT:-docs/benchmarks.md}
BEGIN_MARK='<!-- bench/queue-memory.sh: begin -->'
END_MARK='<!-- bench/queue-memory.sh: end -->'
NOTES_MARK='<!-- bench/queue-memory.sh: notes below are kept when the script rewrites this section -->'
export RUST_LOG=warn

now_ns() { date +%s%N; }
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# check LABEL GOT WANT: stops the run when a step did not do what it should have.
check() {
    if [ "$2" != "$3" ]; then
        echo "bench: $1: found $2, expected $3" >&2
        exit 1
    fi
}

# queue LABEL N DATABASE MESSAGE COUNT…: one timed `rally comms queue`, checked; appends
# "seconds peak_rss_mb cpu_seconds" to $tmp/LABEL-N. COUNT… is the command printing a table's rows,
# with TABLE where the table's name goes.
queue() {
    local label=$1 n=$2 db=$3 message=$4 started
    shift 4
    started=$(now_ns)
    # Its log (a slow-statement warning for the final INSERT … SELECT) is shown only if the queue fails.
    /usr/bin/time -f '%M %U %S' -o "$tmp/time" timeout "$STEP_TIMEOUT" target/release/rally comms queue \
        --database "$db" --campaign mailbench --message "$message" --base-url "$BASE_URL" >"$tmp/queue.out" \
        2>"$tmp/queue.err" || { cat "$tmp/queue.err" >&2; exit 1; }
    awk -v a="$started" -v b="$(now_ns)" '{ printf "%.2f %.0f %.1f\n", (b - a) / 1e9, $1 / 1024, $2 + $3 }' \
        "$tmp/time" >>"$tmp/$label-$n"
    grep -q "queued $n e-mails: $n on time" "$tmp/queue.out" || { echo "bench: $label: $(cat "$tmp/queue.out")" >&2; exit 1; }
    check "$label $n: outbox rows" "$("${@//TABLE/outbox}")" "$n"
    check "$label $n: staged rows left" "$("${@//TABLE/outbox_staged}")" 0
    echo "bench: $label $n contacts: $(tail -n 1 "$tmp/$label-$n") (s, MB, CPU s)" >&2
}

# result LABEL N: the table's line for one backend and size, from the median round.
result() {
    local file=$tmp/$1-$2 s rss cpu
    s=$(cut -d' ' -f1 "$file" | median)
    rss=$(cut -d' ' -f2 "$file" | median)
    cpu=$(cut -d' ' -f3 "$file" | median)
    echo "| $1 | $2 | $s | $(awk -v n="$2" -v s="$s" 'BEGIN { printf "%d", n / s }') | **$rss** | $cpu |" >>"$results"
}

run_sqlite() {
    local n round db message
    for n in $SIZES; do
        db=$tmp/sqlite-$n.db
        message=$(timeout "$STEP_TIMEOUT" target/release/examples/mail_seed "$db" 0 2>/dev/null | tail -n 1)
        echo "bench: SQLite: importing $n contacts" >&2
        timeout "$STEP_TIMEOUT" target/release/rally import contacts --database "$db" --campaign mailbench \
            "$tmp/contacts-$n.csv" 2>"$tmp/import.log"
        check "SQLite import" "$(sqlite3 "$db" 'SELECT COUNT(*) FROM contacts')" "$n"
        : >"$tmp/SQLite-$n"
        for round in $(seq "$ROUNDS"); do
            rm -f "$tmp/round.db" "$tmp/round.db-wal" "$tmp/round.db-shm"
            sqlite3 "$db" ".backup '$tmp/round.db'"
            queue SQLite "$n" "$tmp/round.db" "$message" sqlite3 "$tmp/round.db" 'SELECT COUNT(*) FROM TABLE'
        done
        rm -f "$db" "$tmp/round.db" "$tmp/round.db-wal" "$tmp/round.db-shm"
        result SQLite "$n"
    done
}

run_postgres() {
    local base=${RALLY_TEST_POSTGRES_URL%/*}
    local admin=(psql "$RALLY_TEST_POSTGRES_URL" -v ON_ERROR_STOP=1 -qtA)
    local n round message
    for n in $SIZES; do
        "${admin[@]}" -c "CREATE DATABASE seed_$n"
        message=$(timeout "$STEP_TIMEOUT" target/release/examples/mail_seed "$base/seed_$n" 0 2>/dev/null | tail -n 1)
        echo "bench: PostgreSQL: importing $n contacts" >&2
        timeout "$STEP_TIMEOUT" target/release/rally import contacts --database "$base/seed_$n" --campaign mailbench \
            "$tmp/contacts-$n.csv" 2>"$tmp/import.log"
        check "PostgreSQL import" "$(psql "$base/seed_$n" -tAc 'SELECT COUNT(*) FROM contacts')" "$n"
        psql "$base/seed_$n" -qc 'VACUUM ANALYZE' >/dev/null
        : >"$tmp/PostgreSQL-$n"
        for round in $(seq "$ROUNDS"); do
            "${admin[@]}" -c "CREATE DATABASE round TEMPLATE seed_$n"
            queue PostgreSQL "$n" "$base/round" "$message" psql "$base/round" -tAc 'SELECT COUNT(*) FROM TABLE'
            "${admin[@]}" -c "DROP DATABASE round"
        done
        "${admin[@]}" -c "DROP DATABASE seed_$n"
        result PostgreSQL "$n"
    done
}

if [ "${1:-}" = "--postgres-inner" ]; then
    tmp=$2 results=$3
    run_postgres
    exit 0
fi

need=()
[ -x /usr/bin/time ] || need+=(time)
command -v sqlite3 >/dev/null || need+=(sqlite3)
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

cargo build --release --locked -p rally --bin rally --example mail_seed --example import_seed
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rally-queue-bench.XXXXXX")
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
results=$tmp/results
: >"$results"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# The import benchmark's contact list, everyone opted in to campaign e-mail.
for n in $SIZES; do
    target/release/examples/import_seed csv "$tmp/plain.csv" "$n"
    awk 'NR == 1 { print $0 ",Consent"; next } { print $0 ",yes" }' "$tmp/plain.csv" >"$tmp/contacts-$n.csv"
done
rm -f "$tmp/plain.csv"
run_sqlite
RALLY_PG_DURABLE=1 scripts/with-postgres "$0" --postgres-inner "$tmp" "$results"

# What the targets say: peak RSS at the largest size, and its growth from the second-smallest size.
verdict=$(awk -F' [|] ' '
    $1 ~ /^[|] (SQLite|PostgreSQL)$/ && $2 ~ /^[0-9]+$/ {
        b = $1; sub(/^[|] /, "", b); n = $2 + 0; rss = $5; gsub(/[*]/, "", rss); m[b, n] = rss + 0
        sizes[b] = sizes[b] " " n
    }
    END {
        split("SQLite PostgreSQL", names, " ")
        for (i = 1; i <= 2; i++) {
            b = names[i]; k = split(substr(sizes[b], 2), s, " ")
            if (k < 2) continue
            big = s[k]; mid = s[k - 1]; growth = (m[b, big] - m[b, mid]) / m[b, mid] * 100
            printf "- %s: peak RSS %d MB at %s contacts (target ≤ 128 MB: %s), %d MB at %s: %+.0f%% (target ≤ 10%%: %s).\n",
                b, m[b, big], big, (m[b, big] <= 128 ? "met" : "**not met**"), m[b, mid], mid, growth,
                (growth <= 10 ? "met" : "**not met**")
        }
    }' "$results")

section=$tmp/section.md
{
    cat <<DOC
## Queueing a message: peak memory from 1,000 to 1,000,000 contacts

\`rally comms queue\` for one marketing message (two languages, the contact's first name, the campaign's
message and a signed unsubscribe link) to a whole campaign: its contacts read a page at a time, each
page's mail history read, rendered on the blocking pool, cap-checked and written to a staging batch in
its own transaction, then the batch moved into the outbox and the message marked planned in one
transaction. Contacts from bench/import.sh's generator (10,000 organizations), all opted in. Peak RSS,
wall and CPU time (user + system) of Rally's process from \`/usr/bin/time\`; the database server's own
memory is not counted. Median of $ROUNDS rounds, each on a fresh copy of the seeded database. The
smallest size is the baseline: the process's fixed cost. Targets: peak RSS ≤ 128 MB at a million
contacts, and ≤ 10% growth from 100,000 to a million.

| backend | contacts | queue s | e-mails/s | peak RSS MB | CPU s |
|---|---|---|---|---|---|
DOC
    cat "$results"
    cat <<DOC

$verdict

Measured $(date -u +%Y-%m-%d) with:

    bench/queue-memory.sh      # SIZES="$SIZES" ROUNDS=$ROUNDS

$(nproc) cores, shared with the database server. SQLite as Rally opens it (WAL, \`synchronous=NORMAL\`);
PostgreSQL in a private cluster (\`scripts/with-postgres\` with \`RALLY_PG_DURABLE=1\`: fsync,
synchronous_commit and full_page_writes on). Load average (1, 5, 15 min) before the run: $load_before;
after: $(cut -d' ' -f1-3 /proc/loadavg).
DOC
} >"$section"

bench/write-section "$out" "$section" "$BEGIN_MARK" "$END_MARK" "$NOTES_MARK"
echo "bench: wrote its section of $out" >&2
cat "$section"
