#!/usr/bin/env bash
# Contact import: Rally's `rally import contacts` (decoding, validation, normalization, matching every
# e-mail against the campaign, partners resolved or created, chunks of 20,000 rows written as an
# undoable batch) against loading the same CSV file into a bare table of text columns — sqlite3's
# `.import` on SQLite, `COPY … FROM STDIN` through psql on PostgreSQL — in the same run.
#
#   bench/import.sh                             # 100,000 and 1,000,000 rows; writes its section of docs/benchmarks.md
#   SIZES="20000 100000" ROUNDS=1 bench/import.sh
#
# The file (crates/rally/examples/import_seed.rs, deterministic): Name, Email, Organization, Role,
# Language, Phone, Category; unique addresses in mixed case, some with spaces around them; 10,000
# organizations, each with its category, so the import creates the campaign's partners as it meets them.
# For each size, ROUNDS interleaved runs of each load, every one into a fresh database: a copy of a
# prepared file (SQLite), or `CREATE DATABASE … TEMPLATE` (PostgreSQL), holding only the campaign; the
# copy is not timed. The median run counts; peak RSS is Rally's, from /usr/bin/time. Then, once, the
# largest file is imported again into the database of its last run: every row is a duplicate, skipped.
#
# Loopback only. PostgreSQL is a private cluster (scripts/with-postgres with RALLY_PG_DURABLE=1: fsync
# and synchronous_commit on), stopped at the end; every step is bounded by STEP_TIMEOUT seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"100000 1000000"}
ROUNDS=${ROUNDS:-3}
STEP_TIMEOUT=${STEP_TIMEOUT:-900}
out=${OUT:-docs/benchmarks.md}
BEGIN_MARK='<!-- bench/import.sh: begin -->'
END_MARK='<!-- bench/import.sh: end -->'
NOTES_MARK='<!-- bench/import.sh: notes below are kept when the script rewrites this section -->'
# Rally's own log lines would only add noise to the timings.
export RUST_LOG=warn

now_ns() { date +%s%N; }
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
largest() { tr ' ' '\n' <<<"$SIZES" | sort -n | tail -n 1; }

# timed OUT CMD…: runs CMD under timeout and /usr/bin/time (standard input passes through) and appends
# "wall_seconds peak_rss_kb cpu_seconds" to OUT.
timed() {
    local out=$1 started
    shift
    started=$(now_ns)
    /usr/bin/time -f '%M %U %S' -o "$tmp/time" timeout "$STEP_TIMEOUT" "$@"
    awk -v a="$started" -v b="$(now_ns)" '{ r = $1; c = $2 + $3 } END { printf "%.3f %d %.2f\n", (b - a) / 1e9, r, c }' \
        "$tmp/time" >>"$out"
}

# check LABEL GOT WANT: stops the run when a load did not store what it should have.
check() {
    if [ "$2" != "$3" ]; then
        echo "bench: $1: found $2, expected $3" >&2
        exit 1
    fi
}

# import_contacts OUT DATABASE FILE LOG: one timed `rally import contacts`.
import_contacts() {
    timed "$1" target/release/rally import contacts --database "$2" --campaign bench-import "$3" 2>"$4"
}

# result LABEL ROWS BASELINE_NAME BASELINE_FILE RALLY_FILE: one line of the table from the runs' measurements.
result() {
    local label=$1 rows=$2 name=$3 base rally rss cpu
    base=$(cut -d' ' -f1 "$4" | median)
    rally=$(cut -d' ' -f1 "$5" | median)
    rss=$(cut -d' ' -f2 "$5" | median)
    cpu=$(cut -d' ' -f3 "$5" | median)
    awk -v l="$label" -v n="$rows" -v name="$name" -v b="$base" -v r="$rally" -v m="$rss" -v c="$cpu" 'BEGIN {
        ratio = sprintf(b / r < 0.1 ? "%.3f" : "%.2f", b / r)
        printf "| %s | %d | %s | %.2f | %d | %.2f | %d | **%s×** | %.0f | %.1f |\n",
            l, n, name, b, n / b, r, n / r, ratio, m / 1024, c
    }' >>"$results"
}

# reimport LABEL ROWS DATABASE FILE COUNT_CMD…: the largest file again into the database of its last run.
reimport() {
    local label=$1 rows=$2 db=$3 file=$4
    shift 4
    echo "bench: $label: importing $rows rows again (every one a duplicate)" >&2
    : >"$tmp/again"
    import_contacts "$tmp/again" "$db" "$file" "$tmp/again.log"
    grep -q "$rows rows: 0 created, 0 updated, $rows skipped, 0 with problems" "$tmp/again.log" \
        || { echo "bench: $label re-import: $(cat "$tmp/again.log")" >&2; exit 1; }
    check "$label re-import contacts" "$("$@")" "$rows"
    awk -v l="$label" -v n="$rows" '{ printf "| %s | %d again: every row a duplicate, skipped | | | | %.2f | %d | | %.0f | %.1f |\n", l, n, $1, n / $1, $2 / 1024, $3 }' \
        "$tmp/again" >>"$results"
    echo "bench: $label: re-import [$(cat "$tmp/again")]" >&2
}

run_sqlite() {
    echo "bench: SQLite: preparing the campaign" >&2
    local template=$tmp/template.db
    timeout "$STEP_TIMEOUT" target/release/examples/import_seed campaign "$template" >/dev/null
    # Fold the write-ahead log into the file, so that a copy of the file is the whole database.
    sqlite3 "$template" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
    local n round db
    for n in $SIZES; do
        : >"$tmp/sqlite-bare-$n"
        : >"$tmp/sqlite-rally-$n"
        for round in $(seq "$ROUNDS"); do
            db=$tmp/bare.db
            rm -f "$db"
            timed "$tmp/sqlite-bare-$n" sqlite3 "$db" -cmd '.mode csv' ".import $tmp/contacts-$n.csv bare"
            check "sqlite3 .import" "$(sqlite3 "$db" 'SELECT COUNT(*) FROM bare')" "$n"
            rm -f "$db"
            db=$tmp/rally.db
            rm -f "$db" "$db-wal" "$db-shm"
            cp "$template" "$db"
            import_contacts "$tmp/sqlite-rally-$n" "$db" "$tmp/contacts-$n.csv" "$tmp/import.log"
            check "rally import (SQLite)" "$(sqlite3 "$db" 'SELECT COUNT(*) FROM contacts')" "$n"
            echo "bench: SQLite $n rows, round $round: sqlite3 .import [$(tail -n 1 "$tmp/sqlite-bare-$n")] rally [$(tail -n 1 "$tmp/sqlite-rally-$n")]" >&2
            if [ "$round" = "$ROUNDS" ] && [ "$n" = "$(largest)" ]; then
                # Kept for the re-import, with its write-ahead log if one is left.
                for f in "" -wal -shm; do if [ -e "$db$f" ]; then mv "$db$f" "$tmp/kept.db$f"; fi; done
            fi
        done
        result SQLite "$n" '`sqlite3` `.import`' "$tmp/sqlite-bare-$n" "$tmp/sqlite-rally-$n"
    done
    rm -f "$db" "$db-wal" "$db-shm"
    n=$(largest)
    db=$tmp/kept.db
    reimport SQLite "$n" "$db" "$tmp/contacts-$n.csv" sqlite3 "$db" 'SELECT COUNT(*) FROM contacts'
    rm -f "$db" "$db-wal" "$db-shm"
}

run_postgres() {
    local base=${RALLY_TEST_POSTGRES_URL%/*}
    local admin=(psql "$RALLY_TEST_POSTGRES_URL" -v ON_ERROR_STOP=1 -qtA)
    echo "bench: PostgreSQL: preparing the campaign" >&2
    "${admin[@]}" -c 'CREATE DATABASE prepared'
    timeout "$STEP_TIMEOUT" target/release/examples/import_seed campaign "$base/prepared" >/dev/null
    local n round db
    for n in $SIZES; do
        : >"$tmp/pg-bare-$n"
        : >"$tmp/pg-rally-$n"
        for round in $(seq "$ROUNDS"); do
            db=bare_${n}_$round
            "${admin[@]}" -c "CREATE DATABASE $db"
            psql "$base/$db" -v ON_ERROR_STOP=1 -qc 'CREATE TABLE bare (name text, email text, organization text, role text, language text, phone text, category text)'
            timed "$tmp/pg-bare-$n" psql "$base/$db" -v ON_ERROR_STOP=1 -qc 'COPY bare FROM STDIN (FORMAT csv, HEADER)' \
                <"$tmp/contacts-$n.csv"
            check "COPY" "$(psql "$base/$db" -tAc 'SELECT COUNT(*) FROM bare')" "$n"
            "${admin[@]}" -c "DROP DATABASE $db"
            db=rally_${n}_$round
            "${admin[@]}" -c "CREATE DATABASE $db TEMPLATE prepared"
            import_contacts "$tmp/pg-rally-$n" "$base/$db" "$tmp/contacts-$n.csv" "$tmp/import.log"
            check "rally import (PostgreSQL)" "$(psql "$base/$db" -tAc 'SELECT COUNT(*) FROM contacts')" "$n"
            echo "bench: PostgreSQL $n rows, round $round: COPY [$(tail -n 1 "$tmp/pg-bare-$n")] rally [$(tail -n 1 "$tmp/pg-rally-$n")]" >&2
            if [ "$round" != "$ROUNDS" ] || [ "$n" != "$(largest)" ]; then "${admin[@]}" -c "DROP DATABASE $db"; fi
        done
        result PostgreSQL "$n" '`COPY … FROM STDIN` (psql)' "$tmp/pg-bare-$n" "$tmp/pg-rally-$n"
    done
    n=$(largest)
    db=rally_${n}_$ROUNDS
    reimport PostgreSQL "$n" "$base/$db" "$tmp/contacts-$n.csv" psql "$base/$db" -tAc 'SELECT COUNT(*) FROM contacts'
    "${admin[@]}" -c "DROP DATABASE $db"
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

cargo build --release --locked -p rally --bin rally --example import_seed
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rally-import-bench.XXXXXX")
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
results=$tmp/results
: >"$results"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for n in $SIZES; do
    target/release/examples/import_seed csv "$tmp/contacts-$n.csv" "$n"
done
bytes=$(stat -c %s "$tmp/contacts-$(largest).csv")
run_sqlite
RALLY_PG_DURABLE=1 scripts/with-postgres "$0" --postgres-inner "$tmp" "$results"

# What the targets say, from the table: the ratio at the largest size, and the growth of peak RSS.
verdict=$(awk -F' [|] ' -v big="$(largest)" '
    $1 ~ /^[|] (SQLite|PostgreSQL)$/ && $2 ~ /^[0-9]+$/ {
        b = $1; sub(/^[|] /, "", b); n = $2 + 0; ratio = $8; gsub(/[*×]/, "", ratio); rss[b, n] = $9
        if (n == big) r[b] = ratio
        if (!(b in small) || n < small[b]) small[b] = n
    }
    END {
        split("SQLite PostgreSQL", names, " ")
        for (i = 1; i <= 2; i++) {
            b = names[i]
            printf "- %s: Rally imports %s rows at **%s×** the bare load rate (target ≥ 0.5×: %s); peak RSS %d MB at %s rows, %d MB at %s rows.\n",
                b, big, r[b], (r[b] + 0 >= 0.5 ? "met" : "**not met**"), rss[b, small[b]], small[b], rss[b, big], big
        }
    }' "$results")

section=$tmp/section.md
{
    cat <<DOC
## Contact import: $(largest) rows against a bare load

One CSV file ($(largest) rows, $(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB; smaller sizes are its first rows), generated by
\`crates/rally/examples/import_seed.rs\`: name, e-mail (unique, mixed case, every seventh with spaces around
it), organization (10,000, each with its category, so the import creates the campaign's partners), role,
language and phone. **Baselines**: the file loaded into a bare table of seven text columns, no index —
\`sqlite3\`'s \`.import\` in CSV mode (one transaction) and PostgreSQL's \`COPY bare FROM STDIN (FORMAT
csv, HEADER)\` through psql. **Rally**: \`rally import contacts --database … --campaign bench-import FILE\`
into a database holding only the campaign: encoding and delimiter sniffed, every row validated and
normalized, e-mails deduplicated within the file and matched against the campaign, partners found or
created by name, rows written in transactions of 20,000 as one undoable batch, a per-row report.
Every run starts from a fresh database (a copied file; \`CREATE DATABASE … TEMPLATE\`). Each cell is the
median of $ROUNDS interleaved runs; the re-import (the largest file again into the database of the last
run: every row a duplicate, skipped and reported) ran once. Peak RSS and CPU time (user + system) are
Rally's process, from \`/usr/bin/time\`. Targets: Rally ≥ 0.5× the bare load's rows/s; peak RSS flat
from the smallest file to the largest.

| backend | rows | baseline | baseline s | baseline rows/s | Rally s | Rally rows/s | Rally ÷ baseline | Rally peak RSS MB | Rally CPU s |
|---|---|---|---|---|---|---|---|---|---|
DOC
    cat "$results"
    cat <<DOC

$verdict

Measured $(date -u +%Y-%m-%d) with:

    bench/import.sh      # SIZES="$SIZES" ROUNDS=$ROUNDS

$(nproc) cores, shared with everything else on the machine (the PostgreSQL server, sqlite3, Rally). SQLite
runs as Rally opens it (WAL, \`synchronous=NORMAL\`); sqlite3's \`.import\` with its defaults (rollback
journal, \`synchronous=FULL\`). PostgreSQL in a private cluster (\`scripts/with-postgres\` with
\`RALLY_PG_DURABLE=1\`: fsync, synchronous_commit and full_page_writes on). Load average (1, 5, 15 min)
before the run: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg).
DOC
} >"$section"

bench/write-section "$out" "$section" "$BEGIN_MARK" "$END_MARK" "$NOTES_MARK"
echo "bench: wrote its section of $out" >&2
cat "$section"
