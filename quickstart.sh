#!/bin/sh
# quickstart.sh - set up a fresh Debian machine, build ganrun, then either
# train the default model (no argument) or run the whole test suite ("test").
#   sh quickstart.sh         # installs what is missing, builds, trains models/dcgan.yaml
#   sh quickstart.sh test    # installs what is missing, builds, runs make check
set -eu
cd "$(dirname "$0")"

pkgs="build-essential autoconf automake libtool pkg-config libyaml-dev libopenblas-dev libdnnl-dev
      zlib1g-dev libpng-dev libjpeg62-turbo-dev check dataset-fashion-mnist mandoc
      protobuf-c-compiler libprotobuf-c-dev libonnx-dev"
# the tests also render the run report in headless Chromium, check exported
# ONNX models with python3-onnx, read .npy files with NumPy and run the
# models in ONNX Runtime under Node.js (nodejs, npm unless node has them)
[ "${1:-train}" = test ] && pkgs="$pkgs chromium python3-onnx python3-numpy python3-yaml python3-pil"
[ "${1:-train}" = test ] && ! command -v node >/dev/null 2>&1 && pkgs="$pkgs nodejs"
[ "${1:-train}" = test ] && ! command -v npm >/dev/null 2>&1 && pkgs="$pkgs npm"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "quickstart: installing Debian packages:$missing"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
fi

jobs=$(nproc 2>/dev/null || echo 2)
[ -x configure ] || autoreconf -fi
[ -f Makefile ] || ./configure
make -j"$jobs"

# ONNX Runtime for tests/onnx.sh, into ./node_modules (its CUDA download skipped)
if [ "${1:-train}" = test ] && [ ! -d node_modules/onnxruntime-node ]; then
    npm install --prefix . --no-save --no-audit --no-fund onnxruntime-node@1.30.0 \
        --onnxruntime-node-install-cuda=skip ||
        echo "quickstart: WARNING: npm install onnxruntime-node failed: tests/onnx.sh will skip ONNX Runtime" >&2
fi

# the 64x64 colour models' data (npm's emoji packages) for tests/samples.sh
# and the colour tests; without it they skip
if [ "${1:-train}" = test ] && [ ! -d data/emoji/google ]; then
    sh data/emoji.sh ||
        echo "quickstart: WARNING: data/emoji.sh failed: the 64x64 models' tests will skip" >&2
fi

case "${1:-train}" in
test)  make -j"$jobs" check ;;
train) ./ganrun models/dcgan.yaml ;;
*)     echo "usage: sh quickstart.sh [train|test]" >&2; exit 2 ;;
esac
