#!/usr/bin/env bash
# The randomized consistency soak (tests/e2e/test_resilience_soak.py), long: by default
# 1000 clients over 50 sessions for 120 s against a fresh hub. The normal suite runs a
# short version (200 clients, 8 s). Build the hub first (swift build).
#
#   scripts/soak.sh                                        1000 clients, 120 s, random seed
#   SIGNALHUB_SOAK_SEED=123 scripts/soak.sh                replay the scripts of seed 123
#   SIGNALHUB_SOAK_CLIENTS=300 SIGNALHUB_SOAK_SECONDS=600 scripts/soak.sh
#   (also SIGNALHUB_SOAK_GRACE, default 2 here, and SIGNALHUB_SOAK_THINK, default 0.3)
#
# The seed is printed at the start and in the failure message. Extra arguments go to
# pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --with-tests

# Each client is a socket in this process and in the hub.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

export SIGNALHUB_SOAK_CLIENTS="${SIGNALHUB_SOAK_CLIENTS:-1000}"
export SIGNALHUB_SOAK_SECONDS="${SIGNALHUB_SOAK_SECONDS:-120}"
# Under this load a reconnect takes a while: a longer grace period lets more resumes succeed.
export SIGNALHUB_SOAK_GRACE="${SIGNALHUB_SOAK_GRACE:-2}"
export SIGNALHUB_LOG_LEVEL="${SIGNALHUB_LOG_LEVEL:-info}"
export SIGNALHUB_BIN="${SIGNALHUB_BIN:-$(swift build --show-bin-path)/signalhub}"
mkdir -p test-output
exec python3 -m pytest tests/e2e/test_resilience_soak.py -q -s -p no:cacheprovider "$@"
