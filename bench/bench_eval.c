/* bench_eval.c - eval's estimators at the sizes the issue names: exact
 * k-NN of N points among themselves (N x N, dimension D), precision /
 * recall / density / coverage of N generated against N real points, KID
 * (100 subsets of 1000), the Frechet distance, and the feature extractor
 * per image.  bench/eval.sh runs it beside bench/torch_eval.py.
 *   bench_eval N D [SEED]      prints "NAME SECONDS" lines */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "gan/gan.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

/* n points (n, d) around 20 cluster centres (drawn from seed 0, moved by
 * shift), spread 0.5 per dimension, relu'd (features are >= 0) */
static float *points(long n, int d, uint64_t seed, float shift)
{
    gan_rng r;
    gan_rng_seed(&r, 0);
    float *c = gan_alloc_floats((size_t)20 * d), *x = gan_alloc_floats((size_t)n * d);
    gan_rng_fill_normal(&r, c, (size_t)20 * d, shift, 1);
    gan_rng_seed(&r, seed);
    for (long i = 0; i < n; i++) {
        int k = (int)gan_rng_below(&r, 20);
        for (int j = 0; j < d; j++) {
            float v = c[k * d + j] + 0.5f * (float)gan_rng_normal(&r);
            x[(size_t)i * d + j] = v > 0 ? v : 0;
        }
    }
    gan_free_floats(c);
    return x;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_eval N D [SEED]\n");
        return 2;
    }
    long n = atol(argv[1]);
    int d = atoi(argv[2]);
    uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 10) : 1;
    gan_error err;
    gan_error_clear(&err);
    float *real = points(n, d, seed, 0), *gen = points(n, d, seed + 1, 0.1f);
    long *skip = malloc((size_t)n * sizeof *skip);
    double *dist = malloc((size_t)n * 5 * sizeof *dist);
    for (long i = 0; i < n; i++) skip[i] = i;
    double t = now();
    if (gan_knn(real, n, real, n, d, 5, skip, dist, NULL, &err) != GAN_OK) goto fail;
    printf("knn_self_k5 %.3f\n", now() - t);
    double s = 0;
    for (long i = 0; i < n; i++) s += sqrt(dist[i * 5 + 4]);
    printf("knn_mean_5th_distance %.6f\n", s / n);
    gan_prdc p;
    t = now();
    if (gan_prdc_compute(real, n, gen, n, d, 3, 5, &p, &err) != GAN_OK) goto fail;
    printf("prdc %.3f\n", now() - t);
    printf("precision %.4f\nrecall %.4f\ndensity %.4f\ncoverage %.4f\n", p.precision, p.recall, p.density,
           p.coverage);
    double kid, kstd;
    t = now();
    if (gan_kid(real, n, gen, n, d, 100, 1000, 1, &kid, &kstd, &err) != GAN_OK) goto fail;
    printf("kid_100x1000 %.3f\nkid %.6g\nkid_std %.6g\n", now() - t, kid, kstd);
    t = now();
    double fd = gan_frechet_sets(gen, n, real, n, d);
    printf("frechet %.3f\nfrechet_value %.6g\n", now() - t, fd);
    gan_features *f;
    if (gan_features_create(&f, &err) != GAN_OK) goto fail;
    long m = 512;
    float *img = gan_alloc_floats((size_t)m * 3 * 64 * 64), *feat = gan_alloc_floats((size_t)m * GAN_FEATURES_DIM);
    gan_rng r;
    gan_rng_seed(&r, seed);
    gan_rng_fill_uniform(&r, img, (size_t)m * 3 * 64 * 64, -1, 1);
    gan_shape sh = { 3, { 3, 64, 64 } };
    t = now();
    if (gan_features_run(f, img, m, sh, feat, &err) != GAN_OK) goto fail;
    printf("features_per_image_64x64 %.6f\n", (now() - t) / m);
    gan_features_free(f);
    return 0;
fail:
    fprintf(stderr, "bench_eval: %s\n", err.msg);
    return 1;
}
