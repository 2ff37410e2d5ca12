#!/bin/sh
# cli.sh - ganrun end to end through its command line: exit statuses,
# one-line errors, a short training run, identical samples, bit-exact
# resume, reproduce, info --model, signals.
. "$(dirname "$0")/lib.sh"
M="$top_srcdir/models"
lib_tmp cli
# expect STATUS DESCRIPTION CMD...: run, compare exit status
# stderr is exactly one line matching a pattern
tiny="--set train.steps=40 --set output.checkpoint_every=20 --set output.sample_every=20 --quiet"

expect 0 "--version" "$G" --version
grep -q "^ganrun [0-9]" "$tmp/out" && ok "version printed" || bad "version printed"
expect 2 "no arguments is a usage error" "$G"
grep -q "usage:" "$tmp/err" && ok "usage shown" || bad "usage shown"
expect 2 "unknown option" "$G" train "$M/ring.yaml" --bogus
expect 2 "bad --steps" "$G" "$M/ring.yaml" --steps -3
expect 0 "help sample" "$G" help sample
expect 0 "eval --help" "$G" eval --help
grep -q "^usage: ganrun eval" "$tmp/out" && [ ! -s "$tmp/err" ] && ok "eval --help: its usage on stdout, nothing on stderr" ||
    bad "eval --help: its usage on stdout, nothing on stderr"
expect 0 "train MODEL -h" "$G" train "$M/ring.yaml" -h
for f in "$M"/*.yaml; do
    expect 0 "check $(basename "$f")" "$G" check "$f"
    grep -q "total" "$tmp/out" && ok "check $(basename "$f") prints totals" || bad "check $(basename "$f") prints totals"
done
# options are parsed one way for every subcommand: check takes train's --steps
expect 0 "check --steps 5" "$G" check "$M/dcgan.yaml" --steps 5
expect 0 "check --steps 5 --expand" "$G" check "$M/dcgan.yaml" --steps 5 --expand
grep -q "^  steps: 5$" "$tmp/out" && ok "check --steps sets train.steps" || bad "check --steps sets train.steps"
expect 2 "check --steps 0" "$G" check "$M/dcgan.yaml" --steps 0
for sub in train check resume sample eval info reproduce interpolate export report; do
    expect 2 "$sub: unknown option" "$G" $sub x --bogus
    grep -q "^ganrun: unknown option '--bogus'" "$tmp/err" && ok "$sub: names the unknown option" || bad "$sub: names the unknown option: $(cat "$tmp/err")"
done
for a in "train --steps" "check --set" "resume --steps" "sample -n" "eval --seed" "interpolate --seeds" "export -o" "report -o"; do
    expect 2 "$a without a value" "$G" ${a%% *} x ${a#* }
    grep -q "^ganrun: option '${a#* }' needs a value" "$tmp/err" && ok "$a: says it needs a value" || bad "$a: $(cat "$tmp/err")"
done
expect 0 "check --expand" "$G" check --expand "$M/ring.yaml"
cp "$tmp/out" "$tmp/expanded.yaml"
expect 0 "the expanded model checks" "$G" check "$tmp/expanded.yaml"

printf 'name: x\nseed: 1\nnoise: {distribution: normal, dim: 2}\nbogus_key: 3\n' >"$tmp/bad.yaml"
expect 1 "bad model file" "$G" check "$tmp/bad.yaml"
one_line "bad model file: one FILE:LINE:COL line" "^$tmp/bad.yaml:[0-9]*:[0-9]*: error: "
expect 1 "missing model file" "$G" check "$tmp/nope.yaml"
one_line "missing model file: one line naming it" "$tmp/nope.yaml"
expect 1 "bad --set value" "$G" check "$M/ring.yaml" --set train.batch=0
one_line "bad --set: one line" "error:"

expect 1 "missing data file" "$G" "$M/dcgan.yaml" --set data.path=/usr/share/datasets/fashion-mnist/none.gz --out "$tmp/nodata"
one_line "missing data: one line with the Debian package" "dataset-fashion-mnist"
[ ! -e "$tmp/nodata" ] && ok "missing data: no run directory" || bad "missing data: no run directory"

# a short run
expect 0 "train ring 40 steps" "$G" "$M/ring.yaml" $tiny --out "$tmp/a"
for f in model.yaml log.csv latest.ckpt ckpt/step-00000020.ckpt ckpt/step-00000040.ckpt samples/step-00000020.png samples/step-00000040.png; do
    [ -s "$tmp/a/$f" ] && ok "run wrote $f" || bad "run wrote $f"
done
[ "$(stat -c %a "$tmp/a/model.yaml")" = 644 ] && ok "model.yaml is world-readable" || bad "model.yaml is world-readable"
[ "$(head -1 "$tmp/a/log.csv")" = "step,epoch,d_loss,g_loss,d_real,d_fake,lr_g,lr_d,seconds,images_per_s,gap,d_grad_norm,g_grad_norm,diversity" ] \
    && ok "log header" || bad "log header"
expect 0 "sample csv" "$G" sample "$tmp/a" -n 100 --seed 7 -o "$tmp/s1.csv"
expect 0 "sample csv again" "$G" sample "$tmp/a/latest.ckpt" -n 100 --seed 7 -o "$tmp/s2.csv"
cmp -s "$tmp/s1.csv" "$tmp/s2.csv" && ok "same seed, same samples" || bad "same seed, same samples"
[ "$(wc -l <"$tmp/s1.csv")" -eq 100 ] && ok "100 sample rows" || bad "100 sample rows"
expect 0 "sample png" "$G" sample "$tmp/a" -o "$tmp/s.png"
expect 0 "sample idx" "$G" sample "$tmp/a" -n 10 -o "$tmp/s-idx2-ubyte"
expect 2 "sample unknown format" "$G" sample "$tmp/a" -o "$tmp/s.jpg"
expect 0 "eval ring" "$G" eval "$tmp/a"
grep -q "^modes [0-9]*/8" "$tmp/out" && ok "eval prints modes" || bad "eval prints modes"

# output.keep bounds the step checkpoints kept
expect 0 "train with keep=2" "$G" "$M/ring.yaml" --set train.steps=50 --set output.checkpoint_every=10 \
    --set output.keep=2 --quiet --out "$tmp/keep"
[ "$(ls "$tmp/keep/ckpt" | tr '\n' ' ')" = "step-00000040.ckpt step-00000050.ckpt " ] \
    && ok "keep=2 keeps the two newest" || bad "keep=2 keeps the two newest: $(ls "$tmp/keep/ckpt")"

# a diverging run stops with the step and the network named
cat >"$tmp/diverge.yaml" <<'YAML'
name: diverge
data: {format: ring}
noise: {dim: 2}
generator: [dense: {units: 16}, relu, dense: {units: 2}]
discriminator: [dense: {units: 16}, relu, dense: {units: 1}]
train:
  loss: lsgan
  batch: 16
  steps: 500
  optimizer:
    generator: {type: sgd, lr: 10}
    discriminator: {type: sgd, lr: 10}
YAML
expect 1 "divergence stops training" "$G" "$tmp/diverge.yaml" --quiet --out "$tmp/nan"
one_line "divergence: one line naming step and network" "step [0-9]*: \\(discriminator\\|generator\\) .* not finite"

# bit-exact resume: 20 + 20 steps == 40 steps
expect 0 "train 20 steps" "$G" "$M/ring.yaml" $tiny --set train.steps=20 --out "$tmp/b"
expect 0 "resume 20 more" "$G" resume "$tmp/b/latest.ckpt" --steps 20 --quiet
"$G" sample "$tmp/b" -n 100 --seed 7 -o "$tmp/s3.csv" 2>/dev/null
cmp -s "$tmp/s1.csv" "$tmp/s3.csv" && ok "resumed run samples identical to the straight run" || bad "resumed run samples identical"
expect 0 "reproduce" "$G" reproduce "$tmp/b/latest.ckpt"
grep -q "^reproduced" "$tmp/out" && ok "reproduce matches bit for bit" || bad "reproduce matches: $(cat "$tmp/out")"
expect 0 "info --model" "$G" info --model "$tmp/a/latest.ckpt"
cp "$tmp/out" "$tmp/m.yaml"
expect 0 "info --model output is a model file" "$G" check "$tmp/m.yaml"

# damaged checkpoint: one line, exit 1
cp "$tmp/a/latest.ckpt" "$tmp/broken.ckpt"
printf 'XXXX' | dd of="$tmp/broken.ckpt" bs=1 seek=200 conv=notrunc 2>/dev/null
expect 1 "damaged checkpoint" "$G" sample "$tmp/broken.ckpt" -o "$tmp/x.png"
one_line "damaged checkpoint: one line" "broken.ckpt"
head -c 100 "$tmp/a/latest.ckpt" >"$tmp/short.ckpt"
expect 1 "truncated checkpoint" "$G" info "$tmp/short.ckpt"
one_line "truncated checkpoint: one line" "short.ckpt"

# SIGINT: finish the step, checkpoint, exit 130
"$G" "$M/ring.yaml" --set train.steps=100000000 --quiet --out "$tmp/sig" 2>"$tmp/err" &
pid=$!
i=0; while [ ! -e "$tmp/sig/log.csv" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.5
kill -INT $pid; wait $pid; st=$?
[ $st -eq 130 ] && ok "SIGINT exits 130" || bad "SIGINT exits 130 (got $st)"
"$G" info "$tmp/sig/latest.ckpt" >/dev/null 2>&1 && ok "checkpoint after SIGINT loads" || bad "checkpoint after SIGINT loads"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
