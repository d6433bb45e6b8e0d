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
    cargo build --release --quiet
    target/release/pathsim lesson retention --quiet --scale 2000 --out "$out/lesson" >/dev/null
    set -- "$out/run/report.html" "$out/compare/report.html" \
        "$out/targets/report.html" "$out/sweep/report.html" "$out/lesson/lesson.html"
fi

browser=""
for b in chromium chromium-browser google-chrome; do
    if command -v "$b" >/dev/null 2>&1; then browser=$(command -v "$b"); break; fi
done
need=""
[ -n "$browser" ] || need="chromium"
command -v node >/dev/null 2>&1 || need="$need nodejs"
if [ -n "$need" ]; then
    echo "installing$need (Debian packages)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq $need >/dev/null
    [ -n "$browser" ] || browser=$(command -v chromium)
fi

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
    python3 - "$png" <<'PY' || status=1
import struct, sys, zlib
path = sys.argv[1]
data = open(path, "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, width, height, bpp = 8, b"", 0, 0, 4
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
        bpp = {2: 3, 6: 4, 0: 1, 4: 2}[ctype] * depth // 8
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
stride = width * bpp
rows, prev, i = [], bytearray(stride), 0
for _ in range(height):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(bytes(line))
    prev = line
colours, ink = set(), 0
for r in rows[::4]:
    for x in range(0, stride, bpp * 2):
        px = r[x:x + 3]
        colours.add(px)
        if min(px) < 200:
            ink += 1
sampled = (height // 4 + 1) * (width // 2)
share = ink / sampled
print(f"{path}: {width}x{height}, {len(colours)} distinct colours, {share:.1%} inked")
if len(colours) < 50 or share < 0.02:
    print(f"FAIL {path}: looks blank", file=sys.stderr)
    sys.exit(1)
PY
done
[ "$status" -eq 0 ] && echo "screenshots OK: $out/*.png"
exit "$status"
