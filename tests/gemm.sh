#!/bin/sh
# gemm.sh - train.gemm, the GEMM engine, end to end: a bad value is one
# FILE:LINE:COL line; in a build without oneDNN, train.gemm: onednn is one
# such line too (and the rest skips); with oneDNN, short runs of the
# convolutional models/dcgan.yaml with train.gemm=onednn on 1, 2 and 3
# threads (onednn-bf16 on 1 and 2, where the CPU has AVX512_BF16) give
# checkpoints with the same state and the same samples, other bits than
# OpenBLAS's (the engine really ran), the model text keeps the key, a
# middle checkpoint resumed on another thread count continues bit for bit,
# and reproduce agrees; onednn-bf16 on a CPU without AVX512_BF16 is one
# FILE:LINE:COL line.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
G="$top_builddir/ganrun"
M="$top_srcdir/models"
tmp=$(mktemp -d /tmp/ganrun-gemm.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok()  { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; }
# expect STATUS PATTERN DESCRIPTION ARGS...: exit status and one stderr line matching
expect() {
    want=$1; pat=$2; what=$3; shift 3
    "$G" "$@" >"$tmp/out" 2>"$tmp/err"
    st=$?
    if [ $st -eq "$want" ] && [ "$(wc -l <"$tmp/err")" -le 1 ] && grep -q -- "$pat" "$tmp/err"; then ok "$what"
    else bad "$what (exit $st, want $want): $(cat "$tmp/err")"; fi
}
state() { "$G" info "$1" | grep -o "'[A-Z ]*' .*crc32 [0-9a-f]*" | grep -v "^'BILD'" | sed 's/ ([0-9]* compressed)//'; }

expect 1 "^--set: error: 'train.gemm=mkl': unknown gemm 'mkl' in train (expected one of: openblas, onednn, onednn-bf16)" \
    "train.gemm=mkl is one error line" check "$M/grid.yaml" --set train.gemm=mkl
sed 's/^  loss: bce .*/  loss: bce\n  gemm: blis/' "$M/dcgan.yaml" >"$tmp/blis.yaml"
expect 1 "^$tmp/blis.yaml:[0-9]*:9: error: unknown gemm 'blis'" "gemm: blis in a model file: FILE:LINE:COL" \
    check "$tmp/blis.yaml"
sed 's/^  loss: bce .*/  loss: bce\n  gemm: onednn/' "$M/dcgan.yaml" >"$tmp/onednn.yaml"

if "$G" --version | grep -q "^train.gemm onednn: not built"; then
    expect 1 "^$tmp/onednn.yaml:[0-9]*:9: error: train.gemm onednn: this ganrun was built without oneDNN" \
        "gemm: onednn without oneDNN: FILE:LINE:COL" check "$tmp/onednn.yaml"
    echo "$pass passed, $fail failed; built without oneDNN: the engine's runs skipped"
    [ $fail -eq 0 ] || exit 1
    exit 77
fi
"$G" check "$tmp/onednn.yaml" >/dev/null 2>"$tmp/err" && [ ! -s "$tmp/err" ] \
    && ok "gemm: onednn in a model file checks" || bad "gemm: onednn in a model file checks: $(cat "$tmp/err")"
sed 's/^  loss: bce .*/  loss: bce\n  gemm: onednn-bf16/' "$M/dcgan.yaml" >"$tmp/bf16.yaml"
export GANRUN_TEST_NO_AVX512BF16=1   # as on a CPU without
expect 1 "^$tmp/bf16.yaml:[0-9]*:9: error: train.gemm onednn-bf16: this CPU has no AVX512_BF16" \
    "gemm: onednn-bf16 on a CPU without AVX512_BF16: FILE:LINE:COL" check "$tmp/bf16.yaml"
unset GANRUN_TEST_NO_AVX512BF16
engines="openblas onednn"
if "$G" check "$tmp/bf16.yaml" >/dev/null 2>"$tmp/err"; then engines="$engines onednn-bf16"
else echo "skip - onednn-bf16: $(cat "$tmp/err")"; fi

fashion=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
if [ ! -r "$fashion" ]; then
    echo "skip - $fashion missing (dataset-fashion-mnist): the engine's runs"
    echo "$pass passed, $fail failed"
    [ $fail -eq 0 ] || exit 1
    exit 77
fi
# batch 40: 10 chunks of 4 in the 7x7 convolutions; G's dense layer
# (40 x 6272 x 100) is split into parts
set -- --set train.batch=40 --set data.limit=400 --set output.checkpoint_every=2 --steps 4 --quiet
for e in $engines; do
    for T in 1 2 3; do
        [ $e = openblas ] && [ $T != 1 ] && continue
        [ $e = onednn-bf16 ] && [ $T = 3 ] && continue
        d="$tmp/$e-$T"
        if ! GANRUN_THREADS=$T "$G" "$M/dcgan.yaml" --set train.gemm=$e "$@" --out "$tmp/run" 2>"$tmp/err"; then
            bad "$e on $T threads trains: $(cat "$tmp/err")"; continue
        fi
        mv "$tmp/run" "$d"
        state "$d/latest.ckpt" >"$d/state"
        GANRUN_THREADS=$T "$G" sample "$d" -n 16 --seed 5 -o "$d/s.png" 2>/dev/null
        [ $e != openblas ] && [ $T != 1 ] || continue
        cmp -s "$tmp/$e-1/state" "$d/state" && ok "$e: $T threads, same checkpoint state as 1" \
            || bad "$e: $T threads, same checkpoint state as 1: $(diff "$tmp/$e-1/state" "$d/state" | tr '\n' ' ')"
        cmp -s "$tmp/$e-1/s.png" "$d/s.png" && ok "$e: $T threads, same samples as 1" \
            || bad "$e: $T threads, same samples as 1"
    done
done
for e in $engines; do
    [ $e = openblas ] && continue
    cmp -s "$tmp/openblas-1/state" "$tmp/$e-1/state" && bad "$e's run has other bits than openblas's" \
        || ok "$e's run has other bits than openblas's"
done
[ -d "$tmp/onednn-bf16-1" ] && { cmp -s "$tmp/onednn-1/state" "$tmp/onednn-bf16-1/state" \
    && bad "onednn-bf16's run has other bits than onednn's" || ok "onednn-bf16's run has other bits than onednn's"; }
"$G" info "$tmp/onednn-1/latest.ckpt" --model | grep -q "^  gemm: onednn" \
    && ok "the checkpoint's model text keeps gemm: onednn" || bad "the checkpoint's model text keeps gemm: onednn"
# the 3-thread run's middle checkpoint resumed on 2 threads
mid=$(ls "$tmp/onednn-3/ckpt" | head -1)
mkdir -p "$tmp/run/ckpt" && cp "$tmp/onednn-3/ckpt/$mid" "$tmp/run/ckpt/"
GANRUN_THREADS=2 "$G" resume "$tmp/run/ckpt/$mid" --quiet 2>"$tmp/err" || bad "resume: $(cat "$tmp/err")"
state "$tmp/run/latest.ckpt" >"$tmp/run/state"
cmp -s "$tmp/onednn-1/state" "$tmp/run/state" && ok "onednn: $mid of 3 threads resumed on 2, same state as 1 straight" \
    || bad "onednn: $mid of 3 threads resumed on 2, same state as 1 straight"
GANRUN_THREADS=2 "$G" reproduce "$tmp/onednn-1/latest.ckpt" >"$tmp/out" 2>&1
grep -q "^reproduced" "$tmp/out" && ok "onednn: a 1-thread run reproduced on 2 threads" \
    || bad "onednn: a 1-thread run reproduced on 2 threads: $(cat "$tmp/out")"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
