#!/usr/bin/env bash
# Starts a hub for local testing: dev mode (dev logins, a generated secret unless
# SIGNALHUB_SECRET is set), the browser test page at http://127.0.0.1:8080/.
# Extra arguments go to `signalhub serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec swift run signalhub serve --dev "$@"
