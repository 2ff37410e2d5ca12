#!/bin/sh
# metrics.sh - eval's metrics on any data set, end to end: a tiny colour
# model trains a few steps on a generated colour folder
# (tests/metrics_fixture.py); `sample -o DIR/` writes one PNG per sample
# (same bytes for the same seed); `eval RUN --real PATH --features-out DIR`
# prints every metric, and NumPy recomputes the Frechet distance, KID,
# precision, recall, density and coverage from the .npy files it wrote;
# the lines and features are the same on 1 and 2 threads; `eval
# --generated DIR` scores the folder `sample -o DIR/` wrote exactly as it
# scores the run, and scores a non-square folder of another program's
# images; bad input is one line and exit 1 (--real of another shape, an
# unwritable output folder, an empty folder).  Skips (77) without
# /usr/bin/python3, NumPy and Pillow.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
FX="$top_srcdir/tests/metrics_fixture.py"
[ -x "$PY" ] && $PY -c 'import PIL, numpy' 2>/dev/null || { echo "skip: no $PY with Pillow and NumPy"; exit 77; }
lib_tmp metrics
GANRUN_CACHE_DIR="$tmp/cache"; export GANRUN_CACHE_DIR
val() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }

$PY "$FX" "$tmp/real" 120 16 16 1 && $PY "$FX" "$tmp/held" 80 16 16 2 && $PY "$FX" "$tmp/wide" 90 12 20 3 &&
    $PY "$FX" "$tmp/wide_real" 70 12 20 4 || { echo "FAIL - building the folders"; exit 1; }
cat > "$tmp/tiny.yaml" <<EOT
name: tiny-colour
seed: 3
data: {format: images, path: $tmp/real}
noise: {dim: 16}
generator:
  - dense: {units: 512}
  - relu: {}
  - reshape: {shape: [32, 4, 4]}
  - deconv2d: {filters: 16, kernel: 4, stride: 2, pad: 1}
  - relu: {}
  - deconv2d: {filters: 3, kernel: 4, stride: 2, pad: 1}
  - tanh: {}
discriminator:
  - conv2d: {filters: 16, kernel: 4, stride: 2, pad: 1}
  - leaky_relu: {slope: 0.2}
  - flatten: {}
  - dense: {units: 1}
train: {loss: bce, batch: 16, steps: 30}
output: {dir: $tmp/run, checkpoint_every: 30, sample_every: 0}
EOT
expect 0 "a tiny 16x16 colour model trains 30 steps" "$G" train "$tmp/tiny.yaml" --quiet

# ---- sample -o DIR/ ------------------------------------------------------
expect 0 "sample -o DIR/: exit 0" "$G" sample "$tmp/run" -n 80 -o "$tmp/gen/"
check "sample -o DIR/: 80 files 000000.png .. 000079.png" \
    "[ \$(ls '$tmp/gen' | wc -l) -eq 80 ] && [ -f '$tmp/gen/000000.png' ] && [ -f '$tmp/gen/000079.png' ]"
check "sample -o DIR/: each a 16x16 RGB PNG" \
    "$PY -c \"import glob, sys; from PIL import Image; s = {(Image.open(f).size, Image.open(f).mode) for f in glob.glob('$tmp/gen/*.png')}; sys.exit(s != {((16, 16), 'RGB')})\""
mkdir "$tmp/gen2"
expect 0 "sample -o an existing folder (no slash): exit 0" "$G" sample "$tmp/run" -n 80 -o "$tmp/gen2"
check "sample -o DIR/: the same bytes for the same seed" "diff -r '$tmp/gen' '$tmp/gen2' >/dev/null"
"$G" sample "$tmp/run" -n 80 --seed 2 -o "$tmp/gen3/" >"$tmp/out" 2>"$tmp/err"
check "sample -o DIR/ --seed 2: other images" "! cmp -s '$tmp/gen/000000.png' '$tmp/gen3/000000.png'"
"$G" sample "$tmp/run" -n 1 -o "$tmp/one.png" >"$tmp/out" 2>"$tmp/err"
check "sample -o DIR/: image 0 is the 1-sample grid's image" "cmp -s '$tmp/one.png' '$tmp/gen/000000.png'"
touch "$tmp/afile"
expect 1 "sample -o into a folder that cannot be made: exit 1" "$G" sample "$tmp/run" -n 4 -o "$tmp/afile/sub/"
one_line "sample -o unwritable folder: one line" "cannot create the folder"

# ---- eval RUN --real PATH --features-out DIR ------------------------------
expect 0 "eval --real --features-out: exit 0" "$G" eval "$tmp/run" -n 80 --real "$tmp/held" --features-out "$tmp/f"
cp "$tmp/out" "$tmp/eval_run"
for k in frechet kid kid_std precision recall density coverage nn_train_min nn_train_median nn_train_mean \
         nn_train_ref_median nn_train_closer; do
    check "eval prints '$k VALUE'" "val $k '$tmp/eval_run' | grep -Eq '^-?[0-9.]+(e-?[0-9]+)?\$'"
done
check "eval: N of each set (generated 80, real 80)" \
    "grep -q '^generated 80\$' '$tmp/eval_run' && grep -q '^real 80 ($tmp/held)' '$tmp/eval_run' && grep -q '^nn_train_images 120 ' '$tmp/eval_run'"
check "eval: the label-free extractor is named" "grep -q '^features random-conv-v1 ' '$tmp/eval_run'"
# NumPy from the .npy files: with 80 and 80 images every KID subset is the
# whole set (the plain U-statistic); the others by their definitions
cat > "$tmp/recompute.py" <<'PY'
import sys
import numpy as np
g = np.load(sys.argv[1] + "/generated.npy"); r = np.load(sys.argv[1] + "/real.npy")
n = int(sys.argv[3])
assert g.dtype == np.float32 and r.dtype == np.float32 and g.shape == (n, 256) and r.shape == (n, 256), (g.shape, r.shape)
out = dict(l.split()[:2] for l in open(sys.argv[2]) if len(l.split()) > 1)
g64, r64 = g.astype(np.float64), r.astype(np.float64)
d = g.shape[1]
def k(a, b): return (a @ b.T / d + 1) ** 3
m = len(g)
kgg, krr, kgr = k(g64, g64), k(r64, r64), k(g64, r64)
kid = (kgg.sum() - np.trace(kgg) + krr.sum() - np.trace(krr)) / (m * (m - 1)) - 2 * kgr.sum() / m ** 2
def d2(a, b): return ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)
rr, gg, gr = d2(r64, r64), d2(g64, g64), d2(g64, r64)
rr_s, gg_s = np.sort(rr, 1), np.sort(gg, 1)   # column 0: the point itself
r3, r5, g3 = rr_s[:, 3], rr_s[:, 5], gg_s[:, 3]
prec = (gr <= r3[None, :]).any(1).mean()
rec = (gr <= g3[:, None]).any(0).mean()
dens = (gr < r5[None, :]).sum() / (5.0 * len(g))
cov = (gr < r5[None, :]).any(0).mean()
mu1, mu2 = g64.mean(0), r64.mean(0)
s1, s2 = np.cov(g64, rowvar=False), np.cov(r64, rowvar=False)
ev = np.linalg.eigvals(s1 @ s2)
fd = ((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.sqrt(np.clip(ev.real, 0, None)).sum()
bad = []
for name, want, tol in [("kid", kid, 1e-5 * abs(kid) + 1e-9),   # printed to 6 digits ("precision", prec, 6e-5), ("recall", rec, 6e-5),
                        ("density", dens, 6e-5), ("coverage", cov, 6e-5), ("frechet", fd, 1e-3 * abs(fd) + 1e-6)]:
    got = float(out[name])
    print("%s: ganrun %s, NumPy %.8g" % (name, out[name], want))
    if not abs(got - want) <= tol: bad.append(name)
sys.exit(1 if bad else 0)
PY
check "NumPy recomputes KID, precision, recall, density, coverage and the Frechet distance from --features-out" \
    "$PY '$tmp/recompute.py' '$tmp/f' '$tmp/eval_run' 80 > '$tmp/py.out' 2>&1 || { cat '$tmp/py.out'; false; }"
cat "$tmp/py.out"
check "kid_std 0 (to float rounding) when every subset is the whole set" \
    "awk '\$1 == \"kid\" { k = \$2 } \$1 == \"kid_std\" { exit !(\$2 + 0 < 1e-5 * k) }' '$tmp/eval_run'"

GANRUN_THREADS=1 "$G" eval "$tmp/run" -n 80 --real "$tmp/held" --features-out "$tmp/f1t" >"$tmp/out1" 2>"$tmp/err" &&
    GANRUN_THREADS=2 "$G" eval "$tmp/run" -n 80 --real "$tmp/held" --features-out "$tmp/f2t" >"$tmp/out2" 2>>"$tmp/err"
check "eval on 1 and on 2 threads: the same lines and the same features, bit for bit" \
    "diff '$tmp/out1' '$tmp/out2' >/dev/null && cmp -s '$tmp/f1t/generated.npy' '$tmp/f2t/generated.npy' && cmp -s '$tmp/f1t/real.npy' '$tmp/f2t/real.npy'"

# ---- eval --generated: the folder sample -o wrote scores as the run -------
expect 0 "eval --generated DIR --real --train: exit 0" \
    "$G" eval --generated "$tmp/gen" --real "$tmp/held" --train "$tmp/real" --features-out "$tmp/f2"
check "eval --generated of sample -o's folder: the run's lines, every one" "diff '$tmp/eval_run' '$tmp/out' >/dev/null"
check "eval --generated: the same features, bit for bit" \
    "cmp -s '$tmp/f/generated.npy' '$tmp/f2/generated.npy' && cmp -s '$tmp/f/real.npy' '$tmp/f2/real.npy'"
expect 0 "eval --generated of a 12x20 folder from elsewhere (gray, RGBA and RGB files)" \
    "$G" eval --generated "$tmp/wide" --real "$tmp/wide_real" -n 70 --features-out "$tmp/f3"
check "eval --generated 12x20: 70 generated, 70 real, every metric" \
    "grep -q '^generated 70\$' '$tmp/out' && grep -q '^real 70 ' '$tmp/out' && grep -q '^coverage ' '$tmp/out' && grep -q '^nn_train_closer ' '$tmp/out'"
cp "$tmp/out" "$tmp/eval_wide"
check "NumPy recomputes them for two folders of one distribution (no value at 0 or 1)" \
    "$PY '$tmp/recompute.py' '$tmp/f3' '$tmp/eval_wide' 70 > '$tmp/py.out' 2>&1 || { cat '$tmp/py.out'; false; }"
cat "$tmp/py.out"
check "two folders of one distribution: precision, recall, density, coverage strictly between 0 and 1.5" \
    "awk '\$1 ~ /^(precision|recall|density|coverage)\$/ { n++; if (!(\$2 > 0 && \$2 < 1.5)) b++ } END { exit !(n == 4 && !b) }' '$tmp/eval_wide'"
check "eval --generated of the real folder itself: precision and recall 1, nn_train_min 0" \
    "'$G' eval --generated '$tmp/held' --real '$tmp/held' > '$tmp/out' 2>'$tmp/err' &&
     [ \$(val precision '$tmp/out') = 1.0000 ] && [ \$(val recall '$tmp/out') = 1.0000 ] && [ \$(val nn_train_min '$tmp/out') = 0 ]"

# ---- bad input --------------------------------------------------------------
$PY -c "
import struct, sys
open(sys.argv[1], 'wb').write(struct.pack('>IIII', 0x803, 10, 8, 8) + bytes(640))" "$tmp/small-idx3-ubyte"
expect 1 "eval --real of another shape: exit 1" "$G" eval "$tmp/run" -n 20 --real "$tmp/small-idx3-ubyte"
one_line "eval --real of another shape: one line naming the file and both shapes" \
    "small-idx3-ubyte: error: samples of shape (1, 8, 8) differ from the model's sample shape (3, 16, 16)"
expect 1 "eval --features-out over a file: exit 1" "$G" eval "$tmp/run" -n 20 --features-out "$tmp/afile"
one_line "eval --features-out over a file: one line" "afile: error: cannot create the folder"
mkdir "$tmp/empty"
expect 1 "eval --generated of an empty folder: exit 1" "$G" eval --generated "$tmp/empty" --real "$tmp/held"
one_line "eval --generated of an empty folder: one line" "no PNG or JPEG images"
expect 2 "eval --generated without --real: usage" "$G" eval --generated "$tmp/gen"
expect 2 "eval with a run and --generated: usage" "$G" eval "$tmp/run" --generated "$tmp/gen" --real "$tmp/held"

echo "metrics.sh: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
