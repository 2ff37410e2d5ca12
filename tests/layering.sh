#!/bin/sh
# layering.sh - floors call down, never up (ARCHITECTURE.md).
#
# Which folder of src/ calls which is derived from the code, two ways:
#   - symbols: every built object of src/F (nm: what it defines, what it
#     leaves undefined); F calls G when an object of F uses a symbol that
#     an object of G defines;
#   - includes: F uses G when a file of src/F includes "G/...", a private
#     header of G (the public headers of include/gan are everyone's).
# The floors, lowest first, are the ```floors block of ARCHITECTURE.md (one
# floor a line; folders on one line are one floor).  The test fails on a
# folder that is not on a floor, on a use of a higher floor, and on a cycle
# between folders (folders of one floor may use each other, in one
# direction), and on a cycle between the files of one folder.  It checks
# its checker first: a made-up upward call and a
# made-up cycle must both be found.
. "$(dirname "$0")/lib.sh"
arch="$top_srcdir/ARCHITECTURE.md"
command -v nm >/dev/null || { echo "no nm: skipped"; exit 77; }
[ -r "$arch" ] || { echo "FAIL - no $arch"; exit 1; }
lib_tmp layering

# floors: "FOLDER LEVEL" lines, level 1 the lowest
awk '/^```floors/ { on = 1; next } /^```/ { on = 0 } on && NF { n++; for (i = 1; i <= NF; i++) print $i, n }' \
    "$arch" >"$tmp/floors"
[ -s "$tmp/floors" ] && ok "ARCHITECTURE.md names $(wc -l <"$tmp/floors") folders on $(awk '{ print $2 }' "$tmp/floors" | sort -u | wc -l) floors" \
    || bad "ARCHITECTURE.md has no \`\`\`floors block"

# check EDGES [cycles]: lines "FROM TO WHY"; prints one line per problem,
# exit 1 on any; with a second argument only cycles count (files in a folder)
check() {
    awk -v floors="$tmp/floors" -v only_cycles="${2:-}" '
    BEGIN { if (!only_cycles) while ((getline l < floors) > 0) { split(l, a, " "); lv[a[1]] = a[2] } }
    only_cycles { if (!(($1 " " $2) in e)) { e[$1 " " $2] = $3; out[$1] = out[$1] " " $2 }; next }
    {
        if (!($1 in lv)) { un[$1] = 1; next }
        if (!($2 in lv)) { un[$2] = 1; next }
        if (lv[$2] > lv[$1]) { print "upward: " $1 " (floor " lv[$1] ") uses " $2 " (floor " lv[$2] "): " $3; bad = 1 }
        if (!(($1 " " $2) in e)) { e[$1 " " $2] = $3; out[$1] = out[$1] " " $2 }
    }
    # depth first; a folder met again while on the stack closes a cycle,
    # printed from that folder with the first use of each step
    function dfs(v,    n, i, j, w, ws, c) {
        state[v] = 1; stack[++sp] = v
        n = split(out[v], ws, " ")
        for (i = 1; i <= n; i++) {
            w = ws[i]
            if (state[w] == 1) {
                for (j = 1; stack[j] != w; j++) ;
                c = w
                for (; j < sp; j++) c = c " -> " stack[j + 1] " (" e[stack[j] " " stack[j + 1]] ")"
                print "cycle: " c " -> " w " (" e[v " " w] ")"; bad = 1
            } else if (!state[w]) dfs(w)
        }
        state[v] = 2; sp--
    }
    END {
        for (f in un) { print "not on a floor: " f; bad = 1 }
        for (v in out) if (!state[v]) dfs(v)
        exit bad
    }' "$1"
}

# the checker can fail: an upward call, a cycle on one floor
printf 'core train gan_x\ntrain core gan_y\n' >"$tmp/up"
check "$tmp/up" >"$tmp/up.out"
[ $? -ne 0 ] && grep -q '^upward: core' "$tmp/up.out" && ok "a made-up call from core up to train is found" \
    || bad "a made-up call from core up to train is not found"
lvl=$(awk 'NR == 1 { print $2 }' "$tmp/floors")
a=$(awk -v l="$lvl" '$2 == l { print $1; exit }' "$tmp/floors")
printf '%s %s x\n%s %s y\n' "$a" "$a.b" "$a.b" "$a" >"$tmp/cyc"
echo "$a.b $lvl" >>"$tmp/floors"
check "$tmp/cyc" >"$tmp/cyc.out"
[ $? -ne 0 ] && grep -q '^cycle:' "$tmp/cyc.out" && ok "a made-up cycle between two folders of one floor is found" \
    || bad "a made-up cycle between two folders of one floor is not found"
sed -i '$d' "$tmp/floors"

# the edges of the code: symbols of the built objects (not the tests' own
# builds of library files, named tests_*), then private includes
# (only objects whose source is still there: a file moved in an in-tree
# build leaves its old object behind; src/layers/libganlayers_la-conv2d.o
# is src/layers/conv2d.c's)
objs=$(cd "$top_builddir" && find src -name '*.o' ! -path '*/.libs/*' ! -name 'tests_*' | sort |
    while read -r o; do c=$(echo "${o%.o}.c" | sed 's|/[a-z]*_la-|/|')
        [ -e "$top_srcdir/$c" ] || [ -e "$top_builddir/$c" ] && echo "$o"; done)
[ -n "$objs" ] || { echo "no objects under $top_builddir/src: skipped"; exit 77; }
# "D|U FILE SYMBOL", FILE the source's name (src/layers/conv2d, without
# libtool's per-library prefix)
for o in $objs; do
    f=$(echo "$o" | sed 's|/[a-z]*_la-|/|; s|\.o$||')
    nm -P "$top_builddir/$o" | awk -v f="$f" '$2 ~ /^[TDBRCGSVW]$/ { print "D", f, $1 } $2 == "U" { print "U", f, $1 }'
done | awk '$1 == "D" { def[$3] = $2; next } { use[++n] = $2 " " $3 }
    END { for (i = 1; i <= n; i++) { split(use[i], a, " "); if ((a[2] in def) && def[a[2]] != a[1]) print a[1], def[a[2]], a[2] } }' \
    | sort -u >"$tmp/filecalls"
awk '{ split($1, a, "/"); split($2, b, "/"); if (a[2] != b[2]) print a[2], b[2], $3 }' "$tmp/filecalls" | sort -u >"$tmp/calls"
ls -d "$top_srcdir"/src/*/ | sed 's|.*/src/||; s|/$||' >"$tmp/folders"
for d in $(cat "$tmp/folders"); do
    grep -o '^#include "[a-z_]*/[^"]*"' "$top_srcdir/src/$d"/*.[ch] 2>/dev/null \
        | sed 's|^\([^:]*\):#include "\([a-z_]*\)/\([^"]*\)"|'"$d"' \2 \1:\3|; s|'"$top_srcdir"'/||' \
        | awk -v f="$tmp/folders" 'BEGIN { while ((getline l < f) > 0) k[l] = 1 } ($2 in k) && $1 != $2 { print $1, $2, "include:" $3 }'
done | sort -u >"$tmp/includes"
cat "$tmp/calls" "$tmp/includes" >"$tmp/edges"
[ -s "$tmp/calls" ] && ok "$(wc -l <"$tmp/calls") calls between folders found in the objects" || bad "no calls between folders found"

for d in $(cat "$tmp/folders"); do
    grep -q "^$d " "$tmp/floors" || bad "src/$d is not on a floor of ARCHITECTURE.md"
done
awk '{ print $1 " -> " $2 }' "$tmp/edges" | sort | uniq -c | awk '{ printf "#   %-24s (%d)\n", $2 " " $3 " " $4, $1 }'
if check "$tmp/edges" >"$tmp/out"; then
    ok "no folder uses a higher floor, no cycle between folders"
else
    while read -r l; do bad "$l"; done <"$tmp/out"
fi
# inside a folder, files call each other without cycles too
awk '{ split($1, a, "/"); split($2, b, "/"); if (a[2] == b[2]) print }' "$tmp/filecalls" >"$tmp/inner"
if check "$tmp/inner" cycles >"$tmp/out"; then
    ok "no cycle between the files of a folder ($(wc -l <"$tmp/inner") calls)"
else
    while read -r l; do bad "$l"; done <"$tmp/out"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
