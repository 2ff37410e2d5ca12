#!/bin/sh
# colour.sh - colour and non-square images end to end: small 64x64 colour
# models (plain and conditional on class folders) and a 48x64 (H x W) one
# train on a generated folder of colour PNG and JPEG files (Pillow), then
# sample (grid PNG sizes, CSV widths), export (ONNX checker, output shape,
# ONNX Runtime = ganrun when onnxruntime-node is there) and report; bad
# input gets one line and exit 1: a generator of 2 channels on images,
# a folder whose images are all smaller than the target, an output folder
# that does not exist.  Skips (77) without /usr/bin/python3 and Pillow.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
[ -x "$PY" ] && $PY -c 'import PIL' 2>/dev/null || { echo "skip: no $PY with PIL"; exit 77; }
lib_tmp colour
GANRUN_CACHE_DIR="$tmp/cache"; export GANRUN_CACHE_DIR
GANRUN_THREADS=${GANRUN_THREADS:-2}; export GANRUN_THREADS
pngsize() { $PY -c "from PIL import Image; im = Image.open('$1'); print(im.size[0], im.size[1], im.mode)"; }

# the folders: discs and bars in random colours on transparent or coloured
# backgrounds, at sizes around and above 64 (some wider, some taller)
$PY - "$tmp" <<'PY' || { echo "FAIL - building the folders"; exit 1; }
import os, random, sys
from PIL import Image, ImageDraw
root = sys.argv[1]
random.seed(5)
for d in ("col", "classes/disc", "classes/bar", "classes/ring", "gray", "tiny"):
    os.makedirs(os.path.join(root, d))
for i in range(60):
    w, h = random.choice([(64, 64), (80, 60), (100, 100), (70, 90), (128, 96)])
    alpha = i % 2 == 0
    im = Image.new("RGBA", (w, h), (0, 0, 0, 0) if alpha else tuple(random.randrange(256) for _ in range(3)) + (255,))
    d = ImageDraw.Draw(im)
    c = tuple(random.randrange(256) for _ in range(3)) + (255,)
    kind = ("disc", "bar", "ring")[i % 3]
    x, y = random.randrange(w // 3), random.randrange(h // 3)
    box = [x, y, x + w // 2, y + h // 2]
    if kind == "disc": d.ellipse(box, fill=c)
    elif kind == "bar": d.rectangle(box, fill=c)
    else: d.ellipse(box, outline=c, width=5)
    name = "im%02d" % i
    if i % 5 == 4:
        im.convert("RGB").save(os.path.join(root, "col", name + ".jpg"), quality=90)
    else:
        im.save(os.path.join(root, "col", name + ".png"))
    im.save(os.path.join(root, "classes", kind, name + ".png"))
    im.convert("L").save(os.path.join(root, "gray", name + ".png"))
    im.resize((24, 18)).save(os.path.join(root, "tiny", name + ".png"))
PY

fast="--quiet --set output.sample_every=0 --set output.checkpoint_every=0"
# a small DCGAN-like model: (3, H, W) from (16, H/8, W/8)
model() {   # model NAME H W [conditional]
    h8=$(($2 / 8)); w8=$(($3 / 8))
    if [ "${4:-}" = conditional ]; then
        data="{format: images, path: $tmp/classes, labels: folders, classes: 3}"
        bn="batchnorm: {conditional: true}"; last="project: {}"
    else
        data="{format: images, path: $tmp/col}"; bn="batchnorm: {}"; last="dense: {units: 1}"
    fi
    cat >"$tmp/$1.yaml" <<EOT
name: $1
seed: 2
data: $data
noise: {dim: 16}
generator:
  - dense: {units: $((16 * h8 * w8))}
  - reshape: {shape: [16, $h8, $w8]}
  - $bn
  - relu: {}
  - deconv2d: {filters: 8, kernel: 4, stride: 2, pad: 1}
  - $bn
  - relu: {}
  - deconv2d: {filters: 8, kernel: 4, stride: 2, pad: 1}
  - relu: {}
  - deconv2d: {filters: 3, kernel: 4, stride: 2, pad: 1}
  - tanh: {}
discriminator:
  - conv2d: {filters: 8, kernel: 4, stride: 2, pad: 1}
  - leaky_relu: {slope: 0.2}
  - conv2d: {filters: 16, kernel: 4, stride: 2, pad: 1}
  - leaky_relu: {slope: 0.2}
  - global_pool: {op: sum}
  - $last
train: {loss: bce, batch: 8, steps: 3}
output: {dir: $tmp/run-$1}
EOT
}

# ---- 64x64 colour
model c64 64 64
expect 0 "64x64 colour: 3 steps" "$G" train "$tmp/c64.yaml" $fast
check "64x64 colour: check prints the (3, 64, 64) output" "'$G' check '$tmp/c64.yaml' | grep -q '(3, 64, 64)'"
expect 0 "64x64 colour: sample a grid" "$G" sample "$tmp/run-c64" -n 4 --seed 3 -o "$tmp/c64.png"
check "64x64 colour: a 2x2 grid of 64x64 RGB is 130x130" '[ "$(pngsize "$tmp/c64.png")" = "130 130 RGB" ]'
expect 0 "64x64 colour: sample CSV" "$G" sample "$tmp/run-c64" -n 3 --seed 3 -o "$tmp/c64.csv"
check "64x64 colour: 3 rows of 3*64*64 values" \
    '[ "$(awk -F, "{ print NF }" "$tmp/c64.csv" | sort -u)" = 12288 ] && [ "$(wc -l <"$tmp/c64.csv")" -eq 3 ]'
expect 0 "64x64 colour: same seed, same bytes" "$G" sample "$tmp/run-c64" -n 4 --seed 3 -o "$tmp/c64b.png"
check "64x64 colour: same seed, same bytes (cmp)" 'cmp -s "$tmp/c64.png" "$tmp/c64b.png"'

# ---- conditional 64x64 on class folders
model k64 64 64 conditional
expect 0 "64x64 conditional on 3 class folders: 3 steps" "$G" train "$tmp/k64.yaml" $fast
check "64x64 conditional: check names the classes" \
    "'$G' check '$tmp/k64.yaml' 2>&1 | grep -q 'classes: bar, disc, ring'"
expect 0 "64x64 conditional: sample --class 2" "$G" sample "$tmp/run-k64" -n 2 --class 2 -o "$tmp/k64.png"
check "64x64 conditional: a 2x1 grid is 130x64" '[ "$(pngsize "$tmp/k64.png")" = "130 64 RGB" ]'

# ---- non-square: 48 high, 64 wide
model ns 48 64
expect 0 "48x64: 3 steps" "$G" train "$tmp/ns.yaml" $fast --set output.checkpoint_every=1 --set output.sample_every=2
check "48x64: the run's 8x8 sample grid is 526 wide, 398 high" \
    's=$(ls "$tmp"/run-ns/samples/*.png | head -1); [ -n "$s" ] && [ "$(pngsize "$s")" = "526 398 RGB" ]'
expect 0 "48x64: sample a grid" "$G" sample "$tmp/run-ns" -n 4 --seed 3 -o "$tmp/ns.png"
check "48x64: a 2x2 grid is 130 wide, 98 high" '[ "$(pngsize "$tmp/ns.png")" = "130 98 RGB" ]'
expect 0 "48x64: sample CSV" "$G" sample "$tmp/run-ns" -n 2 --seed 3 -o "$tmp/ns.csv"
check "48x64: rows of 3*48*64 values" '[ "$(awk -F, "{ print NF }" "$tmp/ns.csv" | sort -u)" = 9216 ]'
if "$G" export "$tmp/run-ns" -o "$tmp/ns.onnx" >"$tmp/out" 2>"$tmp/err"; then
    ok "48x64: export"
    if $PY -c 'import onnx' 2>/dev/null; then
        check "48x64: ONNX checker, output x (N, 3, 48, 64)" "$PY - '$tmp/ns.onnx' <<'PY'
import sys, onnx
m = onnx.load(sys.argv[1])
onnx.checker.check_model(m, full_check=True)
d = [x.dim_value or x.dim_param for x in m.graph.output[0].type.tensor_type.shape.dim]
assert d == ['N', 3, 48, 64], d
PY"
    fi
    NODE_PATH="$(cd "$top_builddir" && pwd)/node_modules${NODE_PATH:+:$NODE_PATH}"; export NODE_PATH
    if command -v node >/dev/null 2>&1 && node -e 'require("onnxruntime-node")' >/dev/null 2>&1; then
        "$G" sample "$tmp/run-ns" -n 16 --seed 9 --latents-out "$tmp/z.npy" -o "$tmp/drawn.npy"
        "$G" sample "$tmp/run-ns" --latents "$tmp/z.npy" -o "$tmp/x.npy"
        node "$top_srcdir/tests/onnx_run.js" "$tmp/ns.onnx" "$tmp/z.npy" "$tmp/x.npy" >"$tmp/ort" 2>&1
        d=$(sed -n 's/^max_abs_diff \([^ ]*\) .*/\1/p' "$tmp/ort")
        check "48x64: ONNX Runtime = ganrun sample within 1e-5 ($(cat "$tmp/ort"))" \
            '[ -n "$d" ] && awk -v d="$d" "BEGIN { exit !(d <= 1e-5) }"'
    else
        echo "note: node or onnxruntime-node not found: ONNX Runtime comparison skipped"
    fi
elif grep -q "without ONNX support" "$tmp/err"; then
    echo "note: built without ONNX support: export skipped"
else
    bad "48x64: export: $(cat "$tmp/err")"
fi
expect 0 "48x64: sample -o DIR/" "$G" sample "$tmp/run-ns" -n 5 --seed 4 -o "$tmp/nsdir/"
check "48x64: 5 PNGs of 64x48 RGB" '[ "$(ls "$tmp/nsdir" | wc -l)" -eq 5 ] && [ "$(pngsize "$tmp/nsdir/000000.png")" = "64 48 RGB" ]'
expect 0 "48x64: eval --real the training folder" "$G" eval "$tmp/run-ns" -n 40 --real "$tmp/col" --features-out "$tmp/nsfeat"
check "48x64: eval prints every metric" \
    'for k in frechet kid precision recall density coverage; do grep -q "^$k [0-9.e+-]*" "$tmp/out" || exit 1; done'
check "48x64: --features-out writes generated.npy and real.npy" '[ -s "$tmp/nsfeat/generated.npy" ] && [ -s "$tmp/nsfeat/real.npy" ]'
expect 0 "48x64: eval --generated of sample -o's folder" "$G" eval --generated "$tmp/nsdir" --real "$tmp/col" -n 5
"$G" sample "$tmp/run-c64" -n 8 -o "$tmp/c64.npy" >/dev/null 2>&1
expect 1 "48x64: eval --real of (3, 64, 64) samples: exit 1" "$G" eval "$tmp/run-ns" -n 8 --real "$tmp/c64.npy"
one_line "48x64: eval --real of another shape: one line" "c64.npy: error"
expect 0 "48x64: report" "$G" report "$tmp/run-ns" -o "$tmp/ns.html"
check "48x64: the report embeds the run's samples" '[ -s "$tmp/ns.html" ] && grep -q "data:image/png;base64" "$tmp/ns.html"'

# ---- bad input: one line, exit 1
sed 's/deconv2d: {filters: 3,/deconv2d: {filters: 2,/' "$tmp/c64.yaml" >"$tmp/two.yaml"
expect 1 "a 2-channel generator on images: exit 1" "$G" train "$tmp/two.yaml" $fast --set output.dir="$tmp/run-two"
one_line "a 2-channel generator on images: one line" "needs a generator whose output is (1 or 3, H, W)"
expect 0 "a gray folder for a colour model: gray repeated into RGB" \
    "$G" train "$tmp/c64.yaml" $fast --set data.path="$tmp/gray" --set output.dir="$tmp/run-gray"
expect 1 "a gray folder read as 1 channel for a colour model: exit 1" \
    "$G" train "$tmp/c64.yaml" $fast --set data.path="$tmp/gray" --set data.channels=1 --set output.dir="$tmp/run-g1"
one_line "a gray folder read as 1 channel: one line" "does not match data shape (1, 64, 64)"
expect 1 "every image smaller than the target: exit 1" \
    "$G" train "$tmp/c64.yaml" $fast --set data.path="$tmp/tiny" --set output.dir="$tmp/run-tiny"
one_line "every image smaller than the target: one line" "tiny: error: every image is smaller than the 64x64"
model t16 16 24
expect 0 "the same 24x18 images train at 16x24 (H x W)" \
    "$G" train "$tmp/t16.yaml" $fast --set data.path="$tmp/tiny" --steps 1
expect 1 "sample into a missing folder: exit 1" "$G" sample "$tmp/run-c64" -n 4 -o "$tmp/no/such/s.png"
one_line "sample into a missing folder: one line" "s.png: error"
expect 1 "export into a missing folder: exit 1" "$G" export "$tmp/run-ns" -o "$tmp/no/such/g.onnx"
one_line "export into a missing folder: one line" "error"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
