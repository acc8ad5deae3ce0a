#!/usr/bin/env bash
# Fuzzes the hub's message handling (Fuzz/, a separate SwiftPM package) with libFuzzer under
# AddressSanitizer and LeakSanitizer, for a bounded time, starting from Fuzz/corpus/.
#
#   scripts/fuzz.sh [SECONDS] [--merge] [-- LIBFUZZER_FLAGS...]
#
#   SECONDS   how long to fuzz (default 60)
#   --merge   afterwards, merge the new inputs that add coverage into Fuzz/corpus/
#
# New inputs go to a temporary folder (deleted at the end unless merged); crashes, leaks
# and timeouts are written to Fuzz/.build/fuzz-artifacts/. The exit status is libFuzzer's:
# non-zero when it found something.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
merge=0
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        --merge) merge=1 ;;
        --) shift; extra=("$@"); break ;;
        ''|*[!0-9]*) echo "usage: $0 [SECONDS] [--merge] [-- LIBFUZZER_FLAGS...]" >&2; exit 2 ;;
        *) seconds="$1" ;;
    esac
    shift
done

# -sanitize=fuzzer links the libFuzzer runtime shipped with the toolchain; Fuzz/ holds the
# entry point SwiftPM expects (see Fuzz/Sources/CFuzzerMain). One Swift build at a time.
flock /tmp/swiftbuild.lock swift build -c release --package-path Fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
fuzzer=Fuzz/.build/release/SignalHubFuzz

artifacts=Fuzz/.build/fuzz-artifacts
mkdir -p "$artifacts"
new=$(mktemp -d /tmp/signalhub-fuzz.XXXXXX)
trap 'rm -rf "$new"' EXIT

# Swift's own crash backtracer would get in ASan's way.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:symbolize=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"

status=0
"$fuzzer" "$new" Fuzz/corpus \
    -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -detect_leaks=1 -print_final_stats=1 -artifact_prefix="$artifacts/" "${extra[@]}" || status=$?

echo "fuzz: $(ls "$new" | wc -l) new inputs this run; corpus $(ls Fuzz/corpus | wc -l) files, $(cat Fuzz/corpus/* | wc -c) bytes"
if [ "$status" -ne 0 ]; then
    echo "fuzz: libFuzzer exited with $status; findings in $artifacts/:" >&2
    ls -t "$artifacts" | head -5 >&2
    echo "fuzz: minimize with: $fuzzer -minimize_crash=1 -runs=100000 -exact_artifact_path=OUT FILE" >&2
    exit "$status"
fi

if [ "$merge" -eq 1 ]; then
    # Edges only (-use_counters=0): hit counts would keep a thousand near-duplicates.
    "$fuzzer" -merge=1 -use_counters=0 -max_len=4096 Fuzz/corpus "$new"
    files=$(ls Fuzz/corpus | wc -l)
    bytes=$(cat Fuzz/corpus/* | wc -c)
    echo "fuzz: corpus now $files files, $bytes bytes"
    if [ "$files" -gt 300 ] || [ "$bytes" -gt 1000000 ]; then
        echo "fuzz: the corpus is over 300 files or 1 MB: trim it before committing" >&2
    fi
fi
