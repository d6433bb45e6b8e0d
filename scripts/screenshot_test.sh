#!/usr/bin/env bash
# Render every report kind (run, compare, targets, sweep, lesson) in headless
# Chromium and check what a reader sees, not only that the page parses:
#   - scripts/report_check.js drives Chromium over its DevTools protocol and fails on
#     console errors, repeated tick labels on any chart axis ("54%, 54%, 54%"), text
#     overflowing its headline card (laid-out bounding boxes) and chart text outside
#     its chart; it saves a full-page PNG of each page;
#   - the PNGs must not be blank.
# The checker first proves it catches those defects on a small page that has them.
#
# Usage: scripts/screenshot_test.sh [report.html ...]
# With no arguments, renders the reports of tests/report_render.rs (small real runs:
# a run, a comparison, `pathsim targets` and a tiny Sobol sweep) and a retention
# lesson into target/report-screenshots/ and checks all five. Installs chromium
# (and node) with apt-get if missing; runs unattended (CI=true).
set -euo pipefail

cd "$(dirname "$0")/.."
out=target/report-screenshots
mkdir -p "$out"

if [ "$#" -eq 0 ]; then
    rm -rf "$out/run" "$out/compare" "$out/targets" "$out/sweep" "$out/lesson"
    PATHSIM_REPORT_OUT="$PWD/$out" cargo test --release --quiet --test report_render >/dev/null
    # $PATHSIM: a binary already built (CI passes the one `cargo test --release`
    # built: `cargo build` would rebuild it with other dependency features).
    if [ -n "${PATHSIM:-}" ]; then exe=$PATHSIM; else cargo build --release --quiet; exe=target/release/pathsim; fi
    "$exe" lesson retention --quiet --scale 2000 --out "$out/lesson" >/dev/null
    set -- "$out/run/report.html" "$out/compare/report.html" \
        "$out/targets/report.html" "$out/sweep/report.html" "$out/lesson/lesson.html"
fi

# shellcheck source=scripts/browser_env.sh
source scripts/browser_env.sh

status=0
# The checker must catch the defects it is for: a page with repeated tick labels,
# a card overflowed by a long name and a label off its chart must fail.
selftest=$(mktemp -d)
mkdir -p "$selftest/defects"
cat >"$selftest/defects/report.html" <<'HTML'
<!DOCTYPE html><html><head><style>
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 12px; width: 800px; }
.card { border: 1px solid #ccc; padding: 10px 14px; }
.card .value code { font-size: 16px; }
</style></head><body><div class="cards">
<div class="card"><div class="label">moves x most</div><div class="value"><code>treatment.<wbr>offending_multiplier_in_treatment</code></div></div>
<div class="card"><div class="label">b</div><div class="value">1</div></div></div>
<svg width="400" height="200" viewBox="0 0 400 200" xmlns="http://www.w3.org/2000/svg">
<text x="80" y="20" text-anchor="end">54%</text><text x="80" y="60" text-anchor="end">54%</text>
<text x="80" y="100" text-anchor="end">54%</text><text x="80" y="140" text-anchor="end">55%</text>
<text x="390" y="180">a label that runs off the right edge of the chart</text>
</svg></body></html>
HTML
if found=$(node scripts/report_check.js "$browser" "$selftest" "$selftest/defects/report.html"); then
    echo "FAIL: the checker passed a page with repeated ticks and overflowing text:" >&2
    echo "$found" >&2
    status=1
else
    for want in "repeats tick labels" "overflows it" "text outside the chart"; do
        if ! grep -q "$want" <<<"$found"; then
            echo "FAIL: the checker missed a defect ($want):" >&2
            echo "$found" >&2
            status=1
        fi
    done
fi
rm -rf "$selftest"

if ! node scripts/report_check.js "$browser" "$PWD/$out" "$@"; then
    status=1
fi

for html in "$@"; do
    name=$(basename "$(dirname "$html")")
    png="$PWD/$out/$name.png"
    if [ ! -s "$png" ]; then
        echo "FAIL $html: no screenshot" >&2
        status=1
        continue
    fi

    # Not blank: decode the PNG with the standard library and require many distinct
    # pixel values and a good share of non-white pixels.
    python3 scripts/png_check.py "$png" || status=1
done
[ "$status" -eq 0 ] && echo "screenshots OK: $out/*.png"
exit "$status"
