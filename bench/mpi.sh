#!/bin/sh
# bench/mpi.sh - data-parallel step rate: ganrun on 1 and 2 MPI ranks of
# this machine (and 1 rank with 2 OpenBLAS threads, the other way to use two
# cores), same model, same global batch.  Run from an MPI build directory
# (./configure --with-mpi):
#   sh bench/mpi.sh [ROUNDS]     (default 3; medians are printed)
# Steps per second come from rank 0's log.csv (`seconds` column) between
# step 10 and the last step, so start-up and data loading are left out.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-3}
grep -q '^#define HAVE_MPI 1' config.h || { echo "bench/mpi.sh: build with ./configure --with-mpi"; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
tmp=$(mktemp -d /tmp/ganrun-bench-mpi.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
py=/usr/bin/python3
median() { $py -c "import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))" "$@"; }
# steps/s of RUN/log.csv from its first row to its last
rate() { awk -F, 'NR == 2 { s0 = $1; t0 = $9 } NR > 2 { s = $1; t = $9 } END { printf "%.2f", (s - s0) / (t - t0) }' "$1/log.csv"; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "date: $(date -u '+%Y-%m-%d %H:%M') UTC  load average:$(uptime | sed 's/.*average://')"
echo "$(mpirun --version | head -n 1)"

# $1 name, $2 model, $3 steps, rest: --set options
bench() {
    name=$1 model=$2 steps=$3; shift 3
    for cfg in "1 1" "1 2" "2 1"; do
        np=${cfg% *} th=${cfg#* }
        r=""
        for i in $(seq "$rounds"); do
            rm -rf "$tmp/run"
            OPENBLAS_NUM_THREADS=$th mpirun -np "$np" --oversubscribe --bind-to none -x OPENBLAS_NUM_THREADS \
                ./ganrun train "$model" --steps "$steps" --out "$tmp/run" --quiet \
                --set output.log_every=10 --set output.sample_every=0 --set output.checkpoint_every=0 "$@"
            r="$r $(rate "$tmp/run")"
        done
        echo "$name: $np rank(s) x $th thread(s): $(median $r) steps/s (rounds:$r)"
    done
}
bench "ring MLP, batch 256" "$src/models/ring.yaml" 400
bench "ring MLP, batch 1024" "$src/models/ring.yaml" 200 --set train.batch=1024
[ -d /usr/share/datasets/fashion-mnist ] && bench "DCGAN-28, batch 64" "$src/models/dcgan.yaml" 40
