#!/bin/sh
# help.sh - the help matches the parser and the manual (issue 29): for each
# subcommand, every option its parser accepts (the option table itself,
# printed by --list-options) is named by `ganrun help SUB` and by its
# synopsis in man/ganrun.1, and every option that synopsis names is
# accepted.  An unknown subcommand is a usage error naming both readings.
. "$(dirname "$0")/lib.sh"
MAN="$top_srcdir/man/ganrun.1"
lib_tmp help

# the synopsis block of SUB in ganrun(1): from the .Nm line before ".Cm SUB"
# (or ".Op Cm train") to the next .Nm; its options as --name or -x
man_opts() {
    awk -v sc="$1" '
        /^\.Sh SYNOPSIS/ { on = 1; next }
        /^\.Sh / { on = 0 }
        !on { next }
        /^\.Nm$/ { blk++; next }
        { text[blk] = text[blk] "\n" $0 }
        /^\.(Op )?Cm / && !(blk in first) { first[blk] = $0; if ($0 == ".Cm " sc || $0 == ".Op Cm " sc) name[blk] = sc }
        END { for (b in name) print text[b] }' "$MAN" |
        grep -o 'Fl \\-[a-z][a-z-]*\|| \\-[a-z][a-z-]*\|Fl [a-zA-Z]\b' | sed 's/^Fl \\-/--/; s/^| \\-/--/; s/^Fl /-/' | sort -u
}

subs=$("$G" --help | sed -n 's/^  ganrun \[\{0,1\}\([a-z]*\).*/\1/p' | grep -v '^help$' | sort -u)
[ -n "$subs" ] && ok "subcommands from ganrun --help: $(echo $subs)" || bad "no subcommands in ganrun --help"
for s in $subs; do
    args=$s
    [ "$s" = classify ] && args="classify train"
    "$G" $args --list-options >"$tmp/parser" 2>"$tmp/err" || { bad "$s --list-options: $(cat "$tmp/err")"; continue; }
    "$G" help $s >"$tmp/help"
    man_opts "$s" >"$tmp/man"
    for o in $(cat "$tmp/parser"); do
        grep -q -- "$o\b" "$tmp/help" && ok "$s: help names $o" || bad "$s: help does not name $o"
        grep -qx -- "$o" "$tmp/man" && ok "$s: ganrun(1) synopsis names $o" || bad "$s: ganrun(1) synopsis lacks $o"
    done
    for o in $(cat "$tmp/man"); do
        grep -qx -- "$o" "$tmp/parser" && ok "$s: $o of ganrun(1) is parsed" || bad "$s: ganrun(1) names $o, the parser takes no such option"
    done
done

# an unknown subcommand: both readings said, usage status
for a in frobnicate "$tmp/nosuch.yaml"; do
    "$G" $a >"$tmp/out" 2>"$tmp/err"; rc=$?
    [ $rc -eq 2 ] && ok "ganrun $a: exit 2" || bad "ganrun $a: exit $rc"
    grep -q "no subcommand '$a' and no model file '$a'" "$tmp/err" && ok "ganrun $a: says both" || bad "ganrun $a: $(cat "$tmp/err")"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
