#!/usr/bin/env bash
# Runs every test: the Swift unit tests (core, wire, tokens), then the end-to-end suite,
# which starts real hubs on free loopback ports and drives them over real sockets with
# Python's websockets client, then the JavaScript SDK's unit tests and the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --with-tests

mkdir -p test-output
swift build --build-tests
swift test --skip-build

SIGNALHUB_BIN="$(swift build --show-bin-path)/signalhub" python3 -m pytest tests/e2e -q -p no:cacheprovider

# Multi-node mode: three hub nodes on a real redis-server that the tests start, stop and
# restart on a free loopback port, and a node killed with SIGKILL.
SIGNALHUB_BIN="$(swift build --show-bin-path)/signalhub" python3 -m pytest tests/cluster -q -p no:cacheprovider

# The load tool, briefly: a few sessions, a few seconds, and it must report zero errors,
# zero seq gaps and agreeing rosters (it exits 1 otherwise).
scripts/load-smoke.sh

# The JavaScript SDK: unit tests of its roster, connection and session logic under Node
# (files listed by the shell, which every Node version accepts), then the browser tests:
# headless chromium with fake camera and microphone against a real hub serving
# web-test-page/. `timeout` bounds them; its SIGTERM still lets pytest quit chromium.
node --test tests/sdk/*.test.mjs
SIGNALHUB_BIN="$(swift build --show-bin-path)/signalhub" \
    timeout --kill-after=20 300 python3 -m pytest tests/browser -q -p no:cacheprovider
