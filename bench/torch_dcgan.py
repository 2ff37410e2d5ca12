#!/usr/bin/python3
"""DCGAN-28 on Fashion-MNIST in PyTorch: the reference side of ganrun's
DCGAN benchmark.  Same networks, loss, optimizer and schedule as the ganrun
model; prints one JSON line of timings.

  G: z(100) -> Linear 6272 -> BN1d -> ReLU -> (128,7,7)
     -> ConvT 128->64 k4 s2 p1 (14x14) -> BN2d -> ReLU
     -> ConvT 64->1 k4 s2 p1 (28x28) -> tanh
  D: x(1,28,28) -> Conv 1->64 k4 s2 p1 (14x14) -> LReLU 0.2
     -> Conv 64->128 k4 s2 p1 (7x7) -> BN2d -> LReLU 0.2 -> Linear 6272->1
One training step: D on a real batch and a fake batch from fresh noise (fakes
detached, BCE with logits), then G on fresh noise (non-saturating BCE).
"""
import argparse, gzip, json, resource, statistics, time
import numpy as np
import torch
from torch import nn

DATA = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"
B, Z = 64, 100


def load_idx_images(path):
    """IDX3 images as a uint8 tensor (N, 1, 28, 28); kept in bytes, scaled per batch."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic, n, h, w = np.frombuffer(raw[:16], dtype=">u4")
    if magic != 2051 or len(raw) != 16 + int(n) * h * w:
        raise SystemExit(f"{path}: not an IDX3 image file")
    return torch.from_numpy(np.frombuffer(raw, np.uint8, offset=16).reshape(n, 1, h, w).copy())


def generator():
    return nn.Sequential(
        nn.Linear(Z, 128 * 7 * 7), nn.BatchNorm1d(128 * 7 * 7), nn.ReLU(),
        nn.Unflatten(1, (128, 7, 7)),
        nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(),
        nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh())


def discriminator():
    return nn.Sequential(
        nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(128 * 7 * 7, 1))


def flops_per_step():
    """Analytic FLOPs of one training step, GEMM work only (BN, activations,
    loss and optimizer ignored).  A GEMM of (M,K)x(K,N) is 2*M*N*K forward;
    backward is counted as 2x forward (dX and dW) for every layer.
    Conv: M = B*OH*OW, N = OC, K = C*k*k.  ConvT: M = B*IH*IW, N = OC*k*k, K = C.
      FG = fwd(G), FD = fwd(D) for a batch of B.
      D step: G fwd (FG) + D fwd real+fake (2FD) + D bwd real+fake (4FD)
      G step: G fwd (FG) + D fwd (FD) + D bwd (2FD) + G bwd (2FG)
      total = 4 FG + 9 FD   (= 11.35 GFLOP for B = 64)"""
    g = lambda m, n, k: 2 * m * n * k
    FG = g(B, 6272, Z) + g(B * 7 * 7, 64 * 16, 128) + g(B * 14 * 14, 1 * 16, 64)
    FD = g(B * 14 * 14, 64, 1 * 16) + g(B * 7 * 7, 128, 64 * 16) + g(B, 1, 6272)
    return 4 * FG + 9 * FD


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    images = load_idx_images(DATA)
    G, D = generator(), discriminator()
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    ones, zeros = torch.ones(B, 1), torch.zeros(B, 1)

    times = []
    for step in range(a.warmup + a.steps):   # --steps timed ones after --warmup, as bench_step
        t0 = time.perf_counter()
        idx = torch.randint(0, images.shape[0], (B,))
        real = images[idx].float() / 127.5 - 1.0
        # D step: real vs detached fakes
        fake = G(torch.randn(B, Z)).detach()
        opt_d.zero_grad()
        loss_d = bce(D(real), ones) + bce(D(fake), zeros)
        loss_d.backward()
        opt_d.step()
        # G step: non-saturating, fresh noise
        opt_g.zero_grad()
        loss_g = bce(D(G(torch.randn(B, Z))), ones)
        loss_g.backward()
        opt_g.step()
        times.append(time.perf_counter() - t0)

    med = statistics.median(times[a.warmup:])
    flops = flops_per_step()
    print(json.dumps({
        "bench": "torch_dcgan", "torch": torch.__version__, "threads": torch.get_num_threads(),
        "steps": a.steps, "warmup": a.warmup,
        "ms_per_step_median": round(med * 1e3, 3),
        "images_per_s": round(B / med, 1),
        "flops_per_step": flops,
        "gflops": round(flops / med / 1e9, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "loss_d": round(loss_d.item(), 4), "loss_g": round(loss_g.item(), 4),
    }))


if __name__ == "__main__":
    main()
