#!/usr/bin/env bash
# Runs every test: the Swift unit tests (core, wire, tokens), then the end-to-end suite,
# which starts real hubs on free loopback ports and drives them over real sockets with
# Python's websockets client.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --with-tests

mkdir -p test-output
swift build --build-tests
swift test --skip-build

SIGNALHUB_BIN="$(swift build --show-bin-path)/signalhub" python3 -m pytest tests/e2e -q -p no:cacheprovider
