#!/usr/bin/env bash
# Installs what building and testing SignalHub needs on Debian: the C libraries (with
# pkg-config) and the Python packages of the end-to-end tests. Idempotent: it installs
# only what is missing, so the run and test scripts call it every time.
set -euo pipefail
cd "$(dirname "$0")/.."

debian_packages=(pkg-config libwebsockets-dev libwebsockets-evlib-uv libuv1-dev libjansson-dev libhiredis-dev openssl)
if [ "${1:-}" = "--with-tests" ]; then
    # Tests only: the browser tests drive Debian's chromium through chromium-driver, and
    # the JavaScript SDK's unit tests run under Node, and the cluster tests start their
    # own redis-server.
    debian_packages+=(chromium chromium-driver nodejs redis-server)
fi

missing=()
for package in "${debian_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "bootstrap: installing ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "${1:-}" = "--with-tests" ]; then
    if ! python3 -c "import websockets, jwt, pytest" 2>/dev/null; then
        echo "bootstrap: installing the end-to-end tests' Python packages" >&2
        python3 -m pip install -q --disable-pip-version-check -r tests/e2e/requirements.txt
    fi
    if ! python3 -c "import selenium" 2>/dev/null; then
        echo "bootstrap: installing the browser tests' Python packages" >&2
        python3 -m pip install -q --disable-pip-version-check -r tests/browser/requirements.txt
    fi
fi
