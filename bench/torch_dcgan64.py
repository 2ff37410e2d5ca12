#!/usr/bin/python3
"""DCGAN-64 in PyTorch: pytorch/examples' dcgan (layout and initialisation)
on a folder of 64x64 colour images, the reference side of ganrun's
models/dcgan64.yaml.  Times steps (one JSON line) or trains and writes
samples as PNG files for `ganrun eval`.

  G: z(100,1,1) -> ConvT 100->512 k4 s1 p0 (4x4) -> BN -> ReLU
     -> ConvT 512->256 -> 128 -> 64 (k4 s2 p1, each BN, ReLU; 8, 16, 32)
     -> ConvT 64->3 k4 s2 p1 (64x64) -> tanh             (no biases)
  D: x(3,64,64) -> Conv 3->64 k4 s2 p1 -> LReLU 0.2
     -> Conv 64->128 -> 256 -> 512 (k4 s2 p1, each BN, LReLU 0.2; 16, 8, 4)
     -> Conv 512->1 k4 s1 p0 (a logit)                    (no biases)
  init (pytorch/examples' weights_init): conv weights N(0, 0.02), BN
  weights N(1, 0.02), BN biases 0; Adam 2e-4, betas (0.5, 0.999), batch 64.
One step, as ganrun's: D on a real batch and a fake batch from fresh noise
(fakes detached, BCE on logits), then G on fresh noise (non-saturating BCE).
pytorch/examples reuses the D step's fakes in its G step (one G forward
fewer); `--reuse-fake` does that.

  torch_dcgan64.py --data DIR --steps N --warmup W [--threads T] [--bf16]
      timing: median ms per step after W warm-up steps
  torch_dcgan64.py --data DIR --train N --samples M --out DIR2 [--seed S]
      train N steps, then write M samples to DIR2/000000.png ... (G in
      train mode, batch statistics, as pytorch/examples' fixed-noise grids)
--bf16: autocast to bfloat16 with channels_last tensors, as PyTorch users on
CPUs with AVX512_BF16 would try.  Images: every PNG/JPEG under DIR, RGBA
composited over white as ganrun's `background: 255` does, resized to 64x64
(bilinear, shorter side, centre crop) when they are not 64x64.
"""
import argparse, json, os, resource, statistics, sys, time
import numpy as np
import torch
from torch import nn

B, Z, NGF, NDF = 64, 100, 64, 64


def load_folder(path):
    """Every image under path as uint8 (N, 3, 64, 64), in sorted path order."""
    from PIL import Image
    files = []
    for root, dirs, names in os.walk(path):
        dirs.sort()
        files += [os.path.join(root, n) for n in sorted(names)
                  if n.lower().endswith((".png", ".jpg", ".jpeg")) and not n.startswith(".")]
    if not files:
        raise SystemExit(f"{path}: error: no PNG or JPEG images")
    out = np.empty((len(files), 64, 64, 3), np.uint8)
    for i, f in enumerate(files):
        im = Image.open(f)
        if im.mode != "RGB":
            im = im.convert("RGBA")
            bg = Image.new("RGBA", im.size, (255, 255, 255, 255))
            im = Image.alpha_composite(bg, im).convert("RGB")
        if im.size != (64, 64):
            w, h = im.size
            s = 64 / min(w, h)
            im = im.resize((max(64, round(w * s)), max(64, round(h * s))), Image.BILINEAR)
            w, h = im.size
            im = im.crop(((w - 64) // 2, (h - 64) // 2, (w - 64) // 2 + 64, (h - 64) // 2 + 64))
        out[i] = np.asarray(im)
    return torch.from_numpy(out).permute(0, 3, 1, 2).contiguous()


def generator():
    def up(i, o):
        return [nn.ConvTranspose2d(i, o, 4, 2, 1, bias=False), nn.BatchNorm2d(o), nn.ReLU(True)]
    return nn.Sequential(
        nn.ConvTranspose2d(Z, NGF * 8, 4, 1, 0, bias=False), nn.BatchNorm2d(NGF * 8), nn.ReLU(True),
        *up(NGF * 8, NGF * 4), *up(NGF * 4, NGF * 2), *up(NGF * 2, NGF),
        nn.ConvTranspose2d(NGF, 3, 4, 2, 1, bias=False), nn.Tanh())


def discriminator():
    def down(i, o):
        return [nn.Conv2d(i, o, 4, 2, 1, bias=False), nn.BatchNorm2d(o), nn.LeakyReLU(0.2, True)]
    return nn.Sequential(
        nn.Conv2d(3, NDF, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, True),
        *down(NDF, NDF * 2), *down(NDF * 2, NDF * 4), *down(NDF * 4, NDF * 8),
        nn.Conv2d(NDF * 8, 1, 4, 1, 0, bias=False), nn.Flatten())


def weights_init(m):
    """pytorch/examples/dcgan/main.py's weights_init."""
    name = m.__class__.__name__
    if name.find("Conv") != -1:
        nn.init.normal_(m.weight.data, 0.0, 0.02)
    elif name.find("BatchNorm") != -1:
        nn.init.normal_(m.weight.data, 1.0, 0.02)
        nn.init.constant_(m.bias.data, 0)


def flops_per_step(reuse):
    """GEMM FLOPs of one step, counted as bench/bench_step.c counts ganrun's
    (2 x multiply-adds; backward = dW + dx, no dx for a net's first layer)."""
    g = [Z * 512 * 16, 512 * 4 * 4 * 256 * 16, 256 * 8 * 8 * 128 * 16, 128 * 16 * 16 * 64 * 16,
         64 * 32 * 32 * 3 * 16]
    d = [64 * 32 * 32 * 3 * 16, 128 * 16 * 16 * 64 * 16, 256 * 8 * 8 * 128 * 16,
         512 * 4 * 4 * 256 * 16, 512 * 16]
    FG, FD = sum(g), sum(d)
    dstep = FG + 2 * (FD + FD + FD - d[0])
    gstep = (0 if reuse else FG) + FD + FD + FG + FG - g[0]
    return 2 * B * (dstep + gstep)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--train", type=int, default=0, help="train this many steps, then write samples")
    ap.add_argument("--samples", type=int, default=0)
    ap.add_argument("--out", default="")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    ap.add_argument("--bf16", action="store_true")
    ap.add_argument("--reuse-fake", action="store_true")
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    images = load_folder(a.data)
    G, D = generator(), discriminator()
    G.apply(weights_init)
    D.apply(weights_init)
    fmt = torch.channels_last if a.bf16 else torch.contiguous_format
    G, D = G.to(memory_format=fmt), D.to(memory_format=fmt)
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    ones, zeros = torch.ones(B, 1), torch.zeros(B, 1)
    noise = lambda: torch.randn(B, Z, 1, 1).to(memory_format=fmt)
    cast = lambda: torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.bf16)

    n = a.train if a.train else a.warmup + a.steps
    times, perm, at = [], torch.randperm(images.shape[0]), 0
    t_start = time.perf_counter()
    for step in range(n):
        t0 = time.perf_counter()
        if at + B > perm.numel():
            perm, at = torch.randperm(images.shape[0]), 0
        real = (images[perm[at:at + B]].float() / 127.5 - 1.0).contiguous(memory_format=fmt)
        at += B
        with cast():
            fake = G(noise())
        opt_d.zero_grad()
        with cast():
            loss_d = bce(D(real).float(), ones) + bce(D(fake.detach()).float(), zeros)
        loss_d.backward()
        opt_d.step()
        opt_g.zero_grad()
        with cast():
            loss_g = bce(D(fake if a.reuse_fake else G(noise())).float(), ones)
        loss_g.backward()
        opt_g.step()
        times.append(time.perf_counter() - t0)
        if a.train and (step + 1) % 50 == 0:
            print(f"step {step + 1} loss_d {loss_d.item():.4f} loss_g {loss_g.item():.4f} "
                  f"{time.perf_counter() - t_start:.1f} s", file=sys.stderr, flush=True)

    res = {"bench": "torch_dcgan64", "torch": torch.__version__, "threads": torch.get_num_threads(),
           "bf16": a.bf16, "reuse_fake": a.reuse_fake,
           "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
           "loss_d": round(loss_d.item(), 4), "loss_g": round(loss_g.item(), 4)}
    if a.train:
        res.update({"steps": a.train, "train_s": round(time.perf_counter() - t_start, 1)})
        if a.samples and a.out:
            from PIL import Image
            os.makedirs(a.out, exist_ok=True)
            torch.manual_seed(a.seed + 1000)
            k = 0
            with torch.no_grad():
                while k < a.samples:
                    x = G(noise()).float()
                    x = ((x.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()
                    for im in x[:a.samples - k]:
                        Image.fromarray(np.ascontiguousarray(im), "RGB").save(os.path.join(a.out, f"{k:06d}.png"))
                        k += 1
            res["samples"] = k
    else:
        med = statistics.median(times[a.warmup:])
        flops = flops_per_step(a.reuse_fake)
        res.update({"steps": a.steps, "warmup": a.warmup, "ms_per_step_median": round(med * 1e3, 3),
                    "images_per_s": round(B / med, 1), "flops_per_step": flops,
                    "gflops": round(flops / med / 1e9, 2)})
    print(json.dumps(res))


if __name__ == "__main__":
    main()
