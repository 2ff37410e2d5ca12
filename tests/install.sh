#!/bin/sh
# install.sh - libgan as installed: stage the library, headers and libgan.pc
# with `make install DESTDIR=...`, build examples/sample.c against them
# through pkg-config alone, and check that it writes the same 16-sample grid
# as `ganrun sample -n 16 --seed 1` from a checkpoint of a short ring run.
. "$(dirname "$0")/lib.sh"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
lib_tmp install
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }
stage="$tmp/stage"

# only the library's parts: ganrun itself is not relinked while other tests run it
if ${MAKE:-make} -s -C "$top_builddir" DESTDIR="$stage" install-libLTLIBRARIES \
        install-pkgincludeHEADERS install-pkgconfigDATA >"$tmp/make.log" 2>&1; then
    ok "make install DESTDIR"
else
    bad "make install DESTDIR"; cat "$tmp/make.log"; finish
fi
pc=$(find "$stage" -name libgan.pc | head -1)
[ -n "$pc" ] && ok "libgan.pc installed" || { bad "libgan.pc installed"; finish; }
[ -n "$(find "$stage" -path '*/gan/gan.h')" ] && ok "headers installed as gan/*.h" || bad "headers installed as gan/*.h"

PKG_CONFIG_PATH=$(dirname "$pc"); PKG_CONFIG_SYSROOT_DIR=$stage
export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
cflags=$(pkg-config --cflags libgan); libs=$(pkg-config --libs libgan)
case "$cflags $libs" in
*"$stage"*) ok "pkg-config flags point into the stage: $cflags $libs" ;;
*) bad "pkg-config flags point into the stage: $cflags $libs" ;;
esac
# the compiler sees only the installed headers: the source tree is not on the path
(cd "$tmp" && ${CC:-cc} -Wall -Wextra -Werror ${SAN_CFLAGS:-} "$top_srcdir/examples/sample.c" $cflags $libs -o sample) \
    >"$tmp/cc.log" 2>&1 && ok "examples/sample.c builds against the installed libgan" \
    || { bad "examples/sample.c builds"; cat "$tmp/cc.log"; finish; }
(cd "$tmp" && ${CC:-cc} -Wall -Wextra -Werror ${SAN_CFLAGS:-} "$top_srcdir/examples/train.c" $cflags $libs -o train) \
    >"$tmp/cc.log" 2>&1 && ok "examples/train.c builds against the installed libgan" \
    || bad "examples/train.c builds: $(cat "$tmp/cc.log")"

"$G" "$top_srcdir/models/ring.yaml" --set train.steps=20 --quiet --out "$tmp/run" >/dev/null 2>&1
[ -s "$tmp/run/latest.ckpt" ] && ok "a ring checkpoint" || { bad "a ring checkpoint"; finish; }

libdir=$(dirname "$(find "$stage" -name 'libgan.so*' | head -1)")
LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$tmp/sample" \
    "$tmp/run/latest.ckpt" "$tmp/grid.png" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && ok "sample runs" || { bad "sample runs (exit $rc): $(cat "$tmp/err")"; }
[ "$(head -c 4 "$tmp/grid.png" 2>/dev/null | tail -c 3)" = PNG ] && ok "grid.png is a PNG" || bad "grid.png is a PNG"
"$G" sample "$tmp/run" -n 16 --seed 1 -o "$tmp/ref.png" >/dev/null 2>&1
cmp -s "$tmp/grid.png" "$tmp/ref.png" && ok "same bytes as ganrun sample -n 16 --seed 1" \
    || bad "same bytes as ganrun sample -n 16 --seed 1"
LD_LIBRARY_PATH="$libdir" "$tmp/sample" "$tmp/none.ckpt" "$tmp/x.png" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "^$tmp/none.ckpt: error: " "$tmp/err" \
    && ok "a missing checkpoint: exit 1, one error line" || bad "a missing checkpoint: exit $rc, $(cat "$tmp/err")"
finish
