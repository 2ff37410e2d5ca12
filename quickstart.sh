#!/bin/sh
# quickstart.sh - set up a fresh Debian machine, build ganrun, then either
# train the default model (no argument) or run the whole test suite ("test").
#   sh quickstart.sh         # installs what is missing, builds, trains models/dcgan.yaml
#   sh quickstart.sh test    # installs what is missing, builds, runs make check
set -eu
cd "$(dirname "$0")"

pkgs="build-essential autoconf automake libtool pkg-config libyaml-dev libopenblas-dev
      zlib1g-dev libpng-dev libjpeg62-turbo-dev check dataset-fashion-mnist mandoc"
# the tests also render the run report in headless Chromium
[ "${1:-train}" = test ] && pkgs="$pkgs chromium"
# tests/images.sh builds its image folders with Pillow
[ "${1:-train}" = test ] && pkgs="$pkgs python3-pil"
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

case "${1:-train}" in
test)  make -j"$jobs" check ;;
train) ./ganrun models/dcgan.yaml ;;
*)     echo "usage: sh quickstart.sh [train|test]" >&2; exit 2 ;;
esac
