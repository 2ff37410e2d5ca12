#!/bin/sh
# bench/run64.sh - the DCGAN-64 step, ganrun (models/dcgan64.yaml) against
# PyTorch (bench/torch_dcgan64.py: pytorch/examples' DCGAN, fp32 and bf16
# autocast with channels_last) in one run, alternating, at 1 thread and at
# every core; models/resnet64.yaml's step beside them (the step budgets of
# README's equal-wall-time figures come from these rows).  Run from the
# build directory after `sh data/emoji.sh`:
#   sh bench/run64.sh [ROUNDS]      (default 2 rounds; BENCH_STEPS=5 timed
#                                    steps after 2 warm-up steps each;
#                                    BENCH_THREADS="2" only those thread
#                                    counts; BENCH_BF16=0 no bf16 column)
# PyTorch runs its intra-op threads on n with OPENBLAS_NUM_THREADS=1, its
# best setting here (bench/run.sh times both; BLAS on n was slower).
# ganrun runs once per GEMM engine (train.gemm) of BENCH_GEMM (default:
# openblas, and onednn and onednn-bf16 where this ganrun and CPU have them),
# each row naming its kernels (OpenBLAS's core; oneDNN's ISA).
# Prints one line per contender and thread count and a JSON line of the
# medians (ms per step) at the end.  OPENBLAS_* are left as they are.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-2}
steps=${BENCH_STEPS:-5}
data=${EMOJI:-$src/data/emoji/google}
[ -d "$data" ] || { echo "run64.sh: error: $data: no such folder (run sh data/emoji.sh)" >&2; exit 1; }
threads=1; [ "$(nproc)" -gt 1 ] && threads="1 $(nproc)"
threads=${BENCH_THREADS:-$threads}
bf16=${BENCH_BF16:-1}
make -s bench-programs >/dev/null
py=/usr/bin/python3
json() { $py -c "import json,sys; d=json.loads(sys.stdin.read().strip().splitlines()[-1]); print(d['$1'])"; }
median() { $py -c "import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))" "$@"; }
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
echo "machine: $(nproc) cores, $cpu"
echo "date: $(date -u '+%Y-%m-%d %H:%M') UTC  load average:$(uptime | sed 's/.*average://')"
out=$(OPENBLAS_NUM_THREADS=1 ./bench/sgemm_limit)
limit=$(echo "$out" | json sgemm_gflops); core=$(echo "$out" | json blas_core)
echo "sgemm limit (1 thread, OpenBLAS $core): $limit GFLOP/s"
# the engines this ganrun and CPU have
if [ -z "${BENCH_GEMM:-}" ]; then
    BENCH_GEMM=openblas
    for e in onednn onednn-bf16; do
        ./ganrun check "$src/models/dcgan64.yaml" --set data.path="$data" --set train.gemm=$e >/dev/null 2>&1 &&
            BENCH_GEMM="$BENCH_GEMM $e"
    done
fi
echo "ganrun's GEMM engines: $BENCH_GEMM"
summary="{"
for th in $threads; do
    t=""; tr=""; r=""; rr=""; b=""; br=""
    for e in $BENCH_GEMM; do eval "g_$(echo $e | tr - _)=''; gr_$(echo $e | tr - _)=''"; done
    for i in $(seq "$rounds"); do
        # the contenders alternate: ganrun's engines between PyTorch's runs
        for e in $BENCH_GEMM; do
            v=$(echo $e | tr - _)
            o=$(GANRUN_THREADS=$th OPENBLAS_NUM_THREADS=$th ./bench/bench_step "$src/models/dcgan64.yaml" --set data.path="$data" --set train.gemm=$e --steps "$steps" --warmup 2)
            eval "g_$v=\"\$g_$v $(echo "$o" | json ms_per_step_median)\"; gr_$v=\"\$gr_$v $(echo "$o" | json peak_rss_mb)\""
            eval "kern_$v=\"$(echo "$o" | json gemm)\""
            flops=$(echo "$o" | json flops_per_step)
            if [ $e = openblas ]; then
                o=$(OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=$th $py "$src/bench/torch_dcgan64.py" --data "$data" --steps "$steps" --warmup 2 --threads "$th")
                t="$t $(echo "$o" | json ms_per_step_median)"; tr="$tr $(echo "$o" | json peak_rss_mb)"
            fi
        done
        o=$(GANRUN_THREADS=$th OPENBLAS_NUM_THREADS=$th ./bench/bench_step "$src/models/resnet64.yaml" --set data.path="$data" --steps "$steps" --warmup 2)
        r="$r $(echo "$o" | json ms_per_step_median)"; rr="$rr $(echo "$o" | json peak_rss_mb)"
        rflops=$(echo "$o" | json flops_per_step)
        if [ "$bf16" = 1 ]; then
            o=$(OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=$th $py "$src/bench/torch_dcgan64.py" --data "$data" --steps "$steps" --warmup 2 --threads "$th" --bf16)
            b="$b $(echo "$o" | json ms_per_step_median)"; br="$br $(echo "$o" | json peak_rss_mb)"
        else b="$b 0"; br="$br 0"; fi
    done
    g=$g_openblas; gr=$gr_openblas
    echo "  ($th threads, each round's ms: ganrun openblas$g | torch fp32$t | torch bf16$b | resnet64$r)"
    $py - "$th" "$(median $g)" "$(median $t)" "$(median $b)" "$(median $r)" "$flops" "$rflops" "$limit" \
        "$(median $gr)" "$(median $tr)" "$(median $br)" "$(median $rr)" "$cpu" "$core" <<'PY'
import sys
th = int(sys.argv[1])
g, t, b, r, fl, rfl, lim, gr, tr, br, rr = map(float, sys.argv[2:13])
cpu, core = sys.argv[13:15]
gf = lambda f, ms: f / ms / 1e6
print(f"[{cpu}, OpenBLAS {core}] DCGAN-64 step (batch 64, {fl/1e9:.1f} GFLOP), {th} threads: "
      f"ganrun {g:.0f} ms ({gf(fl,g):.1f} GFLOP/s = {100*gf(fl,g)/lim/th:.0f}% of {th} x sgemm, peak RSS {gr:.0f} MB) | "
      f"PyTorch fp32 {t:.0f} ms ({gf(fl,t):.1f} GFLOP/s, {tr:.0f} MB) | "
      + (f"PyTorch bf16+channels_last {b:.0f} ms ({br:.0f} MB) | " if b else "")
      + f"ganrun/PyTorch fp32 {g/t:.2f}" + (f", ganrun/bf16 {g/b:.2f}" if b else ""))
print(f"[{cpu}, OpenBLAS {core}] resnet64 step (batch 32, {rfl/1e9:.1f} GFLOP), {th} threads: {r:.0f} ms "
      f"({gf(rfl,r):.1f} GFLOP/s, peak RSS {rr:.0f} MB) = {r/g:.2f} of ganrun's DCGAN-64 step, {r/t:.2f} of PyTorch's fp32 step")
PY
    summary="$summary\"dcgan64_$th\": $(median $g), \"torch_fp32_$th\": $(median $t), \"torch_bf16_$th\": $(median $b), \"resnet64_$th\": $(median $r), "
    for e in $BENCH_GEMM; do
        [ $e = openblas ] && continue
        v=$(echo $e | tr - _)
        eval "ge=\$g_$v; gre=\$gr_$v; kern=\$kern_$v"
        echo "  ($th threads, each round's ms: ganrun $e$ge)"
        $py - "$th" "$e" "$(median $ge)" "$(median $g)" "$(median $t)" "$(median $b)" "$flops" "$(median $gre)" "$cpu" "$kern" <<'PY'
import sys
th, e = int(sys.argv[1]), sys.argv[2]
ge, g, t, b, fl, gre = map(float, sys.argv[3:9])
cpu, kern = sys.argv[9:11]
print(f"[{cpu}, {kern}] DCGAN-64 step, {th} threads, train.gemm={e}: ganrun {ge:.0f} ms "
      f"({fl/ge/1e6:.1f} GFLOP/s, peak RSS {gre:.0f} MB) = {ge/g:.2f} of ganrun openblas | "
      f"ganrun/PyTorch fp32 {ge/t:.2f}" + (f", ganrun/bf16 {ge/b:.2f}" if b else ""))
PY
        summary="$summary\"dcgan64_${v}_$th\": $(median $ge), "
    done
done
echo "${summary%, }}"
# the step's GEMMs by layer pair and engine, on one thread (bench/gemm64.c)
./bench/gemm64 $BENCH_GEMM
echo "load average at the end:$(uptime | sed 's/.*average://')"
