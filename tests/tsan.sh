#!/bin/sh
# tsan.sh - build a copy of the committed tree with ThreadSanitizer and run
# the programs that drive the worker pool (gan/par.h) on several threads:
# check_par (the pool, split GEMMs, networks on 1-4 threads), the attention
# layer's tests (samples split over 1-3 tasks), the GEMM engines' split
# products (check_gemm) and a short DCGAN-shaped training run on 3 threads,
# with train.gemm onednn too where built (.ci/run).  OpenBLAS is not
# instrumented; the pool's own synchronisation and the layers' tasks are.
set -eu
cd "$(dirname "$0")/.."
dir=$(mktemp -d /tmp/ganrun-tsan.XXXXXX)
trap 'rm -rf "$dir"' EXIT
git clone -q . "$dir/src"
cd "$dir/src"
autoreconf -fi >/dev/null 2>&1
./configure -q CFLAGS="-g -O1 -fsanitize=thread" LDFLAGS=-fsanitize=thread
make -j"$(nproc)" ganrun tests/check_par tests/check_layers2 tests/check_gemm >/dev/null
export TSAN_OPTIONS=halt_on_error=1:exitcode=66
CK_FORK=no CK_TIMEOUT_MULTIPLIER=20 ./tests/check_par
CK_FORK=no CK_TIMEOUT_MULTIPLIER=20 CK_RUN_CASE=attention GANRUN_THREADS=3 ./tests/check_layers2
GANRUN_THREADS=3 ./ganrun models/dcgan.yaml --steps 2 --quiet --out "$dir/run"
# the GEMM engines' parts on the pool (oneDNN and libgomp are not
# instrumented; the pool's hand-off of oneDNN's parts is)
CK_FORK=no CK_TIMEOUT_MULTIPLIER=20 CK_RUN_CASE=split ./tests/check_gemm
if ./ganrun --version | grep -q "^train.gemm onednn: oneDNN"; then
    GANRUN_THREADS=3 ./ganrun models/dcgan.yaml --steps 2 --set train.gemm=onednn --quiet --out "$dir/run-onednn"
fi
echo "tsan: check_par, attention, check_gemm and 2 DCGAN steps on 3 threads (and with onednn) clean"
