#!/bin/sh
# images.sh - `format: images`: folders of PNG and JPEG built with Pillow
# from Fashion-MNIST (tests/images_fixture.py) at mixed sizes and modes (L,
# RGB, RGBA, P, 16-bit), loaded through tests/imgdump: the resize against
# Pillow's, class folders and their labels, the decoded cache (hit, and
# missed after a change), every bad-file case, an empty folder, and the
# model keys through `ganrun check`, skipped files counted by `ganrun train`,
# a classifier on class folders and eval --real FOLDER.  Skips (77) without
# /usr/bin/python3 with PIL or without the Fashion-MNIST package.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
FX="$top_srcdir/tests/images_fixture.py"
D="$top_builddir/tests/imgdump"
[ -x "$PY" ] || { echo "skip: no $PY"; exit 77; }
lib_tmp images
GANRUN_CACHE_DIR="$tmp/cache"; export GANRUN_CACHE_DIR
$PY "$FX" build "$tmp/fx"; rc=$?
[ $rc -eq 77 ] && { echo "skip: PIL or the Fashion-MNIST data set is missing"; exit 77; }
[ $rc -eq 0 ] || { echo "FAIL - building the fixture"; exit 1; }
F="$tmp/fx"

# ---- resize and channel conversion against Pillow (BILINEAR, centre crop)
for shape in "1 28 28" "3 28 28" "3 20 36" "1 9 7"; do
    set -- $shape
    check "flat folder as ${1}x${2}x${3}: 121 images" \
        "'$D' '$F/flat' $shape nocache '$tmp/got.u8' > '$tmp/out' 2> '$tmp/err' && grep -q '^n 121 skipped 0 cache 0' '$tmp/out'"
    $PY "$FX" expect "$F/flat" $shape "$tmp/want.u8"
    check "${1}x${2}x${3} within 1 level of Pillow" "$PY '$FX' compare '$tmp/got.u8' '$tmp/want.u8' 1 > '$tmp/out'"
    echo "# ${1}x${2}x${3}: $(cat "$tmp/out")"
done

# ---- class folders
check "labels: folders finds 3 classes, sorted" \
    "'$D' '$F/classes' 1 28 28 labels=folders nocache '$tmp/cls.u8' > '$tmp/out' 2> '$tmp/err' && grep -q 'classes coat,dress,trouser ' '$tmp/out'"
n=$(awk '{print $2}' "$tmp/out")
check "each image labelled by its class folder" "$PY - '$F/classes' '$tmp/cls.u8' $n <<'EOT'
import os, struct, sys
sys.path.insert(0, os.path.dirname('$FX')); import images_fixture as f
root, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
cls = sorted(os.listdir(root))
want = [cls.index(os.path.relpath(p, root).split('/')[0]) for p in f.files(root)]
got = list(struct.unpack('<%di' % n, open(out, 'rb').read()[:4 * n]))
sys.exit(0 if got == want and len(set(got)) == 3 else 1)
EOT"
check "data.classes must match the class folders" \
    "! '$D' '$F/classes' 1 28 28 labels=folders classes=4 '$tmp/x.u8' 2> '$tmp/err' && grep -q 'data.classes is 4 but the folder has 3 class folders (coat, dress, trouser)' '$tmp/err'"
check "an image outside the class folders is an error naming it" \
    "! '$D' '$F/flat' 1 28 28 labels=folders '$tmp/x.u8' 2> '$tmp/err' && grep -q 'flat/img001.png: error: image outside a class folder' '$tmp/err'"

# ---- the decoded cache
"$D" "$F/classes" 1 28 28 labels=folders "$tmp/c1.u8" > "$tmp/out1" 2>&1
check "first load writes the cache" "grep -q 'cache 0' '$tmp/out1' && ls '$tmp/cache'/images-*.u8 > /dev/null"
"$D" "$F/classes" 1 28 28 labels=folders "$tmp/c2.u8" > "$tmp/out2" 2>&1
check "second load reads it, same bytes and labels" "grep -q 'cache 1' '$tmp/out2' && cmp -s '$tmp/c1.u8' '$tmp/c2.u8' && cmp -s '$tmp/c1.u8' '$tmp/cls.u8'"
"$D" "$F/classes" 1 32 32 labels=folders "$tmp/c3.u8" > "$tmp/out" 2>&1
check "other resize settings miss the cache" "grep -q 'cache 0' '$tmp/out'"
touch -d '2001-01-01' "$F/classes/coat/deeper/"*
"$D" "$F/classes" 1 28 28 labels=folders "$tmp/c4.u8" > "$tmp/out" 2>&1
check "a changed mtime misses the cache" "grep -q 'cache 0' '$tmp/out' && cmp -s '$tmp/c1.u8' '$tmp/c4.u8'"
cp "$F/flat/img001.png" "$F/classes/dress/new.png"
"$D" "$F/classes" 1 28 28 labels=folders "$tmp/c5.u8" > "$tmp/out" 2>&1
check "an added file misses the cache, one more image" "grep -q '^n $((n + 1)) skipped 0 cache 0' '$tmp/out'"
check "the fingerprint follows the folder" \
    "[ \"\$(awk '{print \$8}' '$tmp/out')\" != \"\$(awk '{print \$8}' '$tmp/out2')\" ]"
printf 'GANIMG01 broken' > "$tmp/trunc"
for f in "$tmp/cache"/images-*.u8; do cp "$tmp/trunc" "$f"; done
"$D" "$F/classes" 1 28 28 labels=folders "$tmp/c6.u8" > "$tmp/out" 2>&1
check "a damaged cache file is decoded again" "grep -q 'cache 0' '$tmp/out' && cmp -s '$tmp/c5.u8' '$tmp/c6.u8'"
"$D" "$F/classes" 1 28 28 labels=folders "$tmp/c7.u8" > "$tmp/out" 2>&1
check "the rewritten cache is read" "grep -q 'cache 1' '$tmp/out' && cmp -s '$tmp/c5.u8' '$tmp/c7.u8'"
# one flipped pixel byte: the CRC-32 says so, decoded again with a warning, never trained on
for f in "$tmp/cache"/images-*.u8; do
    size=$(wc -c <"$f")
    printf '\377' | dd of="$f" bs=1 seek=$((size - 100)) conv=notrunc 2>/dev/null
done
"$D" "$F/classes" 1 28 28 labels=folders "$tmp/c8.u8" > "$tmp/out" 2> "$tmp/err"
check "a flipped byte in the cache is decoded again" "grep -q 'cache 0' '$tmp/out' && cmp -s '$tmp/c5.u8' '$tmp/c8.u8'"
check "a flipped byte: one warning naming the cache and the checksum" \
    "[ \$(wc -l < '$tmp/err') -eq 1 ] && grep -q 'warning: decoded-image cache .*images-.*u8: its checksum does not match (damaged): decoding the images again' '$tmp/err'"
# cut short by one byte, and a header whose n promises more than the file holds
for f in "$tmp/cache"/images-*.u8; do truncate -s -1 "$f"; done
"$D" "$F/classes" 1 28 28 labels=folders "$tmp/c9.u8" > "$tmp/out" 2> "$tmp/err"
check "a cache cut short is decoded again with a warning" \
    "grep -q 'cache 0' '$tmp/out' && cmp -s '$tmp/c5.u8' '$tmp/c9.u8' && grep -q 'cut short' '$tmp/err'"
# a FIFO or a link at the cache's path: not opened as a cache (no hang), one warning
for f in "$tmp/cache"/images-*.u8; do rm -f "$f"; mkfifo "$f"; done
timeout 20 "$D" "$F/classes" 1 28 28 labels=folders "$tmp/c10.u8" > "$tmp/out" 2> "$tmp/err"; rc=$?
check "a FIFO at the cache's path: decoded, no hang" "[ $rc -eq 0 ] && grep -q 'cache 0' '$tmp/out' && cmp -s '$tmp/c5.u8' '$tmp/c10.u8'"
check "a FIFO at the cache's path: a warning naming it" "grep -q 'is a FIFO, not a regular file' '$tmp/err'"
for f in "$tmp/cache"/images-*.u8; do rm -f "$f"; cp "$tmp/c5.u8" "$tmp/victim"; ln -s "$tmp/victim" "$f"; done
"$D" "$F/classes" 1 28 28 labels=folders "$tmp/c11.u8" > "$tmp/out" 2> "$tmp/err"
check "a link at the cache's path is not followed" "grep -q 'cache 0' '$tmp/out' && grep -q 'is a symbolic link' '$tmp/err'"
check "the link's target is left alone" "cmp -s '$tmp/c5.u8' '$tmp/victim'"

# ---- bad files: error (default) names the file; skip leaves it out
for case in notimage:'not a PNG or JPEG image' zero:'empty file (0 bytes)' truncpng:'bad PNG' \
            truncjpg:'the file ends early' huge:'image is 100000x100000'; do
    name=${case%%:*}; msg=${case#*:}
    check "bad file ($name): error naming it" \
        "! '$D' '$F/bad/$name' 1 28 28 nocache '$tmp/x.u8' 2> '$tmp/err' && grep -q '$F/bad/$name/b\.[pj][np]g: error: .*$msg' '$tmp/err'"
    check "bad file ($name): skip counts it" \
        "'$D' '$F/bad/$name' 1 28 28 skip nocache '$tmp/x.u8' > '$tmp/out' 2> '$tmp/err' && grep -q '^n 2 skipped 1 .* note $F/bad/$name/b' '$tmp/out'"
done
mkdir -p "$tmp/onebad" && cp "$F/bad/truncjpg/b.jpg" "$tmp/onebad/"
check "skip with every image bad: the one bad image named" \
    "! '$D' '$tmp/onebad' 1 28 28 skip nocache '$tmp/x.u8' 2> '$tmp/err' && grep -q '$tmp/onebad: error: the only image is bad: $tmp/onebad/b.jpg: .*the file ends early' '$tmp/err'"
check "an empty folder is an error naming it" \
    "! '$D' '$F/empty' 1 28 28 '$tmp/x.u8' 2> '$tmp/err' && grep -q '$F/empty: error: no PNG or JPEG images' '$tmp/err'"
check "an empty class folder is an error naming it" \
    "! '$D' '$F/empty' 1 28 28 labels=folders '$tmp/x.u8' 2> '$tmp/err' && grep -q '$F/empty/nothing: error: class folder has no PNG or JPEG images' '$tmp/err'"
check "a missing folder is an error naming it" \
    "! '$D' '$F/nope' 1 28 28 '$tmp/x.u8' 2> '$tmp/err' && grep -q '$F/nope: error: cannot open' '$tmp/err'"

# ---- damaged files: 300 copies of a PNG and a JPEG with random bytes
# changed or cut; every one decodes or is skipped, none crashes the loader
$PY - "$F/flat" "$tmp/mangled" <<'EOT'
import os, random, sys
src, out = sys.argv[1], sys.argv[2]
os.makedirs(out)
rnd = random.Random(1)
for k, name in enumerate(["img001.png", "img003.jpg"] * 150):
    b = bytearray(open(os.path.join(src, name), "rb").read())
    for _ in range(rnd.randint(1, 8)):
        b[rnd.randrange(len(b))] = rnd.randrange(256)
    if k % 3 == 0:
        b = b[:rnd.randrange(1, len(b))]
    open(os.path.join(out, "m%03d%s" % (k, name[-4:])), "wb").write(b)
EOT
"$D" "$tmp/mangled" 3 16 16 skip nocache "$tmp/x.u8" > "$tmp/out" 2> "$tmp/err"; rc=$?
check "damaged files: decoded or skipped, never a crash (exit $rc)" "[ $rc -le 1 ]"
echo "# damaged files: $(cut -d' ' -f1-4 "$tmp/out") $(head -c 200 "$tmp/err")"

# ---- crop: random is deterministic and differs from center
"$D" "$F/flat" 1 28 28 random nocache "$tmp/r1.u8" > /dev/null 2>&1
"$D" "$F/flat" 1 28 28 random nocache "$tmp/r2.u8" > /dev/null 2>&1
"$D" "$F/flat" 1 28 28 nocache "$tmp/r0.u8" > /dev/null 2>&1
check "crop: random is the same twice, not the centre crop" \
    "cmp -s '$tmp/r1.u8' '$tmp/r2.u8' && ! cmp -s '$tmp/r1.u8' '$tmp/r0.u8'"
"$D" "$F/flat" 1 28 28 limit=10 nocache "$tmp/x.u8" > "$tmp/out" 2>&1
check "limit: the first files only" "grep -q '^n 10 ' '$tmp/out'"

# ---- through a model file: sizes from the generator, class names printed
cat > "$tmp/m.yaml" <<EOT
name: mine
data: {format: images, path: $F/classes, labels: folders}
noise: {dim: 8}
generator: [dense: {units: 784}, tanh, reshape: {shape: [1, 28, 28]}]
discriminator: [flatten, dense: {units: 1}]
train: {batch: 8, steps: 2}
output: {dir: $tmp/run, sample_every: 0, checkpoint_every: 0}
EOT
check "ganrun check: sizes from the generator, class names listed" \
    "'$G' check '$tmp/m.yaml' > '$tmp/out' 2> '$tmp/err' && grep -q 'classes: coat, dress, trouser' '$tmp/out'"
check "ganrun train on the folder" "'$G' train -q '$tmp/m.yaml' > '$tmp/out' 2> '$tmp/err'"
check "the expanded model records the resolved size" \
    "'$G' check --expand '$tmp/m.yaml' > '$tmp/out' 2> '$tmp/err' && grep -q 'height: 28' '$tmp/out' && grep -q 'channels: 1' '$tmp/out'"
check "the checkpoint records the data's fingerprint (section DATA)" \
    "'$G' info '$tmp/run/latest.ckpt' > '$tmp/out' 2>&1 && grep -q DATA '$tmp/out'"
check "ganrun info prints the fingerprint and the class names" \
    "'$G' info '$tmp/run/latest.ckpt' > '$tmp/out' 2>&1 && grep -q '^data        fingerprint [0-9a-f]' '$tmp/out' && grep -q '^classes     coat, dress, trouser' '$tmp/out'"
check "resume on unchanged data: no warning" \
    "'$G' resume -q --steps 1 '$tmp/run' > '$tmp/out' 2> '$tmp/err' && ! grep -q 'data differs' '$tmp/err'"
check "reproduce on unchanged data: no warning" \
    "'$G' reproduce '$tmp/run' > '$tmp/out' 2> '$tmp/err' && ! grep -q 'data differs' '$tmp/err'"
touch -d "2002-02-02" "$F/classes/dress/new.png"
check "reproduce warns when the folder changed" \
    "'$G' reproduce '$tmp/run' > '$tmp/out' 2> '$tmp/err'; grep -q '$F/classes: warning: the data differs from what' '$tmp/err'"
check "resume warns when the folder changed" \
    "'$G' resume -q --steps 1 '$tmp/run' > '$tmp/out' 2> '$tmp/err' && grep -q '$F/classes: warning: the data differs from what' '$tmp/err'"
cp "$F/flat/img001.png" "$F/classes/coat/one-more.png"
check "resume with one more image: the documented warning, and it goes on (issue 29)" \
    "'$G' resume -q --steps 1 '$tmp/run' > '$tmp/out' 2> '$tmp/err' && grep -q '$F/classes: warning: the data differs from what' '$tmp/err' && ! grep -q 'data order has' '$tmp/err'"
rm "$F/classes/coat/one-more.png"
sed 's/labels: folders}/labels: folders, on_bad_file: maybe}/' "$tmp/m.yaml" > "$tmp/b.yaml"
check "on_bad_file: only error or skip" "! '$G' check '$tmp/b.yaml' > '$tmp/out' 2> '$tmp/err' && grep -q 'b.yaml:2:.*error' '$tmp/err'"

# ---- train.augment: flip, DiffAugment and ADA's p through the trainer
sed -e 's|^train: {batch: 8, steps: 2}|train: {batch: 8, steps: 6, augment: {flip: true, policy: "color,translation,cutout", p: 0.5, ada_target: 0.6, ada_speed: 80}}|' \
    -e "s|dir: $tmp/run|dir: $tmp/aug|" "$tmp/m.yaml" > "$tmp/aug.yaml"
check "train with augment: log.csv has aug_p and aug_rt" \
    "'$G' train -q '$tmp/aug.yaml' > '$tmp/out' 2> '$tmp/err' && head -1 '$tmp/aug/log.csv' | grep -q ',diversity,aug_p,aug_rt\$'"
check "ADA moved p from its start" "tail -1 '$tmp/aug/log.csv' | awk -F, '{ exit !(\$15 != 0.5) }'"
check "the checkpoint carries p (section AUGP)" "'$G' info '$tmp/aug/latest.ckpt' 2>&1 | grep -q AUGP"
"$G" train -q --steps 3 --out "$tmp/aug3" "$tmp/aug.yaml" > /dev/null 2>&1
"$G" resume -q --steps 3 "$tmp/aug3" > /dev/null 2>&1
"$G" sample "$tmp/aug/latest.ckpt" -n 4 -o "$tmp/sa.csv" > /dev/null 2>&1
"$G" sample "$tmp/aug3/latest.ckpt" -n 4 -o "$tmp/sb.csv" > /dev/null 2>&1
check "with augment, 3 + resumed 3 steps == 6 steps, bit for bit" \
    "[ -s '$tmp/sa.csv' ] && cmp -s '$tmp/sa.csv' '$tmp/sb.csv' && [ \"\$(tail -1 '$tmp/aug/log.csv' | cut -d, -f15)\" = \"\$(tail -1 '$tmp/aug3/log.csv' | cut -d, -f15)\" ]"
check "reproduce with augment matches bit for bit" "'$G' reproduce '$tmp/aug' 2>&1 | grep -q '^reproduced'"
sed 's/policy: "color,translation,cutout"/policy: "color,rotate"/' "$tmp/aug.yaml" > "$tmp/bad.yaml"
check "an unknown augment op is an error" \
    "! '$G' check '$tmp/bad.yaml' > '$tmp/out' 2> '$tmp/err' && grep -q \"unknown op 'rotate'\" '$tmp/err'"

# ---- on_bad_file: skip through ganrun train: the count at the start
sed -e "s|path: $F/classes, labels: folders}|path: $F/bad, on_bad_file: skip}|" -e "s|dir: $tmp/run|dir: $tmp/skip|" "$tmp/m.yaml" > "$tmp/s.yaml"
check "train with on_bad_file: skip says how many files it left out (5), naming the first" \
    "'$G' train -q '$tmp/s.yaml' > '$tmp/out' 2> '$tmp/err' && grep -q '^$F/bad: warning: skipped 5 bad files (data.on_bad_file: skip); the first: $F/bad/' '$tmp/err'"

# ---- a classifier on class folders, and eval --classifier --real FOLDER
cat > "$tmp/clf.yaml" <<EOT
name: folders
data: {format: images, path: $F/classes, labels: folders, classes: 3, height: 28, width: 28, channels: 1}
test: {format: images, path: $F/classes, labels: folders, height: 28, width: 28, channels: 1}
layers: [flatten, dense: {units: 32}, tanh, dense: {units: 3}]
train: {batch: 16, steps: 200, lr: 1.0e-2}
EOT
check "classify train on class folders: test accuracy >= 80%" \
    "'$G' classify train '$tmp/clf.yaml' -o '$tmp/clf.ckpt' --quiet > '$tmp/out' 2> '$tmp/err' && awk '/^test accuracy/ { sub(\"%\", \"\", \$3); exit !(\$3 + 0 >= 80) }' '$tmp/out'"
acc=$(awk '/^test accuracy/ { print $3 }' "$tmp/out")
check "classify test of it reads the folders again: the same accuracy ($acc)" \
    "'$G' classify test '$tmp/clf.ckpt' > '$tmp/out' 2> '$tmp/err' && grep -q 'test accuracy $acc' '$tmp/out'"
sed 's/, height: 28, width: 28, channels: 1}/}/' "$tmp/clf.yaml" > "$tmp/clf2.yaml"
check "a classifier on images without height: one FILE:LINE:COL error line" \
    "! '$G' classify train '$tmp/clf2.yaml' > '$tmp/out' 2> '$tmp/err' && [ \$(wc -l < '$tmp/err') -eq 1 ] && grep -q \"^$tmp/clf2.yaml:2:[0-9]*: error: missing required key 'height'\" '$tmp/err'"
check "eval --classifier --real FOLDER: every image of the folder is the reference" \
    "'$G' eval '$tmp/run' --classifier '$tmp/clf.ckpt' -n 50 --real '$F/flat' > '$tmp/out' 2> '$tmp/err' && grep -q '^samples 50 (real 121 from $F/flat)' '$tmp/out' && grep -q '^frechet_distance ' '$tmp/out'"
check "eval --real with a folder of no images: exit 1, one line naming it" \
    "! '$G' eval '$tmp/run' --classifier '$tmp/clf.ckpt' -n 50 --real '$F/empty' > '$tmp/out' 2> '$tmp/err' && [ \$(wc -l < '$tmp/err') -eq 1 ] && grep -q '^$F/empty.*error: ' '$tmp/err'"

# ---- decoders bound their work before doing it (issue 29): a 726 KB
# progressive JPEG of 4096x4096 with 20,000 repeated scans (decoded for
# more than 60 s) stops at the scan bound; a 115-byte PNG declaring a
# 2 GiB iTXt chunk (2.1 GB for 4.5 s) is skipped unread.  Bounds far above
# what the decoders take (0.4 s and 38 MB, 0.05 s and 6 MB):
$PY "$FX" bombs "$tmp/bombs"
for b in scans:'bad JPEG: more than 16 scans for 4096x4096 pixels' chunk:'bad PNG'; do
    name=${b%%:*} msg=${b#*:}
    /usr/bin/time -f '%M' -o "$tmp/rss" timeout 10 "$D" "$tmp/bombs/$name" 1 28 28 nocache "$tmp/x.u8" > "$tmp/out" 2> "$tmp/err"; rc=$?
    check "$name bomb: exit 1, one line (exit $rc)" "[ $rc -eq 1 ] && [ \$(wc -l < '$tmp/err') -eq 1 ] && grep -q '$tmp/bombs/$name/a\.[pj][np]g: error: $msg' '$tmp/err'"
    check "$name bomb: under 200 MB" "[ \$(tail -1 '$tmp/rss') -lt 200000 ]"
done

echo "images.sh: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
