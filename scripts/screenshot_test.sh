#!/usr/bin/env bash
# Render report.html in headless Chromium, save a PNG, and fail if the page logged
# console errors or the screenshot is blank. Reports must look right, not just parse.
#
# Usage: scripts/screenshot_test.sh [report.html ...]
# With no arguments, renders the reports of tests/report_render.rs (small real runs:
# a run, a comparison, `pathsim targets` and a tiny Sobol sweep) into
# target/report-screenshots/ and checks all four.
set -euo pipefail

cd "$(dirname "$0")/.."
out=target/report-screenshots
mkdir -p "$out"

if [ "$#" -eq 0 ]; then
    rm -rf "$out/run" "$out/compare" "$out/targets" "$out/sweep"
    PATHSIM_REPORT_OUT="$PWD/$out" cargo test --quiet --test report_render >/dev/null
    set -- "$out/run/report.html" "$out/compare/report.html" \
        "$out/targets/report.html" "$out/sweep/report.html"
fi

browser=""
for b in chromium chromium-browser google-chrome; do
    if command -v "$b" >/dev/null 2>&1; then browser=$b; break; fi
done
if [ -z "$browser" ]; then
    echo "installing chromium (Debian package)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
    browser=chromium
fi

status=0
for html in "$@"; do
    name=$(basename "$(dirname "$html")")
    png="$PWD/$out/$name.png"
    log="$PWD/$out/$name.log"
    profile=$(mktemp -d)
    rm -f "$png"
    "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" --hide-scrollbars \
        --enable-logging=stderr --v=0 \
        --window-size=1280,2000 --screenshot="$png" \
        "file://$(realpath "$html")" >"$log" 2>&1 || true
    rm -rf "$profile"
    if [ ! -s "$png" ]; then
        echo "FAIL $html: no screenshot (see $log)" >&2
        status=1
        continue
    fi
    # Console errors from the page (not the browser's own start-up noise).
    if grep -E "CONSOLE|Uncaught|Failed to load resource" "$log" >/dev/null; then
        echo "FAIL $html: console errors:" >&2
        grep -E "CONSOLE|Uncaught|Failed to load resource" "$log" >&2
        status=1
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
