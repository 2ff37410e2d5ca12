#!/usr/bin/python3
"""metrics_fixture.py - colour PNG folders for tests/metrics.sh (Pillow).

  metrics_fixture.py DIR N H W SEED   N images H x W (RGB; every 7th one
                                      RGBA, every 11th gray): a disc and a
                                      square of random colours on a random
                                      background, as DIR/00000.png ...
Exit status 77 (skip) when Pillow or NumPy is missing.
"""
import os, sys

try:
    import numpy as np
    from PIL import Image
except ImportError:
    sys.exit(77)


def main():
    d, n, h, w, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    os.makedirs(d, exist_ok=True)
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    for i in range(n):
        bg = rng.integers(0, 256, 3)
        im = np.empty((h, w, 3), np.float64)
        im[:] = bg
        cy, cx, r = rng.uniform(0, h), rng.uniform(0, w), rng.uniform(min(h, w) / 8, min(h, w) / 3)
        im[(yy - cy) ** 2 + (xx - cx) ** 2 < r * r] = rng.integers(0, 256, 3)
        y0, x0 = rng.integers(0, h // 2), rng.integers(0, w // 2)
        im[y0:y0 + h // 3, x0:x0 + w // 3] = rng.integers(0, 256, 3)
        im += rng.normal(0, 8, im.shape)
        px = np.clip(im, 0, 255).astype(np.uint8)
        img = Image.fromarray(px, "RGB")
        if i % 11 == 10:
            img = img.convert("L")
        elif i % 7 == 6:
            a = np.full((h, w, 1), 255, np.uint8)
            a[: h // 4] = 128
            img = Image.fromarray(np.concatenate([px, a], 2), "RGBA")
        img.save(os.path.join(d, "%05d.png" % i))


main()
