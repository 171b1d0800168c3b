#!/usr/bin/env bash
# Runs the browser tests: builds rally, starts the demo on a fresh database and a free port, adds a
# viewer, and runs `node --test` against it with the machine's Chromium.
#   e2e/run.sh                 # the tests
#   e2e/run.sh screenshots     # docs/screenshots/*.png instead
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x /usr/bin/chromium ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }
(cd e2e && npm ci --no-audit --no-fund --silent)
cargo build -q --locked -p rally
rally=target/debug/rally

work=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
db="$work/e2e.db"
"$rally" demo --listen "127.0.0.1:$port" --database "$db" --data-dir "$work/files" >"$work/demo.out" 2>"$work/demo.err" &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 300); do grep -q "API token" "$work/demo.out" 2>/dev/null && curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
login=$(awk '$1 == "login" { print $2, $4 }' "$work/demo.out")
export RALLY_URL="http://127.0.0.1:$port" RALLY_EMAIL=${login% *} RALLY_PASSWORD=${login#* }
export RALLY_VIEWER_EMAIL=viewer.e2e@example.org RALLY_VIEWER_PASSWORD=viewer-e2e-password
printf '%s\n' "$RALLY_VIEWER_PASSWORD" | "$rally" user add --database "$db" --email "$RALLY_VIEWER_EMAIL" --name "Viewer E2E" >/dev/null
"$rally" campaign grant --database "$db" --campaign sat-kodiranja --email "$RALLY_VIEWER_EMAIL" --role viewer >/dev/null

cd e2e
if [ "${1:-}" = screenshots ]; then
    node screenshots.mjs
else
    node --test --test-concurrency=1 tests/
fi
