#!/usr/bin/env bash
# A short run of signalhub-load against a fresh debug hub: 4 sessions x 6 members, open-loop
# toggles for 3 seconds, then everyone leaves. Fails unless every member joined, no one saw
# a seq gap, all rosters agree and no error came back.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(swift build --show-bin-path)"
out=test-output
mkdir -p "$out"
export SIGNALHUB_SECRET="load-smoke-secret-load-smoke-secret-0123"
"$bin/signalhub" serve --port 0 --log-level warning --static-dir "" > "$out/load-smoke-hub.out" 2> "$out/load-smoke-hub.err" &
hub=$!
trap 'kill $hub 2>/dev/null; wait $hub 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q listening "$out/load-smoke-hub.out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^signalhub listening on //p' "$out/load-smoke-hub.out")
[ -n "$url" ] || { echo "load smoke: the hub did not start" >&2; cat "$out/load-smoke-hub.err" >&2; exit 1; }
timeout 60 "$bin/signalhub-load" --hub "$url" --hub-pid "$hub" --sessions 4 --participants 6 --rate 200 --duration 3 --source-addresses 2
