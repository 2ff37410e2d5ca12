#!/bin/sh
# report.sh - `ganrun report RUN` on a real short run: the page has the SVG
# charts, the sample grids as data: URIs (decoding to the very PNG files),
# the model text; damaged runs (malformed rows, NaN, no samples, no log)
# still give a page; a non-run is one error line; and, when Chromium is
# installed, the page renders headless to a DOM with its svg/img elements
# and a non-trivial screenshot.
. "$(dirname "$0")/lib.sh"
M="$top_srcdir/models"
lib_tmp report
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

run="$tmp/run"
expect 0 "train ring 60 steps" "$G" "$M/ring.yaml" --set train.steps=60 --set output.sample_every=20 \
    --set output.log_every=5 --quiet --out "$run"
[ -s "$run/log.csv" ] && [ -s "$run/samples/step-00000060.png" ] || { bad "a run directory to report on"; finish; }

expect 0 "report" "$G" report "$run"
H="$run/report.html"
check "report.html written" '[ -s "$H" ]'
check "no temporary files left" '[ -z "$(ls "$run" | grep tmp)" ]'
check "html document" 'head -1 "$H" | grep -q "<!DOCTYPE html>" && tail -1 "$H" | grep -q "</html>"'
check "four svg charts (losses, D outputs, gradient norms, diversity)" '[ "$(count "<figure class=\"chart\"><svg " "$H")" -eq 4 ]'
check "two network drawings" '[ "$(count "<svg class=\"net\"" "$H")" -eq 2 ]'
check "seven polylines (d_loss, g_loss, D(x), D(G(z)), d/g grad norms, diversity)" '[ "$(count "<polyline" "$H")" -eq 7 ]'
check "polylines have 12 points each" \
    '[ "$(grep "<polyline" "$H" | sed "s/.*points=\"//; s/\".*//" | awk "{print NF}" | sort -u)" = 12 ]'
check "legend names the series" 'grep -q ">d_loss<" "$H" && grep -q ">g_loss<" "$H" && grep -q ">D(x)<" "$H" && grep -q ">D(G(z))<" "$H"'
check "axis ticks" 'grep -q "class=\"xtick\">60<" "$H" && grep -q "class=\"ytick\"" "$H"'
check "three sample grids embedded" '[ "$(count "<img src=\"data:image/png;base64," "$H")" -eq 3 ]'
sed -n 's/.*<img src="data:image\/png;base64,\([^"]*\)".*/\1/p' "$H" | head -1 | base64 -d >"$tmp/first.png" 2>/dev/null
check "first image decodes to samples/step-00000020.png" 'cmp -s "$tmp/first.png" "$run/samples/step-00000020.png"'
sed -n 's/.*<img src="data:image\/png;base64,\([^"]*\)".*/\1/p' "$H" | tail -1 | base64 -d >"$tmp/last.png" 2>/dev/null
check "last image decodes to samples/step-00000060.png" 'cmp -s "$tmp/last.png" "$run/samples/step-00000060.png"'
check "images in step order" '[ "$(grep -o "figcaption>step [0-9]*" "$H" | tr "\n" " ")" = "figcaption>step 20 figcaption>step 40 figcaption>step 60 " ]'
check "the run name" 'grep -q "<h1>ring</h1>" "$H"'
check "the model text, escaped" 'grep -q "name: &quot;ring&quot;" "$H" && grep -q "  - dense: {units: 128" "$H"'
check "timings: 60 steps" 'grep -q "<th>steps</th><td class=\"n\">60<" "$H"'
check "timings: images/s" 'grep -q "mean images/s" "$H"'
check "self-contained: no scripts, links or remote URLs" \
    '! grep -q -i -e "<script" -e "<link" -e "src=\"http" -e "url(" "$H"'

# a damaged copy: malformed rows, NaN, no samples folder
cp -r "$run" "$tmp/d"
printf '65,0,1.0,oops,0.5,0.5,0.0002,0.0002,1.0,100,0,1,1,0.3\n70,0,1.0\n75,0,nan,0.7,0.5,0.5,0.0002,0.0002,1.1,100,0,1,1,0.3\n80,0,1.2,0.7,0.5,0.5,0.0002,0.0002,1.2,100,0,1,1,0.3\n' >>"$tmp/d/log.csv"
rm -rf "$tmp/d/samples"
expect 0 "report: damaged log, no samples" "$G" report "$tmp/d"
check "2 malformed rows counted" 'grep -q "2 malformed rows" "$tmp/d/report.html"'
check "a NaN value noted" 'grep -q "1 NaN or infinite value" "$tmp/d/report.html"'
check "the NaN breaks the d_loss curve" '[ "$(count "<polyline" "$tmp/d/report.html")" -eq 8 ]'
check "no samples: a note" 'grep -q "No samples folder" "$tmp/d/report.html"'
: >"$tmp/d/log.csv"
expect 0 "report: empty log" "$G" report "$tmp/d"
check "empty log: no charts, a note" '! grep -q "class=\"chart\"><svg" "$tmp/d/report.html" && grep -q "no rows" "$tmp/d/report.html"'
rm "$tmp/d/log.csv"
expect 0 "report: no log" "$G" report "$tmp/d"
check "no log: a note" 'grep -q "No log.csv" "$tmp/d/report.html"'

# more grids than the cap: 24, evenly spaced, first and last included
mkdir -p "$tmp/many/samples"
cp "$run/model.yaml" "$tmp/many/"
i=1
while [ $i -le 40 ]; do cp "$run/samples/step-00000020.png" "$tmp/many/samples/step-$(printf %08d $((i * 10))).png"; i=$((i + 1)); done
echo "not a png" >"$tmp/many/samples/step-00000005.png"
expect 0 "report: 41 grids" "$G" report "$tmp/many"
check "at most 24 images" '[ "$(count "<img " "$tmp/many/report.html")" -eq 23 ]'
check "the first and the last step shown" 'grep -q "step 400<" "$tmp/many/report.html"'
check "the non-PNG left out with a note" 'grep -q "1 unreadable or non-PNG file" "$tmp/many/report.html"'

# not a run directory
mkdir "$tmp/empty"
expect 1 "report of an empty folder" "$G" report "$tmp/empty"
one_line "empty folder: one RUN: error: line" "^$tmp/empty: error: not a run directory"
expect 1 "report of a missing folder" "$G" report "$tmp/nope"
one_line "missing folder: one RUN: error: line" "^$tmp/nope: error: "
expect 1 "report of a file" "$G" report "$run/log.csv"
one_line "a file: one RUN: error: line" "error: not a run directory"
expect 2 "report without RUN" "$G" report
expect 2 "report with an unknown option" "$G" report --bogus "$run"

# rendering in a real browser
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then
    chrome() {
        prof=$(mktemp -d "$tmp/prof.XXXXXX")
        timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
            --disable-background-networking --disable-component-update --disable-sync \
            --user-data-dir="$prof" "$@" 2>"$tmp/chrome.err"
    }
    chrome --dump-dom "file://$H" >"$tmp/dom.html"
    check "chromium: DOM has 6 svg elements (4 charts, 2 networks)" '[ "$(count "<svg" "$tmp/dom.html")" -eq 6 ]'
    check "chromium: DOM has 7 polylines" '[ "$(count "<polyline" "$tmp/dom.html")" -eq 7 ]'
    check "chromium: DOM has 3 data: images" '[ "$(count "<img src=\"data:image/png;base64," "$tmp/dom.html")" -eq 3 ]'
    chrome --screenshot="$tmp/shot.png" --window-size=1200,2000 "file://$H" >/dev/null
    size=$(wc -c <"$tmp/shot.png" 2>/dev/null || echo 0)
    check "chromium: screenshot is a PNG over 30 KB ($size bytes)" \
        '[ "$size" -gt 30000 ] && [ "$(head -c 4 "$tmp/shot.png" | tail -c 3)" = PNG ]'
    [ -n "${REPORT_SHOT:-}" ] && cp "$tmp/shot.png" "$REPORT_SHOT"
else
    echo "SKIP: chromium not installed"
fi
# several runs on one page: `ganrun report RUN RUN -o FILE`
run2="$tmp/run2"
expect 0 "train a second ring run (another G learning rate)" "$G" "$M/ring.yaml" --set train.steps=60 \
    --set output.sample_every=20 --set output.log_every=5 --set train.optimizer.generator.lr=5.0e-4 --quiet --out "$run2"
C="$tmp/compare.html"
expect 0 "report of two runs" "$G" report "$run" "$run2" -o "$C"
check "prints the page's path" 'grep -qx "$C" "$tmp/out"'
check "two runs: seven charts (four curves, three health)" '[ "$(count "<svg " "$C")" -eq 7 ]'
check "two runs: seven polylines of run 0, seven of run 1" \
    '[ "$(count "class=\"run0\" points" "$C")" -eq 7 ] && [ "$(count "class=\"run1\" points" "$C")" -eq 7 ]'
check "two runs: every polyline has 12 points" \
    '[ "$(grep "<polyline" "$C" | sed "s/.*points=\"//; s/\".*//" | awk "{print NF}" | sort -u)" = 12 ]'
check "two runs: one colour per run" \
    '[ "$(grep "class=\"run0\" points" "$C" | sed "s/.*stroke=\"\([^\"]*\)\".*/\1/" | sort -u | wc -l)" -eq 1 ] &&
     [ "$(grep -o "stroke=\"[^\"]*\" stroke-width=\"1.6\" class=\"run0" "$C" | sort -u)" != "$(grep -o "stroke=\"[^\"]*\" stroke-width=\"1.6\" class=\"run1" "$C" | sort -u | sed s/run1/run0/)" ]'
check "legend: both runs named (same model name: the directories)" \
    'grep -q "<span class=\"run run0\">.*>run <small>" "$C" && grep -q "<span class=\"run run1\">.*>run2 <small>" "$C"'
check "final figures: a row per run, 60 steps each" '[ "$(count "<td class=\"n\">60</td>" "$C")" -eq 2 ]'
check "model differences: the learning rate, both values" \
    'grep -q "<code>train.optimizer.generator.lr</code></td><td><code>0.001</code></td><td><code>0.0005</code>" "$C"'
check "model differences: nothing else" '[ "$(grep -c "^<tr><td><code>" "$C")" -eq 1 ]'
check "each run's latest sample grid" '[ "$(count "alt=\"latest samples\"" "$C")" -eq 2 ] && grep -q "run2, step 60<" "$C"'
sed -n 's/.*<img src="data:image\/png;base64,\([^"]*\)".*/\1/p' "$C" | head -1 | base64 -d >"$tmp/c0.png" 2>/dev/null
check "run 0's grid is its samples/step-00000060.png" 'cmp -s "$tmp/c0.png" "$run/samples/step-00000060.png"'
check "two runs: self-contained" '! grep -q -i -e "<script" -e "<link" -e "src=\"http" -e "url(" "$C"'
Gabs=$(cd "$(dirname "$G")" && pwd)/ganrun
(cd "$tmp" && "$Gabs" report "$run" "$run2" >/dev/null 2>&1)
check "two runs without -o: ./report.html" '[ -s "$tmp/report.html" ]'
expect 1 "a non-run among the runs" "$G" report "$run" "$tmp/empty" -o "$C"
one_line "a non-run among the runs: one line" "^$tmp/empty: error: not a run directory"
expect 2 "report -o without a file" "$G" report "$run" -o
if [ -x "$CHROMIUM" ]; then
    chrome --dump-dom "file://$C" >"$tmp/cdom.html"
    check "chromium: two runs, 7 svg elements" '[ "$(count "<svg" "$tmp/cdom.html")" -eq 7 ]'
    check "chromium: 7 polylines with points per run" \
        '[ "$(grep -o "<polyline[^>]*class=\"run0\" points=\"[0-9]" "$tmp/cdom.html" | wc -l)" -eq 7 ] &&
         [ "$(grep -o "<polyline[^>]*class=\"run1\" points=\"[0-9]" "$tmp/cdom.html" | wc -l)" -eq 7 ]'
    chrome --screenshot="$tmp/cshot.png" --window-size=1200,2400 "file://$C" >/dev/null
    size=$(wc -c <"$tmp/cshot.png" 2>/dev/null || echo 0)
    check "chromium: two-run screenshot is a PNG over 30 KB ($size bytes)" \
        '[ "$size" -gt 30000 ] && [ "$(head -c 4 "$tmp/cshot.png" | tail -c 3)" = PNG ]'
    [ -n "${REPORT_SHOT:-}" ] && cp "$tmp/cshot.png" "${REPORT_SHOT%.png}-compare.png"
fi
finish
