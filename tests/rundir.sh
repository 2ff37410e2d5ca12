#!/bin/sh
# rundir.sh - a run directory belongs to one run (gan/run.h): a second
# train or resume into a directory in use exits 1 at once naming the
# process; a rerun into a finished run is refused unless --force, which
# moves the old run to DIR.old-N untouched; kill -9 leaves no lock that
# blocks the next run; a resume truncates log.csv to its checkpoint, so a
# run killed and resumed logs each step once, as a run made in one go
# (timing columns aside).  examples/train trains through the same loop.
. "$(dirname "$0")/lib.sh"
M="$top_srcdir/models"
lib_tmp rundir
pids=""
trap 'for p in $pids; do kill -9 $p 2>/dev/null; done; rm -rf "$tmp"' EXIT
export GANRUN_THREADS=1
# checksums of every file of a directory, for "untouched"
sums() { (cd "$1" && find . -type f ! -name .lock | sort | xargs sha256sum); }
# wait until FILE's last row has a step >= N (at most 60 s)
wait_step() {
    i=0
    while [ $i -lt 600 ]; do
        [ -s "$1" ] && [ "$(tail -n 1 "$1" | cut -d, -f1 | grep -x '[0-9]*')" ] &&
            [ "$(tail -n 1 "$1" | cut -d, -f1)" -ge "$2" ] && return 0
        sleep 0.1; i=$((i + 1))
    done
    return 1
}
long="--set train.steps=100000000 --set output.log_every=10 --set output.checkpoint_every=50 --quiet"

# 1. two trains into one directory at once: the second exits 1 at once,
# naming the first, and changes nothing of it (its model.yaml would differ)
"$G" "$M/grid.yaml" $long --out "$tmp/a" 2>"$tmp/a.err" &
pa=$!; pids="$pids $pa"
wait_step "$tmp/a/log.csv" 20 || bad "first run logs"
cp "$tmp/a/model.yaml" "$tmp/a.model"
"$G" "$M/grid.yaml" --steps 30 --set seed=2 --out "$tmp/a" >"$tmp/out" 2>"$tmp/err"; st=$?
check "second train into a directory in use: exit 1" "[ $st -eq 1 ]"
check "second train: one line naming the first's pid" \
    "[ \$(wc -l <'$tmp/err') -eq 1 ] && grep -q '^$tmp/a: error: the run directory is in use by process $pa ' '$tmp/err'"
check "second train: the first's model.yaml untouched" "cmp -s '$tmp/a/model.yaml' '$tmp/a.model'"
i=0; while [ ! -e "$tmp/a/latest.ckpt" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
"$G" resume "$tmp/a" --steps 10 >"$tmp/out" 2>"$tmp/err"; st=$?
check "resume into a directory in use: exit 1 naming the pid" \
    "[ $st -eq 1 ] && grep -q 'in use by process $pa ' '$tmp/err'"
kill -INT $pa; wait $pa; st=$?
check "the first run goes on and stops on SIGINT (130)" "[ $st -eq 130 ]"
check "the first run's log has each step once, in order" \
    "tail -n +2 '$tmp/a/log.csv' | cut -d, -f1 | sort -n -c -u"
check "no lock file left after a clean stop" "[ ! -e '$tmp/a/.lock' ]"

# 2. a rerun into a finished run is refused and changes nothing
"$G" "$M/grid.yaml" --steps 20 --set output.log_every=10 --quiet --out "$tmp/b" 2>/dev/null
sums "$tmp/b" >"$tmp/b.sums"
"$G" "$M/grid.yaml" --steps 30 --quiet --out "$tmp/b" >"$tmp/out" 2>"$tmp/err"; st=$?
check "rerun into a run: exit 1" "[ $st -eq 1 ]"
check "rerun: one line naming the run and both ways on" \
    "[ \$(wc -l <'$tmp/err') -eq 1 ] && grep \"^$tmp/b: error: holds the run of model 'grid' (log.csv up to step 20, latest.ckpt)\" '$tmp/err' | grep -q -- '--out OTHER_DIR.*--force'"
check "rerun: the old run untouched" "sums '$tmp/b' | cmp -s - '$tmp/b.sums' && [ ! -e '$tmp/b/.lock' ]"

# 3. --force moves the old run to DIR.old-1 (then .old-2), unchanged
"$G" "$M/grid.yaml" --steps 30 --quiet --force --out "$tmp/b" >"$tmp/out" 2>"$tmp/err"; st=$?
check "--force: exit 0" "[ $st -eq 0 ]"
check "--force: the old run is DIR.old-1, byte for byte" "sums '$tmp/b.old-1' | cmp -s - '$tmp/b.sums'"
check "--force: a new run in DIR" "[ \"\$(tail -n 1 '$tmp/b/log.csv' | cut -d, -f1)\" = 30 ] && [ ! -e '$tmp/b/ckpt/step-00000020.ckpt' ]"
"$G" "$M/grid.yaml" --steps 10 --quiet --force --out "$tmp/b" 2>/dev/null
check "--force again: DIR.old-2, DIR.old-1 kept" \
    "[ -e '$tmp/b.old-2/ckpt/step-00000030.ckpt' ] && sums '$tmp/b.old-1' | cmp -s - '$tmp/b.sums'"

# 4. kill -9 at a step past a checkpoint; its lock blocks nothing; the
# resume from step 100 drops the rows after 100 and logs each step once,
# as the run made in one go does
one="--set train.steps=400 --set output.log_every=10 --set output.checkpoint_every=100 --set output.keep=0 --quiet"
"$G" "$M/grid.yaml" $one --out "$tmp/k" 2>/dev/null &
pk=$!; pids="$pids $pk"
wait_step "$tmp/k/log.csv" 150 || bad "the run to kill logs"
kill -9 $pk; wait $pk 2>/dev/null
last=$(tail -n 1 "$tmp/k/log.csv" | cut -d, -f1)
check "killed after step 100 and before 400 (at $last)" "[ $last -gt 100 ] && [ $last -lt 400 ]"
"$G" resume "$tmp/k/ckpt/step-00000100.ckpt" --quiet >"$tmp/out" 2>"$tmp/err"; st=$?
check "resume after kill -9: no stale lock (exit $st)" "[ $st -eq 0 ] || { cat '$tmp/err'; false; }"
"$G" "$M/grid.yaml" $one --out "$tmp/g" 2>/dev/null
check "resumed log: each step once" "tail -n +2 '$tmp/k/log.csv' | cut -d, -f1 | sort -n -c -u"
cut -d, -f1-8,11- "$tmp/k/log.csv" >"$tmp/k.cols"
cut -d, -f1-8,11- "$tmp/g/log.csv" >"$tmp/g.cols"
check "resumed log equals the one-go log but for the timing columns" \
    "cmp -s '$tmp/k.cols' '$tmp/g.cols' && [ \$(wc -l <'$tmp/g.cols') -eq 41 ]"
check "resumed run ends where the one-go run does" \
    "\"$G\" sample '$tmp/k' -n 32 --seed 3 -o '$tmp/k.csv' && \"$G\" sample '$tmp/g' -n 32 --seed 3 -o '$tmp/g.csv' && cmp -s '$tmp/k.csv' '$tmp/g.csv'"

# 4b. a resume from an earlier checkpoint of a finished run: the later
# checkpoints, grids and latest.ckpt of the first life move, unchanged, to
# DIR/superseded/step-00000100 (nothing deleted, nothing overwritten), and
# the new life writes its own; a second such resume gets step-00000100-2
fin="--set train.steps=300 --set output.log_every=10 --set output.checkpoint_every=100 --set output.sample_every=100 --set output.keep=0 --quiet"
"$G" "$M/grid.yaml" $fin --out "$tmp/f" 2>/dev/null
(cd "$tmp/f" && sha256sum ckpt/step-00000200.ckpt ckpt/step-00000300.ckpt samples/step-00000200.png \
    samples/step-00000300.png latest.ckpt) >"$tmp/f.later"
cp "$tmp/f/ckpt/step-00000100.ckpt" "$tmp/f100.ckpt"
"$G" resume "$tmp/f/ckpt/step-00000100.ckpt" --quiet >"$tmp/out" 2>"$tmp/err"; st=$?
check "resume from step 100 of a finished run (exit $st)" "[ $st -eq 0 ] || { cat '$tmp/err'; false; }"
check "the first life's later files kept in superseded/step-00000100, unchanged" \
    "(cd '$tmp/f/superseded/step-00000100' && sha256sum -c --quiet '$tmp/f.later')"
check "the new life wrote its own checkpoints 200 and 300 and latest.ckpt" \
    "[ -f '$tmp/f/ckpt/step-00000200.ckpt' ] && [ -f '$tmp/f/ckpt/step-00000300.ckpt' ] && [ -f '$tmp/f/latest.ckpt' ]"
check "the checkpoint resumed from stays where it was, unchanged" "cmp -s '$tmp/f100.ckpt' '$tmp/f/ckpt/step-00000100.ckpt'"
"$G" resume "$tmp/f/ckpt/step-00000100.ckpt" --quiet >"$tmp/out" 2>"$tmp/err"; st=$?
check "a second resume from step 100 moves the second life's to step-00000100-2 (exit $st)" \
    "[ $st -eq 0 ] && [ -f '$tmp/f/superseded/step-00000100-2/ckpt/step-00000300.ckpt' ] || { cat '$tmp/err'; false; }"

# 5. examples/train: the library's loop outside ganrun, same result
E="$top_builddir/examples/train"
"$E" "$M/grid.yaml" "$tmp/e" 60 >"$tmp/out" 2>"$tmp/err"; st=$?
check "examples/train: exit 0 and progress lines" "[ $st -eq 0 ] && grep -q '^step 60/60 ' '$tmp/out'"
"$G" "$M/grid.yaml" --steps 60 --quiet --out "$tmp/e60" 2>/dev/null
check "examples/train: the samples of ganrun train" \
    "\"$G\" sample '$tmp/e' -n 32 --seed 3 -o '$tmp/e.csv' && \"$G\" sample '$tmp/e60' -n 32 --seed 3 -o '$tmp/e60.csv' && cmp -s '$tmp/e.csv' '$tmp/e60.csv'"
"$E" "$M/grid.yaml" "$tmp/e" 60 >"$tmp/out" 2>"$tmp/err"; st=$?
check "examples/train: refuses the run it made (exit 1, one line)" \
    "[ $st -eq 1 ] && [ \$(wc -l <'$tmp/err') -eq 1 ] && grep -q 'holds the run of model' '$tmp/err'"

# 6. files opened as the kind they must be (issue 29): the lock and the
# files a run appends to are never opened through a symbolic link, and a
# FIFO or a folder in their place is one line, not a hang
"$G" "$M/grid.yaml" --steps 20 --quiet --out "$tmp/s" 2>/dev/null
echo "precious" >"$tmp/victim"
ln -s "$tmp/victim" "$tmp/s/.lock"
timeout 20 "$G" resume "$tmp/s" --steps 10 --quiet 2>"$tmp/err"; st=$?
check "a symbolic link as RUN/.lock: exit 1, one line naming the link" \
    "[ $st -eq 1 ] && [ \$(wc -l <'$tmp/err') -eq 1 ] && grep -q '/s/.lock: error: is a symbolic link (to $tmp/victim): refusing to follow it' '$tmp/err'"
check "the link's target is not written" "[ \"\$(cat '$tmp/victim')\" = precious ]"
rm "$tmp/s/.lock"
mv "$tmp/s/log.csv" "$tmp/log.real"
ln -s "$tmp/log.real" "$tmp/s/log.csv"
cp "$tmp/log.real" "$tmp/log.before"
timeout 20 "$G" resume "$tmp/s" --steps 10 --quiet 2>"$tmp/err"; st=$?
check "a symbolic link as RUN/log.csv: exit 1, one line" \
    "[ $st -eq 1 ] && [ \$(wc -l <'$tmp/err') -eq 1 ] && grep -q '/s/log.csv: error: is a symbolic link' '$tmp/err'"
check "the log's link target is neither truncated nor appended to" "cmp -s '$tmp/log.real' '$tmp/log.before'"
rm "$tmp/s/log.csv"
mkfifo "$tmp/s/log.csv"
timeout 20 "$G" resume "$tmp/s" --steps 10 --quiet 2>"$tmp/err"; st=$?
check "a FIFO as RUN/log.csv: exit 1 at once, one line" \
    "[ $st -eq 1 ] && [ \$(wc -l <'$tmp/err') -eq 1 ] && grep -q '/s/log.csv: error: is a FIFO, not a regular file' '$tmp/err'"
rm "$tmp/s/log.csv"
cp "$tmp/log.real" "$tmp/s/log.csv"
ln -s "$tmp/victim" "$tmp/s/events.csv"
timeout 20 "$G" resume "$tmp/s" --steps 10 --quiet 2>"$tmp/err"; st=$?
check "a symbolic link as RUN/events.csv: refused on resume" "[ $st -eq 1 ] && grep -q 'events.csv: error: is a symbolic link' '$tmp/err'"
check "events.csv's link target is not written" "[ \"\$(cat '$tmp/victim')\" = precious ]"
rm "$tmp/s/events.csv"
timeout 60 "$G" resume "$tmp/s" --steps 10 --quiet 2>"$tmp/err"; st=$?
check "with the files back, the resume runs" "[ $st -eq 0 ] || { cat '$tmp/err'; false; }"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
