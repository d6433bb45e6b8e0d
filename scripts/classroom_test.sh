#!/usr/bin/env bash
# The live classroom page in a real browser: start `pathsim classroom` on a free
# port, drive the page in headless Chromium (scripts/classroom_check.js: move
# the dropout slider, wait for the running state and the redraw, check the
# headline fell and the page's layout), check the screenshot is not blank, and
# stop the server. Installs chromium and node with apt-get if missing; runs
# unattended (CI=true).
#
# Usage: scripts/classroom_test.sh   (the screenshot goes to target/classroom/)
set -euo pipefail

cd "$(dirname "$0")/.."
out=target/classroom
mkdir -p "$out"
# $PATHSIM: a binary already built (CI passes the one `cargo test --release`
# built: `cargo build` would rebuild it with other dependency features).
if [ -n "${PATHSIM:-}" ]; then exe=$PATHSIM; else cargo build --release --quiet; exe=target/release/pathsim; fi

# shellcheck source=scripts/browser_env.sh
source scripts/browser_env.sh

log="$out/server.log"
"$exe" classroom --port 0 >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
url=""
for _ in $(seq 1 100); do
    url=$(grep -o 'http://[0-9.:]*/' "$log" | head -1 || true)
    [ -n "$url" ] && break
    if ! kill -0 "$server" 2>/dev/null; then
        echo "FAIL: pathsim classroom stopped:" >&2
        cat "$log" >&2
        exit 1
    fi
    sleep 0.1
done
if [ -z "$url" ]; then
    echo "FAIL: pathsim classroom printed no address:" >&2
    cat "$log" >&2
    exit 1
fi

status=0
node scripts/classroom_check.js "$browser" "$url" "$PWD/$out" || status=1
if [ -s "$out/classroom.png" ]; then
    python3 scripts/png_check.py "$out/classroom.png" || status=1
else
    echo "FAIL: no screenshot of the classroom page" >&2
    status=1
fi
[ "$status" -eq 0 ] && echo "classroom page OK: $out/classroom.png"
exit "$status"
