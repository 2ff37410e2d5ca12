#!/bin/sh
# mpi-ci.sh - build a copy of the committed tree with MPI (./configure
# --with-mpi, Open MPI) and run the data-parallel tests (tests/mpi.sh: two
# ranks on this machine) with the trainer's and the CLI's suites, which
# must pass unchanged in an MPI build (.ci/run).  Installs Debian's
# libopenmpi-dev and openmpi-bin when they are missing.
set -eu
cd "$(dirname "$0")/.."
if ! command -v mpicc >/dev/null 2>&1 || ! command -v mpirun >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libopenmpi-dev openmpi-bin
fi
dir=$(mktemp -d /tmp/ganrun-mpi-ci.XXXXXX)
trap 'rm -rf "$dir"' EXIT
git clone -q . "$dir/src"
cd "$dir/src"
autoreconf -fi >/dev/null 2>&1
./configure -q --with-mpi
grep -q '^#define HAVE_MPI 1' config.h || { echo "mpi-ci.sh: configure --with-mpi did not enable MPI"; exit 1; }
make -j"$(nproc)" >/dev/null
# as root (containers) Open MPI wants both variables
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
make -j"$(nproc)" check TESTS="tests/mpi.sh tests/blas.sh tests/check_layers tests/check_layers2 tests/check_train tests/check_ckpt tests/cli.sh" || {
    grep -E '^(FAIL|ERROR|SKIP)' test-suite.log || true
    for f in $(grep -l -E ':test-result: (FAIL|ERROR|SKIP)' tests/*.trs 2>/dev/null); do
        echo "=== ${f%.trs}.log"; tail -40 "${f%.trs}.log"
    done
    exit 1
}
# a skip is a failure here: this build has MPI
grep -q ':test-result: PASS' tests/mpi.sh.trs || { echo "mpi-ci.sh: tests/mpi.sh did not pass"; cat tests/mpi.sh.log; exit 1; }
