/* bench_attention.c - time the attention layer's forward + backward.
 *
 *   bench/bench_attention [--C 64] [--H 14] [--W 14] [--B 64] [--iters 20] [--warmup 3]
 *   bench/bench_attention --C C --H H --W W --B B --io IN OUT
 *
 * --io: one pass on given numbers instead of timing: IN holds float32
 * weight_f, weight_g, weight_h, gamma, x (B, C, H, W) and dy; OUT gets y,
 * dx and the parameter gradients (bench/torch_attention.py --check).
 *
 * One iteration: a training forward, then backward with dx and parameter
 * gradients, of a one-layer net (reduce 8, gamma set to 0.5).  Prints one
 * JSON line: ms_median, ms_min, gflops (of the GEMM work: per sample
 * (2R + C) C N for [f; g; h], R N^2 for s, C N^2 for o; backward twice
 * that and once more for dx), peak_rss_mb.  bench/torch_attention.py is
 * the same layer in PyTorch; bench/attention.sh alternates the two.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include "gan/gan.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int C = 64, H = 14, W = 14, B = 64, iters = 20, warmup = 3;
    const char *io_in = NULL, *io_out = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        int v = atoi(argv[i + 1]);
        if (!strcmp(argv[i], "--io") && i + 2 < argc) {
            io_in = argv[i + 1], io_out = argv[i + 2];
            i++;
        } else if (!strcmp(argv[i], "--C")) C = v;
        else if (!strcmp(argv[i], "--H")) H = v;
        else if (!strcmp(argv[i], "--W")) W = v;
        else if (!strcmp(argv[i], "--B")) B = v;
        else if (!strcmp(argv[i], "--iters")) iters = v;
        else if (!strcmp(argv[i], "--warmup")) warmup = v;
        else {
            fprintf(stderr, "bench_attention: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (C < 8 || H < 1 || W < 1 || B < 1 || iters < 1 || warmup < 0) {
        fprintf(stderr, "bench_attention: bad sizes\n");
        return 2;
    }
    gan_layer_conf c;
    const gan_layer_type *t = gan_layer_find("attention");
    gan_layer_conf_defaults(&c, t);
    gan_shape in = { 3, { C, H, W } };
    gan_net *net;
    gan_error err;
    if (gan_net_create(&net, &c, 1, in, B, &err) != GAN_OK) {
        fprintf(stderr, "bench_attention: %s\n", err.msg);
        return 1;
    }
    gan_rng r;
    gan_rng_seed(&r, 1);
    gan_net_init(net, &r);
    net->params[net->nparams - 1] = 0.5f;   /* gamma */
    size_t n = (size_t)B * C * H * W;
    float *x = malloc(n * sizeof *x), *dy = malloc(n * sizeof *dy), *dx = malloc(n * sizeof *dx);
    gan_rng_fill_normal(&r, x, n, 0, 1);
    gan_rng_fill_normal(&r, dy, n, 0, 1);
    if (io_in) {
        FILE *f = fopen(io_in, "rb");
        int ok = f && fread(net->params, sizeof(float), net->nparams, f) == net->nparams &&
                 fread(x, sizeof(float), n, f) == n && fread(dy, sizeof(float), n, f) == n;
        if (f) fclose(f);
        FILE *o = ok ? fopen(io_out, "wb") : NULL;
        if (o) {
            fwrite(gan_net_forward(net, x, B, 1), sizeof(float), n, o);
            gan_net_zero_grad(net);
            gan_net_backward(net, dy, dx, 1);
            fwrite(dx, sizeof(float), n, o);
            fwrite(net->grads, sizeof(float), net->nparams, o);
            ok = fclose(o) == 0;
        }
        if (!o || !ok) fprintf(stderr, "bench_attention: %s or %s: cannot read or write\n", io_in, io_out);
        free(x), free(dy), free(dx);
        gan_net_free(net);
        return o && ok ? 0 : 1;
    }
    double *ms = malloc((size_t)iters * sizeof *ms);
    for (int i = 0; i < warmup + iters; i++) {
        double t0 = now_s();
        gan_net_forward(net, x, B, 1);
        gan_net_zero_grad(net);
        gan_net_backward(net, dy, dx, 1);
        if (i >= warmup) ms[i - warmup] = 1e3 * (now_s() - t0);
    }
    qsort(ms, (size_t)iters, sizeof *ms, cmp);
    double N = (double)H * W, R = C / 8;
    double macs = B * ((2 * R + C) * C * N + R * N * N + C * N * N);
    double flops = 2 * macs * 3;   /* forward, and twice that in backward */
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("{\"ms_median\": %.3f, \"ms_min\": %.3f, \"gflops\": %.2f, \"peak_rss_mb\": %.1f}\n",
           ms[iters / 2], ms[0], flops / (ms[iters / 2] * 1e-3) / 1e9, ru.ru_maxrss / 1024.0);
    free(x), free(dy), free(dx), free(ms);
    gan_net_free(net);
    return 0;
}
