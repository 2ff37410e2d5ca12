#!/bin/sh
# emoji.sh - 64x64 colour emoji from the npm registry, laid out as image
# folders that `format: images` reads (plain and by category).
#
#   sh data/emoji.sh [--sets google,twitter,apple,facebook|all]
#                    [--out DIR] [--cache DIR] [--holdout K]
#
# Installs emoji-datasource (emoji.json: a category for every emoji) and
# emoji-datasource-SET (64x64 RGBA PNGs), version 16.0.0, with
# `npm install --prefix CACHE`, then copies the images:
#
#   OUT/SET/NAME.png              every image of SET (google: 3,781)
#   OUT/SET-classes/CAT/NAME.png  the same images, one folder per category
#                                 (9: activities ... travel-and-places),
#                                 for `labels: folders`
#
# Skin-tone variants count as images of their emoji's category; the 5
# "Component" images (skin-tone swatches, hair pieces) are left out.  With
# --holdout K, every K-th image by name (the K-th, 2K-th, ...) goes to
# OUT/SET-heldout and OUT/SET-classes-heldout instead.  OUT defaults to
# data/emoji, CACHE to ${XDG_CACHE_HOME:-~/.cache}/ganrun/emoji-npm.  Run it
# again to rebuild OUT (the npm cache is kept).  The images are the sets'
# own (Apple's are not free to redistribute: read each package's LICENSE);
# keep them out of git.
set -eu
VERSION=16.0.0
sets=google
out=data/emoji
cache=${XDG_CACHE_HOME:-$HOME/.cache}/ganrun/emoji-npm
holdout=0
die() { echo "emoji.sh: error: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
    case $1 in
        --sets) [ $# -ge 2 ] || die "--sets needs a value"; sets=$2; shift 2 ;;
        --out) [ $# -ge 2 ] || die "--out needs a value"; out=$2; shift 2 ;;
        --cache) [ $# -ge 2 ] || die "--cache needs a value"; cache=$2; shift 2 ;;
        --holdout) [ $# -ge 2 ] || die "--holdout needs a value"; holdout=$2; shift 2 ;;
        -h|--help) sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done
[ "$sets" = all ] && sets=google,twitter,apple,facebook
case $holdout in ''|*[!0-9]*) die "--holdout wants a whole number, not '$holdout'" ;; esac
[ "$holdout" -eq 1 ] && die "--holdout 1 would hold out every image"
pkgs="emoji-datasource@$VERSION"
for s in $(echo "$sets" | tr ',' ' '); do
    case $s in google|twitter|apple|facebook) ;; *) die "unknown set '$s' (google, twitter, apple, facebook or all)" ;; esac
    pkgs="$pkgs emoji-datasource-$s@$VERSION"
done
command -v npm >/dev/null 2>&1 || die "npm not found (Debian: apt-get install npm)"
command -v node >/dev/null 2>&1 || die "node not found (Debian: apt-get install nodejs)"
mkdir -p "$cache" || die "cannot create $cache"
echo "emoji.sh: npm install --prefix $cache $pkgs"
# shellcheck disable=SC2086
npm install --prefix "$cache" --no-audit --no-fund --no-save --loglevel=error $pkgs >&2 ||
    die "npm install failed"
mkdir -p "$out" || die "cannot create $out"
for s in $(echo "$sets" | tr ',' ' '); do
    node - "$cache/node_modules" "$s" "$out" "$holdout" <<'JS'
const fs = require("fs"), path = require("path");
const [mods, set, out, holdout] = process.argv.slice(2);
const src = path.join(mods, "emoji-datasource-" + set, "img", set, "64");
const emoji = JSON.parse(fs.readFileSync(path.join(mods, "emoji-datasource", "emoji.json"), "utf8"));
const flag = "has_img_" + set;
const folder = (c) => c.toLowerCase().replace(/&/g, "and").replace(/[^a-z0-9]+/g, "-");
const images = [];   // [file, category folder]
for (const e of emoji) {
    if (e.category === "Component") continue;
    const all = [e].concat(Object.values(e.skin_variations || {}));
    for (const v of all) if (v[flag]) images.push([v.image, folder(e.category)]);
}
images.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
const K = parseInt(holdout, 10);
const dirs = [set, set + "-classes", set + "-heldout", set + "-classes-heldout"];
for (const d of dirs) fs.rmSync(path.join(out, d), { recursive: true, force: true });
const counts = {};
let train = 0, held = 0, missing = 0;
images.forEach(([file, cat], i) => {
    const from = path.join(src, file);
    if (!fs.existsSync(from)) { missing++; return; }
    const h = K > 0 && (i + 1) % K === 0 ? "-heldout" : "";
    for (const d of [path.join(out, set + h), path.join(out, set + "-classes" + h, cat)]) {
        fs.mkdirSync(d, { recursive: true });
        fs.copyFileSync(from, path.join(d, file));
    }
    if (h) held++; else { train++; counts[cat] = (counts[cat] || 0) + 1; }
});
if (train === 0) { console.error("emoji.sh: error: no images found under " + src); process.exit(1); }
console.log(`emoji.sh: ${out}/${set}: ${train} images` + (K > 0 ? `, ${out}/${set}-heldout: ${held}` : "") +
            (missing ? ` (${missing} listed in emoji.json but missing)` : ""));
console.log(`emoji.sh: ${out}/${set}-classes: ` +
            Object.keys(counts).sort().map((c) => `${c} ${counts[c]}`).join(", "));
JS
done
