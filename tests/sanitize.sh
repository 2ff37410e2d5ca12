#!/bin/sh
# sanitize.sh - build a copy of the committed tree with AddressSanitizer and
# UndefinedBehaviorSanitizer and run the whole test suite there (.ci/run).
set -eu
cd "$(dirname "$0")/.."
dir=$(mktemp -d /tmp/ganrun-asan.XXXXXX)
trap 'rm -rf "$dir"' EXIT
git clone -q . "$dir/src"
cd "$dir/src"
autoreconf -fi >/dev/null 2>&1
./configure -q --enable-asan --enable-ubsan
make -j"$(nproc)" >/dev/null
# OpenBLAS keeps its thread buffers until exit: leaks from libopenblas only are
# not ours; everything else must be clean.
printf 'leak:libopenblas\n' >"$dir/lsan.supp"
CK_TIMEOUT_MULTIPLIER=10 ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 LSAN_OPTIONS=suppressions=$dir/lsan.supp \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 make -j"$(nproc)" check || {
    grep -E '^(FAIL|ERROR)' test-suite.log || true
    for f in $(grep -l -E ':test-result: (FAIL|ERROR)' tests/*.trs 2>/dev/null); do
        echo "=== ${f%.trs}.log"; tail -40 "${f%.trs}.log"
    done
    exit 1
}
