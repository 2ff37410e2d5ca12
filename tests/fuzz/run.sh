#!/bin/sh
# run.sh - build the libFuzzer targets and fuzz each in turn.
#
#   sh tests/fuzz/run.sh [SECONDS] [TARGET...]
#
# SECONDS per target (default 60); TARGETs among model ckpt idx cifar10
# pngdir csv images latents report (default all, one after another).  Needs clang with libFuzzer
# (Debian: clang libclang-rt-14-dev) and a configured tree (config.h).
# Everything goes to $FUZZ_BUILD (default build-fuzz/ in the current
# folder): the targets, corpus/TARGET (grown from the seeds), crashes in
# artifacts/TARGET/, and logs/TARGET.log whose last lines hold the figures.
# Inputs worth keeping go to tests/data/fuzz/TARGET/ (replayed by
# tests/check_fuzz in `make check`).  Not part of `make check`: fuzzing
# takes the time you give it.
set -eu
# all in a function: sh reads it whole, so editing this file during a run is safe
main() {
src=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-model ckpt idx cifar10 pngdir csv images latents report}
out=${FUZZ_BUILD:-$PWD/build-fuzz}
CC=${CC_FUZZ:-clang}
top_builddir=${top_builddir:-$PWD}
[ -f "$top_builddir/config.h" ] || top_builddir=$src
[ -f "$top_builddir/config.h" ] || { echo "run.sh: no config.h: run ./configure first" >&2; exit 1; }
command -v "$CC" >/dev/null || { echo "run.sh: no $CC (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }
mkdir -p "$out/obj" "$out/logs"

flags="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"
cppflags="-I$top_builddir -I$src/include -I$src/src -I$src/tests/fuzz $(pkg-config --cflags libpng openblas 2>/dev/null || echo -I/usr/include/libpng16 -I/usr/include/x86_64-linux-gnu/openblas-pthread)"
libs="$(pkg-config --libs yaml-0.1 zlib libpng libjpeg openblas 2>/dev/null || echo -lyaml -lz -lpng16 -ljpeg -lopenblas) -lm"

# the library, instrumented for coverage (the harness adds the fuzzer's main)
objs=
for f in "$src"/src/core/*.c "$src"/src/layers/*.c "$src"/src/train/*.c "$src"/src/model/*.c \
         "$src"/src/io/*.c "$src"/src/ckpt/*.c "$src"/tests/fuzz/fuzz.c; do
    o="$out/obj/$(basename "$(dirname "$f")")_$(basename "$f" .c).o"
    # rebuilt when the source or any header changed
    if [ ! -f "$o" ] || [ "$f" -nt "$o" ] || [ -n "$(find "$src/include" "$src/src" "$src/tests/fuzz" \
            "$top_builddir/config.h" -name '*.h' -newer "$o" 2>/dev/null | head -1)" ]; then
        $CC $flags -fsanitize=fuzzer-no-link $cppflags -c "$f" -o "$o"
    fi
    objs="$objs $o"
done
for t in $targets; do
    $CC $flags -fsanitize=fuzzer $cppflags "$src/tests/fuzz/fuzz_$t.c" $objs $libs -o "$out/fuzz_$t"
done

# seeds: the repository's own files of each kind, and tiny valid ones
seeds="$out/seeds"
rm -rf "$seeds"
for t in model ckpt idx cifar10 pngdir csv images latents report; do mkdir -p "$seeds/$t"; done
$CC $flags $cppflags "$src/tests/fuzz/seedgen.c" $objs $libs -o "$out/seedgen"
cp "$src"/models/*.yaml "$src"/tests/data/model/bad/*.yaml "$seeds/model/"
# models with --set overrides after a NUL (see fuzz_model.c)
{ cat "$src/models/ring.yaml"; printf '\000train.steps=7\000generator.0.units=4\000train.health.on_nan=rollback'; } \
    >"$seeds/model/ring-sets"
{ cat "$src/models/dcgan.yaml"; printf '\000discriminator.3.batchnorm=1\000output.keep=2'; } >"$seeds/model/dcgan-sets"
# a small checkpoint of today's format that loads (batchnorm, two optimizers)
ckpts="$src/tests/data/ckpt/toy-v1.ckpt"
if [ -x "$top_builddir/ganrun" ]; then
    cat >"$out/tiny.yaml" <<'YAML'
name: tiny
data: {format: ring, samples: 40}
noise: {dim: 2}
generator: [dense: {units: 4}, batchnorm, relu, dense: {units: 2}]
discriminator: [dense: {units: 4}, leaky_relu, dense: {units: 1}]
train:
  batch: 8
  steps: 3
  optimizer: {generator: {type: adam}, discriminator: {type: rmsprop, momentum: 0.5}}
YAML
    rm -rf "$out/tiny"
    "$top_builddir/ganrun" "$out/tiny.yaml" --quiet --out "$out/tiny" && ckpts="$ckpts $out/tiny/latest.ckpt"
fi
for f in $ckpts "$src"/tests/data/ckpt/bad/*.ckpt; do
    { printf '\000'; cat "$f"; } >"$seeds/ckpt/$(basename "$f")"
done
"$out/seedgen" "$seeds" $ckpts

# scratch files on tmpfs when there is one: the checkpoint writer fsyncs
[ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ] && TMPDIR=/dev/shm && export TMPDIR
printf 'leak:libopenblas\n' >"$out/lsan.supp"
for t in $targets; do
    mkdir -p "$out/corpus/$t" "$out/artifacts/$t"
    kept="$src/tests/data/fuzz/$t"
    set -- "$out/corpus/$t" "$seeds/$t"
    [ -d "$kept" ] && set -- "$@" "$kept"
    echo "== fuzz_$t: $secs s"
    ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 LSAN_OPTIONS=suppressions=$out/lsan.supp \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$out/fuzz_$t" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=30 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$out/artifacts/$t/" "$@" >"$out/logs/$t.log" 2>&1 \
        || echo "fuzz_$t: stopped with a finding, see $out/logs/$t.log and $out/artifacts/$t/"
    grep -E '^#[0-9]+.*(DONE|pulse|NEW)' "$out/logs/$t.log" | tail -1
    grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "$out/logs/$t.log" || true
done
}
main "$@"
exit
