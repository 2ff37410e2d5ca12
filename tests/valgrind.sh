#!/bin/sh
# valgrind.sh - memcheck on short training runs (plain; ema, spectral norm,
# packing; conditional; with rollbacks), resume, sample, interpolate, info,
# report, the classifier and eval, on bad inputs and on the kept fuzz inputs
# (tests/check_fuzz), and with train.gemm: onednn where built: no invalid
# access, no definite leak (.ci/run).
set -u
cd "$(dirname "$0")/.."
tmp=$(mktemp -d /tmp/ganrun-vg.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
supp=   # valgrind's suppressions (the oneDNN runs below)
vg() {   # vg WANT_STATUS DESCRIPTION ARGS...
    want=$1; what=$2; shift 2
    # GANRUN_BLAS_AUTO=0: no restart on other OpenBLAS kernels (gan/blas.h),
    # which valgrind would not follow
    GANRUN_BLAS_AUTO=0 OPENBLAS_NUM_THREADS=1 ./libtool --mode=execute valgrind -q --error-exitcode=99 \
        --leak-check=full --errors-for-leak-kinds=definite $supp ./ganrun "$@" >"$tmp/out" 2>"$tmp/err"
    st=$?
    if [ $st -eq "$want" ]; then pass=$((pass + 1)); echo "ok - $what"
    else fail=$((fail + 1)); echo "FAIL - $what (exit $st, want $want)"; cat "$tmp/err"; fi
}
cat >"$tmp/m.yaml" <<'YAML'
name: vg
data: {format: grid, samples: 500}
noise: {dim: 2}
generator: [dense: {units: 8}, batchnorm, relu, dropout: {p: 0.1}, dense: {units: 2}]
discriminator: [dense: {units: 8}, leaky_relu, dense: {units: 1}]
train: {batch: 16, steps: 10}
output: {checkpoint_every: 5, sample_every: 5, samples: 16}
YAML
vg 0 "train" "$tmp/m.yaml" --quiet --out "$tmp/run"
vg 0 "resume" resume "$tmp/run/latest.ckpt" --steps 5 --quiet
# train.augment: flip, DiffAugment and ADA's p on images
cat >"$tmp/aug.yaml" <<'YAML'
name: vgaug
data: {format: idx, path: /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz, limit: 64}
noise: {dim: 4}
generator: [dense: {units: 784}, tanh, reshape: {shape: [1, 28, 28]}]
discriminator: [flatten, dense: {units: 1}]
train: {batch: 8, steps: 3, augment: {flip: true, policy: "color,translation,cutout", p: 0.5, ada_target: 0.6}}
output: {checkpoint_every: 0, sample_every: 0, samples: 4}
YAML
vg 0 "train with augment" "$tmp/aug.yaml" --quiet --out "$tmp/aug"
vg 0 "sample" sample "$tmp/run" -n 8 -o "$tmp/s.csv"
vg 0 "info" info "$tmp/run/latest.ckpt"
vg 0 "report" report "$tmp/run"
vg 0 "check dcgan" check models/dcgan.yaml
# weight average, spectral norm, packing, truncation, interpolation
cat >"$tmp/x.yaml" <<'YAML'
name: vgx
data: {format: grid, samples: 500}
noise: {dim: 2}
generator: [dense: {units: 8, spectral_norm: true}, batchnorm, relu, dense: {units: 2}]
discriminator: [dense: {units: 8, spectral_norm: true}, leaky_relu, dense: {units: 1, spectral_norm: true}]
train: {loss: hinge, batch: 16, steps: 6, pack: 2, ema: {decay: 0.9, start: 2}}
output: {checkpoint_every: 3, sample_every: 3, samples: 16}
YAML
vg 0 "train ema, sn, pack" "$tmp/x.yaml" --quiet --out "$tmp/runx"
vg 0 "resume ema, sn, pack" resume "$tmp/runx/latest.ckpt" --steps 2 --quiet
vg 0 "sample --truncation" sample "$tmp/runx" -n 8 --truncation 0.5 -o "$tmp/t.csv"
vg 0 "interpolate" interpolate "$tmp/runx" --seeds 1,2 --steps 3 -o "$tmp/i.png"
# conditional GAN (embed, project, CSV labels), sample --class, the
# classifier and eval --classifier
awk 'BEGIN { srand(1); for (i = 0; i < 400; i++) { k = i % 4;
    printf "%d,%.4f,%.4f\n", k, (k % 2 ? 2 : -2) + rand() - 0.5, (k >= 2 ? 2 : -2) + rand() - 0.5 } }' >"$tmp/l.csv"
cat >"$tmp/c.yaml" <<YAML
name: vgc
data: {format: csv, path: $tmp/l.csv, label_column: 1, classes: 4}
noise: {dim: 2}
generator: [embed: {dim: 3}, dense: {units: 8}, relu, dense: {units: 2}]
discriminator: [dense: {units: 8}, leaky_relu, project]
train: {batch: 16, steps: 6}
output: {checkpoint_every: 3, sample_every: 3, samples: 8}
YAML
cat >"$tmp/clf.yaml" <<YAML
name: vgclf
data: {format: csv, path: $tmp/l.csv, label_column: 1, classes: 4}
test: {format: csv, path: $tmp/l.csv, label_column: 1}
layers: [dense: {units: 8}, tanh, dense: {units: 4}]
train: {batch: 16, steps: 5}
YAML
vg 0 "train conditional" "$tmp/c.yaml" --quiet --out "$tmp/runc"
vg 0 "sample --class" sample "$tmp/runc" --class 1 -n 8 -o "$tmp/c1.csv"
vg 0 "classify train" classify train "$tmp/clf.yaml" -o "$tmp/clf.ckpt" --quiet
vg 0 "classify test" classify test "$tmp/clf.ckpt"
vg 0 "eval --classifier" eval "$tmp/runc" --classifier "$tmp/clf.ckpt" -n 50
vg 1 "info of a classifier checkpoint" info "$tmp/clf.ckpt"
# train.health: sgd at lr 10 diverges; rollbacks lower the rate and finish
cat >"$tmp/h.yaml" <<'YAML'
name: vgh
data: {format: ring, samples: 500}
noise: {dim: 2}
generator: [dense: {units: 8}, relu, dense: {units: 2}]
discriminator: [dense: {units: 8}, relu, dense: {units: 1}]
train:
  loss: lsgan
  batch: 16
  steps: 40
  optimizer: {generator: {type: sgd, lr: 10}, discriminator: {type: sgd, lr: 10}}
  health: {on_nan: rollback, snapshot_every: 5, lr_factor: 0.01, retries: 3}
output: {checkpoint_every: 20, sample_every: 0}
YAML
vg 0 "train with rollbacks" "$tmp/h.yaml" --quiet --out "$tmp/runh"
for f in tests/data/model/bad/*.yaml; do vg 1 "bad model $(basename "$f")" check "$f"; done
head -c 300 "$tmp/run/latest.ckpt" >"$tmp/short.ckpt"
vg 1 "truncated checkpoint" info "$tmp/short.ckpt"
for f in tests/data/ckpt/bad/*.ckpt; do vg 1 "bad checkpoint $(basename "$f")" info "$f"; done
vg 1 "missing data" "$tmp/m.yaml" --set data.format=idx --set data.path=/nonexistent.gz --quiet --out "$tmp/x"
# train.gemm: onednn (builds with oneDNN): oneDNN's AVX2 kernels, as valgrind
# has no AVX-512, with tests/data/valgrind/onednn.supp (its JIT kernels'
# vector reads past their own buffers); check_gemm's exact sums on the
# edge shapes, then a convolutional run and its resume
if ./ganrun --version | grep -q "^train.gemm onednn: oneDNN"; then
    supp=--suppressions=tests/data/valgrind/onednn.supp
    cat >"$tmp/dnn.yaml" <<'YAML'
name: vgdnn
data: {format: idx, path: /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz, limit: 64}
noise: {dim: 8}
generator: [dense: {units: 392}, relu, reshape: {shape: [8, 7, 7]}, deconv2d: {filters: 4, kernel: 4, stride: 2, pad: 1},
            relu, deconv2d: {filters: 1, kernel: 4, stride: 2, pad: 1}, tanh]
discriminator: [conv2d: {filters: 4, kernel: 4, stride: 2, pad: 1}, leaky_relu, flatten, dense: {units: 1}]
train: {batch: 8, steps: 4, gemm: onednn}
output: {checkpoint_every: 2, sample_every: 0, samples: 4}
YAML
    vg 0 "train.gemm onednn (AVX2 kernels)" "$tmp/dnn.yaml" --quiet --out "$tmp/dnn"
    vg 0 "resume with onednn" resume "$tmp/dnn/latest.ckpt" --steps 1 --quiet
    if [ -x tests/check_gemm ]; then
        GANRUN_BLAS_AUTO=0 OPENBLAS_NUM_THREADS=1 CK_RUN_CASE=edges ./libtool --mode=execute valgrind -q \
            --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite $supp tests/check_gemm \
            >"$tmp/out" 2>"$tmp/err"
        st=$?
        if [ $st -eq 0 ]; then pass=$((pass + 1)); echo "ok - check_gemm's exact sums with oneDNN's AVX2 kernels"
        else fail=$((fail + 1)); echo "FAIL - check_gemm's exact sums with oneDNN's AVX2 kernels (exit $st)"; tail -20 "$tmp/out" "$tmp/err"; fi
    fi
    supp=
fi
# the kept fuzz inputs (tests/data/fuzz/), replayed through the harnesses
if [ -x tests/check_fuzz ]; then
    GANRUN_BLAS_AUTO=0 OPENBLAS_NUM_THREADS=1 ./libtool --mode=execute valgrind -q --error-exitcode=99 \
        --leak-check=full --errors-for-leak-kinds=definite tests/check_fuzz >"$tmp/out" 2>"$tmp/err"
    st=$?
    if [ $st -eq 0 ]; then pass=$((pass + 1)); echo "ok - kept fuzz inputs ($(tail -1 "$tmp/out"))"
    else fail=$((fail + 1)); echo "FAIL - kept fuzz inputs (exit $st)"; tail -20 "$tmp/err"; fi
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
