#!/usr/bin/env bash
# Two short runs of signalhub-load against fresh debug hubs. Each fails unless every member
# joined, no one saw a seq gap, all rosters agree, no error came back and the JSON report
# adds up.
#  1. 4 sessions x 6 members, open-loop toggles for 3 seconds, then everyone leaves.
#  2. 3 sessions x 5, closed loop for 2 seconds, all due at once but capped at 3 pending, against a hub
#     that coalesces writes (2 ms) and gives heap blocks from 64 KiB their own pages: the
#     non-default serve and load options, which the benchmarks rely on, kept working.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(swift build --show-bin-path)"
out=test-output
mkdir -p "$out"
export SIGNALHUB_SECRET="load-smoke-secret-load-smoke-secret-0123"
hub=""
trap '[ -z "$hub" ] || { kill $hub 2>/dev/null; wait $hub 2>/dev/null || true; }' EXIT

start_hub() {  # start_hub NAME [serve options...]: sets hub and url
    local name=$1; shift
    "$bin/signalhub" serve --port 0 --log-level warning --static-dir "" "$@" > "$out/$name-hub.out" 2> "$out/$name-hub.err" &
    hub=$!
    for _ in $(seq 100); do grep -q listening "$out/$name-hub.out" 2>/dev/null && break; sleep 0.1; done
    url=$(sed -n 's/^signalhub listening on //p' "$out/$name-hub.out")
    [ -n "$url" ] || { echo "load smoke: the hub did not start" >&2; cat "$out/$name-hub.err" >&2; exit 1; }
}
stop_hub() { kill "$hub" 2>/dev/null || true; wait "$hub" 2>/dev/null || true; hub=""; }

# check_report FILE MAX_PENDING: the JSON report adds up (every join timed once, in its
# handshake and in one tenth of the ramp) and the pending-join cap held.
check_report() {
    python3 - "$1" "$2" <<'PY'
import json, sys
report, cap = json.load(open(sys.argv[1])), int(sys.argv[2])
joined = report["joined"]
assert report["passed"], report["errors"]
assert report["joinLatency"]["count"] == joined, report["joinLatency"]
assert report["handshakeLatency"]["count"] == joined, report["handshakeLatency"]
assert report["handshakeLatency"]["maxMs"] <= report["joinLatency"]["maxMs"], "a handshake outlasted its join"
assert sum(t["count"] for t in report["joinLatencyByRampTenth"]) == joined, report["joinLatencyByRampTenth"]
# With a cap, the ramp is fast enough to hit it: reaching it exactly shows it binds.
assert report["peakPendingJoins"] == cap if cap else 1 <= report["peakPendingJoins"] <= joined, \
    f"peak pending joins {report['peakPendingJoins']}, cap {cap}"
print(f"load smoke: {joined} joined, report consistent, peak pending joins {report['peakPendingJoins']}")
PY
}

start_hub load-smoke
timeout 60 "$bin/signalhub-load" --hub "$url" --hub-pid "$hub" --sessions 4 --participants 6 --rate 200 --duration 3 --source-addresses 2 --json > "$out/load-smoke.json" \
    || { cat "$out/load-smoke.json" >&2; exit 1; }
check_report "$out/load-smoke.json" 0
stop_hub

start_hub load-smoke-options --rate-limit 0 --coalesce-us 2000 --own-pages-from 65536
timeout 60 "$bin/signalhub-load" --hub "$url" --hub-pid "$hub" --sessions 3 --participants 5 --closed-loop --duration 2 --ramp 100000 --max-pending 3 --json > "$out/load-smoke-options.json" \
    || { cat "$out/load-smoke-options.json" >&2; exit 1; }
check_report "$out/load-smoke-options.json" 3
stop_hub
