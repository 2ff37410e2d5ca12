#!/usr/bin/python3
"""torch_eval.py - what PyTorch/NumPy users run for eval's estimators, at
the sizes of bench/bench_eval.c: k-NN of N points among themselves
(torch.cdist in blocks + topk, as the prdc package's distances), precision /
recall / density / coverage from those distances, KID as stylegan2-ada's
kernel_inception_distance.py (NumPy float32 @, 100 subsets of 1000), and the
Frechet distance as pytorch-fid (scipy.linalg.sqrtm when SciPy is there,
else NumPy eigvals).  Same synthetic data law as bench_eval.c (20 clusters,
spread 0.5, relu), not the same numbers.
  torch_eval.py N D      prints "NAME SECONDS" lines
"""
import os, sys, time
import numpy as np
import torch

# every core, as ganrun uses (this host's OpenMP runtime would give 1);
# TORCH_THREADS=N to compare at N
torch.set_num_threads(int(os.environ.get("TORCH_THREADS", os.cpu_count())))
print("torch_threads %d" % torch.get_num_threads())

n, d = int(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(0)
c = rng.normal(0, 1, (20, d))
def points(shift, seed):
    r = np.random.default_rng(seed)
    k = r.integers(0, 20, n)
    return np.maximum(c[k] + shift + 0.5 * r.normal(0, 1, (n, d)), 0).astype(np.float32)
real, gen = points(0, 1), points(0.1, 2)

def knn_radii(x, k, block=2048):
    t = torch.from_numpy(x)
    out = []
    for i in range(0, len(x), block):
        dist = torch.cdist(t[i:i + block], t)          # (b, n)
        out.append(dist.topk(k + 1, largest=False).values[:, k])   # itself at 0
    return torch.cat(out)

t0 = time.perf_counter(); r5 = knn_radii(real, 5); print("knn_self_k5 %.3f" % (time.perf_counter() - t0))
t0 = time.perf_counter()
r3, r5, g3 = knn_radii(real, 3), knn_radii(real, 5), knn_radii(gen, 3)
tg, tr = torch.from_numpy(gen), torch.from_numpy(real)
inr = torch.zeros(n, dtype=torch.bool); rec = torch.zeros(n, dtype=torch.bool); cov = torch.zeros(n, dtype=torch.bool)
dens = 0
for i in range(0, n, 2048):
    dist = torch.cdist(tg[i:i + 2048], tr)                # (b, n) generated x real
    inr[i:i + 2048] = (dist <= r3[None, :]).any(1)
    rec |= (dist <= g3[i:i + 2048, None]).any(0)
    inside = dist < r5[None, :]
    dens += inside.sum().item()
    cov |= inside.any(0)
print("prdc %.3f" % (time.perf_counter() - t0))
print("precision %.4f\nrecall %.4f\ndensity %.4f\ncoverage %.4f" % (inr.float().mean(), rec.float().mean(),
      dens / (5.0 * n), cov.float().mean()))

t0 = time.perf_counter()
m, tot, ks = min(n, 1000), 0.0, np.random.RandomState(123)
for _ in range(100):
    x = gen[ks.choice(n, m, replace=False)]
    y = real[ks.choice(n, m, replace=False)]
    a = (x @ x.T / d + 1) ** 3 + (y @ y.T / d + 1) ** 3
    b = (x @ y.T / d + 1) ** 3
    tot += (a.sum() - np.diag(a).sum()) / (m - 1) - b.sum() * 2 / m
print("kid_100x1000 %.3f\nkid %.6g" % (time.perf_counter() - t0, tot / 100 / m))

t0 = time.perf_counter()
mu1, mu2 = gen.mean(0).astype(np.float64), real.mean(0).astype(np.float64)
s1, s2 = np.cov(gen, rowvar=False), np.cov(real, rowvar=False)
try:
    from scipy import linalg
    cs = linalg.sqrtm(s1.dot(s2), disp=False)[0].real
    tr = np.trace(cs)
except ImportError:
    tr = np.sqrt(np.clip(np.linalg.eigvals(s1 @ s2).real, 0, None)).sum()
fd = ((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * tr
print("frechet %.3f\nfrechet_value %.6g" % (time.perf_counter() - t0, fd))
