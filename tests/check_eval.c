/* check_eval.c - the metrics of gan/eval.h against naive double-precision
 * references: exact k nearest neighbours against brute force (ties,
 * duplicates, points far from the origin where the GEMM's distances are
 * useless, blocks of queries and references), precision/recall and
 * density/coverage against their definitions, KID against a case worked by
 * hand and the plain U-statistic, the nearest-training-image summary, and
 * the feature extractor against a naive convolution with the weights its
 * documentation describes. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "gan/gan.h"
#include "testutil.h"

static float *random_points(long n, int d, uint64_t seed, float spread, float offset)
{
    gan_rng r;
    gan_rng_seed(&r, seed);
    float *x = gan_alloc_floats((size_t)n * d);
    for (size_t i = 0; i < (size_t)n * d; i++) x[i] = offset + spread * (float)gan_rng_normal(&r);
    return x;
}

static double d2(const float *x, const float *y, int d)
{
    double s = 0;
    for (int k = 0; k < d; k++) {
        double t = (double)x[k] - (double)y[k];
        s += t * t;
    }
    return s;
}

/* brute force: the k smallest (distance, row) pairs, ascending */
static void brute_knn(const float *q, long nq, const float *r, long nr, int d, int k, const long *skip, double *dist,
                      long *idx)
{
    for (long i = 0; i < nq; i++) {
        double *bd = dist + (size_t)i * k;
        long *bi = idx + (size_t)i * k;
        for (int m = 0; m < k; m++) bd[m] = INFINITY, bi[m] = nr;
        for (long j = 0; j < nr; j++) {
            if (skip && skip[i] == j) continue;
            double e = d2(q + (size_t)i * d, r + (size_t)j * d, d);
            int m = k;
            while (m > 0 && (bd[m - 1] > e || (bd[m - 1] == e && bi[m - 1] > j))) m--;
            if (m == k) continue;
            for (int t = k - 1; t > m; t--) bd[t] = bd[t - 1], bi[t] = bi[t - 1];
            bd[m] = e;
            bi[m] = j;
        }
    }
}

static void check_knn(const float *q, long nq, const float *r, long nr, int d, int k, const long *skip)
{
    double *a = malloc((size_t)nq * k * sizeof *a), *b = malloc((size_t)nq * k * sizeof *b);
    long *ia = malloc((size_t)nq * k * sizeof *ia), *ib = malloc((size_t)nq * k * sizeof *ib);
    gan_error err;
    ck_assert_int_eq(gan_knn(q, nq, r, nr, d, k, skip, a, ia, &err), GAN_OK);
    brute_knn(q, nq, r, nr, d, k, skip, b, ib);
    for (size_t t = 0; t < (size_t)nq * k; t++) {
        ck_assert_msg(a[t] == b[t], "neighbour %zu: distance %.17g, brute force %.17g", t, a[t], b[t]);
        ck_assert_msg(ia[t] == ib[t], "neighbour %zu: row %ld, brute force %ld", t, ia[t], ib[t]);
    }
    free(a), free(b), free(ia), free(ib);
}

START_TEST(test_knn_matches_brute_force_across_blocks)
{
    /* 700 queries and 2500 references: more than one block of each (512, 2048) */
    float *q = random_points(700, 37, 1, 1, 0), *r = random_points(2500, 37, 2, 1, 0);
    check_knn(q, 700, r, 2500, 37, 5, NULL);
    check_knn(q, 700, r, 2500, 37, 1, NULL);
    gan_free_floats(q);
    gan_free_floats(r);
}
END_TEST

START_TEST(test_knn_self_skips_own_row_keeps_duplicates_and_breaks_ties_by_row)
{
    enum { N = 600, D = 6 };
    float *x = random_points(N, D, 3, 1, 0);
    /* rows 10, 20 and 30 equal row 5: distance 0 to each other, not to itself */
    for (int j = 10; j <= 30; j += 10) memcpy(x + j * D, x + 5 * D, D * sizeof *x);
    /* a lattice of points at equal distances: ties everywhere */
    for (int i = 100; i < 200; i++)
        for (int k = 0; k < D; k++) x[i * D + k] = (float)((i + k) % 3);
    long skip[N];
    for (int i = 0; i < N; i++) skip[i] = i;
    check_knn(x, N, x, N, D, 4, skip);
    double dist[4];
    long idx[4];
    gan_error err;
    ck_assert_int_eq(gan_knn(x + 5 * D, 1, x, N, D, 4, skip + 5, dist, idx, &err), GAN_OK);
    ck_assert(dist[0] == 0 && dist[1] == 0 && dist[2] == 0 && dist[3] > 0);
    ck_assert(idx[0] == 10 && idx[1] == 20 && idx[2] == 30);
    gan_free_floats(x);
}
END_TEST

START_TEST(test_knn_exact_far_from_the_origin)
{
    /* |x|^2 ~ 1e6 * d against distances ~ 1e-4: the float GEMM cannot
     * separate the neighbours, the exact recomputation must */
    float *q = random_points(300, 16, 4, 1e-2f, 1000), *r = random_points(900, 16, 5, 1e-2f, 1000);
    check_knn(q, 300, r, 900, 16, 3, NULL);
    gan_free_floats(q);
    gan_free_floats(r);
}
END_TEST

START_TEST(test_knn_too_few_points_is_an_error)
{
    float *x = random_points(3, 2, 6, 1, 0);
    long skip[3] = { 0, 1, 2 };
    double dist[9];
    gan_error err;
    gan_error_clear(&err);
    ck_assert_int_ne(gan_knn(x, 3, x, 3, 2, 3, skip, dist, NULL, &err), GAN_OK);
    ck_assert(strstr(err.msg, "3 points") != NULL);
    ck_assert_int_eq(gan_knn(x, 3, x, 3, 2, 2, skip, dist, NULL, &err), GAN_OK);
    gan_free_floats(x);
}
END_TEST

/* the definitions, from every pairwise distance in double */
static void naive_prdc(const float *real, long nr, const float *gen, long ng, int d, int kp, int kc, gan_prdc *o)
{
    double *rp = malloc(nr * sizeof *rp), *rc = malloc(nr * sizeof *rc), *rg = malloc(ng * sizeof *rg);
    double *v = malloc((size_t)(nr > ng ? nr : ng) * sizeof *v);
    for (int pass = 0; pass < 2; pass++) {
        const float *x = pass ? gen : real;
        long n = pass ? ng : nr;
        for (long i = 0; i < n; i++) {
            long m = 0;
            for (long j = 0; j < n; j++)
                if (j != i) v[m++] = d2(x + i * d, x + j * d, d);
            for (long a = 0; a < m; a++)   /* sort */
                for (long b = a + 1; b < m; b++)
                    if (v[b] < v[a]) { double t = v[a]; v[a] = v[b]; v[b] = t; }
            if (pass) rg[i] = v[kp - 1];
            else rp[i] = v[kp - 1], rc[i] = v[kc - 1];
        }
    }
    long p = 0, r = 0, c = 0, dn = 0;
    for (long i = 0; i < ng; i++) {
        int in = 0;
        for (long j = 0; j < nr; j++) {
            double e = d2(gen + i * d, real + j * d, d);
            in |= e <= rp[j];
            dn += e < rc[j];
        }
        p += in;
    }
    for (long j = 0; j < nr; j++) {
        int in = 0, cv = 0;
        for (long i = 0; i < ng; i++) {
            double e = d2(gen + i * d, real + j * d, d);
            in |= e <= rg[i];
            cv |= e < rc[j];
        }
        r += in;
        c += cv;
    }
    o->precision = (double)p / ng;
    o->recall = (double)r / nr;
    o->density = (double)dn / ((double)kc * ng);
    o->coverage = (double)c / nr;
    free(rp), free(rc), free(rg), free(v);
}

START_TEST(test_prdc_matches_the_definitions)
{
    /* generated: a narrower, shifted cloud; some points duplicated from real */
    enum { NR = 400, NG = 300, D = 8 };
    float *real = random_points(NR, D, 7, 1, 0), *gen = random_points(NG, D, 8, 0.6f, 0.3f);
    for (int i = 0; i < 20; i++) memcpy(gen + i * D, real + (3 * i) * D, D * sizeof *gen);
    gan_prdc a, b;
    gan_error err;
    ck_assert_int_eq(gan_prdc_compute(real, NR, gen, NG, D, 3, 5, &a, &err), GAN_OK);
    naive_prdc(real, NR, gen, NG, D, 3, 5, &b);
    ck_assert_double_eq(a.precision, b.precision);
    ck_assert_double_eq(a.recall, b.recall);
    ck_assert_double_eq(a.density, b.density);
    ck_assert_double_eq(a.coverage, b.coverage);
    /* the cloud inside the real one: precision high, recall lower */
    ck_assert(a.precision > a.recall && a.precision > 0.5 && a.recall > 0 && a.recall < 1);
    gan_free_floats(real);
    gan_free_floats(gen);
}
END_TEST

START_TEST(test_prdc_ball_edges_inside_for_precision_outside_for_coverage)
{
    /* d = 1: real 0, 10, ..., 50; the 3rd nearest other of 0 is 30, so
     * the generated point -30 lies on the edge of 0's ball and in no
     * other: inside for precision (<=), outside for density and coverage
     * (<).  The generated balls (3rd nearest generated: 330 for -30) hold
     * every real point. */
    float real[6] = { 0, 10, 20, 30, 40, 50 }, gen[4] = { -30, 100, 200, 300 };
    gan_prdc a;
    gan_error err;
    ck_assert_int_eq(gan_prdc_compute(real, 6, gen, 4, 1, 3, 3, &a, &err), GAN_OK);
    ck_assert_double_eq(a.precision, 0.25);
    ck_assert_double_eq(a.recall, 1);
    ck_assert_double_eq(a.density, 0);
    ck_assert_double_eq(a.coverage, 0);
    gen[0] = -29;   /* inside: 0's ball now holds it for all four */
    ck_assert_int_eq(gan_prdc_compute(real, 6, gen, 4, 1, 3, 3, &a, &err), GAN_OK);
    ck_assert_double_eq(a.precision, 0.25);
    ck_assert_double_eq(a.density, 1.0 / 12);
    ck_assert_double_eq(a.coverage, 1.0 / 6);
}
END_TEST

START_TEST(test_prdc_of_a_set_against_itself)
{
    enum { N = 200, D = 5 };
    float *x = random_points(N, D, 9, 1, 0);
    gan_prdc a;
    gan_error err;
    ck_assert_int_eq(gan_prdc_compute(x, N, x, N, D, 3, 5, &a, &err), GAN_OK);
    ck_assert_double_eq(a.precision, 1);
    ck_assert_double_eq(a.recall, 1);
    ck_assert_double_eq(a.coverage, 1);
    /* each point lies in its own ball and in those of the points it is
     * among the 4 nearest others of (strictly): on average 1 + 4 balls */
    ck_assert_double_eq_tol(a.density, 1.0, 1e-12);
    ck_assert_int_ne(gan_prdc_compute(x, 5, x, N, D, 3, 5, &a, &err), GAN_OK);   /* 5 real: too few for k 5 */
    gan_free_floats(x);
}
END_TEST

START_TEST(test_kid_hand_computed)
{
    /* d = 1, k(x, y) = (x y + 1)^3; gen {0, 1}, real {1, 2}:
     * gen pairs k(0,1) = 1, real pairs k(1,2) = 27, cross 1 + 1 + 8 + 27 = 37
     * MMD = (2 * 1 + 2 * 27) / (2 * 1) - 2 * 37 / 4 = 28 - 18.5 = 9.5 */
    float gen[2] = { 0, 1 }, real[2] = { 1, 2 };
    double mean, std;
    gan_error err;
    ck_assert_int_eq(gan_kid(real, 2, gen, 2, 1, 1, 1000, 1, &mean, &std, &err), GAN_OK);
    ck_assert_double_eq_tol(mean, 9.5, 1e-12);
    ck_assert_double_eq(std, 0);
    /* every subset is the whole set: the same value 5 times, std 0 */
    ck_assert_int_eq(gan_kid(real, 2, gen, 2, 1, 5, 1000, 7, &mean, &std, &err), GAN_OK);
    ck_assert_double_eq_tol(mean, 9.5, 1e-12);
    ck_assert_double_eq_tol(std, 0, 1e-12);
    float one[1] = { 0 };
    ck_assert_int_ne(gan_kid(one, 1, gen, 2, 1, 1, 1000, 1, &mean, &std, &err), GAN_OK);
}
END_TEST

static double kern(const float *x, const float *y, int d)
{
    double s = 0;
    for (int k = 0; k < d; k++) s += (double)x[k] * y[k];
    s = s / d + 1;
    return s * s * s;
}

START_TEST(test_kid_matches_the_u_statistic_and_subsets_vary)
{
    enum { N = 150, D = 12 };
    float *g = random_points(N, D, 10, 1, 0.2f), *r = random_points(N, D, 11, 1, 0);
    double a = 0, b = 0;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            if (i != j) a += kern(g + i * D, g + j * D, D) + kern(r + i * D, r + j * D, D);
            b += kern(g + i * D, r + j * D, D);
        }
    double want = a / ((double)N * (N - 1)) - 2 * b / ((double)N * N), mean, std;
    gan_error err;
    ck_assert_int_eq(gan_kid(r, N, g, N, D, 1, 1000, 3, &mean, &std, &err), GAN_OK);
    ck_assert_double_eq_tol(mean, want, 1e-6 * fabs(want));   /* float dot products */
    ck_assert(want > 0);
    /* 100 subsets of 50: a spread around the same value, the same for the same seed */
    double m2, s2, m3, s3;
    ck_assert_int_eq(gan_kid(r, N, g, N, D, 100, 50, 3, &m2, &s2, &err), GAN_OK);
    ck_assert_int_eq(gan_kid(r, N, g, N, D, 100, 50, 3, &m3, &s3, &err), GAN_OK);
    ck_assert(m2 == m3 && s2 == s3);
    ck_assert(s2 > 0 && fabs(m2 - want) < 3 * s2);
    gan_free_floats(g);
    gan_free_floats(r);
}
END_TEST

START_TEST(test_nn_train_summary)
{
    enum { NG = 40, NT = 60, D = 9 };
    float *g = random_points(NG, D, 12, 1, 0), *t = random_points(NT, D, 13, 1, 0);
    memcpy(g, t + 7 * D, D * sizeof *g);   /* generated 0 copies training 7 */
    gan_nn_summary s;
    gan_error err;
    ck_assert_int_eq(gan_nn_train(g, NG, t, NT, D, NT, 1, &s, &err), GAN_OK);
    double v[NG], w[NT], mean = 0;
    for (int i = 0; i < NG; i++) {
        v[i] = INFINITY;
        for (int j = 0; j < NT; j++) v[i] = fmin(v[i], sqrt(d2(g + i * D, t + j * D, D) / D));
        mean += v[i] / NG;
    }
    for (int i = 0; i < NT; i++) {
        w[i] = INFINITY;
        for (int j = 0; j < NT; j++)
            if (j != i) w[i] = fmin(w[i], sqrt(d2(t + i * D, t + j * D, D) / D));
    }
    for (int a = 0; a < NT; a++)
        for (int b = a + 1; b < NT; b++)
            if (w[b] < w[a]) { double x = w[a]; w[a] = w[b]; w[b] = x; }
    double ref = 0.5 * (w[NT / 2 - 1] + w[NT / 2]);
    int closer = 0;
    for (int i = 0; i < NG; i++) closer += v[i] < ref;
    ck_assert_double_eq(s.min, 0);
    ck_assert_double_eq_tol(s.mean, mean, 1e-12);
    ck_assert_double_eq_tol(s.ref_median, ref, 1e-12);
    ck_assert_double_eq_tol(s.closer, (double)closer / NG, 1e-12);
    ck_assert_int_eq(s.nref, NT);
    for (int a = 0; a < NG; a++)
        for (int b = a + 1; b < NG; b++)
            if (v[b] < v[a]) { double x = v[a]; v[a] = v[b]; v[b] = x; }
    ck_assert_double_eq_tol(s.median, 0.5 * (v[NG / 2 - 1] + v[NG / 2]), 1e-12);
    gan_free_floats(g);
    gan_free_floats(t);
}
END_TEST

START_TEST(test_frechet_sets_is_mean_cov_then_distance)
{
    enum { N = 300, D = 24 };
    float *a = random_points(N, D, 14, 1, 0), *b = random_points(N, D, 15, 2, 1);
    double m1[D], m2[D], S1[D * D], S2[D * D];
    gan_mean_cov(a, N, D, m1, S1);
    gan_mean_cov(b, N, D, m2, S2);
    double want = gan_frechet_distance(m1, S1, m2, S2, D);
    ck_assert_double_eq_tol(gan_frechet_sets(a, N, b, N, D), want, 1e-10 * want);
    ck_assert(want > 1);
    ck_assert_double_eq_tol(gan_frechet_sets(a, N, a, N, D), 0, 1e-9);
    gan_free_floats(a);
    gan_free_floats(b);
}
END_TEST

/* ---- the feature extractor ---------------------------------------------- */

START_TEST(test_resize_same_size_copies_and_constant_stays_constant)
{
    enum { C = 2, H = 7, W = 5 };
    float *x = random_points(C * H * W, 1, 16, 1, 0), y[C * H * W], z[3 * 64 * 64];
    gan_resize_linear(x, C, H, W, y, H, W);
    ck_assert(memcmp(x, y, sizeof y) == 0);
    float k[3 * 40 * 90];
    for (int i = 0; i < 3 * 40 * 90; i++) k[i] = 0.25f;
    gan_resize_linear(k, 3, 40, 90, z, 64, 64);   /* up one way, down the other */
    for (int i = 0; i < 3 * 64 * 64; i++) ck_assert_float_eq_tol(z[i], 0.25f, 1e-6f);
    /* 2x down: each output the mean of a 4 x 4 triangle window; a
     * left/right half image stays a half image at the middle column */
    float h[8 * 8], o[4 * 4];
    for (int i = 0; i < 64; i++) h[i] = i % 8 < 4 ? -1.0f : 1.0f;
    gan_resize_linear(h, 1, 8, 8, o, 4, 4);
    for (int i = 0; i < 4; i++) {
        ck_assert_float_eq_tol(o[i * 4 + 0], -1.0f, 1e-6f);
        ck_assert_float_eq_tol(o[i * 4 + 1], -o[i * 4 + 2], 1e-6f);
        ck_assert_float_eq_tol(o[i * 4 + 3], 1.0f, 1e-6f);
    }
    gan_free_floats(x);
}
END_TEST

/* The network of features.c computed naively in double from the weights
 * its comment describes: He-uniform from gan_rng (GAN_STREAM_FEATURES_SEED,
 * entry index), entries conv, relu, avgpool per stage. */
static void naive_features(const float *img, double *out)
{
    static const int widths[4] = { 32, 64, 128, 256 };
    int C = 3, S = 64;
    double *x = malloc((size_t)3 * S * S * sizeof *x);
    for (int i = 0; i < 3 * S * S; i++) x[i] = img[i];
    for (int s = 0; s < 4; s++) {
        int OC = widths[s];
        float *w = malloc((size_t)OC * C * 9 * sizeof *w);
        gan_rng r;
        gan_rng_seed_stream(&r, GAN_STREAM_FEATURES_SEED, (uint64_t)(3 * s));
        float a = sqrtf(6.0f / (9.0f * (float)C));
        for (int t = 0; t < OC * C * 9; t++) w[t] = a * (float)(2.0 * gan_rng_uniform(&r) - 1.0);
        double *y = malloc((size_t)OC * (S / 2) * (S / 2) * sizeof *y);
        for (int o = 0; o < OC; o++)
            for (int i = 0; i < S / 2; i++)
                for (int j = 0; j < S / 2; j++) {
                    double pool = 0;
                    for (int di = 0; di < 2; di++)
                        for (int dj = 0; dj < 2; dj++) {
                            int yi = 2 * i + di, yj = 2 * j + dj;
                            double v = 0;
                            for (int c = 0; c < C; c++)
                                for (int ki = 0; ki < 3; ki++)
                                    for (int kj = 0; kj < 3; kj++) {
                                        int xi = yi + ki - 1, xj = yj + kj - 1;
                                        if (xi < 0 || xj < 0 || xi >= S || xj >= S) continue;
                                        v += (double)w[((o * C + c) * 3 + ki) * 3 + kj] * x[(c * S + xi) * S + xj];
                                    }
                            pool += v > 0 ? v : 0;
                        }
                    y[(o * (S / 2) + i) * (S / 2) + j] = pool / 4;
                }
        free(w);
        free(x);
        x = y;
        C = OC;
        S /= 2;
    }
    for (int c = 0; c < 256; c++) {
        double m = 0;
        for (int i = 0; i < S * S; i++) m += x[c * S * S + i];
        out[c] = m / (S * S);
    }
    free(x);
}

START_TEST(test_features_match_a_naive_network_and_repeat)
{
    gan_features *f, *f2;
    gan_error err;
    ck_assert_int_eq(gan_features_create(&f, &err), GAN_OK);
    ck_assert_int_eq(gan_features_create(&f2, &err), GAN_OK);
    ck_assert_str_eq(gan_features_name(), "random-conv-v1");
    float *x = random_points(2 * 3 * 64 * 64, 1, 17, 0.5f, 0);
    for (int i = 0; i < 3 * 64 * 64; i++) x[i] = fmaxf(-1, fminf(1, x[i]));
    float feat[2 * GAN_FEATURES_DIM], again[2 * GAN_FEATURES_DIM];
    gan_shape s = { 3, { 3, 64, 64 } };
    ck_assert_int_eq(gan_features_run(f, x, 2, s, feat, &err), GAN_OK);
    ck_assert_int_eq(gan_features_run(f2, x, 2, s, again, &err), GAN_OK);
    ck_assert(memcmp(feat, again, sizeof feat) == 0);
    double ref[GAN_FEATURES_DIM], scale = 0;
    naive_features(x, ref);
    for (int c = 0; c < GAN_FEATURES_DIM; c++) scale = fmax(scale, fabs(ref[c]));
    ck_assert(scale > 1e-3);
    for (int c = 0; c < GAN_FEATURES_DIM; c++)
        ck_assert_msg(fabs(feat[c] - ref[c]) <= 1e-4 * scale, "feature %d: %g, naive %g", c, feat[c], ref[c]);
    gan_features_free(f);
    gan_features_free(f2);
    gan_free_floats(x);
}
END_TEST

START_TEST(test_features_gray_is_colour_with_equal_channels)
{
    gan_features *f;
    gan_error err;
    ck_assert_int_eq(gan_features_create(&f, &err), GAN_OK);
    enum { H = 20, W = 28 };
    float *g = random_points(H * W, 1, 18, 0.5f, 0), c[3 * H * W];
    for (int k = 0; k < 3; k++) memcpy(c + k * H * W, g, H * W * sizeof *c);
    float fg[GAN_FEATURES_DIM], fc[GAN_FEATURES_DIM], fv[GAN_FEATURES_DIM];
    gan_shape sg = { 3, { 1, H, W } }, sc = { 3, { 3, H, W } };
    ck_assert_int_eq(gan_features_run(f, g, 1, sg, fg, &err), GAN_OK);
    ck_assert_int_eq(gan_features_run(f, c, 1, sc, fc, &err), GAN_OK);
    ck_assert(memcmp(fg, fc, sizeof fg) == 0);
    /* (K*K) vectors are K x K gray images */
    float *v = random_points(16 * 16, 1, 19, 0.5f, 0);
    gan_shape sv = { 1, { 256, 0, 0 } }, si = { 3, { 1, 16, 16 } };
    ck_assert_int_eq(gan_features_run(f, v, 1, sv, fv, &err), GAN_OK);
    ck_assert_int_eq(gan_features_run(f, v, 1, si, fg, &err), GAN_OK);
    ck_assert(memcmp(fg, fv, sizeof fg) == 0);
    gan_shape bad = { 3, { 2, H, W } };
    gan_error_clear(&err);
    ck_assert_int_ne(gan_features_run(f, c, 1, bad, fc, &err), GAN_OK);
    ck_assert(strstr(err.msg, "(2, 20, 28)") != NULL);
    gan_features_free(f);
    gan_free_floats(g);
    gan_free_floats(v);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("eval");
    TCase *t = tcase_create("metrics");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, test_knn_matches_brute_force_across_blocks);
    tcase_add_test(t, test_knn_self_skips_own_row_keeps_duplicates_and_breaks_ties_by_row);
    tcase_add_test(t, test_knn_exact_far_from_the_origin);
    tcase_add_test(t, test_knn_too_few_points_is_an_error);
    tcase_add_test(t, test_prdc_matches_the_definitions);
    tcase_add_test(t, test_prdc_ball_edges_inside_for_precision_outside_for_coverage);
    tcase_add_test(t, test_prdc_of_a_set_against_itself);
    tcase_add_test(t, test_kid_hand_computed);
    tcase_add_test(t, test_kid_matches_the_u_statistic_and_subsets_vary);
    tcase_add_test(t, test_nn_train_summary);
    tcase_add_test(t, test_frechet_sets_is_mean_cov_then_distance);
    tcase_add_test(t, test_resize_same_size_copies_and_constant_stays_constant);
    tcase_add_test(t, test_features_match_a_naive_network_and_repeat);
    tcase_add_test(t, test_features_gray_is_colour_with_equal_channels);
    suite_add_tcase(s, t);
    return tu_run_suite(s);
}
