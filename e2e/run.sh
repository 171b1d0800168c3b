#!/usr/bin/env bash
# Runs the browser tests: builds rally, starts the demo on a fresh database and a free port, adds a
# viewer, and runs `node --test` against it with the machine's Chromium. Then the server's log (kept
# in target/e2e-server.log) is searched for personal data: e-mail addresses, the names of people in
# the database and secret link tokens (e2e/personal-data.py); any found fails the run.
#   e2e/run.sh                 # the tests
#   e2e/run.sh screenshots     # docs/screenshots/*.png instead
#   e2e/run.sh tests/site.test.mjs   # one file of tests
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x /usr/sbin/smtp-sink ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix >/dev/null; }
[ -x /usr/bin/chromium ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }
(cd e2e && npm ci --no-audit --no-fund --silent)
cargo build -q --locked -p rally
rally=target/debug/rally

work=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
db="$work/e2e.db"
# The demo's e-mail goes to Postfix's smtp-sink, which keeps every message as a file.
sink_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
chmod 755 "$work"   # smtp-sink writes as the postfix user
mkdir -m 777 "$work/sink"
/usr/sbin/smtp-sink -u postfix -d "$work/sink/%Y%m%d%H%M%S." "127.0.0.1:$sink_port" 64 &
sink=$!
# Every test signs in from the one loopback address: more than a person's hourly allowance. The log is
# read at the level an operator runs (the default, info), whatever this shell's RUST_LOG says.
env -u RUST_LOG "$rally" demo --sign-ins-per-hour 1000 --listen "127.0.0.1:$port" --database "$db" --data-dir "$work/files" \
    --mail "smtp://127.0.0.1:$sink_port?tls=none" >"$work/demo.out" 2>"$work/demo.err" &
pid=$!
trap 'kill $pid $sink 2>/dev/null || true; wait $pid $sink 2>/dev/null || true; rm -rf "$work"' EXIT
export RALLY_SINK_DIR="$work/sink"
for _ in $(seq 300); do grep -q "API token" "$work/demo.out" 2>/dev/null && curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
login=$(awk '$1 == "login" { print $2, $4 }' "$work/demo.out")
export RALLY_URL="http://127.0.0.1:$port" RALLY_EMAIL=${login% *} RALLY_PASSWORD=${login#* }
export RALLY_VIEWER_EMAIL=viewer.e2e@example.org RALLY_VIEWER_PASSWORD=viewer-e2e-password
printf '%s\n' "$RALLY_VIEWER_PASSWORD" | "$rally" user add --database "$db" --email "$RALLY_VIEWER_EMAIL" --name "Viewer E2E" >/dev/null
"$rally" campaign grant --database "$db" --campaign sat-kodiranja --email "$RALLY_VIEWER_EMAIL" --role viewer >/dev/null
export RALLY_TOTP_EMAIL=totp.e2e@example.org RALLY_TOTP_PASSWORD=totp-e2e-password && printf '%s\n' "$RALLY_TOTP_PASSWORD" | "$rally" user add --database "$db" --email "$RALLY_TOTP_EMAIL" --name "Totp E2E" >/dev/null

status=0
if [ "${1:-}" = screenshots ]; then
    (cd e2e && node screenshots.mjs) || status=$?
elif [ -n "${1:-}" ]; then
    (cd e2e && node --test --test-concurrency=1 "$@") || status=$?
else
    (cd e2e && node --test --test-concurrency=1 tests/) || status=$?
fi
# The whole story's log, once the server has stopped and written everything.
kill $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
cp "$work/demo.err" target/e2e-server.log
python3 e2e/personal-data.py target/e2e-server.log "$db" "$work/sink" e2e || status=1
exit $status
