#!/bin/sh
# symbols.sh - libgan's public API is what include/gan declares: the
# dynamic symbols libgan.so defines (nm -D --defined-only) are exactly the
# functions and tables the headers mark GAN_API (built with
# -fvisibility=hidden, everything else stays internal).
. "$(dirname "$0")/lib.sh"
lib="$top_builddir/.libs/libgan.so"
[ -f "$lib" ] || { echo "no $lib (static build): skipped"; exit 77; }
command -v nm >/dev/null || { echo "no nm: skipped"; exit 77; }
lib_tmp symbols

nm -D --defined-only "$lib" | awk 'NF == 3 { print $3 }' | sort -u >"$tmp/exported"
# a declaration's name: the last identifier before its first ( or [
grep -h '^GAN_API' "$top_srcdir"/include/gan/*.h | grep -o '^GAN_API[^([]*' | grep -o '[A-Za-z_][A-Za-z0-9_]*$' \
    | sort -u >"$tmp/declared"
n=$(wc -l <"$tmp/exported")
[ "$n" -gt 100 ] && ok "libgan.so exports $n symbols" || bad "libgan.so exports $n symbols"
comm -23 "$tmp/exported" "$tmp/declared" >"$tmp/extra"
[ ! -s "$tmp/extra" ] && ok "every exported symbol is declared GAN_API in include/gan" \
    || bad "exported but not declared in include/gan: $(tr '\n' ' ' <"$tmp/extra")"
comm -13 "$tmp/exported" "$tmp/declared" >"$tmp/missing"
[ ! -s "$tmp/missing" ] && ok "every GAN_API declaration is exported" \
    || bad "declared GAN_API but not exported: $(tr '\n' ' ' <"$tmp/missing")"
# every function declared in include/gan is marked (a declaration at the
# start of a line that names gan_...( without GAN_API would not be exported)
grep -n '^[A-Za-z][^#]*\bgan_[a-z0-9_]* *(' "$top_srcdir"/include/gan/*.h | grep -v ':GAN_API \|:static \|:typedef ' >"$tmp/unmarked"
[ ! -s "$tmp/unmarked" ] && ok "every function declaration in include/gan is GAN_API" \
    || bad "declarations without GAN_API: $(cat "$tmp/unmarked")"
# internal functions (named gan_* too) stay hidden
for s in gan_im2col gan_sn_weight gan_model_parse_stack; do
    grep -qx "$s" "$tmp/exported" && bad "internal $s is exported" || ok "internal $s is hidden"
done

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
