#!/usr/bin/env bash
# Runs the standard load scenarios against a release hub on this machine, writes each
# one's JSON to bench-results/, and regenerates BENCHMARKS.md from them.
#   scripts/bench.sh              all scenarios (about 10 minutes; BENCH_REPEAT=1 for a quick look)
#   scripts/bench.sh moderate     one scenario: floor moderate heavy joinstorm onesession scale cluster
# Bounded: every run has a fixed duration, and everything goes to loopback addresses.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
# Every product: `--product` given several times builds only the last one.
swift build -c release >/dev/null
bin="$(swift build -c release --show-bin-path)"
out=bench-results
mkdir -p "$out"
export SIGNALHUB_SECRET="${SIGNALHUB_SECRET:-bench-secret-bench-secret-bench-secret-0123}"

hub_pid=""
start_hub() {  # start_hub [serve options...]: a release hub on a free port, no rate limit
    "$bin/signalhub" serve --port 0 --rate-limit 0 --log-level warning --static-dir "" "$@" > "$out/hub.out" 2> "$out/hub.err" &
    hub_pid=$!
    for _ in $(seq 100); do grep -q listening "$out/hub.out" 2>/dev/null && break; sleep 0.1; done
    hub_url=$(sed -n 's/^signalhub listening on //p' "$out/hub.out")
    [ -n "$hub_url" ] || { echo "hub did not start" >&2; cat "$out/hub.err" >&2; exit 1; }
}
stop_hub() {
    if [ -n "$hub_pid" ]; then kill "$hub_pid" 2>/dev/null || true; wait "$hub_pid" 2>/dev/null || true; fi
    hub_pid=""
}
trap stop_hub EXIT

load() {  # load NAME [signalhub-load options...]; also keeps the hub's frame counters
    local name=$1; shift
    echo "== $name" >&2
    # The hub's send() calls, when perf can count them: more than one per frame written
    # means something splits writes (lws once cut every send() to 512 bytes).
    local counter=""
    if perf stat -x, -e syscalls:sys_enter_sendto -o /dev/null -- true 2>/dev/null; then
        perf stat -x, -e syscalls:sys_enter_sendto -p "$hub_pid" -o "$out/$name-sends.csv" 2>/dev/null &
        counter=$!
    fi
    "$bin/signalhub-load" --hub "$hub_url" --hub-pid "$hub_pid" --json "$@" > "$out/$name.json" || {
        echo "$name: the run reported failures (see $out/$name.json)" >&2; }
    if [ -n "$counter" ]; then kill -INT "$counter" 2>/dev/null || true; wait "$counter" 2>/dev/null || true; fi
    python3 - "$hub_url/metrics" > "$out/$name-metrics.json" <<'PY'
import json, sys, urllib.request
text = urllib.request.urlopen(sys.argv[1], timeout=10).read().decode()
wanted = ("signalhub_messages_sent_total", "signalhub_frames_written_total")
print(json.dumps({k: float(v) for k, v in (l.split() for l in text.splitlines() if l.split(" ")[0] in wanted)}))
PY
}

# pin_floor NAME REPEAT: the floors a run is set against, as they stand when it has run, so
# that a later partial run (`bench.sh floor moderate`) does not re-base older results. The
# after-floor counts only once this invocation has measured it.
pin_floor() {
    python3 - "$out" "$1" "$2" "${after_measured:-}" <<'PY'
import json, os, sys
out, name, repeat, after = sys.argv[1:]
def us(file):
    try:
        with open(os.path.join(out, file)) as f:
            return json.load(f)["microsecondsPerSend"]
    except (OSError, ValueError, KeyError):
        return None
pinned = {"before": us(f"floor-200x1-{repeat}.json"), "after": us(f"floor-after-200x1-{repeat}.json") if after == repeat else None}
with open(os.path.join(out, f"{name}-floor.json"), "w") as f:
    json.dump(pinned, f)
PY
}

# The short scenarios run this many times and the report shows the median run (these
# shared machines drift by tens of percent within minutes); scale and cluster run once.
repeat=${BENCH_REPEAT:-3}
scenarios=("$@")
run() { local scenario=$1; [ ${#scenarios[@]} -eq 0 ] || [[ " ${scenarios[*]} " == *" $scenario "* ]]; }

for i in $(seq "$repeat"); do
    # Each repeat measures its own floor first: the ratios compare figures taken minutes
    # apart at most, not across the whole run.
    if run floor; then
        echo "== floor $i" >&2
        "$bin/signalhub-floor" --sockets 200 --size 320 --json > "$out/floor-200x1-$i.json"
        "$bin/signalhub-floor" --sockets 200 --size 320 --batch 8 --sends 50000 --json > "$out/floor-200x8-$i.json"
    fi
    if run moderate; then
        start_hub; load "moderate-$i" --sessions 20 --participants 10 --rate 2222 --duration 10; stop_hub
        start_hub --coalesce-us 500; load "moderate-coalesced-$i" --sessions 20 --participants 10 --rate 2222 --duration 10; stop_hub
        # The floor again: the ratios use the mean of the two, which evens out drift
        # during the 20 s of runs between them.
        if run floor; then
            echo "== floor after $i" >&2
            "$bin/signalhub-floor" --sockets 200 --size 320 --json > "$out/floor-after-200x1-$i.json"
            after_measured=$i
        fi
        pin_floor "moderate-$i" "$i"; pin_floor "moderate-coalesced-$i" "$i"
    fi
    if run heavy; then
        start_hub; load "heavy-$i" --sessions 4 --participants 50 --closed-loop --duration 10; stop_hub
        start_hub --coalesce-us 2000; load "heavy-coalesced-$i" --sessions 4 --participants 50 --closed-loop --duration 10; stop_hub
        pin_floor "heavy-$i" "$i"; pin_floor "heavy-coalesced-$i" "$i"
    fi
    if run joinstorm; then
        start_hub; load "joinstorm-$i" --sessions 200 --participants 10 --ramp 2000 --rate 0 --duration 1; stop_hub
    fi
    if run onesession; then
        start_hub --max-participants 1000; load "onesession-$i" --sessions 1 --participants 1000 --ramp 1000 --rate 0 --duration 1; stop_hub
    fi
done
if run scale; then
    # 2,000 sessions x 100 when the descriptor limit allows; otherwise as many sessions of
    # 100 as fit under it (each side of a connection is one descriptor per process).
    limit=$(ulimit -Hn)
    [ "$limit" = unlimited ] && limit=1048576
    sessions=$(( (limit - 1000) / 100 )); [ "$sessions" -gt 2000 ] && sessions=2000
    echo "$limit" > "$out/scale-fd-limit.txt"
    start_hub --max-participants 100 --max-connections $(( sessions * 100 + 100 ))
    load scale --sessions "$sessions" --participants 100 --ramp 4000 --max-pending 1000 --rate 0 --duration 20 --source-addresses 12 --track-rosters 2 --end drop
    stop_hub
fi
if run cluster; then
    # The moderate load spread over three nodes on one redis-server: each session's members
    # go round the nodes, so nearly every event crosses nodes through Redis.
    redis_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no > "$out/redis.log" 2>&1 &
    redis_pid=$!
    for _ in $(seq 100); do redis-cli -p "$redis_port" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
    node_urls=(); node_pids=()
    for node in a b c; do
        "$bin/signalhub" serve --port 0 --rate-limit 0 --log-level warning --static-dir "" \
            --redis "redis://127.0.0.1:$redis_port" --redis-prefix bench: --node-id "$node" > "$out/node-$node.out" 2> "$out/node-$node.err" &
        node_pids+=("$!")
        for _ in $(seq 100); do grep -q listening "$out/node-$node.out" 2>/dev/null && break; sleep 0.1; done
        node_urls+=(--hub "$(sed -n 's/^signalhub listening on //p' "$out/node-$node.out")")
    done
    redis_cpu() { awk '{ print ($14 + $15) / '"$(getconf CLK_TCK)"' }' "/proc/$redis_pid/stat"; }
    before=$(redis_cpu)
    echo "== cluster-moderate" >&2
    "$bin/signalhub-load" "${node_urls[@]}" $(printf -- '--hub-pid %s ' "${node_pids[@]}") --json \
        --sessions 20 --participants 10 --rate 2222 --duration 10 > "$out/cluster-moderate.json" || {
        echo "cluster-moderate: the run reported failures (see $out/cluster-moderate.json)" >&2; }
    echo "{\"redisCPUSeconds\": $(python3 -c "print($(redis_cpu) - $before)")}" > "$out/cluster-redis.json"
    kill "${node_pids[@]}" 2>/dev/null || true; wait "${node_pids[@]}" 2>/dev/null || true
    kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true
fi
python3 scripts/bench_report.py "$out" > BENCHMARKS.md
echo "wrote BENCHMARKS.md" >&2
exit 0
