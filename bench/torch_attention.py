#!/usr/bin/python3
"""SAGAN self-attention in PyTorch: the reference side of
bench/bench_attention.c.  Same layer as ganrun's attention (reduce 8, 1x1
convolutions without bias, no output projection, gamma 0.5); one iteration
is a forward and a backward with dx and parameter gradients.  Prints one
JSON line: ms_median, ms_min, peak_rss_mb.

--variant sagan (default) is the formulation of SAGAN's published PyTorch
code, o = bmm(h, a.permute(0, 2, 1)); its backward hands softmax a
transposed gradient that PyTorch 1.13 first copies.  --variant contiguous
computes o^T = bmm(a, h^T) instead, the same numbers without that copy.

--check BENCH_ATTENTION runs ganrun's layer (bench/bench_attention --io)
on the weights, x and dy drawn here and prints the largest differences of
y, dx and the parameter gradients from PyTorch's (float rounding only when
the two layers are the same function)."""
import argparse, json, os, resource, statistics, subprocess, tempfile, time
import numpy as np
import torch
from torch import nn


class Attention(nn.Module):
    def __init__(self, C, reduce=8, variant="sagan"):
        super().__init__()
        self.variant = variant
        R = C // reduce
        self.f = nn.Conv2d(C, R, 1, bias=False)
        self.g = nn.Conv2d(C, R, 1, bias=False)
        self.h = nn.Conv2d(C, C, 1, bias=False)
        self.gamma = nn.Parameter(torch.full((1,), 0.5))

    def forward(self, x):
        B, C, H, W = x.shape
        N = H * W
        f = self.f(x).view(B, -1, N)
        g = self.g(x).view(B, -1, N)
        h = self.h(x).view(B, C, N)
        a = torch.softmax(torch.bmm(g.transpose(1, 2), f), dim=-1)   # (B, N_j, N_i)
        if self.variant == "sagan":
            o = torch.bmm(h, a.transpose(1, 2)).view(B, C, H, W)
        else:
            o = torch.bmm(a, h.transpose(1, 2)).transpose(1, 2).reshape(B, C, H, W)
        return self.gamma * o + x


def check(prog, a):
    """ganrun's attention against this one on the same numbers."""
    torch.manual_seed(3)
    B, C, H, W = a.B, a.C, a.H, a.W
    layer = Attention(C)
    layer.gamma.data.fill_(0.8)
    x = torch.randn(B, C, H, W, requires_grad=True)
    dy = torch.randn(B, C, H, W)
    params = [layer.f.weight, layer.g.weight, layer.h.weight, layer.gamma]
    with tempfile.TemporaryDirectory() as d:
        fin, fout = os.path.join(d, "in"), os.path.join(d, "out")
        with open(fin, "wb") as f:
            for t in params + [x, dy]:
                f.write(t.detach().numpy().astype(np.float32).tobytes())
        subprocess.run([prog, "--C", str(C), "--H", str(H), "--W", str(W), "--B", str(B),
                        "--io", fin, fout], check=True)
        out = np.fromfile(fout, dtype=np.float32)
    layer(x).backward(dy)
    n = B * C * H * W
    grads = np.concatenate([p.grad.numpy().ravel() for p in params])
    ref = {"y": layer(x).detach().numpy().ravel(), "dx": x.grad.numpy().ravel(), "dparams": grads}
    got = {"y": out[:n], "dx": out[n:2 * n], "dparams": out[2 * n:]}
    res = {k: float(np.abs(got[k] - ref[k]).max() / max(1.0, np.abs(ref[k]).max())) for k in ref}
    print(json.dumps({"max_rel_diff": res}))
    return max(res.values()) < 1e-5


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--C", type=int, default=64)
    p.add_argument("--H", type=int, default=14)
    p.add_argument("--W", type=int, default=14)
    p.add_argument("--B", type=int, default=64)
    p.add_argument("--iters", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--variant", choices=("sagan", "contiguous"), default="sagan")
    p.add_argument("--check", metavar="BENCH_ATTENTION")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    if a.check:
        raise SystemExit(0 if check(a.check, a) else 1)
    torch.manual_seed(1)
    layer = Attention(a.C, variant=a.variant)
    x = torch.randn(a.B, a.C, a.H, a.W, requires_grad=True)
    dy = torch.randn(a.B, a.C, a.H, a.W)
    ms = []
    for i in range(a.warmup + a.iters):
        t0 = time.perf_counter()
        layer.zero_grad(set_to_none=False)
        x.grad = None
        y = layer(x)
        y.backward(dy)
        if i >= a.warmup:
            ms.append(1e3 * (time.perf_counter() - t0))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({"ms_median": round(statistics.median(ms), 3), "ms_min": round(min(ms), 3),
                      "peak_rss_mb": round(rss, 1)}))


if __name__ == "__main__":
    main()
