/* gemm64.c - the DCGAN-64 step's GEMMs (models/dcgan64.yaml, batch 64)
 * timed by layer and by GEMM engine (train.gemm) on one thread: how close
 * each layer's products come to the engine's own limit (its best rate on
 * a 1024^3 product, of 10).  The shapes and counts per training step are those the
 * step calls (logged from cblas_sgemm during one step of bench_step: the
 * convolutions' per-chunk products and the dense layers' parts, as
 * gan_sgemm cuts them).  G's deconvolutions and D's convolutions pair up:
 * a layer and its mirror have the same three products (forward, dx, dW),
 * in swapped roles.
 *   ./bench/gemm64 [ENGINE...]        (default: every engine built here)
 * Prints a line per layer pair and engine, then a JSON line. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "gan/gan.h"

static const struct gemm {
    const char *pair;
    int calls, ta, tb, M, N, K;
    float beta;
} G[] = {
    /* G's dense (100 -> 8192, parts of 512 columns) and D's dense (8192 -> 1) */
    { "dense", 32, 0, 1, 64, 512, 100, 0 },   { "dense", 16, 1, 0, 512, 100, 64, 1 },
    { "dense", 3, 0, 1, 64, 1, 8192, 0 },     { "dense", 3, 0, 0, 64, 8192, 1, 0 },
    { "dense", 2, 1, 0, 1, 8192, 64, 1 },
    /* deconv 512x4x4 -> 256x8x8 and conv 256x8x8 -> 512x4x4 (chunks of 3 samples) */
    { "4x4<->8x8", 105, 1, 0, 4096, 48, 512, 0 }, { "4x4<->8x8", 84, 0, 0, 512, 48, 4096, 0 },
    { "4x4<->8x8", 45, 0, 1, 512, 4096, 48, 1 },  { "4x4<->8x8", 18, 0, 1, 512, 4096, 48, 0 },
    { "4x4<->8x8", 5, 1, 0, 4096, 16, 512, 0 },   { "4x4<->8x8", 4, 0, 0, 512, 16, 4096, 0 },
    { "4x4<->8x8", 3, 0, 1, 512, 4096, 16, 0 },
    /* 256x8x8 <-> 128x16x16 (one sample per chunk) */
    { "8x8<->16x16", 320, 1, 0, 2048, 64, 256, 0 }, { "8x8<->16x16", 256, 0, 0, 256, 64, 2048, 0 },
    { "8x8<->16x16", 171, 0, 1, 256, 2048, 64, 1 }, { "8x8<->16x16", 21, 0, 1, 256, 2048, 64, 0 },
    /* 128x16x16 <-> 64x32x32 */
    { "16x16<->32x32", 320, 1, 0, 1024, 256, 128, 0 }, { "16x16<->32x32", 256, 0, 0, 128, 256, 1024, 0 },
    { "16x16<->32x32", 171, 0, 1, 128, 1024, 256, 1 }, { "16x16<->32x32", 21, 0, 1, 128, 1024, 256, 0 },
    /* 64x32x32 <-> 3x64x64 (chunks of 2 samples) */
    { "32x32<->64x64", 128, 0, 0, 64, 2048, 48, 0 }, { "32x32<->64x64", 96, 1, 0, 48, 2048, 64, 0 },
    { "32x32<->64x64", 75, 0, 1, 64, 48, 2048, 1 },  { "32x32<->64x64", 21, 0, 1, 64, 48, 2048, 0 },
};
#define NG ((int)(sizeof G / sizeof *G))
static const char *const pairs[] = { "dense", "4x4<->8x8", "8x8<->16x16", "16x16<->32x32", "32x32<->64x64" };
#define NP ((int)(sizeof pairs / sizeof *pairs))
static const char *const names[] = { "openblas", "onednn", "onednn-bf16" };

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static float *filled(size_t n)
{
    float *x = malloc(n * sizeof *x);
    for (size_t i = 0; i < n; i++) x[i] = (float)((i * 2654435761u) >> 8 & 0xffff) / 32768.0f - 1.0f;
    return x;
}

/* seconds of one product, best of `runs` runs of enough repetitions */
static double time_one(int ta, int tb, int M, int N, int K, float beta, const float *A, const float *B, float *C,
                       int runs)
{
    int reps = (int)(1e8 / ((double)M * N * K)) + 1;
    double best = 1e9;
    for (int r = 0; r < runs; r++) {
        double t = now();
        for (int q = 0; q < reps; q++)
            gan_sgemm_whole(ta, tb, M, N, K, 1.0f, A, ta ? M : K, B, tb ? K : N, beta, C, N);
        t = (now() - t) / reps;
        if (t < best) best = t;
    }
    return best;
}

int main(int argc, char **argv)
{
    gan_par_set_threads(1);
    int use[3] = { 0, 0, 0 };
    for (int e = 0; e < 3; e++) {
        int want = argc < 2;
        for (int i = 1; i < argc; i++) want |= !strcmp(argv[i], names[e]);
        use[e] = want && gan_gemm_available((gan_gemm_engine)e, NULL) == GAN_OK;
    }
    float *A = filled(1 << 21), *B = filled(1 << 21), *C = filled(1 << 21);
    double flops[NP] = { 0 }, total_flops = 0;
    for (int g = 0; g < NG; g++)
        for (int p = 0; p < NP; p++)
            if (!strcmp(G[g].pair, pairs[p])) flops[p] += 2.0 * G[g].calls * G[g].M * G[g].N * G[g].K;
    for (int p = 0; p < NP; p++) total_flops += flops[p];
    printf("DCGAN-64 step's GEMMs: %.1f GFLOP, 1 thread\n", total_flops / 1e9);
    char json[2048];
    int jn = snprintf(json, sizeof json, "{");
    for (int e = 0; e < 3; e++) {
        if (!use[e]) continue;
        gan_gemm_set_engine((gan_gemm_engine)e, NULL);
        double lim = 2.0 * 1024 * 1024 * 1024 / time_one(0, 0, 1024, 1024, 1024, 0, A, B, C, 10) / 1e9;
        double ms[NP] = { 0 }, tot = 0;
        for (int g = 0; g < NG; g++) {
            double t = G[g].calls * time_one(G[g].ta, G[g].tb, G[g].M, G[g].N, G[g].K, G[g].beta, A, B, C, 3);
            for (int p = 0; p < NP; p++)
                if (!strcmp(G[g].pair, pairs[p])) ms[p] += 1e3 * t;
            tot += 1e3 * t;
        }
        printf("%s (%s), limit %.1f GFLOP/s (1024^3): %.0f ms per step, %.1f GFLOP/s = %.0f%% of the limit\n",
               names[e], gan_gemm_describe((gan_gemm_engine)e), lim, tot, total_flops / tot / 1e6,
               100 * total_flops / tot / 1e6 / lim);
        for (int p = 0; p < NP; p++)
            printf("  %-14s %6.2f GFLOP %7.1f ms %6.1f GFLOP/s %4.0f%%\n", pairs[p], flops[p] / 1e9, ms[p],
                   flops[p] / ms[p] / 1e6, 100 * flops[p] / ms[p] / 1e6 / lim);
        jn += snprintf(json + jn, sizeof json - jn, "%s\"%s_ms\": %.1f, \"%s_limit_gflops\": %.1f",
                       jn > 1 ? ", " : "", names[e], tot, names[e], lim);
    }
    printf("%s}\n", json);
    free(A);
    free(B);
    free(C);
    return 0;
}
