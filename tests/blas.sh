#!/bin/sh
# blas.sh - ganrun and OpenBLAS's kernels (gan/blas.h): --version, `ganrun
# info` and the checkpoint name the core in use; a user's OPENBLAS_CORETYPE
# is kept; a generic core that OpenBLAS picked (simulated with the test-only
# GANRUN_TEST_BLAS_PICKED, since OpenBLAS knows this machine) is replaced by
# this CPU's best core through one restart; a core failing the self-check
# (GANRUN_TEST_BLAS_BROKEN) is dropped with one line on stderr; under mpirun
# every rank restarts on its own.  The environment's OPENBLAS_CORETYPE and
# OPENBLAS_L2_SIZE stay as they are, except in the commands that say
# `env -u`.
. "$(dirname "$0")/lib.sh"
M="$top_srcdir/models"
lib_tmp blas
has() {   # has DESCRIPTION FILE TEXT
    grep -qF -- "$3" "$2" && ok "$1" || bad "$1: '$3' not in: $(cat "$2")"
}
unset GANRUN_BLAS_RESTART GANRUN_BLAS_AUTO GANRUN_TEST_BLAS_PICKED GANRUN_TEST_BLAS_BROKEN
tiny="--steps 2 --set train.batch=32 --set output.samples=16 --set output.sample_every=0 --quiet"
kernels() { sed -n 's/^OpenBLAS kernels: //p' "$tmp/out"; }

expect 0 "--version" "$G" --version
best=$(sed -n "s/^this CPU's best OpenBLAS core: //p" "$tmp/out")
[ -n "$(kernels)" ] && [ -n "$best" ] && ok "--version names the kernels ($(kernels)) and the CPU's best ($best)" \
    || bad "--version names the kernels: $(cat "$tmp/out")"
if [ -n "${OPENBLAS_CORETYPE:-}" ]; then
    has "the environment's OPENBLAS_CORETYPE is kept" "$tmp/out" "(OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE)"
fi

# a core set by hand is kept, even a generic one on a CPU that takes better
expect 0 "--version, OPENBLAS_CORETYPE=Prescott" env OPENBLAS_CORETYPE=Prescott "$G" --version
has "Prescott set by hand is kept" "$tmp/out" "OpenBLAS kernels: Prescott (OPENBLAS_CORETYPE=Prescott)"
expect 0 "--version, Prescott by hand and picked" \
    env OPENBLAS_CORETYPE=Prescott GANRUN_TEST_BLAS_PICKED=Prescott "$G" --version
has "a user's core wins over the restart" "$tmp/out" "OpenBLAS kernels: Prescott (OPENBLAS_CORETYPE=Prescott)"
expect 0 "training on Prescott by hand" env OPENBLAS_CORETYPE=Prescott "$G" train "$M/ring.yaml" $tiny --out "$tmp/p"
expect 0 "info" "$G" info "$tmp/p/latest.ckpt"
has "info names the kernels" "$tmp/out" "kernels Prescott (OPENBLAS_CORETYPE=Prescott)"
grep "^built by" "$tmp/out"

# OpenBLAS picked a generic core: ganrun restarts once on the CPU's best
picked="env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE GANRUN_TEST_BLAS_PICKED=Prescott"
if [ "$best" = "none above the generic ones" ]; then
    echo "# this CPU has no AVX: no restart to test"
else
    expect 0 "--version after a generic pick" $picked "$G" --version
    has "restarted on $best" "$tmp/out" "OpenBLAS kernels: $best (set by ganrun: OpenBLAS picked Prescott on this CPU)"
    [ ! -s "$tmp/err" ] && ok "the restart is silent" || bad "the restart is silent: $(cat "$tmp/err")"
    expect 0 "training after a generic pick" $picked "$G" train "$M/ring.yaml" $tiny --out "$tmp/r"
    expect 0 "info" "$G" info "$tmp/r/latest.ckpt"
    has "the checkpoint names the restarted kernels" "$tmp/out" "kernels $best (set by ganrun: OpenBLAS picked Prescott"

    # switched off
    expect 0 "--version with GANRUN_BLAS_AUTO=0" $picked GANRUN_BLAS_AUTO=0 "$G" --version
    has "GANRUN_BLAS_AUTO=0: no restart" "$tmp/out" "(OpenBLAS's choice)"

    # the chosen core fails its self-check: one line, back to OpenBLAS's choice
    expect 0 "--version with a broken kernel" $picked GANRUN_TEST_BLAS_BROKEN=1 "$G" --version
    has "a failed self-check falls back" "$tmp/out" "(OpenBLAS's choice; $best failed ganrun's self-check)"
    [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "computed a wrong sgemm.*going back to OpenBLAS's own choice" "$tmp/err" \
        && ok "said once on stderr" || bad "said once on stderr: $(cat "$tmp/err")"
    expect 0 "training with a broken kernel" $picked GANRUN_TEST_BLAS_BROKEN=1 "$G" train "$M/ring.yaml" $tiny --out "$tmp/b"
    [ "$(wc -l <"$tmp/err")" -eq 1 ] && ok "training: said once" || bad "training: said once: $(cat "$tmp/err")"

    # the marker stops any loop
    expect 0 "--version after a failed restart" $picked GANRUN_BLAS_RESTART="Prescott $best failed" "$G" --version
    has "no second restart" "$tmp/out" "failed ganrun's self-check)"

    # under mpirun every rank restarts by itself
    MPIRUN=${MPIRUN:-mpirun}
    if grep -q '^#define HAVE_MPI 1' "$top_builddir/config.h" 2>/dev/null && command -v "$MPIRUN" >/dev/null 2>&1; then
        export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
        expect 0 "2 ranks restarting" $picked OPENBLAS_NUM_THREADS=1 timeout 300 "$MPIRUN" -np 2 --oversubscribe --bind-to none \
            -x GANRUN_TEST_BLAS_PICKED "$G" train "$M/ring.yaml" --steps 2 --set train.batch=32 \
            --set output.sample_every=0 --out "$tmp/m"
        has "the ranks kept identical parameters" "$tmp/err" "2 ranks, parameters identical on every rank"
        expect 0 "info" "$G" info "$tmp/m/latest.ckpt"
        has "rank 0's checkpoint names the restarted kernels" "$tmp/out" "kernels $best (set by ganrun"
        expect 0 "2 ranks: --version" $picked timeout 120 "$MPIRUN" -np 2 --oversubscribe --bind-to none \
            -x GANRUN_TEST_BLAS_PICKED "$G" --version
        [ "$(grep -c "OpenBLAS kernels: $best (set by ganrun" "$tmp/out")" -eq 2 ] && ok "each rank restarted" \
            || bad "each rank restarted: $(cat "$tmp/out")"
    else
        echo "# no MPI build: the mpirun case is left to tests/mpi-ci.sh"
    fi
fi

echo "blas.sh: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
