/* kid.c - Kernel Inception Distance's estimator, as stylegan2-ada's
 * metrics/kernel_inception_distance.py computes it (there: 100 subsets of
 * min(1000, N) rows):
 *
 *   k(x, y) = (x.y / d + 1)^3
 *   for each subset s: m rows g of gen and m rows r of real, each drawn
 *   without repeats,
 *     MMD_s = [sum_{i != j} k(g_i, g_j) + k(r_i, r_j)] / (m (m - 1))
 *             - 2 / m^2 sum_{i, j} k(g_i, r_j)
 *   KID = mean_s MMD_s;  std = sqrt(mean_s (MMD_s - KID)^2)
 *
 * The subsets come from stream GAN_STREAM_EVAL_KID of the seed: each one the first m of a
 * partial Fisher-Yates shuffle of the gen rows, then of the real rows.
 * Dot products by cblas_sgemm in float (a relative error near d u, far
 * below KID's subset spread), kernel values and their sums in double.
 */
#include "config.h"
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "eval/eval_impl.h"

/* rows idx[0..m) of x (n, d) -> X (m, d) */
static void gather(const float *x, const uint32_t *idx, long m, int d, float *X)
{
    for (long i = 0; i < m; i++) memcpy(X + (size_t)i * d, x + (size_t)idx[i] * d, (size_t)d * sizeof *X);
}

/* the first m entries of a uniform random subset of perm (n): partial Fisher-Yates */
static void draw(gan_rng *r, uint32_t *perm, long n, long m)
{
    for (long i = 0; i < m; i++) {
        long j = i + (long)gan_rng_below(r, (uint32_t)(n - i));
        uint32_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
}

static double cube(double g, int d)
{
    double t = g / d + 1;
    return t * t * t;
}

/* sum over i < j of k, from the upper triangle of C (m, m) = X X^T */
static double upper_sum(const float *C, long m, int d)
{
    double s = 0;
    for (long i = 0; i < m; i++)
        for (long j = i + 1; j < m; j++) s += cube(C[(size_t)i * m + j], d);
    return s;
}

gan_status gan_kid(const float *real, long nr, const float *gen, long ng, int d, int subsets, long subset,
                   uint64_t seed, double *mean, double *std, gan_error *err)
{
    *mean = *std = NAN;
    long m = subset;
    if (m > nr) m = nr;
    if (m > ng) m = ng;
    if (m < 2 || subsets < 1 || d < 1)
        return gan_error_set(err, GAN_ERR_INVALID, "KID needs at least 2 generated and 2 real images (have %ld "
                             "and %ld)", ng, nr);
    size_t mm = (size_t)m * m;
    float *X = malloc((size_t)m * d * sizeof *X), *Y = malloc((size_t)m * d * sizeof *Y);
    float *C = malloc(mm * sizeof *C);
    double *v = malloc((size_t)subsets * sizeof *v);
    uint32_t *pg = malloc((size_t)ng * sizeof *pg), *pr = malloc((size_t)nr * sizeof *pr);
    if (!X || !Y || !C || !v || !pg || !pr) {
        free(X), free(Y), free(C), free(v), free(pg), free(pr);
        return gan_error_set(err, GAN_ERR_NOMEM, "out of memory for KID's %ld x %ld kernel", m, m);
    }
    for (long i = 0; i < ng; i++) pg[i] = (uint32_t)i;
    for (long i = 0; i < nr; i++) pr[i] = (uint32_t)i;
    gan_rng rng;
    gan_rng_seed_stream(&rng, seed, GAN_STREAM_EVAL_KID);
    for (int s = 0; s < subsets; s++) {
        draw(&rng, pg, ng, m);
        draw(&rng, pr, nr, m);
        gather(gen, pg, m, d, X);
        gather(real, pr, m, d, Y);
        cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)m, d, 1.0f, X, d, 0.0f, C, (int)m);
        double a = 2 * upper_sum(C, m, d);
        cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)m, d, 1.0f, Y, d, 0.0f, C, (int)m);
        a += 2 * upper_sum(C, m, d);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)m, d, 1.0f, X, d, Y, d, 0.0f, C, (int)m);
        double b = 0;
        for (size_t t = 0; t < mm; t++) b += cube(C[t], d);
        v[s] = a / ((double)m * (m - 1)) - 2 * b / ((double)m * m);
    }
    double sum = 0, ss = 0;
    for (int s = 0; s < subsets; s++) sum += v[s];
    *mean = sum / subsets;
    for (int s = 0; s < subsets; s++) ss += (v[s] - *mean) * (v[s] - *mean);
    *std = sqrt(ss / subsets);
    free(X), free(Y), free(C), free(v), free(pg), free(pr);
    return GAN_OK;
}
