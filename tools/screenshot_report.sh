#!/usr/bin/env bash
# Renders the HTML compare report and screenshots it with headless Chromium, to look at the page (dev only; Chromium
# is no build dependency: `apt-get install chromium` on Debian). The report comes from `qeval compare --format html`
# on a synthetic database made like tools/bench_compare.sh's (3 variants x 3 tasks, 4 samples each, with responses;
# four earlier nights stored first, dated back, so the trend charts have history). When this qeval has no
# --format html yet (or with SOURCE=test), the page is the one test_compare_html.cpp builds by hand, written by the
# test through QEVAL_HTML_OUT. Writes OUT_PNG (whole page as the window shows it) and OUT_PNG with -open before .png
# (every <details> opened, to see the responses side by side); the HTML is kept beside them.
#
# Usage: tools/screenshot_report.sh [BUILD_DIR] [OUT_PNG]   (default build, /tmp/qeval-report.png)
#        SOURCE=db|test|auto (auto)   WINDOW=1400,3000 (the window size Chromium renders and shoots)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
[[ $build = /* ]] || build=$root/$build
png=${2:-/tmp/qeval-report.png}
html=${png%.png}.html
window=${WINDOW:-1400,3000}
from=${SOURCE:-auto}
browser=$(command -v chromium || command -v chromium-browser || true)
[[ -n $browser ]] || { echo "no chromium: apt-get install -y chromium" >&2; exit 1; }
[[ -f $build/CMakeCache.txt ]] || cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target qeval -j"$(nproc)" >/dev/null
qeval=$build/qeval
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [[ $from = auto ]]; then
    from="test"
    "$qeval" compare --help 2>&1 | grep -q html && from="db"
fi

if [[ $from = test ]]; then
    cmake --build "$build" --target qeval_tests -j"$(nproc)" >/dev/null
    QEVAL_HTML_OUT=$html "$build/tests/qeval_tests" "html report is one page with the charts*" >/dev/null
    echo "page: the hand-built sample of tests/reports/test_compare_html.cpp"
else
    db=$tmp/report.sqlite
    echo '{"id": "none", "response": "x"}' >"$tmp/r.jsonl"
    "$qeval" run --task math500 --variant schema --runner replay --responses "$tmp/r.jsonl" --limit 1 --quiet \
        --data-dir "$root/examples/demo-data" --db "$db" >/dev/null
    python3 "$root/tools/screenshot_report_db.py" fill "$db"
    for night in 1 2 3 4; do
        python3 "$root/tools/screenshot_report_db.py" perturb "$db" "$night"
        "$qeval" compare --baseline v0 --candidate v1 --candidate v2 --resamples 1000 --db "$db" >/dev/null 2>&1
        python3 "$root/tools/screenshot_report_db.py" date "$db" "$night"
    done
    python3 "$root/tools/screenshot_report_db.py" perturb "$db" 5
    "$qeval" compare --baseline v0 --candidate v1 --candidate v2 --resamples 1000 --db "$db" --format html \
        --out "$html" 2>/dev/null
    echo "page: qeval compare --format html on a synthetic database"
fi

shoot() { # html png
    "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="$window" \
        --screenshot="$2" "file://$1" >/dev/null 2>&1
}
shoot "$html" "$png"
sed 's/<details>/<details open>/g' "$html" >"${html%.html}-open.html"
shoot "${html%.html}-open.html" "${png%.png}-open.png"
echo "wrote $html, $png and ${png%.png}-open.png"
