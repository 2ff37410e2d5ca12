#!/bin/sh
# onnx.sh - `ganrun export` checked by the ONNX checker (Debian python3-onnx)
# and by ONNX Runtime (onnxruntime-node under Node.js): short runs of
# models/dcgan.yaml, cgan.yaml, grid.yaml and wgan-gp.yaml and of a model
# using every layer type (spectral norm, embed on images, maxout, upsample,
# ...) are exported, and ONNX Runtime's output on 256 latent vectors given
# to `ganrun sample --latents` must equal ganrun's within 1e-5.  Averaged
# weights by default, --no-ema the raw ones.  Exit 77 (skip) without ONNX
# support in this build, or without node and onnxruntime-node (installed
# into the build tree by `sh quickstart.sh test`) after the checker tests.
. "$(dirname "$0")/lib.sh"
M="$top_srcdir/models"
PY=/usr/bin/python3
lib_tmp onnx

expect 2 "export without -o: usage" "$G" export "$tmp/none"
"$G" export "$tmp/none.ckpt" -o "$tmp/x.onnx" 2>&1 | grep -q "without ONNX support" && {
    echo "SKIP: this ganrun was built without ONNX support (one error line, exit 1)"; exit 77; }
expect 1 "export of a missing checkpoint: exit 1" "$G" export "$tmp/none.ckpt" -o "$tmp/x.onnx"
one_line "export of a missing checkpoint: one line" "none.ckpt"

have_checker=0
$PY -c 'import onnx' 2>/dev/null && have_checker=1
NODE_PATH="$(cd "$top_builddir" && pwd)/node_modules:$(cd "$top_srcdir" && pwd)/node_modules${NODE_PATH:+:$NODE_PATH}"
export NODE_PATH
have_ort=0
command -v node >/dev/null 2>&1 && node -e 'require("onnxruntime-node")' >/dev/null 2>&1 && have_ort=1
[ $have_ort -eq 1 ] || echo "note: node or onnxruntime-node not found: ONNX Runtime comparisons skipped"
[ $have_checker -eq 1 ] || echo "note: python3-onnx not found: checker skipped"

# checker MODEL.onnx NAME STEP: check_model(full_check) and the metadata
checker() {
    [ $have_checker -eq 1 ] || return 0
    $PY - "$1" "$2" "$3" <<'EOF' >"$tmp/py" 2>&1
import sys, onnx
m = onnx.load(sys.argv[1])
onnx.checker.check_model(m, full_check=True)
meta = {p.key: p.value for p in m.metadata_props}
assert m.opset_import[0].version >= 13, m.opset_import
assert meta["ganrun.model"] == sys.argv[2], meta
assert meta["ganrun.step"] == sys.argv[3], meta
assert meta["ganrun.version"] == m.producer_version and m.producer_name == "ganrun"
assert m.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "N"
EOF
}

# compare RUN NAME MODEL STEP [SAMPLE-OPTIONS...]: export RUN, check it
# (model name MODEL, step STEP), ganrun sample on 256 latent vectors vs
# ONNX Runtime on the same
compare() {
    run=$1; name=$2; model=$3; step=$4; shift 4
    expect 0 "$name: export" "$G" export "$run" -o "$tmp/$name.onnx" "$@"
    checker "$tmp/$name.onnx" "$model" "$step"
    if [ $have_checker -eq 1 ]; then
        if [ -s "$tmp/py" ]; then bad "$name: ONNX checker and metadata: $(tail -1 "$tmp/py")"
        else ok "$name: ONNX checker and metadata"; fi
    fi
    "$G" sample "$run" -n "${N:-256}" --seed 9 --latents-out "$tmp/$name.z.npy" -o "$tmp/$name.drawn.npy" "$@"
    labels=
    if [ -n "${LABELS:-}" ]; then labels="$LABELS"; set -- "$@" --labels "$labels"; fi
    expect 0 "$name: sample --latents" "$G" sample "$run" --latents "$tmp/$name.z.npy" -o "$tmp/$name.x.npy" "$@"
    [ $have_ort -eq 1 ] || return 0
    node "$top_srcdir/tests/onnx_run.js" "$tmp/$name.onnx" "$tmp/$name.z.npy" "$tmp/$name.x.npy" $labels \
        >"$tmp/ort" 2>"$tmp/err"
    d=$(sed -n 's/^max_abs_diff \([^ ]*\) .*/\1/p' "$tmp/ort")
    if [ -n "$d" ] && awk -v d="$d" 'BEGIN { exit !(d <= 1e-5) }'; then
        ok "$name: ONNX Runtime = ganrun sample within 1e-5 ($(cat "$tmp/ort"))"
    else
        bad "$name: ONNX Runtime vs ganrun sample: $(cat "$tmp/ort" "$tmp/err")"
    fi
}

fast="--set output.sample_every=0 --set output.checkpoint_every=0 --quiet"
fm="--set data.limit=512 --set train.batch=16 --set train.steps=3"
"$G" "$M/dcgan.yaml" $fm $fast --set train.ema.decay=0.9 --out "$tmp/dcgan" >"$tmp/out" 2>&1 &&
    ok "dcgan: 3 steps (with train.ema)" || bad "dcgan: 3 steps: $(cat "$tmp/out")"
compare "$tmp/dcgan" dcgan dcgan 3
compare "$tmp/dcgan" dcgan-raw dcgan 3 --no-ema
expect 1 "export into a missing folder: exit 1" "$G" export "$tmp/dcgan" -o "$tmp/no/such/G.onnx"
one_line "export into a missing folder: one line" "G.onnx: error: cannot create a temporary file beside it"
check "dcgan: averaged and raw weights export differently" '! cmp -s "$tmp/dcgan.onnx" "$tmp/dcgan-raw.onnx"'

# the README's Node.js example, as written there, on the DCGAN's export
if [ $have_ort -eq 1 ]; then
    sed -n "/^    const ort = require('onnxruntime-node')/,/^      console.log/s/^    //p" "$top_srcdir/README.md" >"$tmp/readme.js"
    cp "$tmp/dcgan.onnx" "$tmp/G.onnx"
    (cd "$tmp" && node readme.js) >"$tmp/out" 2>&1
    check "README's Node.js example draws 16 samples of (1, 28, 28)" \
        '[ "$(grep -c . "$tmp/readme.js")" -eq 5 ] && grep -q "\[ 16, 1, 28, 28 \]" "$tmp/out"'
fi

"$G" "$M/cgan.yaml" $fm $fast --out "$tmp/cgan" >"$tmp/out" 2>&1 &&
    ok "cgan: 3 steps" || bad "cgan: 3 steps: $(cat "$tmp/out")"
awk 'BEGIN { for (i = 0; i < 256; i++) print (i * 7) % 10 }' >"$tmp/labels.csv"
LABELS="$tmp/labels.csv" compare "$tmp/cgan" cgan cgan 3
expect 0 "cgan: discriminator export" "$G" export "$tmp/cgan" --discriminator -o "$tmp/cgan-d.onnx"
checker "$tmp/cgan-d.onnx" cgan 3
if [ $have_checker -eq 1 ]; then check "cgan discriminator: ONNX checker" '[ ! -s "$tmp/py" ]'; fi

for m in grid wgan-gp; do
    "$G" "$M/$m.yaml" --set train.steps=3 --set train.batch=64 $fast --out "$tmp/$m" >"$tmp/out" 2>&1 &&
        ok "$m: 3 steps" || bad "$m: 3 steps: $(cat "$tmp/out")"
    if [ "$m" = cgan-resnet ]; then LABELS="$tmp/labels.csv" compare "$tmp/$m" "$m" "$m" 3
    else compare "$tmp/$m" "$m" "$m" 3; fi
done

# every layer type in one conditional generator (CSV data with labels)
awk 'BEGIN { for (i = 0; i < 400; i++) printf "%d,%.4f,%.4f\n", i % 4, (i % 4) - 1.5, ((i * 7) % 13) / 13 - 0.5 }' \
    >"$tmp/pts.csv"
cat >"$tmp/all.yaml" <<EOT
name: all-layers
seed: 3
data: {format: csv, path: $tmp/pts.csv, label_column: 1, classes: 4}
noise: {dim: 6}
generator:
  - embed: {dim: 3}
  - dense: {units: 64, spectral_norm: true}
  - elu: {alpha: 0.7}
  - reshape: {shape: [4, 4, 4]}
  - upsample: {factor: 2}
  - embed: {dim: 2}
  - conv2d: {filters: 8, kernel: 3, pad: 1, spectral_norm: true}
  - batchnorm: {affine: false}
  - maxout: {pieces: 2}
  - leaky_relu: {slope: 0.1}
  - deconv2d: {filters: 3, kernel: 4, stride: 2, pad: 1, spectral_norm: true}
  - batchnorm: {}
  - dropout: {p: 0.3}
  - relu
  - conv2d: {filters: 2, kernel: 3, stride: 2, pad: 0, bias: false}
  - flatten
  - dense: {units: 8, bias: false}
  - maxout: {pieces: 2}
  - sigmoid
  - reshape: {shape: [4]}
  - dense: {units: 2}
  - tanh
discriminator: [dense: {units: 16}, leaky_relu, project]
train: {batch: 32, steps: 4}
output: {sample_every: 0, checkpoint_every: 0, samples: 16}
EOT
"$G" "$tmp/all.yaml" --quiet --out "$tmp/all" >"$tmp/out" 2>&1 && ok "all-layers: 4 steps" ||
    bad "all-layers: 4 steps: $(cat "$tmp/out")"
awk 'BEGIN { for (i = 0; i < 256; i++) print i % 4 }' >"$tmp/labels4.csv"
LABELS="$tmp/labels4.csv" compare "$tmp/all" all-layers all-layers 4

# the layer types of the layers branch, once this ganrun has them (the model
# is skipped where `ganrun check` refuses it); minibatch_stddev's groups
# depend on the batch's size, which the export computes in the graph: 256
# latents (groups of 4) and 6 (groups of 3)
cat >"$tmp/new.yaml" <<EOT
name: new-layers
seed: 5
data: {format: csv, path: $tmp/pts.csv, label_column: 1, classes: 4}
noise: {dim: 6}
generator:
  - embed: {dim: 2, id: zc}
  - dense: {units: 64}
  - pixelnorm: {}
  - reshape: {shape: [4, 4, 4]}
  - minibatch_stddev: {group: 4}
  - attention: {reduce: 2, spectral_norm: true}
  - layernorm: {id: ln}
  - slice: {from: zc, start: 3, size: 5, id: zs}
  - modulate: {from: [ln, zs], init: normal, init_std: 0.3, spectral_norm: true}
  - batchnorm: {conditional: true}
  - relu
  - upsample: {factor: 2}
  - avgpool: {size: 2}
  - layernorm: {affine: false}
  - conv2d: {filters: 6, kernel: 1}
  - global_pool: {op: sum}
  - layernorm: {}
  - dense: {units: 2}
  - tanh
discriminator: [reshape: {shape: [2, 1, 1]}, minibatch_stddev: {group: 2}, flatten, dense: {units: 16}, leaky_relu, project]
train:
  batch: 32
  steps: 4
  optimizer: {generator: {lr: 0.02}}
output: {sample_every: 0, checkpoint_every: 0, samples: 16}
EOT
if "$G" check "$tmp/new.yaml" >/dev/null 2>&1; then
    "$G" "$tmp/new.yaml" --quiet --out "$tmp/new" >"$tmp/out" 2>&1 && ok "new layer types: 4 steps" ||
        bad "new layer types: 4 steps: $(cat "$tmp/out")"
    LABELS="$tmp/labels4.csv" compare "$tmp/new" new-layers new-layers 4
    head -n 6 "$tmp/labels4.csv" >"$tmp/labels6.csv"
    N=6 LABELS="$tmp/labels6.csv" compare "$tmp/new" new-layers-6 new-layers 4
    expect 0 "minibatch_stddev: export --discriminator" "$G" export "$tmp/new" --discriminator -o "$tmp/nd.onnx"
    checker "$tmp/nd.onnx" new-layers 4
    if [ $have_checker -eq 1 ]; then check "new-layers discriminator: ONNX checker" '[ ! -s "$tmp/py" ]'; fi
else
    echo "note: this ganrun lacks the newer layer types (attention, layernorm, ...): their export not tested"
fi

# R3GAN's layers (issue 26): grouped and depthwise conv2d (ONNX group),
# the low-pass resampler up and down with [1, 2, 1] and [1, 3, 3, 1]
# (depthwise Conv / ConvTranspose), init_scale, an inverted bottleneck
cat >"$tmp/r3.yaml" <<EOT
name: r3-layers
seed: 7
data: {format: csv, path: $tmp/pts.csv, label_column: 1, classes: 4}
noise: {dim: 6}
generator:
  - embed: {dim: 2}
  - dense: {units: 64}
  - reshape: {shape: [4, 4, 4]}
  - resample: {op: up}
  - conv2d: {filters: 8, kernel: 1, id: wide}
  - leaky_relu: {slope: 0.2}
  - conv2d: {filters: 8, kernel: 3, pad: 1, groups: 4}
  - leaky_relu: {slope: 0.2}
  - conv2d: {filters: 8, kernel: 3, pad: 1, groups: 8, init_scale: 0.5, id: res}
  - add: {from: [wide, res]}
  - resample: {op: down, filter: [1, 3, 3, 1]}
  - resample: {op: up, filter: [1, 3, 3, 1]}
  - resample: {op: down}
  - flatten
  - dense: {units: 2}
  - tanh
discriminator: [dense: {units: 16}, leaky_relu, project]
train: {batch: 32, steps: 4, loss: rpgan, r1: {gamma: 1.0}, r2: {gamma: 1.0, every: 2}}
output: {sample_every: 0, checkpoint_every: 0, samples: 16}
EOT
"$G" "$tmp/r3.yaml" --quiet --out "$tmp/r3" >"$tmp/out" 2>&1 && ok "r3 layers: 4 steps" ||
    bad "r3 layers: 4 steps: $(cat "$tmp/out")"
LABELS="$tmp/labels4.csv" compare "$tmp/r3" r3-layers r3-layers 4

# graph networks (branch graph: id, from, add, concat), once this ganrun
# has them: models/resgrid.yaml and a generator where one value feeds
# three entries, a concat and a three-input add
if [ -f "$M/resgrid.yaml" ]; then
    "$G" "$M/resgrid.yaml" --set train.steps=3 --set train.batch=64 $fast --out "$tmp/resgrid" >"$tmp/out" 2>&1 &&
        ok "resgrid: 3 steps" || bad "resgrid: 3 steps: $(cat "$tmp/out")"
    compare "$tmp/resgrid" resgrid resgrid 3
fi
# the reference ResNet models (residual blocks, avgpool, global_pool,
# conditional batchnorm, projection D); 256 latents with labels 0..9 mod 10
for m in resnet cgan-resnet; do
    [ -f "$M/$m.yaml" ] || continue
    "$G" "$M/$m.yaml" $fm $fast --out "$tmp/$m" >"$tmp/out" 2>&1 &&
        ok "$m: 3 steps" || bad "$m: 3 steps: $(cat "$tmp/out")"
    if [ "$m" = cgan-resnet ]; then LABELS="$tmp/labels.csv" compare "$tmp/$m" "$m" "$m" 3
    else compare "$tmp/$m" "$m" "$m" 3; fi
done
cat >"$tmp/dag.yaml" <<EOT
name: dag
seed: 6
data: {format: grid}
noise: {dim: 5}
generator:
  - dense: {units: 64}
  - reshape: {shape: [4, 4, 4], id: base}
  - conv2d: {filters: 4, kernel: 3, pad: 1, id: a}
  - relu: {from: [base], id: b}
  - concat: {from: [a, b]}
  - conv2d: {filters: 4, kernel: 1, id: c}
  - add: {from: [c, base, a]}
  - flatten
  - dense: {units: 2}
discriminator: [dense: {units: 16}, leaky_relu, dense: {units: 1}]
train: {batch: 32, steps: 3}
output: {sample_every: 0, checkpoint_every: 0, samples: 16}
EOT
if "$G" check "$tmp/dag.yaml" >/dev/null 2>&1; then
    "$G" "$tmp/dag.yaml" --quiet --out "$tmp/dag" >"$tmp/out" 2>&1 && ok "dag: 3 steps" || bad "dag: $(cat "$tmp/out")"
    compare "$tmp/dag" dag dag 3
else
    echo "note: this ganrun has no graph networks (id, from, add, concat): their export not tested"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] || exit 1
[ $have_ort -eq 1 ] || { echo "SKIP: ONNX Runtime comparisons need node and onnxruntime-node"; exit 77; }
exit 0
