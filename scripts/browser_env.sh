# Sourced by the browser checks (screenshot_test.sh, classroom_test.sh): sets
# $browser to a Chromium and makes sure node is there, installing Debian's
# chromium and nodejs with apt-get if either is missing (unattended).
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
