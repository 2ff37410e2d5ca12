/* check_par.c - the worker pool (gan/par.h): every task runs once, the
 * split GEMM against a naive product and bit for bit against itself on
 * other thread counts, and networks on 1, 2, 3 and 4 threads against each
 * other: the same bits for outputs, input gradients, parameter gradients
 * and buffers (every sum over tasks has a fixed order). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gan/gan.h"
#include "gan/par.h"
#include "gradcheck.h"
#include "testutil.h"

#define R3(c, h, w) ((gan_shape){ 3, { (c), (h), (w) } })

static void mark(void *arg, int t) { ((int *)arg)[t]++; }

typedef struct nested {
    int counts[8][8];
} nested;

static void outer(void *arg, int t)
{
    /* a parallel call from inside a task runs inline */
    gan_par_for(8, mark, ((nested *)arg)->counts[t]);
}

START_TEST(test_every_task_runs_once)
{
    int counts[200];
    for (int T = 1; T <= 4; T++) {
        ck_assert_int_eq(gan_par_set_threads(T), T);
        ck_assert_int_eq(gan_par_threads(), T);
        /* many jobs of every size back to back: a worker that missed a
         * job, or ran one twice, leaves a count other than 1 */
        for (int rep = 0; rep < 300; rep++) {
            int n = 1 + (rep * 37) % 200;
            memset(counts, 0, sizeof counts);
            gan_par_for(n, mark, counts);
            for (int i = 0; i < 200; i++) ck_assert_int_eq(counts[i], i < n);
        }
        nested ns;
        memset(&ns, 0, sizeof ns);
        gan_par_for(8, outer, &ns);
        for (int i = 0; i < 8; i++)
            for (int j = 0; j < 8; j++) ck_assert_int_eq(ns.counts[i][j], 1);
    }
    gan_par_shutdown();
    gan_par_set_threads(0);
}
END_TEST

static void mark_range(void *arg, size_t lo, size_t hi)
{
    for (size_t i = lo; i < hi; i++) ((int *)arg)[i]++;
}

START_TEST(test_ranges_cover_once)
{
    static int seen[100003];
    static const size_t ns[] = { 0, 1, 15, 16, 17, 100, 4097, 100003 };
    for (int T = 1; T <= 3; T++) {
        gan_par_set_threads(T);
        for (size_t k = 0; k < sizeof ns / sizeof *ns; k++)
            for (size_t grain = 1; grain <= 4096; grain *= 8) {
                memset(seen, 0, sizeof seen);
                gan_par_range(ns[k], grain, mark_range, seen);
                for (size_t i = 0; i < ns[k]; i++) ck_assert_int_eq(seen[i], 1);
            }
    }
    gan_par_set_threads(0);
}
END_TEST

START_TEST(test_thread_count_from_environment)
{
    setenv("GANRUN_THREADS", "3", 1);
    ck_assert_int_eq(gan_par_set_threads(0), 3);
    ck_assert_int_eq(gan_par_explicit(), 1);
    setenv("GANRUN_THREADS", "junk", 1);   /* ignored: the next variable counts */
    setenv("OPENBLAS_NUM_THREADS", "2", 1);
    ck_assert_int_eq(gan_par_set_threads(0), 2);
    unsetenv("GANRUN_THREADS");
    unsetenv("OPENBLAS_NUM_THREADS");
    unsetenv("OMP_NUM_THREADS");
    ck_assert_int_ge(gan_par_set_threads(0), 1);
    ck_assert_int_eq(gan_par_explicit(), 0);
    ck_assert_int_eq(gan_par_set_threads(GAN_PAR_MAX + 5), GAN_PAR_MAX);
    gan_par_set_threads(0);
}
END_TEST

static float *randn(size_t n, uint64_t seed)
{
    float *x = malloc(n * sizeof *x);
    gan_rng r;
    gan_rng_seed(&r, seed);
    gan_rng_fill_normal(&r, x, n, 0, 1);
    return x;
}

static float *copy(const float *p, size_t n)
{
    float *q = malloc(n * sizeof *q);
    memcpy(q, p, n * sizeof *q);
    return q;
}

/* C (M, N) = alpha op(A) op(B) + beta C in double */
static void gemm_naive(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                       const float *B, int ldb, float beta, float *C, int ldc)
{
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s = 0;
            for (int k = 0; k < K; k++)
                s += (double)(ta ? A[(size_t)k * lda + i] : A[(size_t)i * lda + k]) *
                     (tb ? B[(size_t)j * ldb + k] : B[(size_t)k * ldb + j]);
            C[(size_t)i * ldc + j] = (float)(alpha * s + beta * C[(size_t)i * ldc + j]);
        }
}

START_TEST(test_split_gemm_matches_naive)
{
    /* shapes that split by rows, by columns, and stay whole */
    static const int shapes[][3] = { { 64, 6272, 100 }, { 1024, 196, 128 }, { 128, 196, 1024 },
                                     { 512, 128, 128 }, { 37, 53, 1001 }, { 3, 5, 7 },
                                     { 1, 3000, 700 }, { 2000, 1, 600 } };
    for (int T = 1; T <= 3; T++) {
        gan_par_set_threads(T);
        for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++)
            for (int ta = 0; ta < 2; ta++)
                for (int tb = 0; tb < 2; tb++) {
                    int M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
                    int lda = (ta ? M : K) + 3, ldb = (tb ? K : N) + 1, ldc = N + 2;
                    float *A = randn((size_t)(ta ? K : M) * lda, 1);
                    float *B = randn((size_t)(tb ? N : K) * ldb, 2);
                    float *C = randn((size_t)M * ldc, 3), *R = malloc((size_t)M * ldc * sizeof *R);
                    memcpy(R, C, (size_t)M * ldc * sizeof *R);
                    float beta = (ta + tb) % 2 ? 0.0f : 0.5f;
                    gan_sgemm(ta, tb, M, N, K, 0.75f, A, lda, B, ldb, beta, C, ldc);
                    gemm_naive(ta, tb, M, N, K, 0.75f, A, lda, B, ldb, beta, R, ldc);
                    double e = 0;
                    for (int i = 0; i < M; i++) {
                        for (int j = 0; j < N; j++)
                            e = fmax(e, fabs((double)C[(size_t)i * ldc + j] - R[(size_t)i * ldc + j]));
                        /* the padding past N is never written */
                        ck_assert(memcmp(C + (size_t)i * ldc + N, R + (size_t)i * ldc + N,
                                         2 * sizeof *C) == 0);
                    }
                    ck_assert_msg(e < 2e-5 * sqrt((double)K) * 4,
                                  "T=%d M=%d N=%d K=%d ta=%d tb=%d: max error %g", T, M, N, K, ta, tb, e);
                    free(A);
                    free(B);
                    free(C);
                    free(R);
                }
    }
    gan_par_set_threads(0);
}
END_TEST

START_TEST(test_split_gemm_same_bits_on_any_thread_count)
{
    /* OpenBLAS computes an element with other operations depending on its
     * place in the call, so the parts must not follow the thread count:
     * ragged shapes, products that split by rows and by columns, alpha 1
     * and beta 0 or 1 as the layers call it */
    static const int shapes[][3] = { { 64, 6272, 100 }, { 6272, 100, 64 }, { 64, 100, 6272 },
                                     { 33, 1025, 385 }, { 2000, 33, 100 }, { 257, 500, 1024 },
                                     { 129, 3000, 7 }, { 1, 3000, 700 } };
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++)
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++) {
                int M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
                int lda = ta ? M : K, ldb = tb ? K : N;
                float *A = randn((size_t)M * K, 4), *B = randn((size_t)K * N, 5);
                float *C0 = randn((size_t)M * N, 6), *R = NULL;
                float beta = (float)((ta + tb) % 2);
                for (int T = 1; T <= 4; T++) {
                    gan_par_set_threads(T);
                    float *C = copy(C0, (size_t)M * N);
                    gan_sgemm(ta, tb, M, N, K, 1.0f, A, lda, B, ldb, beta, C, N);
                    if (!R) {
                        R = C;
                        continue;
                    }
                    ck_assert_msg(memcmp(C, R, (size_t)M * N * sizeof *C) == 0,
                                  "M=%d N=%d K=%d ta=%d tb=%d: %d threads differ from 1", M, N, K, ta,
                                  tb, T);
                    free(C);
                }
                int split_n, per;
                if (M * N > 100000) /* the big ones are really split */
                    ck_assert_int_gt(gan_sgemm_parts(M, N, K, &split_n, &per), 1);
                free(A);
                free(B);
                free(C0);
                free(R);
            }
    gan_par_set_threads(0);
}
END_TEST

/* ---- networks on several threads -------------------------------------- */

typedef struct run {
    float *y, *dx, *grads, *bufs;
    size_t ny, nx, np, nb;
} run;

static void run_free(run *r)
{
    free(r->y);
    free(r->dx);
    free(r->grads);
    free(r->bufs);
}


/* build (on T threads), init, two training passes; record y, dx, grads */
static run run_net(const gan_layer_conf *c, int n, gan_shape in, int B, int T)
{
    gan_par_set_threads(T);
    gan_net *net;
    gan_error err;
    ck_assert_msg(gan_net_create(&net, c, n, in, B, &err) == GAN_OK, "%s", err.msg);
    ck_assert_int_eq(gan_net_plan_get(net).ntasks, T);
    gan_rng r;
    gan_rng_seed(&r, 11);
    gan_net_init(net, &r);
    for (size_t i = 0; i < net->nparams; i++) net->params[i] += 0.1f * (float)gan_rng_normal(&r);
    size_t nx = (size_t)B * gan_shape_size(in), ny = (size_t)B * gan_shape_size(net->out);
    float *x = randn(nx, 12), *dy = randn(ny, 13), *dx = malloc(nx * sizeof *dx);
    gan_net_zero_grad(net);
    for (int pass = 0; pass < 2; pass++) {   /* grads accumulate over both */
        gan_net_forward(net, x, B, 1);
        gan_net_backward(net, dy, dx, 1);
    }
    run out = { copy(net->act[net->n - 1], ny), copy(dx, nx), copy(net->grads, net->nparams),
                copy(net->bufs, net->nbufs), ny, nx, net->nparams, net->nbufs };
    free(x);
    free(dy);
    free(dx);
    gan_net_free(net);
    return out;
}

static double rel_diff(const float *a, const float *b, size_t n)
{
    double num = 0, den = 0;
    for (size_t i = 0; i < n; i++) {
        num = fmax(num, fabs((double)a[i] - b[i]));
        den = fmax(den, fabs((double)b[i]));
    }
    return den > 0 ? num / den : num;
}

/* compare runs on 2, 3 and 4 threads with 1: the same bits */
static void compare_threads(const gan_layer_conf *c, int n, gan_shape in, int B, const char *what)
{
    run one = run_net(c, n, in, B, 1);
    for (int T = 2; T <= 4; T++) {
        run t = run_net(c, n, in, B, T);
        double ey = rel_diff(t.y, one.y, one.ny), ex = rel_diff(t.dx, one.dx, one.nx);
        double eg = rel_diff(t.grads, one.grads, one.np), eb = rel_diff(t.bufs, one.bufs, one.nb);
        printf("%s B=%d, %d threads against 1: y %.1e, dx %.1e, grads %.1e, buffers %.1e\n",
               what, B, T, ey, ex, eg, eb);
        ck_assert_msg(memcmp(t.y, one.y, one.ny * sizeof(float)) == 0, "%s: y", what);
        ck_assert_msg(memcmp(t.dx, one.dx, one.nx * sizeof(float)) == 0, "%s: dx", what);
        ck_assert_msg(memcmp(t.grads, one.grads, one.np * sizeof(float)) == 0, "%s: grads", what);
        ck_assert_msg(memcmp(t.bufs, one.bufs, one.nb * sizeof(float)) == 0, "%s: buffers", what);
        run_free(&t);
    }
    run_free(&one);
    gan_par_set_threads(0);
}

START_TEST(test_conv_nets_identical_across_threads)
{
    /* many chunks per pass (groups of chunks summed in a fixed order), an
     * odd batch, a batch of one chunk, a batch of one sample */
    gan_layer_conf c[6];
    layer_conf("conv2d", &c[0], "filters=32", "kernel=4", "stride=2", "pad=1", NULL);
    layer_conf("batchnorm", &c[1], NULL);
    layer_conf("leaky_relu", &c[2], NULL);
    layer_conf("deconv2d", &c[3], "filters=8", "kernel=4", "stride=2", "pad=1", NULL);
    layer_conf("tanh", &c[4], NULL);
    layer_conf("dense", &c[5], "units=5", NULL);
    compare_threads(c, 6, R3(16, 14, 14), 41, "conv-bn-lrelu-deconv-tanh-dense");
    compare_threads(c, 6, R3(16, 14, 14), 200, "conv-bn-lrelu-deconv-tanh-dense");
    compare_threads(c, 6, R3(16, 14, 14), 3, "conv-bn-lrelu-deconv-tanh-dense");
    compare_threads(c, 6, R3(16, 14, 14), 1, "conv-bn-lrelu-deconv-tanh-dense");
    /* spectral norm, no bias */
    layer_conf("conv2d", &c[0], "filters=16", "kernel=3", "stride=1", "pad=1", "spectral_norm=true",
               "bias=false", NULL);
    layer_conf("deconv2d", &c[3], "filters=4", "kernel=4", "stride=2", "pad=1", "spectral_norm=true",
               NULL);
    compare_threads(c, 6, R3(8, 12, 12), 77, "sn-conv-bn-lrelu-sn-deconv-tanh-dense");
}
END_TEST

START_TEST(test_dense_nets_identical_across_threads)
{
    /* GEMMs big enough to split (DCGAN's first layer), as an MLP */
    gan_layer_conf c[5];
    layer_conf("dense", &c[0], "units=6272", NULL);
    layer_conf("batchnorm", &c[1], NULL);
    layer_conf("relu", &c[2], NULL);
    layer_conf("dense", &c[3], "units=300", NULL);
    layer_conf("dense", &c[4], "units=1", NULL);
    gan_shape in = { 1, { 100, 0, 0 } };
    compare_threads(c, 5, in, 64, "dense-bn-relu-dense-dense");
}
END_TEST

START_TEST(test_elementwise_nets_identical_across_threads)
{
    /* batchnorm's per-channel sums and the element-wise layers do not
     * depend on the split */
    gan_layer_conf c[4];
    layer_conf("batchnorm", &c[0], NULL);
    layer_conf("relu", &c[1], NULL);
    layer_conf("batchnorm", &c[2], NULL);
    layer_conf("leaky_relu", &c[3], "slope=0.1", NULL);
    compare_threads(c, 4, R3(24, 9, 9), 37, "bn-relu-bn-lrelu (C, H, W)");
    gan_shape flat = { 1, { 3000, 0, 0 } };
    compare_threads(c, 4, flat, 33, "bn-relu-bn-lrelu (F)");
}
END_TEST

START_TEST(test_gradients_on_three_threads)
{
    gan_par_set_threads(3);
    gan_layer_conf c;
    layer_conf("conv2d", &c, "filters=6", "kernel=3", "stride=2", "pad=1", NULL);
    gradcheck_result r = gradcheck_layer(&c, R3(3, 9, 9), 5, 1, 21);
    ck_assert_double_lt(r.max_rel_dx, 1e-2);
    ck_assert_double_lt(r.max_rel_dp, 1e-2);
    layer_conf("deconv2d", &c, "filters=4", "kernel=4", "stride=2", "pad=1", NULL);
    r = gradcheck_layer(&c, R3(3, 5, 5), 5, 1, 22);
    ck_assert_double_lt(r.max_rel_dx, 1e-2);
    ck_assert_double_lt(r.max_rel_dp, 1e-2);
    gan_par_set_threads(0);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("par");
    TCase *t = tcase_create("pool");
    tcase_add_test(t, test_every_task_runs_once);
    tcase_add_test(t, test_ranges_cover_once);
    tcase_add_test(t, test_thread_count_from_environment);
    tcase_add_test(t, test_split_gemm_matches_naive);
    tcase_add_test(t, test_split_gemm_same_bits_on_any_thread_count);
    tcase_add_test(t, test_conv_nets_identical_across_threads);
    tcase_add_test(t, test_dense_nets_identical_across_threads);
    tcase_add_test(t, test_elementwise_nets_identical_across_threads);
    tcase_add_test(t, test_gradients_on_three_threads);
    tcase_set_timeout(t, 120);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return tu_run_suite(suite());
}
