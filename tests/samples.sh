#!/bin/sh
# samples.sh - every model in models/ gives the samples it gave when the
# checksums in tests/data/samples.sums were recorded: a few training steps
# on a little data, at batch 16 and at the model's own batches (MODEL@own),
# then `ganrun sample` with a fixed seed, written as CSV ("%.9g", so every
# float bit counts) and hashed.
#
#   sh tests/samples.sh           check (what `make check` runs)
#   sh tests/samples.sh record    (re)record the sums of this build for
#                                 this OpenBLAS core and thread count
#                                 (G=path/to/ganrun to record another build)
#
# Results depend on the OpenBLAS kernels and on the thread count, so the
# records are keyed by both; a core/thread count without records is
# skipped (exit 77), not failed.  Models whose data is missing are skipped.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
G=${G:-"$top_builddir/ganrun"}
M="$top_srcdir/models"
SUMS="$top_srcdir/tests/data/samples.sums"
mode=${1:-check}
tmp=$(mktemp -d /tmp/ganrun-samples.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

core=$(OPENBLAS_VERBOSE=2 "$G" --version 2>&1 | sed -n 's/^Core: *//p' | head -n 1)
[ -n "$core" ] || core=unknown
threads=${GANRUN_THREADS:-2}
export GANRUN_THREADS=$threads
key="$core $threads"

# sum MODEL [own]: the sha256 of its samples, or "skip" when its data is
# missing; at batch 16, or with `own` at the model's own batches (other
# GEMM shapes: OpenBLAS may compute an element differently in a call of
# another shape, which batch 16 alone once missed)
sum() {
    f=$1
    path=$(sed -n 's/^ *path: *\([^ #]*\).*/\1/p' "$f" | head -n 1)
    if [ -n "$path" ] && [ ! -e "$path" ]; then echo skip; return; fi
    rm -rf "$tmp/run"
    if [ "${2:-}" = own ]; then set -- --set data.limit=1024
    else set -- --set data.limit=256 --set train.batch=16 --set train.noise_batch=16; fi
    "$G" train "$f" --steps 3 "$@" \
        --set output.dir="$tmp/run" --set output.sample_every=0 --set output.checkpoint_every=0 \
        --quiet >"$tmp/out" 2>&1 || { echo "train-failed"; cat "$tmp/out" >&2; return; }
    "$G" sample "$tmp/run" -n 16 --seed 7 -o "$tmp/s.csv" >"$tmp/out" 2>&1 || { echo "sample-failed"; return; }
    sha256sum "$tmp/s.csv" | cut -d' ' -f1
}

if [ "$mode" = record ]; then
    grep -v "^$key " "$SUMS" 2>/dev/null >"$tmp/keep" || true
    for f in "$M"/*.yaml; do
        for v in small own; do
            s=$(sum "$f" $v)
            [ "$s" = skip ] && continue
            name=$(basename "$f"); [ $v = own ] && name="$name@own"
            echo "$key $name $s" >>"$tmp/keep"
            echo "$key $name $s"
        done
    done
    sort "$tmp/keep" >"$SUMS"
    exit 0
fi

if ! grep -q "^$key " "$SUMS" 2>/dev/null; then
    echo "SKIP: no recorded samples for OpenBLAS core $core on $threads threads"
    exit 77
fi
pass=0; fail=0
for f in "$M"/*.yaml; do
    for v in small own; do
        b=$(basename "$f"); [ $v = own ] && b="$b@own"
        want=$(grep "^$key $b " "$SUMS" | cut -d' ' -f4)
        [ -n "$want" ] || { echo "skip - $b (no record)"; continue; }
        got=$(sum "$f" $v)
        if [ "$got" = skip ]; then echo "skip - $b (no data)"
        elif [ "$got" = "$want" ]; then pass=$((pass + 1)); echo "ok - $b samples identical"
        else fail=$((fail + 1)); echo "FAIL - $b samples differ: $got, recorded $want"; fi
    done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
