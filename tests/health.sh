#!/bin/sh
# health.sh - train.health through ganrun: a diverging run rolls back,
# lowers its learning rates and finishes; the retry bound stops it with
# exit 1, one error line and the last checkpoint kept; with no NaN a
# watched run (and its resume) gives the same samples as a plain one.
. "$(dirname "$0")/lib.sh"
M="$top_srcdir/models"
lib_tmp health

# sgd at lr 10 diverges within a few steps (tests/cli.sh: "divergence stops training")
cat >"$tmp/diverge.yaml" <<'YAML'
name: diverge
data: {format: ring}
noise: {dim: 2}
generator: [dense: {units: 16}, relu, dense: {units: 2}]
discriminator: [dense: {units: 16}, relu, dense: {units: 1}]
train:
  loss: lsgan
  batch: 16
  steps: 300
  optimizer:
    generator: {type: sgd, lr: 10}
    discriminator: {type: sgd, lr: 10}
  health: {on_nan: rollback, snapshot_every: 10, lr_factor: 0.01, retries: 3}
output: {checkpoint_every: 100, sample_every: 0}
YAML

"$G" "$tmp/diverge.yaml" --quiet --out "$tmp/r" 2>"$tmp/err"; st=$?
check "rollback: the diverging run finishes (exit 0)" "[ $st -eq 0 ]"
check "rollback: one stderr line per rollback" \
    "[ \$(wc -l <'$tmp/err') -ge 1 ] && ! grep -qv 'not finite; rolled back to step [0-9]*, learning rates G 0.1 D 0.1 (rollback 1 of 3 in a row)' '$tmp/err'"
check "rollback: events.csv has the rollback" \
    "head -1 '$tmp/r/events.csv' | grep -q '^step,event,to_step,retry,lr_g,lr_d,reason\$' && grep -q '^[0-9]*,rollback,0,1,0.1,0.1,\"step [0-9]*: .* not finite\"\$' '$tmp/r/events.csv'"
check "rollback: log.csv shows the lowered rates" "tail -1 '$tmp/r/log.csv' | grep -q '^300,.*,0.1,0.1,'"
"$G" sample "$tmp/r" -n 200 -o "$tmp/r.csv" 2>/dev/null
check "rollback: the trained generator gives finite samples" \
    "[ \$(wc -l <'$tmp/r.csv') -eq 200 ] && ! grep -qi 'nan\\|inf' '$tmp/r.csv'"
"$G" reproduce "$tmp/r/latest.ckpt" >"$tmp/out" 2>"$tmp/err"
check "rollback: a run that rolled back reproduces bit for bit" \
    "grep -q '^reproduced' '$tmp/out' && grep -q 'rolled back to step' '$tmp/err'"

# lr_factor 1 repeats the same failing steps: the bound stops it
"$G" "$tmp/diverge.yaml" --quiet --out "$tmp/s" --set train.health.lr_factor=1 --set train.health.retries=2 \
    --set output.checkpoint_every=1 2>"$tmp/err"; st=$?
check "retry bound: exit 1" "[ $st -eq 1 ]"
check "retry bound: two rollback lines, then one error line" \
    "[ \$(grep -c 'rolled back' '$tmp/err') -eq 2 ] && [ \$(wc -l <'$tmp/err') -eq 3 ] && tail -1 '$tmp/err' | grep -q '^error: step [0-9]*: .* not finite; gave up after 2 rollbacks in a row to step [0-9]* (train.health.retries: 2); the last checkpoint is $tmp/s/latest.ckpt\$'"
check "retry bound: events.csv ends with the stop" "tail -1 '$tmp/s/events.csv' | grep -q '^[0-9]*,stop,,,10,10,'"
"$G" info "$tmp/s/latest.ckpt" >"$tmp/info" 2>&1
check "retry bound: the last checkpoint loads" "[ $? -eq 0 ]"
check "retry bound: the kept checkpoint's parameters are finite" \
    "grep -q 'g.0.dense.weight' '$tmp/info' && ! grep -qi 'nan\\|inf' '$tmp/info'"

# with no NaN, watching changes no bit, and resume stays exact
tiny="--set train.steps=40 --set output.checkpoint_every=20 --set output.sample_every=0 --quiet"
watch="--set train.health.on_nan=rollback --set train.health.snapshot_every=7"
"$G" "$M/ring.yaml" $tiny --out "$tmp/plain" 2>/dev/null
"$G" "$M/ring.yaml" $tiny $watch --out "$tmp/watched" 2>/dev/null
"$G" "$M/ring.yaml" $tiny $watch --set train.steps=20 --out "$tmp/resumed" 2>/dev/null
"$G" resume "$tmp/resumed/latest.ckpt" --steps 20 --quiet 2>/dev/null
for r in plain watched resumed; do "$G" sample "$tmp/$r" -n 100 --seed 7 -o "$tmp/$r.csv" 2>/dev/null; done
check "no NaN: a watched run is bit-identical to a plain one" "[ -s '$tmp/plain.csv' ] && cmp -s '$tmp/plain.csv' '$tmp/watched.csv'"
check "no NaN: a watched run resumes bit for bit" "cmp -s '$tmp/plain.csv' '$tmp/resumed.csv'"
check "no NaN: no events.csv" "[ ! -e '$tmp/watched/events.csv' ]"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
