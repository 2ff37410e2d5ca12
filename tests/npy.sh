#!/bin/sh
# npy.sh - NumPy .npy files and latent vectors in and out of `ganrun sample`:
# numpy.load reads ganrun's samples and latents with the right shape and
# dtype; files numpy writes (float32 latents, int64/int32 labels, format
# 2.0) are accepted; --latents gives back the samples of the seed that drew
# them, bit for bit; CSV latents work alike; bad files (wrong dtype, Fortran
# order, wrong dim, truncated, ...) are one error line and exit 1; and
# tests/noise.py reproduces ganrun's noise from a seed.  Skips (77) without
# NumPy.
. "$(dirname "$0")/lib.sh"
M="$top_srcdir/models"
PY=/usr/bin/python3
$PY -c 'import numpy' 2>/dev/null || { echo "SKIP: no NumPy for $PY"; exit 77; }
lib_tmp npy
py() { $PY -c "import numpy as np; $1" 2>"$tmp/pyerr" || { cat "$tmp/pyerr"; return 1; }; }

fast="--set output.sample_every=0 --set output.checkpoint_every=0 --quiet"
"$G" "$M/dcgan.yaml" --set data.limit=256 --set train.batch=16 --set train.steps=2 $fast --out "$tmp/dc" \
    >"$tmp/out" 2>&1 && ok "dcgan: 2 steps" || bad "dcgan: 2 steps: $(cat "$tmp/out")"
"$G" "$M/grid.yaml" --set train.steps=2 --set train.batch=64 $fast --out "$tmp/grid" \
    >"$tmp/out" 2>&1 && ok "grid: 2 steps" || bad "grid: 2 steps: $(cat "$tmp/out")"

# ganrun's files read by numpy
expect 0 "sample -o x.npy, --latents-out z.npy" "$G" sample "$tmp/dc" -n 10 --seed 4 -o "$tmp/x.npy" \
    --latents-out "$tmp/z.npy"
check "numpy.load: samples (10, 1, 28, 28) float32 in [-1, 1]" \
    'py "x = np.load(\"$tmp/x.npy\"); assert x.shape == (10, 1, 28, 28) and x.dtype == np.float32; assert abs(x).max() <= 1"'
check "numpy.load: latents (10, 100) float32" \
    'py "z = np.load(\"$tmp/z.npy\"); assert z.shape == (10, 100) and z.dtype == np.float32, (z.shape, z.dtype)"'
"$G" sample "$tmp/dc" -n 10 --seed 4 -o "$tmp/x.csv" 2>/dev/null
check "the .npy holds the values of the .csv output" \
    'py "x = np.load(\"$tmp/x.npy\").reshape(10, -1); c = np.loadtxt(\"$tmp/x.csv\", delimiter=\",\", dtype=np.float32); assert (x == c).all()"'
expect 0 "vector samples -o .npy" "$G" sample "$tmp/grid" -n 7 -o "$tmp/g.npy"
check "numpy.load: vector samples (7, 2) float32" \
    'py "g = np.load(\"$tmp/g.npy\"); assert g.shape == (7, 2) and g.dtype == np.float32"'

# --latents gives back the seed's samples
expect 0 "sample --latents z.npy" "$G" sample "$tmp/dc" --latents "$tmp/z.npy" -o "$tmp/x2.npy"
check "--latents of a seed's noise: the same samples, bit for bit" 'cmp -s "$tmp/x.npy" "$tmp/x2.npy"'
expect 0 "--latents-out z.csv" "$G" sample "$tmp/dc" -n 10 --seed 4 -o "$tmp/x3.npy" --latents-out "$tmp/z.csv"
expect 0 "sample --latents z.csv" "$G" sample "$tmp/dc" --latents "$tmp/z.csv" -o "$tmp/x4.npy"
check "CSV latents: the same samples" 'cmp -s "$tmp/x.npy" "$tmp/x4.npy"'
check "the CSV latents are the .npy ones" \
    'py "assert (np.loadtxt(\"$tmp/z.csv\", delimiter=\",\", dtype=np.float32) == np.load(\"$tmp/z.npy\")).all()"'
check "--latents-out with --latents writes the given vectors" \
    '"$G" sample "$tmp/dc" --latents "$tmp/z.npy" -o "$tmp/x5.npy" --latents-out "$tmp/z5.npy" && cmp -s "$tmp/z.npy" "$tmp/z5.npy"'

# numpy's files accepted
py "np.save('$tmp/np.npy', (np.arange(300, dtype=np.float32).reshape(3, 100) / 300))" &&
    expect 0 "numpy-written float32 latents accepted" "$G" sample "$tmp/dc" --latents "$tmp/np.npy" -o "$tmp/n.npy"
check "one sample per latent vector" 'py "assert np.load(\"$tmp/n.npy\").shape == (3, 1, 28, 28)"'
py "import numpy.lib.format as f; f.write_array(open('$tmp/v2.npy', 'wb'), np.ones((2, 100), np.float32), version=(2, 0))" &&
    expect 0 "format 2.0 accepted" "$G" sample "$tmp/dc" --latents "$tmp/v2.npy" -o "$tmp/v2out.npy"

# bad files: one line, exit 1
bad_npy() {   # DESCRIPTION PATTERN PYTHON-STATEMENT-WRITING-$tmp/bad.npy
    py "$3" || { bad "$1: could not write the file"; return; }
    expect 1 "$1: exit 1" "$G" sample "$tmp/dc" --latents "$tmp/bad.npy" -o "$tmp/b.npy"
    one_line "$1: one line" "$2"
}
bad_npy "float64 latents" "dtype '<f8' not supported" "np.save('$tmp/bad.npy', np.zeros((2, 100)))"
bad_npy "Fortran-order latents" "Fortran-order" "np.save('$tmp/bad.npy', np.asfortranarray(np.zeros((2, 100), np.float32)))"
bad_npy "wrong dim" "noise.dim is 100" "np.save('$tmp/bad.npy', np.zeros((2, 99), np.float32))"
bad_npy "1-D latents" "(N, dim)" "np.save('$tmp/bad.npy', np.zeros(100, np.float32))"
bad_npy "big-endian latents" "dtype '>f4'" "np.save('$tmp/bad.npy', np.zeros((2, 100), '>f4'))"
bad_npy "truncated data" "truncated data" \
    "np.save('$tmp/bad.npy', np.zeros((2, 100), np.float32)); b = open('$tmp/bad.npy', 'rb').read(); open('$tmp/bad.npy', 'wb').write(b[:-3])"
bad_npy "bytes after the data" "bytes after" \
    "np.save('$tmp/bad.npy', np.zeros((2, 100), np.float32)); open('$tmp/bad.npy', 'ab').write(b'xx')"
bad_npy "not an .npy file" "no .x93NUMPY magic" "open('$tmp/bad.npy', 'w').write('hello')"
bad_npy "truncated header" "truncated header" \
    "np.save('$tmp/bad.npy', np.zeros((2, 100), np.float32)); b = open('$tmp/bad.npy', 'rb').read(); open('$tmp/bad.npy', 'wb').write(b[:40])"
bad_npy "malformed header dict" "header" \
    "b = bytearray(open('$tmp/z.npy', 'rb').read()); b[10:20] = b'[junk!!!!]'; open('$tmp/bad.npy', 'wb').write(b)"
printf '1,2,3\n' >"$tmp/bad.csv"
expect 1 "CSV latents of the wrong width: exit 1" "$G" sample "$tmp/dc" --latents "$tmp/bad.csv" -o "$tmp/b.npy"
one_line "CSV latents of the wrong width: one line" "noise.dim is 100"
expect 1 "missing latents file: exit 1" "$G" sample "$tmp/dc" --latents "$tmp/none.npy" -o "$tmp/b.npy"
one_line "missing latents file: one line" "none.npy"
expect 2 "--latents with --truncation: usage" "$G" sample "$tmp/dc" --latents "$tmp/z.npy" --truncation 1
expect 2 "--latents-out of another format: usage" "$G" sample "$tmp/dc" --latents-out "$tmp/z.txt"
expect 1 "--latents and a different -n: exit 1" "$G" sample "$tmp/dc" --latents "$tmp/z.npy" -n 3 -o "$tmp/b.npy"
one_line "--latents and a different -n: one line" "10 latent vectors but -n 3"
expect 1 "--labels for an unconditional model: exit 1" "$G" sample "$tmp/dc" -n 3 --labels "$tmp/z.csv" -o "$tmp/b.npy"
one_line "--labels for an unconditional model: one line" "no classes"

# labels for a conditional model (CSV data with a label column)
awk 'BEGIN { for (i = 0; i < 200; i++) printf "%d,%.3f,%.3f\n", i % 3, i % 3, -(i % 3) }' >"$tmp/pts.csv"
cat >"$tmp/c.yaml" <<EOT
name: c3
data: {format: csv, path: $tmp/pts.csv, label_column: 1, classes: 3}
noise: {dim: 4}
generator: [embed: {dim: 2}, dense: {units: 16}, relu, dense: {units: 2}]
discriminator: [dense: {units: 16}, leaky_relu, project]
train: {batch: 32, steps: 3}
output: {sample_every: 0, checkpoint_every: 0, samples: 16}
EOT
"$G" "$tmp/c.yaml" --quiet --out "$tmp/c" >"$tmp/out" 2>&1 && ok "conditional: 3 steps" || bad "conditional: $(cat "$tmp/out")"
py "np.save('$tmp/y64.npy', np.array([2, 2, 2, 2, 2], np.int64)); np.save('$tmp/y32.npy', np.array([2, 2, 2, 2, 2], np.int32))"
"$G" sample "$tmp/c" -n 5 --seed 2 --class 2 -o "$tmp/k.npy" --latents-out "$tmp/cz.npy" 2>/dev/null
expect 0 "int64 labels accepted" "$G" sample "$tmp/c" --latents "$tmp/cz.npy" --labels "$tmp/y64.npy" -o "$tmp/k64.npy"
check "int64 labels: the --class samples" 'cmp -s "$tmp/k.npy" "$tmp/k64.npy"'
expect 0 "int32 labels accepted" "$G" sample "$tmp/c" --latents "$tmp/cz.npy" --labels "$tmp/y32.npy" -o "$tmp/k32.npy"
check "int32 labels: the --class samples" 'cmp -s "$tmp/k.npy" "$tmp/k32.npy"'
printf '2\n2\n2\n2\n2\n' >"$tmp/y.csv"
expect 0 "CSV labels accepted" "$G" sample "$tmp/c" --latents "$tmp/cz.npy" --labels "$tmp/y.csv" -o "$tmp/kc.npy"
check "CSV labels: the --class samples" 'cmp -s "$tmp/k.npy" "$tmp/kc.npy"'
py "np.save('$tmp/yf.npy', np.zeros(5, np.float32))"
expect 1 "float labels: exit 1" "$G" sample "$tmp/c" --latents "$tmp/cz.npy" --labels "$tmp/yf.npy" -o "$tmp/b.npy"
one_line "float labels: one line" "int64"
py "np.save('$tmp/y3.npy', np.array([0, 1, 3, 0, 0]))"
expect 1 "label beyond the classes: exit 1" "$G" sample "$tmp/c" --latents "$tmp/cz.npy" --labels "$tmp/y3.npy" -o "$tmp/b.npy"
one_line "label beyond the classes: one line" "3 classes"
py "np.save('$tmp/y4.npy', np.array([0, 1, 2, 0]))"
expect 1 "fewer labels than samples: exit 1" "$G" sample "$tmp/c" --latents "$tmp/cz.npy" --labels "$tmp/y4.npy" -o "$tmp/b.npy"
one_line "fewer labels than samples: one line" "4 labels for 5 samples"

# the noise, reproduced from the seed alone (the documented recipe)
for model in dc grid; do
    "$G" sample "$tmp/$model" -n 9 --seed 12345 -o "$tmp/s.npy" --latents-out "$tmp/nz.npy" 2>/dev/null
    check "tests/noise.py reproduces the $model run's noise of seed 12345 bit for bit" \
        '$PY "$top_srcdir/tests/noise.py" 12345 9 "$tmp/$model/model.yaml" "$tmp/nz.npy"'
done

# numbers of the expanded model text read back as numbers in YAML 1.1
# readers (PyYAML reads 1e-08 as a string, 1.0e-08 as a float)
for m in dcgan sngan wgan-gp; do
    "$G" check "$M/$m.yaml" --expand >"$tmp/exp.yaml" 2>/dev/null
    if $PY -c 'import yaml' 2>/dev/null; then
        check "$m: every number of the expanded model is a number to PyYAML" '$PY - "$tmp/exp.yaml" <<"EOF"
import re, sys, yaml
num = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
def walk(v):
    if isinstance(v, dict): return sum((walk(x) for x in v.values()), 0)
    if isinstance(v, list): return sum((walk(x) for x in v), 0)
    return 1 if isinstance(v, str) and num.match(v) else 0
doc = yaml.safe_load(open(sys.argv[1]))
sys.exit(walk(doc) != 0 or doc["train"]["optimizer"]["generator"]["eps"] != 1e-8)
EOF'
    else
        check "$m: no exponent without a '.' in the expanded model" '! grep -q "[ :,\[][-+]\{0,1\}[0-9]*e[-+]" "$tmp/exp.yaml"'
    fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
