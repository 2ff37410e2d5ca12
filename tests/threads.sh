#!/bin/sh
# threads.sh - the same bits on any thread count: short runs of
# models/dcgan.yaml, grid.yaml and cgan.yaml on 1, 2, 3 and 4 threads
# (GANRUN_THREADS) give checkpoints with the same tensors, optimiser state
# and data position (every section's CRC but BILD, which names the thread
# count) and the same samples; a run resumed on another thread count
# continues bit for bit.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
G="$top_builddir/ganrun"
M="$top_srcdir/models"
tmp=$(mktemp -d /tmp/ganrun-threads.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok()  { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; }
# state CKPT: the CRC of every section but BILD (every run trains in
# $tmp/run, the output directory its model text names, and is moved after)
state() { "$G" info "$1" | grep -o "'[A-Z ]*' .*crc32 [0-9a-f]*" | grep -v "^'BILD'" | sed 's/ ([0-9]* compressed)//'; }
fashion=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz

# MODEL NAME STEPS SAMPLE-FILE SETTINGS...
check_model() {
    model=$1; name=$2; steps=$3; out=$4; shift 4
    for T in 1 2 3 4; do
        d="$tmp/$name-$T"
        if ! GANRUN_THREADS=$T "$G" "$model" "$@" --steps "$steps" --quiet --out "$tmp/run" 2>"$tmp/err"; then
            bad "$name on $T threads trains: $(cat "$tmp/err")"; return
        fi
        mv "$tmp/run" "$d"
        state "$d/latest.ckpt" >"$d/state"
        GANRUN_THREADS=$T "$G" sample "$d" -n 16 --seed 5 -o "$d/$out" 2>/dev/null
        [ "$T" = 1 ] && continue
        cmp -s "$tmp/$name-1/state" "$d/state" && ok "$name: $T threads, same checkpoint state as 1" \
            || bad "$name: $T threads, same checkpoint state as 1: $(diff "$tmp/$name-1/state" "$d/state" | tr '\n' ' ')"
        cmp -s "$tmp/$name-1/$out" "$d/$out" && ok "$name: $T threads, same samples as 1" \
            || bad "$name: $T threads, same samples as 1"
    done
    # half the steps on 3 threads, resumed on 2, against the straight run
    half=$((steps / 2))
    d="$tmp/run"
    GANRUN_THREADS=3 "$G" "$model" "$@" --steps "$half" --quiet --out "$d" 2>/dev/null
    GANRUN_THREADS=2 "$G" resume "$d/latest.ckpt" --steps $((steps - half)) --quiet 2>/dev/null
    # the model text differs (train.steps), the rest may not
    state "$d/latest.ckpt" | grep -v "^'MODL'" >"$d/state"
    mv "$d" "$tmp/$name-resume"
    d="$tmp/$name-resume"
    grep -v "^'MODL'" "$tmp/$name-1/state" | cmp -s - "$d/state" && ok "$name: 3 threads resumed on 2, same state as 1 straight" \
        || bad "$name: 3 threads resumed on 2, same state as 1 straight"
    GANRUN_THREADS=4 "$G" reproduce "$tmp/$name-1/latest.ckpt" >"$tmp/out" 2>&1
    grep -q "^reproduced" "$tmp/out" && ok "$name: a 1-thread run reproduced on 4 threads" \
        || bad "$name: a 1-thread run reproduced on 4 threads: $(cat "$tmp/out")"
}

check_model "$M/grid.yaml" grid 30 s.csv --set train.batch=512 --set output.checkpoint_every=10
if [ -r "$fashion" ]; then
    # batch 40: 10 chunks of 4 in the 7x7 convolutions, 5 groups of 2
    check_model "$M/dcgan.yaml" dcgan 4 s.png --set train.batch=40 --set data.limit=400
    check_model "$M/cgan.yaml" cgan 4 s.png --set train.batch=40 --set data.limit=400
else
    echo "skip - $fashion missing (dataset-fashion-mnist): dcgan, cgan"
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
