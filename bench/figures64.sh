#!/bin/sh
# bench/figures64.sh - README's 64x64 figures: train models/dcgan64.yaml,
# models/resnet64.yaml, models/cgan64.yaml and PyTorch's DCGAN-64
# (bench/torch_dcgan64.py) on the emoji of `sh data/emoji.sh`, each for the
# steps given (equal wall time: a budget in seconds divided by each one's
# step time from one bench/run64.sh run), on 2 threads, one after another.
#   sh bench/figures64.sh DCGAN_STEPS RESNET_STEPS TORCH_STEPS [OUT]
# OUT (default runs/fig64) gets OUT/dcgan64, OUT/resnet64, OUT/cgan64 (runs),
# OUT/torch/samples (N64=2000 PNGs) and OUT/times (wall seconds per run).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 3 ] || { echo "usage: sh bench/figures64.sh DCGAN_STEPS RESNET_STEPS TORCH_STEPS [OUT]" >&2; exit 2; }
out=${4:-runs/fig64}
n=${N64:-2000}
data=${EMOJI:-$src/data/emoji/google}
mkdir -p "$out"
: >"$out/times"
timed() {   # timed NAME COMMAND...: wall seconds into OUT/times
    name=$1; shift
    t0=$(date +%s.%N)
    "$@"
    t1=$(date +%s.%N)
    echo "$name $(echo "$t1 - $t0" | bc) s, load average:$(uptime | sed 's/.*average://')" | tee -a "$out/times"
}
fast="--quiet --set output.sample_every=0"
G="./ganrun"
export GANRUN_THREADS=2 OPENBLAS_NUM_THREADS=2
timed dcgan64 $G train "$src/models/dcgan64.yaml" --steps "$1" --out "$out/dcgan64" $fast \
    --set data.path="$data" --set output.checkpoint_every=0
timed resnet64 $G train "$src/models/resnet64.yaml" --steps "$2" --out "$out/resnet64" $fast \
    --set data.path="$data" --set output.checkpoint_every=0
timed torch env OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=2 /usr/bin/python3 "$src/bench/torch_dcgan64.py" \
    --data "$data" --threads 2 --train "$3" --samples "$n" --out "$out/torch/samples"
timed cgan64 $G train "$src/models/cgan64.yaml" --steps "$2" --out "$out/cgan64" $fast \
    --set data.path="$data-classes" --set output.checkpoint_every=0
