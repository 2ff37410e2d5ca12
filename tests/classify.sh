#!/bin/sh
# classify.sh - conditional GANs and the classifier metric through the
# command line: classify train/test, a tiny cGAN on 4 labelled 2-D blobs,
# sample --class, eval --classifier (and --real), and their errors.
. "$(dirname "$0")/lib.sh"
lib_tmp classify

# label,x,y: class k around centre k of (-2,-2) (2,-2) (-2,2) (2,2)
blobs() {
    awk -v n="$1" -v s="$2" 'BEGIN { srand(s); for (i = 0; i < n; i++) { k = i % 4;
        printf "%d,%.4f,%.4f\n", k, (k % 2 ? 2 : -2) + rand() - 0.5, (k >= 2 ? 2 : -2) + rand() - 0.5 } }'
}
blobs 2000 1 > "$tmp/train.csv"
blobs 400 2 > "$tmp/test.csv"
cat > "$tmp/clf.yaml" <<EOT
name: blobs
data: {format: csv, path: $tmp/train.csv, label_column: 1, classes: 4}
test: {format: csv, path: $tmp/test.csv, label_column: 1}
layers: [dense: {units: 16}, tanh, dense: {units: 4}]
train: {batch: 32, steps: 300, lr: 1.0e-2}
EOT
cat > "$tmp/cgan.yaml" <<EOT
name: tiny-cgan
seed: 4
data: {format: csv, path: $tmp/train.csv, label_column: 1, classes: 4}
noise: {dim: 2}
generator: [embed: {dim: 4}, dense: {units: 32}, relu, dense: {units: 32}, relu, dense: {units: 2}]
discriminator: [dense: {units: 32}, leaky_relu, dense: {units: 32}, leaky_relu, project]
train:
  batch: 64
  steps: 800
  optimizer:
    generator: {lr: 2.0e-3}
    discriminator: {lr: 2.0e-3}
output: {dir: $tmp/run, sample_every: 0, checkpoint_every: 0, samples: 16}
EOT

"$G" classify train "$tmp/clf.yaml" -o "$tmp/clf.ckpt" --quiet >"$tmp/out" 2>"$tmp/err"
check "classify train exits 0" '[ $? -eq 0 ]'
check "classify train reports test accuracy >= 98%" \
    "awk '/^test accuracy/ { sub(\"%\", \"\", \$3); exit !(\$3 + 0 >= 98) }' '$tmp/out'"
acc=$(awk '/^test accuracy/ { print $3 }' "$tmp/out")
"$G" classify test "$tmp/clf.ckpt" >"$tmp/out" 2>"$tmp/err"
check "classify test gives the same accuracy ($acc)" "grep -q 'step 300: test accuracy $acc' '$tmp/out'"

"$G" "$tmp/cgan.yaml" --quiet >"$tmp/out" 2>"$tmp/err"
check "tiny cGAN trains" '[ $? -eq 0 ] && [ -f "$tmp/run/latest.ckpt" ]'
"$G" sample "$tmp/run" --class 2 -n 200 -o "$tmp/c2.csv" >"$tmp/out" 2>"$tmp/err"
check "sample --class 2: >= 95% of points near centre (-2, 2)" \
    "awk -F, '\$1 < 0 && \$2 > 0 { h++ } END { exit !(h >= 190) }' '$tmp/c2.csv'"
"$G" sample "$tmp/run" --class 4 -o "$tmp/x.csv" >"$tmp/out" 2>"$tmp/err"
check "sample --class beyond the classes: exit 1, one line" \
    '[ $? -eq 1 ] && [ $(wc -l < "$tmp/err") -eq 1 ] && grep -q "expected 0..3" "$tmp/err"'
"$G" eval "$tmp/run" --classifier "$tmp/clf.ckpt" -n 1000 >"$tmp/out" 2>"$tmp/err"
check "eval --classifier exits 0" '[ $? -eq 0 ]'
check "eval: all 4 classes covered" 'grep -q "^modes 4/4" "$tmp/out"'
check "eval: class_match >= 95%" \
    "awk '/^class_match/ { sub(\"%\", \"\", \$2); exit !(\$2 + 0 >= 95) }' '$tmp/out'"
check "eval: Frechet distance below 1 and labelled as not Inception FID" \
    "awk '/^frechet_distance / { exit !(\$2 < 1) }' '$tmp/out' && grep -q 'not Inception FID' '$tmp/out'"
fd_own=$(awk '/^frechet_distance / { print $2 }' "$tmp/out")
# --real: the reference is every sample of another file read like the model's data
"$G" eval "$tmp/run" --classifier "$tmp/clf.ckpt" -n 1000 --real "$tmp/test.csv" >"$tmp/out" 2>"$tmp/err"
check "eval --real test.csv: exit 0, all 400 test samples as the reference" \
    "[ \$? -eq 0 ] && grep -q '^samples 1000 (real 400 from $tmp/test.csv)' '$tmp/out'"
check "eval --real: a Frechet distance below 1, not the one against the model's data ($fd_own)" \
    "awk -v o='$fd_own' '/^frechet_distance / { exit !(\$2 < 1 && \$2 != o) }' '$tmp/out'"
check "eval --real: the model's own data scored against the reference" \
    "awk '/^frechet_distance_data / { exit !(\$2 < 1 && \$3 == \"(1000\") }' '$tmp/out'"
check "eval --real of a conditional model: no D probe (the images carry no labels)" \
    "! grep -q '^d_positive' '$tmp/out'"
check "eval --classifier --real: the metrics in the classifier's features, frechet = frechet_distance (LAPACK and Jacobi)" \
    "grep -q '^features classifier ' '$tmp/out' && grep -q '^kid ' '$tmp/out' && grep -q '^coverage ' '$tmp/out' &&
     awk '/^frechet_distance / { a = \$2 } /^frechet / { b = \$2 } END { d = a - b; exit !(a > 0 && d < 1e-3 && d > -1e-3) }' '$tmp/out'"
# the D probe (d_positive_data, d_positive_real) of an unconditional model:
# --real the model's own data file gives both the same share, and a share
# is in [0, 1]
cut -d, -f2,3 "$tmp/train.csv" | head -n 256 >"$tmp/xy.csv"
cat > "$tmp/gan.yaml" <<EOT
name: tiny-gan
seed: 5
data: {format: csv, path: $tmp/xy.csv}
noise: {dim: 2}
generator: [dense: {units: 32}, relu, dense: {units: 2}]
discriminator: [dense: {units: 32}, leaky_relu, dense: {units: 1}]
train: {batch: 64, steps: 200}
output: {dir: $tmp/gan, sample_every: 0, checkpoint_every: 0, samples: 16}
EOT
"$G" "$tmp/gan.yaml" --quiet >"$tmp/out" 2>"$tmp/err"
"$G" eval "$tmp/gan" --classifier "$tmp/clf.ckpt" -n 256 --real "$tmp/xy.csv" >"$tmp/out" 2>"$tmp/err"
check "eval --real: D's share of positive logits on the model's data and on --real, equal for the same file" \
    "awk '/^d_positive_data / { a = \$2; n++ } /^d_positive_real / { b = \$2; n++ }
          END { exit !(n == 2 && a == b && a >= 0 && a <= 1) }' '$tmp/out'"
"$G" eval "$tmp/run" --classifier "$tmp/clf.ckpt" -n 100 --real "$tmp/nonexistent.csv" >"$tmp/out" 2>"$tmp/err"
check "eval --real with a missing file: exit 1, one line FILE: error: ..." \
    "[ \$? -eq 1 ] && [ \$(wc -l < '$tmp/err') -eq 1 ] && grep -q '^$tmp/nonexistent.csv: error: ' '$tmp/err'"
awk -F, '{ print $1 "," $2 }' "$tmp/test.csv" > "$tmp/one.csv"
"$G" eval "$tmp/run" --classifier "$tmp/clf.ckpt" -n 100 --real "$tmp/one.csv" >"$tmp/out" 2>"$tmp/err"
check "eval --real with samples of another shape: exit 1, one line naming the file" \
    "[ \$? -eq 1 ] && [ \$(wc -l < '$tmp/err') -eq 1 ] && grep -q '^$tmp/one.csv: error: ' '$tmp/err'"
"$G" eval "$tmp/run" --real "$tmp/test.csv" >"$tmp/out" 2>"$tmp/err"
check "eval --real without --classifier of 2-D points: exit 1, one line asking for --classifier" \
    '[ $? -eq 1 ] && [ $(wc -l < "$tmp/err") -eq 1 ] && grep -q -- "--classifier" "$tmp/err"'
"$G" eval "$tmp/run" --classifier "$tmp/run/latest.ckpt" >"$tmp/out" 2>"$tmp/err"
check "eval with a GAN checkpoint as classifier: exit 1, one line" \
    '[ $? -eq 1 ] && [ $(wc -l < "$tmp/err") -eq 1 ] && grep -q "not a classifier checkpoint" "$tmp/err"'
for sub in info sample; do
    "$G" $sub "$tmp/clf.ckpt" >"$tmp/out" 2>"$tmp/err"
    check "$sub of a classifier checkpoint: exit 1, one line that says what it is" \
        '[ $? -eq 1 ] && [ $(wc -l < "$tmp/err") -eq 1 ] && grep -q "is a classifier checkpoint" "$tmp/err"'
done
"$G" eval "$tmp/run" >"$tmp/out" 2>"$tmp/err"
check "eval of a non-mixture model without --classifier: exit 1" '[ $? -eq 1 ] && grep -q -- "--classifier" "$tmp/err"'
"$G" classify frob >"$tmp/out" 2>"$tmp/err"
check "classify with an unknown action: usage, exit 2" '[ $? -eq 2 ]'

echo "classify.sh: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
