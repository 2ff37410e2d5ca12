#!/bin/sh
# outputs.sh - no output replaces what it should not (issue 29): every -o
# of sample (and --latents-out), export, interpolate and report goes
# through the output-path guard and libgan's one atomic writer.  A path
# that is one of a run directory's own files, an existing file of another
# kind, or a symbolic link is refused with one line and exit 1 unless
# --force; a device (/dev/full), a FIFO or a folder is refused even with
# --force; a write that fails (ulimit -f) leaves the old file byte for
# byte and no temporary file; a replaced hard link keeps the other name's
# bytes (export -o RUN/latest.ckpt --force leaves ckpt/step-N.ckpt).
. "$(dirname "$0")/lib.sh"
M="$top_srcdir/models"
lib_tmp outputs
sum() { cksum <"$1"; }
no_tmp() { [ -z "$(find "$tmp" -name '*.tmp.*' | head -1)" ]; }

R="$tmp/run"
expect 0 "a short run" "$G" "$M/ring.yaml" --set train.steps=20 --set output.checkpoint_every=10 \
    --set output.sample_every=10 --out "$R" --quiet
onnx=1
"$G" export "$R" -o "$tmp/probe.onnx" 2>"$tmp/err" || { grep -q "without ONNX support" "$tmp/err" && onnx=0; }
rm -f "$tmp/probe.onnx"
step=$(ls "$R/ckpt" | tail -1)
c0=$(sum "$R/latest.ckpt"); s0=$(sum "$R/ckpt/$step"); l0=$(sum "$R/log.csv"); m0=$(sum "$R/model.yaml")
g0=$(sum "$R/samples/$(ls "$R/samples" | tail -1)")
unchanged() {
    [ "$(sum "$R/latest.ckpt")" = "$c0" ] && [ "$(sum "$R/ckpt/$step")" = "$s0" ] && [ "$(sum "$R/log.csv")" = "$l0" ] &&
        [ "$(sum "$R/model.yaml")" = "$m0" ] && [ "$(sum "$R/samples/$(ls "$R/samples" | tail -1)")" = "$g0" ]
}

# ---- a run directory's own files
run_file() {   # DESCRIPTION CMD... (the last argument of CMD is the -o path)
    what=$1; shift
    expect 1 "$what: refused" "$@"
    one_line "$what: one line naming the run" "is one of the files of the run directory"
    check "$what: the run is byte-identical" unchanged
}
[ $onnx = 1 ] && run_file "export -o RUN/latest.ckpt" "$G" export "$R" -o "$R/latest.ckpt"
[ $onnx = 1 ] && run_file "export -o RUN/ckpt/step-N.ckpt" "$G" export "$R" -o "$R/ckpt/$step"
run_file "report -o RUN/log.csv" "$G" report "$R" -o "$R/log.csv"
run_file "report -o RUN/model.yaml" "$G" report "$R" -o "$R/model.yaml"
run_file "sample -o RUN/log.csv" "$G" sample "$R" -o "$R/log.csv"
run_file "sample -o RUN/samples/step-N.png" "$G" sample "$R" -o "$R/samples/$(ls "$R/samples" | tail -1)"
run_file "sample --latents-out RUN/events.csv" "$G" sample "$R" -o "$tmp/s.png" --latents-out "$R/events.csv"
run_file "interpolate -o RUN/samples/new.png" "$G" interpolate "$R" -o "$R/samples/new.png"
check "no temporary file left" no_tmp
expect 0 "report: RUN/report.html is not one of the run's own files" "$G" report "$R"
expect 0 "report again over its own page" "$G" report "$R"
expect 0 "sample -o RUN/extra.png: a new name in the run directory" "$G" sample "$R" -o "$R/extra.png" -n 4

# ---- --force: the link is replaced, never written through
if [ $onnx = 1 ]; then
    expect 0 "export -o RUN/latest.ckpt --force" "$G" export "$R" -o "$R/latest.ckpt" --force
    check "--force: ckpt/step-N.ckpt (latest.ckpt's hard link) keeps its bytes" '[ "$(sum "$R/ckpt/$step")" = "$s0" ]'
    check "--force: latest.ckpt now holds the ONNX model" '[ "$(sum "$R/latest.ckpt")" != "$c0" ]'
    ln -f "$R/ckpt/$step" "$R/latest.ckpt"
    check "the run is byte-identical again" unchanged
fi

# ---- existing files of another kind
printf 'step,d_loss\n1,0.5\n' >"$tmp/log.csv"
cp "$R/latest.ckpt" "$tmp/model.onnx"
kind() {   # DESCRIPTION FILE CMD...
    what=$1; f=$2; shift 2
    before=$(sum "$f")
    expect 1 "$what: refused" "$@"
    one_line "$what: one line" "refusing to replace it (--force replaces it)"
    check "$what: left as it was" '[ "$(sum "$f")" = "$before" ]'
}
[ $onnx = 1 ] && kind "export over a checkpoint" "$tmp/model.onnx" "$G" export "$R" -o "$tmp/model.onnx"
grep -q "is a ganrun checkpoint, not an ONNX model" "$tmp/err" && ok "the message names both kinds" ||
    { [ $onnx = 0 ] || bad "the message names both kinds: $(cat "$tmp/err")"; }
kind "sample -o over a CSV with a header" "$tmp/log.csv" "$G" sample "$R" -o "$tmp/log.csv"
cp "$tmp/log.csv" "$tmp/page.html"
kind "report -o over a CSV" "$tmp/page.html" "$G" report "$R" -o "$tmp/page.html"
cp "$R/latest.ckpt" "$tmp/x.png"
kind "sample -o x.png over a checkpoint" "$tmp/x.png" "$G" sample "$R" -o "$tmp/x.png"
kind "interpolate -o x.png over a checkpoint" "$tmp/x.png" "$G" interpolate "$R" -o "$tmp/x.png"
cp "$R/latest.ckpt" "$tmp/z.npy"
kind "sample --latents-out z.npy over a checkpoint" "$tmp/z.npy" "$G" sample "$R" -o "$tmp/s.png" --latents-out "$tmp/z.npy"
expect 0 "sample -o x.png --force over a checkpoint" "$G" sample "$R" -o "$tmp/x.png" --force -n 4
check "--force: x.png is a PNG now" '[ "$(head -c 4 "$tmp/x.png" | od -An -c | tr -d " ")" = "211PNG" ]'
# the same kind again is an ordinary overwrite
for f in a.png a.csv a.idx a.npy; do
    expect 0 "sample -o $f" "$G" sample "$R" -o "$tmp/$f" -n 4
    expect 0 "sample -o $f again (same kind)" "$G" sample "$R" -o "$tmp/$f" -n 4 --seed 2
done
expect 0 "sample --latents-out z.csv" "$G" sample "$R" -o "$tmp/s.png" --latents-out "$tmp/z.csv" -n 4
expect 0 "sample --latents-out z.csv again" "$G" sample "$R" -o "$tmp/s.png" --latents-out "$tmp/z.csv" -n 4
expect 0 "interpolate -o i.png" "$G" interpolate "$R" -o "$tmp/i.png"
expect 0 "interpolate -o i.png again" "$G" interpolate "$R" -o "$tmp/i.png" --seeds 4,5
expect 0 "report -o r.html" "$G" report "$R" -o "$tmp/r.html"
expect 0 "report -o r.html again" "$G" report "$R" -o "$tmp/r.html"
: >"$tmp/empty.png"
expect 0 "an empty file is of every kind" "$G" sample "$R" -o "$tmp/empty.png" -n 4
if [ $onnx = 1 ]; then
    expect 0 "export -o g.onnx" "$G" export "$R" -o "$tmp/g.onnx"
    expect 0 "export -o g.onnx again (same kind)" "$G" export "$R" -o "$tmp/g.onnx" --no-ema
fi

# ---- symbolic links: refused, and --force replaces the link, not its target
ln -s "$tmp/a.csv" "$tmp/link.csv"
a0=$(sum "$tmp/a.csv")
expect 1 "sample -o a symbolic link: refused" "$G" sample "$R" -o "$tmp/link.csv"
one_line "a symbolic link: one line naming its target" "is a symbolic link (to $tmp/a.csv)"
expect 0 "sample -o a symbolic link --force" "$G" sample "$R" -o "$tmp/link.csv" --force -n 9
check "--force: the link is now a file" '[ -f "$tmp/link.csv" ] && [ ! -L "$tmp/link.csv" ]'
check "--force: the link's target is unchanged" '[ "$(sum "$tmp/a.csv")" = "$a0" ]'
ln -s "$R/latest.ckpt" "$tmp/l.png"
expect 1 "sample -o a link to RUN/latest.ckpt: refused" "$G" sample "$R" -o "$tmp/l.png"
check "the run is byte-identical" unchanged

# ---- not a regular file: refused even with --force
mkfifo "$tmp/fifo.png"
for cmd in "sample $R -o $tmp/fifo.png --force" "report $R -o /dev/null --force" \
           "interpolate $R -o $tmp/fifo.png --force"; do
    expect 1 "$cmd: refused" $G $cmd
    one_line "$cmd: one line" "not a regular file: refusing to replace it"
done
[ -c /dev/full ] && check "/dev/full is still a character device" '[ -c /dev/full ]'
if [ $onnx = 1 ]; then
    expect 1 "export -o /dev/full --force: refused" "$G" export "$R" -o /dev/full --force
    one_line "export -o /dev/full: one line" "is a character device, not a regular file: refusing to replace it"
    check "/dev/full is still a character device" '[ -c /dev/full ]'
fi
mkdir "$tmp/dir.png"
expect 1 "sample -o a folder: refused" "$G" sample "$R" -o "$tmp/dir.png" --force
one_line "a folder: one line" "is a directory, not a regular file"

# ---- a failing write leaves the old file, and no temporary file
fsz() {   # DESCRIPTION FILE CMD...: under ulimit -f 1 (512 bytes) the write fails
    what=$1; f=$2; shift 2
    before=$(sum "$f")
    (ulimit -f 1; "$@" >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/rc")
    [ "$(cat "$tmp/rc")" = 1 ] && ok "$what: exit 1" || bad "$what: exit $(cat "$tmp/rc")"
    one_line "$what: one line" "cannot write: File too large"
    check "$what: the old file byte for byte" '[ "$(sum "$f")" = "$before" ]'
    check "$what: no temporary file" no_tmp
}
fsz "sample -o a.png past ulimit -f" "$tmp/a.png" "$G" sample "$R" -o "$tmp/a.png" -n 64 --seed 7
fsz "sample -o a.csv past ulimit -f" "$tmp/a.csv" "$G" sample "$R" -o "$tmp/a.csv" -n 64 --seed 7
fsz "interpolate past ulimit -f" "$tmp/i.png" "$G" interpolate "$R" -o "$tmp/i.png" --seeds 8,9
fsz "report past ulimit -f" "$tmp/r.html" "$G" report "$R" -o "$tmp/r.html"
[ $onnx = 1 ] && fsz "export past ulimit -f" "$tmp/g.onnx" "$G" export "$R" -o "$tmp/g.onnx"
[ $onnx = 1 ] && fsz "export -o RUN/latest.ckpt --force past ulimit -f" "$R/latest.ckpt" \
    "$G" export "$R" -o "$R/latest.ckpt" --force
check "the run is byte-identical at the end" unchanged
expect 0 "the run's checkpoint still loads" "$G" info "$R"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
