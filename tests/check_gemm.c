/* check_gemm.c - the GEMM engines of gan_sgemm and gan_sgemm_whole
 * (gan/par.h, train.gemm): each against a naive double-precision sum on
 * the four transpose cases and edge shapes, within a stated bound; the
 * same bits on 1, 2 and 3 threads; beta 0 never reads C; the padding past
 * N untouched; oneDNN starts no threads of its own.  The oneDNN engine's
 * tests skip (and check the error) in a build without oneDNN.
 *
 * The bound, per element, with u = 2^-24 (fp32's unit roundoff) and
 * mag = |alpha| sum_k |a_ik b_kj| + |beta c_ij|:
 *   |C - C_exact| <= (K + 2) u mag
 * the classic bound of a K-term dot product (gamma_K ~ K u) plus the
 * scaling by alpha and the addition of beta c; blocked and FMA sums stay
 * well inside it, a wrong element (a lost term, a wrong operand) not.
 * onednn-bf16 rounds each operand to bf16 (relative error at most 2^-8
 * each, so (2^-7 + 2^-16) per product, which fp32 holds exactly) before
 * the same fp32 sum:
 *   |C - C_exact| <= (2^-7 + 2^-16) |alpha| sum_k |a_ik b_kj| + (K + 2) u mag
 */
#include "config.h"
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "gan/par.h"
#include "testutil.h"

static const gan_gemm_engine engines[] = { GAN_GEMM_OPENBLAS, GAN_GEMM_ONEDNN, GAN_GEMM_ONEDNN_BF16 };
#define NENGINES ((int)(sizeof engines / sizeof *engines))

/* deterministic values in [-1, 1) */
static float *filled(size_t n, uint32_t seed)
{
    float *x = malloc((n ? n : 1) * sizeof *x);
    uint32_t s = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        x[i] = (float)((s >> 8) & 0xffff) / 32768.0f - 1.0f;
    }
    return x;
}

/* 1 when engine e can run here; otherwise its error is checked and the
 * caller skips it */
static int usable(gan_gemm_engine e)
{
    gan_error err;
    gan_error_clear(&err);
    if (gan_gemm_available(e, &err) == GAN_OK) return 1;
    ck_assert_msg(strstr(err.msg, "built without oneDNN") != NULL ||
                      (e == GAN_GEMM_ONEDNN_BF16 && strstr(err.msg, "no AVX512_BF16") != NULL),
                  "engine %d: %s", (int)e, err.msg);
    printf("engine %d skipped: %s\n", (int)e, err.msg);
    return 0;
}

static void use(gan_gemm_engine e)
{
    gan_error err;
    ck_assert_msg(gan_gemm_set_engine(e, &err) == GAN_OK, "%s", err.msg);
    ck_assert_int_eq(gan_gemm_get_engine(), e);
}

/* C = alpha op(A) op(B) + beta C by gan_sgemm (whole = 0) or
 * gan_sgemm_whole (1) on padded operands, against the exact sum; fails
 * past the bound above or on a write to the padding */
static void check_one(gan_gemm_engine e, int whole, int ta, int tb, int M, int N, int K, float alpha, float beta)
{
    int lda = (ta ? M : K) + 3, ldb = (tb ? K : N) + 1, ldc = N + 2;
    size_t na = (size_t)(ta ? K : M) * lda, nb = (size_t)(tb ? N : K) * ldb, nc = (size_t)M * ldc;
    float *A = filled(na, 1 + M), *B = filled(nb, 2 + N), *C = filled(nc, 3 + K);
    float *C0 = malloc(nc * sizeof *C0);
    memcpy(C0, C, nc * sizeof *C);
    if (beta == 0.0f)   /* beta 0: C is written, never read */
        for (size_t i = 0; i < nc; i++) C[i] = NAN;
    for (int i = 0; i < M; i++)   /* the padding, to find again */
        for (int j = N; j < ldc; j++) C[(size_t)i * ldc + j] = C0[(size_t)i * ldc + j] = 7.0f;
    if (whole)
        gan_sgemm_whole(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    else
        gan_sgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    const double u = ldexp(1.0, -24);
    for (int i = 0; i < M; i++) {
        for (int j = 0; j < N; j++) {
            double s = 0, mag = 0;
            for (int k = 0; k < K; k++) {
                double p = (double)(ta ? A[(size_t)k * lda + i] : A[(size_t)i * lda + k]) *
                           (tb ? B[(size_t)j * ldb + k] : B[(size_t)k * ldb + j]);
                s += p;
                mag += fabs(p);
            }
            double c0 = beta == 0.0f ? 0.0 : C0[(size_t)i * ldc + j];
            double want = alpha * s + beta * c0;
            double bound = (K + 2) * u * (fabs(alpha) * mag + fabs(beta * c0));
            if (e == GAN_GEMM_ONEDNN_BF16) bound += (ldexp(1.0, -7) + ldexp(1.0, -16)) * fabs(alpha) * mag;
            double got = C[(size_t)i * ldc + j];
            ck_assert_msg(fabs(got - want) <= bound,
                          "engine %s, %s M=%d N=%d K=%d ta=%d tb=%d alpha=%g beta=%g: C[%d,%d] = %.9g, "
                          "exact %.9g, error %.3g > bound %.3g", gan_gemm_describe(e),
                          whole ? "whole" : "split", M, N, K, ta, tb, alpha, beta, i, j, got, want,
                          fabs(got - want), bound);
        }
        for (int j = N; j < ldc; j++) ck_assert(C[(size_t)i * ldc + j] == 7.0f);
    }
    free(A);
    free(B);
    free(C);
    free(C0);
}

START_TEST(test_engines_match_exact_sums_on_edge_shapes)
{
    /* rows and columns around the kernels' blocks (16-wide vectors, 48 and
     * 64 row panels), K = 1, and all of them as M, N and K */
    static const int d[] = { 1, 15, 17, 63, 65 };
    const int nd = (int)(sizeof d / sizeof *d);
    for (int ei = 0; ei < NENGINES; ei++) {
        if (!usable(engines[ei])) continue;
        use(engines[ei]);
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++)
                for (int a = 0; a < nd; a++)
                    for (int b = 0; b < nd; b++) {
                        check_one(engines[ei], 1, ta, tb, d[a], d[b], 1, 1.0f, 0.0f);
                        check_one(engines[ei], 1, ta, tb, d[a], d[b], d[(a + b) % nd], 0.75f, 1.0f);
                        check_one(engines[ei], 0, ta, tb, d[a], d[(a + b + 1) % nd], d[b], -1.5f, 0.5f);
                    }
    }
    gan_gemm_set_engine(GAN_GEMM_OPENBLAS, NULL);
}
END_TEST

START_TEST(test_engines_match_exact_sums_when_split)
{
    /* products gan_sgemm cuts into parts, by rows and by columns, with a
     * ragged last part, on 2 threads (1 gives the same bits: below) */
    static const int shapes[][3] = { { 1000, 70, 130 }, { 37, 1153, 257 }, { 300, 200, 100 },
                                     { 64, 2000, 48 } };
    gan_par_set_threads(2);
    for (int ei = 0; ei < NENGINES; ei++) {
        if (!usable(engines[ei])) continue;
        use(engines[ei]);
        for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++)
            for (int ta = 0; ta < 2; ta++)
                for (int tb = 0; tb < 2; tb++) {
                    int M = shapes[s][0], N = shapes[s][1], K = shapes[s][2], split_n, per;
                    ck_assert_int_gt(gan_sgemm_parts(M, N, K, &split_n, &per), 1);
                    check_one(engines[ei], 0, ta, tb, M, N, K, 1.0f, (ta + tb) % 2 ? 0.0f : 1.0f);
                }
    }
    gan_par_set_threads(0);
    gan_gemm_set_engine(GAN_GEMM_OPENBLAS, NULL);
}
END_TEST

START_TEST(test_engines_same_bits_on_any_thread_count)
{
    static const int shapes[][3] = { { 64, 6272, 100 }, { 6272, 100, 64 }, { 33, 1025, 385 },
                                     { 2000, 33, 100 }, { 257, 500, 1024 }, { 129, 3000, 7 } };
    for (int ei = 0; ei < NENGINES; ei++) {
        if (!usable(engines[ei])) continue;
        use(engines[ei]);
        for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++)
            for (int ta = 0; ta < 2; ta++)
                for (int tb = 0; tb < 2; tb++) {
                    int M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
                    int lda = ta ? M : K, ldb = tb ? K : N, split_n, per;
                    ck_assert_int_gt(gan_sgemm_parts(M, N, K, &split_n, &per), 1);
                    float *A = filled((size_t)M * K, 4), *B = filled((size_t)K * N, 5);
                    float *C0 = filled((size_t)M * N, 6), *R = NULL;
                    float beta = (float)((ta + tb) % 2);
                    for (int T = 1; T <= 3; T++) {
                        gan_par_set_threads(T);
                        float *C = malloc((size_t)M * N * sizeof *C);
                        memcpy(C, C0, (size_t)M * N * sizeof *C);
                        gan_sgemm(ta, tb, M, N, K, 1.0f, A, lda, B, ldb, beta, C, N);
                        if (!R) {
                            R = C;
                            continue;
                        }
                        ck_assert_msg(memcmp(C, R, (size_t)M * N * sizeof *C) == 0,
                                      "%s M=%d N=%d K=%d ta=%d tb=%d: %d threads differ from 1",
                                      gan_gemm_describe(engines[ei]), M, N, K, ta, tb, T);
                        free(C);
                    }
                    free(A);
                    free(B);
                    free(C0);
                    free(R);
                }
    }
    gan_par_set_threads(0);
    gan_gemm_set_engine(GAN_GEMM_OPENBLAS, NULL);
}
END_TEST

static int threads_now(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d) return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

START_TEST(test_onednn_starts_no_threads_of_its_own)
{
    gan_gemm_engine e = _i ? GAN_GEMM_ONEDNN_BF16 : GAN_GEMM_ONEDNN;
    if (!usable(e)) return;
    if (threads_now() < 0) return;   /* no /proc */
    use(e);
    gan_par_set_threads(2);
    /* the caller, one pool worker and OpenBLAS's idle server thread, which
     * openblas_set_num_threads starts */
    int before = threads_now();
    ck_assert_int_le(before, 3);
    /* big enough that an OpenMP region would take every core */
    int M = 512, N = 2048, K = 512;
    float *A = filled((size_t)M * K, 7), *B = filled((size_t)K * N, 8), *C = filled((size_t)M * N, 9);
    for (int r = 0; r < 3; r++) {
        gan_sgemm(0, 0, M, N, K, 1.0f, A, K, B, N, 0.0f, C, N);
        gan_sgemm_whole(1, 1, 256, 256, 256, 1.0f, A, 256, B, 256, 0.0f, C, 256);
    }
    /* no OpenMP team beside them */
    ck_assert_int_eq(threads_now(), before);
    free(A);
    free(B);
    free(C);
    gan_par_set_threads(0);
    gan_gemm_set_engine(GAN_GEMM_OPENBLAS, NULL);
}
END_TEST

START_TEST(test_bf16_rounds_each_operand)
{
    /* the bf16 engine really rounds: 1 + 2^-9 is 1 in bf16, so
     * (1 + 2^-9) * (1 + 2^-9) summed K times is K, where fp32 gives
     * K (1 + 2^-8 + 2^-18) */
    if (!usable(GAN_GEMM_ONEDNN_BF16)) return;
    use(GAN_GEMM_ONEDNN_BF16);
    enum { M = 17, N = 33, K = 65 };
    float *A = malloc(M * K * sizeof *A), *B = malloc(K * N * sizeof *B), *C = malloc(M * N * sizeof *C);
    for (int i = 0; i < M * K; i++) A[i] = 1.0f + ldexpf(1.0f, -9);
    for (int i = 0; i < K * N; i++) B[i] = 1.0f + ldexpf(1.0f, -9);
    gan_sgemm_whole(0, 0, M, N, K, 1.0f, A, K, B, N, 0.0f, C, N);
    for (int i = 0; i < M * N; i++) ck_assert_float_eq(C[i], (float)K);
    use(GAN_GEMM_ONEDNN);
    gan_sgemm_whole(0, 0, M, N, K, 1.0f, A, K, B, N, 0.0f, C, N);
    ck_assert_float_gt(C[0], (float)K);
    free(A);
    free(B);
    free(C);
    gan_gemm_set_engine(GAN_GEMM_OPENBLAS, NULL);
}
END_TEST

START_TEST(test_engine_names_what_it_runs_on)
{
    ck_assert(strstr(gan_gemm_describe(GAN_GEMM_OPENBLAS), "OpenBLAS") != NULL);
    if (usable(GAN_GEMM_ONEDNN))
        ck_assert(strstr(gan_gemm_describe(GAN_GEMM_ONEDNN), "oneDNN") != NULL);
    else
        ck_assert_str_eq(gan_gemm_describe(GAN_GEMM_ONEDNN), "not built");
    gan_error err;
    ck_assert_int_ne(gan_gemm_set_engine((gan_gemm_engine)99, &err), GAN_OK);
    ck_assert_int_eq(gan_gemm_get_engine(), GAN_GEMM_OPENBLAS);
}
END_TEST

/* cases of their own, so that tests/valgrind.sh can run "edges" alone
 * (CK_RUN_CASE) */
static Suite *suite(void)
{
    Suite *s = suite_create("gemm");
    TCase *t = tcase_create("edges");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, test_engines_match_exact_sums_on_edge_shapes);
    tcase_add_test(t, test_engine_names_what_it_runs_on);
    tcase_add_test(t, test_bf16_rounds_each_operand);
    suite_add_tcase(s, t);
    t = tcase_create("split");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, test_engines_match_exact_sums_when_split);
    tcase_add_test(t, test_engines_same_bits_on_any_thread_count);
    suite_add_tcase(s, t);
    t = tcase_create("threads");
    tcase_add_loop_test(t, test_onednn_starts_no_threads_of_its_own, 0, 2);   /* onednn, onednn-bf16 */
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return tu_run_suite(suite());
}
