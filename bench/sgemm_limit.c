/* sgemm_limit.c - the machine's cblas_sgemm rate on large square matrices
 * (same OpenBLAS and environment as ganrun): best of 5 at N = 1024, 2048.
 * Like ganrun, it first swaps a generic OpenBLAS core for the CPU's best
 * (gan/blas.h).  Prints one JSON line: {"sgemm_gflops": X, "n": N,
 * "blas_core": CORE}. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "gan/blas.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    (void)argc;
    gan_blas_select(argv);
    double best = 0;
    int bestn = 0;
    for (int n = 1024; n <= 2048; n *= 2) {
        float *a = malloc(sizeof(float) * n * n), *b = malloc(sizeof(float) * n * n),
              *c = malloc(sizeof(float) * n * n);
        for (long i = 0; i < (long)n * n; i++) a[i] = b[i] = (float)(i % 7) * 0.1f;
        for (int r = 0; r < 5; r++) {
            double t0 = now_s();
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
            double g = 2.0 * n * n * (double)n / (now_s() - t0) / 1e9;
            if (g > best) { best = g; bestn = n; }
        }
        free(a); free(b); free(c);
    }
    printf("{\"sgemm_gflops\": %.1f, \"n\": %d, \"blas_core\": \"%s\"}\n", best, bestn, gan_blas_core());
    return 0;
}
