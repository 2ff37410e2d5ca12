#!/usr/bin/python3
"""grid64.py - one PNG of sample rows for README: the first COLS images of
each folder (sorted names), one row per folder, its label on the left.

  grid64.py OUT.png COLS LABEL=DIR [LABEL=DIR ...]
"""
import os, sys
from PIL import Image, ImageDraw

out, cols, rows = sys.argv[1], int(sys.argv[2]), [a.split("=", 1) for a in sys.argv[3:]]
S, PAD, LABEL = 64, 2, 92
sheet = Image.new("RGB", (LABEL + cols * (S + PAD), len(rows) * (S + PAD)), (255, 255, 255))
draw = ImageDraw.Draw(sheet)
for r, (label, d) in enumerate(rows):
    names = sorted(n for n in os.listdir(d) if n.endswith(".png"))[:cols]
    for c, n in enumerate(names):
        im = Image.open(os.path.join(d, n)).convert("RGBA")
        im = Image.alpha_composite(Image.new("RGBA", im.size, (255, 255, 255, 255)), im)
        im = im.convert("RGB").resize((S, S))
        sheet.paste(im, (LABEL + c * (S + PAD), r * (S + PAD)))
    for i, line in enumerate(label.split("/")):
        draw.text((4, r * (S + PAD) + 20 + 12 * i), line, fill=(0, 0, 0))
sheet = sheet.quantize(colors=256, method=Image.MEDIANCUT)   # a palette PNG: README wants < 200 KB
sheet.save(out, optimize=True)
print(out, sheet.size, os.path.getsize(out), "bytes")
