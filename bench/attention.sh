#!/bin/sh
# bench/attention.sh - the attention layer's forward + backward, ganrun
# against PyTorch (both formulations of bench/torch_attention.py),
# alternating, at (64, 14, 14) with B = 64.  Run from the build directory:
#   sh bench/attention.sh [ROUNDS] [THREADS]
# Medians and minima of each program's per-iteration medians.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-3}
th=${2:-1}
make -s bench/bench_attention >/dev/null
py=/usr/bin/python3
json() { $py -c "import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])['$1'])"; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "date: $(date -u '+%Y-%m-%d %H:%M') UTC  load average:$(uptime | sed 's/.*average://')"
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset} OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE:-unset} threads=$th"
# the same function first: ganrun's layer against PyTorch's on one set of numbers
OMP_NUM_THREADS=1 $py "$src/bench/torch_attention.py" --check ./bench/bench_attention --B 4 --H 7 --W 9
g=""; s=""; c=""
for r in $(seq "$rounds"); do
    g="$g $(GANRUN_THREADS=$th OPENBLAS_NUM_THREADS=$th OMP_NUM_THREADS=$th ./bench/bench_attention | json ms_median)"
    s="$s $(OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=$th $py "$src/bench/torch_attention.py" --threads "$th" --variant sagan | json ms_median)"
    c="$c $(OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=$th $py "$src/bench/torch_attention.py" --threads "$th" --variant contiguous | json ms_median)"
done
$py - "$g" "$s" "$c" <<'PY'
import statistics, sys
rows = [("ganrun", sys.argv[1]), ("pytorch sagan", sys.argv[2]), ("pytorch contiguous", sys.argv[3])]
med = {}
for name, v in rows:
    x = [float(t) for t in v.split()]
    med[name] = (statistics.median(x), min(x))
    print("%-19s ms per fwd+bwd: median %7.1f  min %7.1f  %s" % (name, med[name][0], med[name][1], x))
for name in ("pytorch sagan", "pytorch contiguous"):
    print("ratio ganrun / %-18s median %.2f  min %.2f" % (name, med["ganrun"][0] / med[name][0], med["ganrun"][1] / med[name][1]))
PY
