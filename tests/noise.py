#!/usr/bin/python3
"""noise.py - ganrun's sampling noise from a seed, without ganrun.

    noise.py SEED N MODEL.yaml [CHECK.npy]

Draws the (N, dim) noise `ganrun sample RUN -n N --seed SEED` decodes (the
RUN's expanded model RUN/model.yaml gives the noise section), as float32,
following ganrun-checkpoint(5) "SAMPLING NOISE":

  * generator xoshiro256** (Blackman & Vigna), its 4 state words seeded by
    splitmix64 from a 64-bit seed;
  * the sample stream: seed' = SEED ^ splitmix64(x) with the splitmix state
    x = 7 * 0xd1342543de82ef95 + 1 (mod 2^64), then the state from seed';
  * uniform u = (next() >> 11) * 2^-53 in [0, 1);
  * normal: Box-Muller, one value per two uniforms:
    u1 = 1 - u, u2 = u, z = sqrt(-2 ln u1) cos(2 pi u2) (double);
  * the model's distribution, in float32 arithmetic, row by row:
    normal        mean + std * float(z)
    truncnormal   the same with z redrawn until |z| <= limit
    uniform       low + (high - low) * float(u)

With CHECK.npy (from `ganrun sample ... --latents-out`) it compares bit for
bit and exits 0 when equal; without, it writes the noise to stdout as .npy.
"""
import math
import sys

import numpy as np

M64 = (1 << 64) - 1


def splitmix64(x):
    """one splitmix64 step: (new state, output)"""
    x = (x + 0x9E3779B97F4A7C15) & M64
    z = x
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return x, z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M64


class Xoshiro:
    def __init__(self, seed, stream):
        _, mix = splitmix64((stream * 0xD1342543DE82EF95 + 1) & M64)
        x = (seed ^ mix) & M64
        self.s = []
        for _ in range(4):
            x, v = splitmix64(x)
            self.s.append(v)

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & M64, 7) * 9) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def uniform(self):
        return (self.next() >> 11) * 2.0 ** -53

    def normal(self):
        u1 = 1.0 - self.uniform()
        u2 = self.uniform()
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(6.283185307179586 * u2)


def noise_spec(path):
    """the noise section of an expanded model file (plain 'key: value' lines)"""
    spec, inside = {}, False
    for line in open(path):
        if line.startswith("noise:"):
            inside = True
        elif inside and line.startswith("  ") and ":" in line:
            k, v = line.strip().split(":", 1)
            spec[k.strip()] = v.strip()
        elif inside:
            break
    return spec


def draw(seed, n, spec):
    dim = int(spec["dim"])
    dist = spec.get("distribution", "normal")
    f32 = np.float32
    r = Xoshiro(seed, 7)   # GAN_STREAM_FIXED, the sample stream
    z = np.empty(n * dim, np.float32)
    for i in range(n * dim):
        if dist == "uniform":
            lo, hi = f32(spec.get("low", -1)), f32(spec.get("high", 1))
            z[i] = lo + (hi - lo) * f32(r.uniform())
        else:
            v = r.normal()
            if dist == "truncnormal":
                limit = float(f32(spec.get("limit", 2)))
                while abs(v) > limit:
                    v = r.normal()
            z[i] = f32(spec.get("mean", 0)) + f32(spec.get("std", 1)) * f32(v)
    return z.reshape(n, dim)


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__.split("\n\n")[1])
    seed, n = int(sys.argv[1]), int(sys.argv[2])
    z = draw(seed, n, noise_spec(sys.argv[3]))
    if len(sys.argv) == 5:
        want = np.load(sys.argv[4])
        same = want.shape == z.shape and want.tobytes() == z.tobytes()
        if not same:
            print("noise.py: differs from %s" % sys.argv[4], file=sys.stderr)
        sys.exit(0 if same else 1)
    np.save(sys.stdout.buffer, z)


if __name__ == "__main__":
    main()
