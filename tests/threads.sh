#!/bin/sh
# threads.sh - the same bits on any thread count: short runs of
# models/dcgan.yaml, grid.yaml and cgan.yaml on 1, 2, 3 and 4 threads
# (GANRUN_THREADS) give checkpoints with the same tensors, optimiser state
# and data position (every section's CRC but BILD, which names the thread
# count) and the same samples; a run resumed on another thread count
# continues bit for bit.
. "$(dirname "$0")/lib.sh"
M="$top_srcdir/models"
lib_tmp threads
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
    # the 3-thread run's middle checkpoint resumed on 2 threads
    mid=$(ls "$tmp/$name-3/ckpt" | head -1)
    mkdir -p "$tmp/run/ckpt" && cp "$tmp/$name-3/ckpt/$mid" "$tmp/run/ckpt/"
    GANRUN_THREADS=2 "$G" resume "$tmp/run/ckpt/$mid" --quiet 2>/dev/null
    state "$tmp/run/latest.ckpt" >"$tmp/run/state"
    d="$tmp/$name-resume"
    mv "$tmp/run" "$d"
    cmp -s "$tmp/$name-1/state" "$d/state" && ok "$name: $mid of 3 threads resumed on 2, same state as 1 straight" \
        || bad "$name: $mid of 3 threads resumed on 2, same state as 1 straight"
    GANRUN_THREADS=4 "$G" reproduce "$tmp/$name-1/latest.ckpt" >"$tmp/out" 2>&1
    grep -q "^reproduced" "$tmp/out" && ok "$name: a 1-thread run reproduced on 4 threads" \
        || bad "$name: a 1-thread run reproduced on 4 threads: $(cat "$tmp/out")"
}

check_model "$M/grid.yaml" grid 30 s.csv --set output.checkpoint_every=15
# learning-rate schedules and the EMA ramp resume where they stopped
check_model "$M/ring.yaml" ring-sched 30 s.csv --set output.checkpoint_every=15 \
    --set train.optimizer.generator.schedule=cosine --set train.optimizer.generator.warmup=5 \
    --set train.optimizer.discriminator.schedule=step --set train.optimizer.discriminator.step_every=7 \
    --set train.optimizer.discriminator.gamma=0.5 --set train.ema.decay=0.99 --set train.ema.rampup=0.5
if [ -r "$fashion" ]; then
    # batch 40: 10 chunks of 4 in the 7x7 convolutions, 5 groups of 2
    check_model "$M/dcgan.yaml" dcgan 4 s.png --set train.batch=40 --set data.limit=400 \
        --set output.checkpoint_every=2
    check_model "$M/cgan.yaml" cgan 4 s.png --set train.batch=40 --set data.limit=400 \
        --set output.checkpoint_every=2
else
    echo "skip - $fashion missing (dataset-fashion-mnist): dcgan, cgan"
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
