#!/bin/sh
# coverage.sh - line coverage of the library by the fuzz corpora.
#
#   sh tests/fuzz/coverage.sh [TARGET...]
#
# Builds the harnesses with the replay driver (tests/fuzz/replay.c) under
# clang's source-based coverage, replays $FUZZ_BUILD/corpus/TARGET (what
# run.sh grew) and prints llvm-cov's per-file report for the files the
# target is about.  Needs clang and llvm-cov / llvm-profdata.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
targets=${*:-model ckpt idx cifar10 pngdir csv images}
out=${FUZZ_BUILD:-$PWD/build-fuzz}
top_builddir=${top_builddir:-$PWD}
[ -f "$top_builddir/config.h" ] || top_builddir=$src
cov="$out/cov"
mkdir -p "$cov"
cppflags="-I$top_builddir -I$src/include -I$src/src -I$src/tests/fuzz -DFUZZ_REPLAY $(pkg-config --cflags libpng openblas)"
clang -O0 -g -fprofile-instr-generate -fcoverage-mapping $cppflags \
    "$src"/src/core/*.c "$src"/src/layers/*.c "$src"/src/train/*.c "$src"/src/model/*.c "$src"/src/io/*.c "$src"/src/ckpt/*.c \
    "$src"/tests/fuzz/fuzz.c "$src"/tests/fuzz/fuzz_*.c "$src"/tests/fuzz/replay.c \
    $(pkg-config --libs yaml-0.1 zlib libpng libjpeg openblas 2>/dev/null || echo -lyaml -lz -lpng16 -ljpeg -lopenblas) -lm -o "$cov/replay"
for t in $targets; do
    case $t in
    model) files="src/model" ;;
    ckpt) files="src/ckpt/ckpt" ;;
    idx) files="src/io/idx.c" ;;
    cifar10) files="src/io/cifar.c" ;;
    pngdir) files="src/io/pngdir.c" ;;
    csv) files="src/io/csv.c" ;;
    images) files="src/io/(images|imgdecode).c" ;;
    esac
    rm -f "$cov/$t.profraw"
    # the replay driver takes files whose folder names the target
    (cd "$out/corpus" && find "$t" -type f -print0 | \
        LLVM_PROFILE_FILE="$cov/$t-%p.profraw" xargs -0 -n 200 "$cov/replay" >/dev/null 2>&1) || true
    llvm-profdata merge -sparse "$cov"/$t-*.profraw -o "$cov/$t.profdata"
    rm -f "$cov"/$t-*.profraw
    echo "== $t"
    llvm-cov report "$cov/replay" -instr-profile="$cov/$t.profdata" 2>/dev/null | \
        sed -e "s|^/*${src#/}/||" | grep -E "^$files" | \
        awk '{ printf "%-24s lines %5d of %5d (%s), branches %s\n", $1, $8 - $9, $8, $10, $13 }'
done
