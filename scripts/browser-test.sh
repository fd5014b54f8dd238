#!/usr/bin/env bash
# Installs Debian's chromium when absent (needs root and the Debian archive), then runs the
# obi-server browser test: the service on 127.0.0.1, chromium headless loads a credential page
# and submits /verify; the screenshots' paths are printed (under target/tmp/browser/).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ] && [ -z "${OBI_CHROMIUM:-}" ]; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
    else
        echo "browser-test: /usr/bin/chromium is absent; run as root or: sudo apt-get install -y chromium" >&2
    fi
fi
exec cargo test -p obi-server --locked --test browser "$@"
