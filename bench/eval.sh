#!/bin/sh
# eval.sh - eval's estimators beside what PyTorch/NumPy users run, at N x N
# points of dimension D (default 10000 x 512), alternating ganrun and
# PyTorch ROUNDS times; prints the CPU, the OpenBLAS core, the load and the
# ratio of each timing.  Usage: sh bench/eval.sh [N] [D] [ROUNDS]
set -u
N=${1:-10000}; D=${2:-512}; R=${3:-2}
top_builddir=${top_builddir:-.}
make -s -C "$top_builddir" bench/bench_eval >/dev/null || exit 1
B="$top_builddir/bench/bench_eval"; T="$(dirname "$0")/torch_eval.py"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
echo "openblas: $(OPENBLAS_VERBOSE=2 "$B" 3 2 2>&1 | grep -m1 Core)"
echo "threads: GANRUN_THREADS=${GANRUN_THREADS:-all cores}; PyTorch TORCH_THREADS=${TORCH_THREADS:-all cores} (torch_eval.py sets them), NumPy's OpenBLAS OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-all cores}"
tmp=$(mktemp -d /tmp/ganrun-beval.XXXXXX); trap 'rm -rf "$tmp"' EXIT
for r in $(seq 1 "$R"); do
    echo "round $r: $(uptime | sed 's/.*load/load/')"
    "$B" "$N" "$D" > "$tmp/g$r"
    /usr/bin/python3 "$T" "$N" "$D" > "$tmp/t$r"
    echo "  PyTorch threads: $(awk '$1 == "torch_threads" { print $2 }' "$tmp/t$r")"
    for k in knn_self_k5 prdc kid_100x1000 frechet; do
        g=$(awk -v k=$k '$1 == k { print $2 }' "$tmp/g$r"); t=$(awk -v k=$k '$1 == k { print $2 }' "$tmp/t$r")
        echo "  $k: ganrun $g s, PyTorch/NumPy $t s, ratio $(awk -v g="$g" -v t="$t" 'BEGIN { printf "%.2f", g / t }')"
    done
done
