#!/usr/bin/python3
"""25-mode grid GAN in PyTorch: the reference side of ganrun's grid benchmark.
Small MLPs, so this measures per-step overhead more than arithmetic.

  data: mode (i, j), i, j in {-4, -2, 0, 2, 4}, plus N(0, 0.05^2) noise
  G: z ~ N(0, I_8) -> 128 -> ReLU -> 128 -> ReLU -> 128 -> ReLU -> 2
  D: x (2) -> 128 -> LeakyReLU(0.2) -> 128 -> LeakyReLU -> 128 -> LeakyReLU -> 1 (logit)
One step: D on a real and a detached fake batch (BCE with logits), then G on
fresh noise (non-saturating BCE); Adam lr 1e-3 betas (0.5, 0.999); batch 512
(--batch): models/grid.yaml.
"""
import argparse, json, resource, statistics, time
import torch
from torch import nn

B, Z, H = 512, 8, 128


def mlp(n_in, n_out, act):
    return nn.Sequential(nn.Linear(n_in, H), act(), nn.Linear(H, H), act(),
                         nn.Linear(H, H), act(), nn.Linear(H, n_out))


def grid_batch(n):
    """n points from the 5x5 grid mixture: mode centres 2*(k - 2), sigma 0.05."""
    centres = (torch.randint(0, 5, (n, 2)) - 2).float() * 2.0
    return centres + 0.05 * torch.randn(n, 2)


def main():
    global B
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--batch", type=int, default=B)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    a = ap.parse_args()
    B = a.batch
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    G, D = mlp(Z, 2, nn.ReLU), mlp(2, 1, lambda: nn.LeakyReLU(0.2))
    opt_g = torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=1e-3, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    ones, zeros = torch.ones(B, 1), torch.zeros(B, 1)

    times = []
    for step in range(a.warmup + a.steps):   # --steps timed ones after --warmup, as bench_step
        t0 = time.perf_counter()
        real = grid_batch(B)
        fake = G(torch.randn(B, Z)).detach()
        opt_d.zero_grad()
        loss_d = bce(D(real), ones) + bce(D(fake), zeros)
        loss_d.backward()
        opt_d.step()
        opt_g.zero_grad()
        loss_g = bce(D(G(torch.randn(B, Z))), ones)
        loss_g.backward()
        opt_g.step()
        times.append(time.perf_counter() - t0)

    timed = times[a.warmup:]
    print(json.dumps({
        "bench": "torch_grid", "torch": torch.__version__, "threads": torch.get_num_threads(),
        "steps": a.steps, "warmup": a.warmup,
        "steps_per_s": round(len(timed) / sum(timed), 1),
        "ms_per_step_median": round(statistics.median(timed) * 1e3, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "loss_d": round(loss_d.item(), 4), "loss_g": round(loss_g.item(), 4),
    }))


if __name__ == "__main__":
    main()
