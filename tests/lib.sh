# lib.sh - what the shell tests share, sourced by each at its top:
#
#   . "$(dirname "$0")/lib.sh"    # "$0"'s folder: the tests' source folder
#   lib_tmp NAME                  # $tmp, removed at exit
#
# "$(dirname "$0")" finds this file under `make check` (automake runs a
# test by its path, in the source folder for an out-of-tree build), by hand
# in the source tree (sh tests/cli.sh) and from a build folder
# (sh ../ganrun/tests/cli.sh with top_srcdir and top_builddir set).
#
# It sets: top_srcdir and top_builddir (make check's, else .), G (the
# build's ganrun), the counters pass and fail, and the helpers
#   ok MSG, bad MSG          count one result and print it ("ok - MSG")
#   check MSG EXPR           ok when `eval EXPR` succeeds (else bad, and
#                            $tmp/out and $tmp/err are shown)
#   expect STATUS MSG CMD... run CMD (stdout to $tmp/out, stderr to
#                            $tmp/err): ok when it exits with STATUS
#   one_line MSG PATTERN     ok when $tmp/err is one line matching PATTERN
#   count PATTERN FILE       how many times PATTERN occurs in FILE
# A test that needs another helper of one of these names defines its own
# after sourcing, and one that needs another trap sets it after lib_tmp.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
G="$top_builddir/ganrun"
pass=0; fail=0

lib_tmp() {
    tmp=$(mktemp -d "/tmp/ganrun-$1.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
}
ok()   { pass=$((pass + 1)); echo "ok - $1"; }
bad()  { fail=$((fail + 1)); echo "FAIL - $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; cat "$tmp/out" "$tmp/err" 2>/dev/null; fi; }
expect() {
    want=$1; what=$2; shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"; got=$?
    if [ "$got" -eq "$want" ]; then ok "$what"; else bad "$what (exit $got, want $want)"; cat "$tmp/err"; fi
}
one_line() {
    n=$(wc -l <"$tmp/err")
    if [ "$n" -eq 1 ] && grep -q -- "$2" "$tmp/err"; then ok "$1"; else bad "$1: $(cat "$tmp/err")"; fi
}
count() { grep -o -- "$1" "$2" | wc -l; }
