#!/bin/sh
# smaller.sh - the smaller items of issue 29: --set with an empty key part,
# --force past a dangling RUN.old-1 link, report of 17 runs, control
# characters in printed file names escaped (one line stays one line).
# (NaN latents and checkpoints: readers.sh; resume with one more image:
# images.sh; `ganrun frobnicate`: help.sh.)
. "$(dirname "$0")/lib.sh"
M="$top_srcdir/models"
lib_tmp smaller
# expect STATUS DESCRIPTION PATTERN CMD...: exit status, one stderr line matching
expect() {
    want=$1 what=$2 pat=$3; shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"; got=$?
    if [ "$got" -eq "$want" ] && { [ -z "$pat" ] || { [ "$(wc -l <"$tmp/err")" -ge 1 ] && head -1 "$tmp/err" | grep -q -- "$pat"; }; }
    then ok "$what"; else bad "$what (exit $got, want $want): $(head -2 "$tmp/err")"; fi
}

for k in .=1 train..steps=3 train.=1 .train.steps=3; do
    expect 1 "--set $k: refused" "^--set: error: '$k': the key has an empty part" "$G" check "$M/ring.yaml" --set "$k"
done
expect 0 "--set train.steps=3 still works" "" "$G" check "$M/ring.yaml" --set train.steps=3

"$G" "$M/ring.yaml" --steps 2 --out "$tmp/r" --quiet
ln -s "$tmp/nowhere" "$tmp/r.old-1"
expect 0 "--force past a dangling RUN.old-1 link" "" "$G" "$M/ring.yaml" --steps 2 --out "$tmp/r" --quiet --force
[ -L "$tmp/r.old-1" ] && [ -f "$tmp/r.old-2/latest.ckpt" ] && ok "the old run went to RUN.old-2, the link left alone" ||
    bad "the old run went to RUN.old-2: $(ls "$tmp")"

runs=""
for i in $(seq 17); do runs="$runs $tmp/r"; done
expect 2 "report of 17 runs: a usage error" "^ganrun: too many arguments: at most 16 (each a run directory), '$tmp/r' is number 17$" \
    "$G" report $runs

nl=$(printf 'a\nb\033[31m')
expect 1 "a model file name with a newline and an escape: one line" 'a\\nb\\x1b\[31m\.yaml: error: cannot open model file' \
    "$G" check "$tmp/$nl.yaml"
[ "$(wc -l <"$tmp/err")" -eq 1 ] && ok "  ... and only one" || bad "  ... $(wc -l <"$tmp/err") lines"
expect 2 "an unknown subcommand with control characters: escaped" "^ganrun: no subcommand 'a\\\\nb" "$G" "$nl"
! grep -q "$(printf '\033')" "$tmp/err" && ok "  ... no escape byte reaches the terminal" || bad "  ... an escape byte was printed"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
