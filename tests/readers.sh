#!/bin/sh
# readers.sh - every reader of a file a user names bounds its memory and
# time before it reads (issue 29): the model file, --latents (.npy and
# CSV), --labels, a checkpoint, a classifier file, an IDX data file, and
# the run files `report` reads, each fed an endless stream (/dev/zero,
# /dev/urandom, also behind a link named like a data file), a FIFO, a
# directory, a file that grows while it is read and a file whose header
# promises more than it holds.  Each answer: one `PATH: error: ...` line,
# exit 1, within 2 s (a FIFO used to hang, /dev/zero as latents grew to
# 21 GB) and under 100 MB over a good run's peak (/usr/bin/time), bounds
# far above the ~0.05 s and ~10 MB these take.
. "$(dirname "$0")/lib.sh"
M="$top_srcdir/models"
[ -x /usr/bin/time ] || { echo "skip: no /usr/bin/time"; exit 77; }
lib_tmp readers
writer=""
trap '[ -n "$writer" ] && kill $writer 2>/dev/null; rm -rf "$tmp"' EXIT

"$G" "$M/ring.yaml" --steps 10 --out "$tmp/run" --quiet || { echo "FAIL - a short run"; exit 1; }
R="$tmp/run"
# peak memory of good reads, the baseline the bound is over
/usr/bin/time -f '%M' -o "$tmp/base" "$G" sample "$R" -n 64 -o "$tmp/good.csv" --latents-out "$tmp/z.csv" 2>/dev/null
base=$(tail -1 "$tmp/base")
printf 'step,d_loss\n' >"$tmp/x"

# hostile PATH LABEL CMD... (PATH is the file the error must name; it must
# fail within secs_max seconds)
secs_max=2
hostile() {
    path=$1; what=$2; shift 2
    /usr/bin/time -f '%e %M' -o "$tmp/res" timeout 10 "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?
    set -- $(tail -1 "$tmp/res")
    secs=$1 kb=$2
    n=$(wc -l <"$tmp/err")
    if [ $rc -eq 1 ] && [ "$n" -eq 1 ] && grep -q "^$path: error: " "$tmp/err"; then ok "$what: one line naming it, exit 1"
    else bad "$what: exit $rc, $n lines: $(head -3 "$tmp/err")"; fi
    if awk "BEGIN { exit !($secs < $secs_max) }"; then ok "$what: ${secs} s"; else bad "$what: ${secs} s (over $secs_max s)"; fi
    if [ "$kb" -lt $((base + 100000)) ]; then ok "$what: $kb KB"; else bad "$what: $kb KB (baseline $base KB)"; fi
}

mkfifo "$tmp/fifo" "$tmp/fifo.npy" "$tmp/fifo.csv"
mkdir "$tmp/dir.npy" "$tmp/dir.csv"
ln -s /dev/zero "$tmp/zero.csv"
ln -s /dev/zero "$tmp/zero.npy"
ln -s /dev/urandom "$tmp/random.csv"

# ---- the model file
for f in /dev/zero /dev/urandom "$tmp/fifo" "$tmp/dir.csv"; do
    hostile "$f" "model file $f" "$G" check "$f"
done
# ---- --latents: CSV and .npy
for f in /dev/zero /dev/urandom "$tmp/zero.csv" "$tmp/zero.npy" "$tmp/random.csv" "$tmp/fifo.npy" "$tmp/fifo.csv" \
         "$tmp/dir.npy" "$tmp/dir.csv"; do
    hostile "$f" "sample --latents $f" "$G" sample "$R" --latents "$f" -o "$tmp/y.npy"
done
# a header that promises 10^8 x 4 floats (1.6 GB) in a file of 128 bytes
/usr/bin/python3 -c "
h = \"{'descr': '<f4', 'fortran_order': False, 'shape': (100000000, 4), }\"
h = h + ' ' * (117 - len(h)) + '\n'
open('$tmp/big.npy', 'wb').write(b'\x93NUMPY\x01\x00' + bytes([len(h), 0]) + h.encode() + b'\0' * 0)
" 2>/dev/null
if [ -s "$tmp/big.npy" ]; then
    hostile "$tmp/big.npy" "--latents: a header promising 1.6 GB" "$G" sample "$R" --latents "$tmp/big.npy" -o "$tmp/y.npy"
    grep -q "truncated data: the shape needs 1600000000 bytes, the file holds 0" "$tmp/err" && ok "it says what the header promises" ||
        bad "it says what the header promises: $(cat "$tmp/err")"
fi
# NaN and infinity in .npy latents are refused as in CSV
/usr/bin/python3 -c "
import struct
h = \"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4), }\"
h = h + ' ' * (117 - len(h)) + '\n'
d = struct.pack('<8f', 0, 0, 0, 0, 0, float('nan'), 0, 0)
open('$tmp/nan.npy', 'wb').write(b'\x93NUMPY\x01\x00' + bytes([len(h), 0]) + h.encode() + d)
d = struct.pack('<8f', 0, 0, 0, float('inf'), 0, 0, 0, 0)
open('$tmp/inf.npy', 'wb').write(b'\x93NUMPY\x01\x00' + bytes([len(h), 0]) + h.encode() + d)
" 2>/dev/null
if [ -s "$tmp/nan.npy" ]; then
    hostile "$tmp/nan.npy" "--latents of NaN (.npy)" "$G" sample "$R" --latents "$tmp/nan.npy" -o "$tmp/y.npy"
    grep -q "value 6 (row 2, column 2) is NaN" "$tmp/err" && ok "NaN: names the value" || bad "NaN: $(cat "$tmp/err")"
    hostile "$tmp/inf.npy" "--latents of infinity (.npy)" "$G" sample "$R" --latents "$tmp/inf.npy" -o "$tmp/y.npy"
fi
# a CSV that grows while it is read
# (it starts at 200 copies of z.csv, about 13 MB, so that its reading takes
# far longer than the writer's pause between two appends)
: >"$tmp/grow.csv"
for k in $(seq 200); do cat "$tmp/z.csv"; done >>"$tmp/grow.csv"
n0=$(wc -c <"$tmp/grow.csv")
(while :; do cat "$tmp/z.csv"; done >>"$tmp/grow.csv") 2>/dev/null &
writer=$!
k=0
while [ "$(wc -c <"$tmp/grow.csv")" -le "$n0" ] && [ $k -lt 100 ]; do sleep 0.05; k=$((k + 1)); done
# (reading 13 MB and more takes over 2 s on a loaded machine: this one
# checks the reader stops, not its speed)
secs_max=8
hostile "$tmp/grow.csv" "--latents growing while read" "$G" sample "$R" --latents "$tmp/grow.csv" -o "$tmp/y.npy"
secs_max=2
kill $writer 2>/dev/null; wait $writer 2>/dev/null; writer=""
# ---- --labels (a conditional model: cgan.yaml on Fashion-MNIST, one step)
if "$G" "$M/cgan.yaml" --steps 1 --out "$tmp/cg" --quiet 2>/dev/null; then
    for f in /dev/zero "$tmp/zero.csv" "$tmp/zero.npy" "$tmp/fifo.csv" "$tmp/dir.csv"; do
        hostile "$f" "sample --labels $f" "$G" sample "$tmp/cg" -n 4 --labels "$f" -o "$tmp/y.npy"
    done
else
    echo "skip - --labels: cgan.yaml needs Fashion-MNIST (dataset-fashion-mnist)"
fi
# ---- checkpoints
for f in /dev/zero /dev/urandom "$tmp/fifo" "$tmp/zero.npy"; do
    hostile "$f" "info $f" "$G" info "$f"
done
# a checkpoint whose tensors hold NaN: sample and export warn, once
"$top_builddir/tests/ckpt_poison" "$R/latest.ckpt" "$tmp/nan.ckpt"
"$G" sample "$tmp/nan.ckpt" -n 4 -o "$tmp/nan.csv" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
    grep -q "^$tmp/nan.ckpt: warning: 1 of the generator's [0-9]* parameters and buffers are NaN or infinite" "$tmp/err" &&
    ok "sample of a NaN checkpoint: one warning" || bad "sample of a NaN checkpoint: exit $rc $(cat "$tmp/err")"
if "$G" export "$R" -o "$tmp/probe.onnx" 2>/dev/null; then
    "$G" export "$tmp/nan.ckpt" --discriminator -o "$tmp/nan.onnx" 2>"$tmp/err"; rc=$?
    [ $rc -eq 0 ] && grep -q "warning: 1 of the discriminator's" "$tmp/err" &&
        ok "export of a NaN checkpoint: a warning" || bad "export of a NaN checkpoint: exit $rc $(cat "$tmp/err")"
fi
"$G" sample "$R" -n 4 -o "$tmp/fine.csv" 2>"$tmp/err"
[ ! -s "$tmp/err" ] && ok "a finite checkpoint: no warning" || bad "a finite checkpoint: $(cat "$tmp/err")"
# ---- a classifier file
for f in /dev/zero "$tmp/fifo"; do
    hostile "$f" "classify train $f" "$G" classify train "$f"
done
# ---- report: log.csv and model.yaml as a FIFO, a directory, a device
for f in log.csv model.yaml; do
    mkdir -p "$tmp/r-$f"
    cp -r "$R/." "$tmp/r-$f/"
    rm -f "$tmp/r-$f/$f"
    mkfifo "$tmp/r-$f/$f"
    hostile "$tmp/r-$f/$f" "report with $f a FIFO" "$G" report "$tmp/r-$f" -o "$tmp/r.html"
    rm "$tmp/r-$f/$f"; ln -s /dev/zero "$tmp/r-$f/$f"
    hostile "$tmp/r-$f/$f" "report with $f a link to /dev/zero" "$G" report "$tmp/r-$f" -o "$tmp/r.html"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
