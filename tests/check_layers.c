/* check_layers.c - every layer type: gradients against finite differences,
 * convolutions against naive loops, hand-computed values, shape errors. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gan/gan.h"
#include "testutil.h"
#include "layers/layers.h"   /* gan_im2col, gan_col2im: libgan exports gan_* */

/* ---- helpers ----------------------------------------------------------- */

static void assert_grads_ok(gradcheck_result r)
{
    ck_assert_int_gt(r.checked_dx, 0);
    ck_assert_double_lt(r.max_rel_dx, 1e-2);
    ck_assert_double_lt(r.max_rel_dp, 1e-2);
}

/* ---- naive references --------------------------------------------------- */

/* y (B, OC, OH, OW) = b + conv(x (B, C, H, W), w (OC, C, K, K)) */
static void conv_naive(float *y, const float *x, const float *w, const float *b, int B, int C,
                       int H, int W, int OC, int K, int S, int P, int OH, int OW)
{
    for (int n = 0; n < B; n++)
        for (int o = 0; o < OC; o++)
            for (int i = 0; i < OH; i++)
                for (int j = 0; j < OW; j++) {
                    double s = b ? b[o] : 0;
                    for (int c = 0; c < C; c++)
                        for (int kh = 0; kh < K; kh++)
                            for (int kw = 0; kw < K; kw++) {
                                int ih = i * S - P + kh, iw = j * S - P + kw;
                                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                                s += (double)w[((o * C + c) * K + kh) * K + kw] *
                                     x[((n * C + c) * H + ih) * W + iw];
                            }
                    y[((n * OC + o) * OH + i) * OW + j] = (float)s;
                }
}

/* y (B, OC, OH, OW) = b + transposed conv(x (B, C, H, W), w (C, OC, K, K)) */
static void deconv_naive(float *y, const float *x, const float *w, const float *b, int B, int C,
                         int H, int W, int OC, int K, int S, int P, int OH, int OW)
{
    double *acc = calloc((size_t)B * OC * OH * OW, sizeof *acc);
    for (int n = 0; n < B; n++)
        for (int c = 0; c < C; c++)
            for (int i = 0; i < H; i++)
                for (int j = 0; j < W; j++)
                    for (int o = 0; o < OC; o++)
                        for (int kh = 0; kh < K; kh++)
                            for (int kw = 0; kw < K; kw++) {
                                int oy = i * S - P + kh, ox = j * S - P + kw;
                                if (oy < 0 || oy >= OH || ox < 0 || ox >= OW) continue;
                                acc[((n * OC + o) * OH + oy) * OW + ox] +=
                                    (double)x[((n * C + c) * H + i) * W + j] *
                                    w[((c * OC + o) * K + kh) * K + kw];
                            }
    for (int n = 0; n < B; n++)
        for (int o = 0; o < OC; o++)
            for (int p = 0; p < OH * OW; p++) {
                size_t k = ((size_t)n * OC + o) * OH * OW + p;
                y[k] = (float)(acc[k] + (b ? b[o] : 0));
            }
    free(acc);
}

/* forward of conv2d or deconv2d against the naive loop; returns max abs error */
static double conv_vs_naive(const char *type, int B, int C, int H, int W, int OC, int K, int S,
                            int P, int bias)
{
    gan_layer_conf c;
    char f[32], k[32], s[32], p[32], bb[32];
    snprintf(f, sizeof f, "filters=%d", OC);
    snprintf(k, sizeof k, "kernel=%d", K);
    snprintf(s, sizeof s, "stride=%d", S);
    snprintf(p, sizeof p, "pad=%d", P);
    snprintf(bb, sizeof bb, "bias=%d", bias);
    layer_conf(type, &c, f, k, s, p, bb, NULL);
    gan_net *net = tu_make_net(&c, R3(C, H, W), B, 7);
    int OH = net->out.d[1], OW = net->out.d[2];
    float *x = tu_randn((size_t)B * C * H * W, 8);
    size_t ny = (size_t)B * OC * OH * OW;
    float *ref = malloc(ny * sizeof *ref);
    const float *b = bias ? net->params + (size_t)OC * C * K * K : NULL;
    if (strcmp(type, "conv2d") == 0)
        conv_naive(ref, x, net->params, b, B, C, H, W, OC, K, S, P, OH, OW);
    else
        deconv_naive(ref, x, net->params, b, B, C, H, W, OC, K, S, P, OH, OW);
    const float *y = gan_net_forward(net, x, B, 1);
    double e = 0;
    for (size_t i = 0; i < ny; i++) e = fmax(e, fabs((double)y[i] - ref[i]));
    printf("%-8s B=%d (%d, %d, %d) -> (%d, %d, %d) K=%d S=%d P=%d: max |fast - naive| %.2e\n",
           type, B, C, H, W, OC, OH, OW, K, S, P, e);
    free(x);
    free(ref);
    gan_net_free(net);
    return e;
}

/* ---- column kernels (src/layers/im2col.c) against naive loops ----------- */

/* col (C*K*K, ldc): row (c, kh, kw), column oh*OW + ow = x[c, oh*S-P+kh, ow*S-P+kw] or 0 */
static void im2col_naive(float *col, size_t ldc, const float *x, int C, int H, int W, int K,
                         int S, int P, int OH, int OW)
{
    for (int c = 0; c < C; c++)
        for (int kh = 0; kh < K; kh++)
            for (int kw = 0; kw < K; kw++)
                for (int oh = 0; oh < OH; oh++)
                    for (int ow = 0; ow < OW; ow++) {
                        int ih = oh * S - P + kh, iw = ow * S - P + kw;
                        int in = ih >= 0 && ih < H && iw >= 0 && iw < W;
                        col[(((size_t)c * K + kh) * K + kw) * ldc + (size_t)oh * OW + ow] =
                            in ? x[((size_t)c * H + ih) * W + iw] : 0.0f;
                    }
}

/* x += the adjoint, the terms of each element added in the order (kh, kw) */
static void col2im_naive(float *x, const float *col, size_t ldc, int C, int H, int W, int K,
                         int S, int P, int OH, int OW)
{
    for (int c = 0; c < C; c++)
        for (int kh = 0; kh < K; kh++)
            for (int kw = 0; kw < K; kw++)
                for (int oh = 0; oh < OH; oh++)
                    for (int ow = 0; ow < OW; ow++) {
                        int ih = oh * S - P + kh, iw = ow * S - P + kw;
                        if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                        x[((size_t)c * H + ih) * W + iw] +=
                            col[(((size_t)c * K + kh) * K + kw) * ldc + (size_t)oh * OW + ow];
                    }
}

/* One shape, NB samples side by side in each row (ldc = NB*OH*OW + extra),
 * as the conv layers call them: gan_im2col, gan_col2im (onto a random x),
 * gan_col2im_set and gan_col2im_bias (onto a NaN-filled x) bit-identical to the naive
 * loops, sample by sample; the columns past NB*OH*OW of each row left
 * alone.  Returns the number of mismatches. */
static int columns_case(int NB, int C, int H, int W, int K, int S, int P, size_t extra,
                        uint64_t seed)
{
    int OH = (H + 2 * P - K) / S + 1, OW = (W + 2 * P - K) / S + 1;
    if (H + 2 * P < K || W + 2 * P < K) return 0;
    size_t ohw = (size_t)OH * OW, ldc = NB * ohw + extra, rows = (size_t)C * K * K;
    size_t chw = (size_t)C * H * W, nx = NB * chw, nc = rows * ldc;
    float *x = tu_randn(nx, seed), *col = tu_randn(nc, seed + 1), *ref = malloc(nc * sizeof *ref);
    memcpy(ref, col, nc * sizeof *ref);   /* the same bytes in the gaps */
    for (int n = 0; n < NB; n++)
        gan_im2col(col + n * ohw, ldc, x + n * chw, C, H, W, K, S, P, OH, OW);
    for (int n = 0; n < NB; n++)
        im2col_naive(ref + n * ohw, ldc, x + n * chw, C, H, W, K, S, P, OH, OW);
    int bad = memcmp(col, ref, nc * sizeof *col) != 0;
    float *dc = tu_randn(nc, seed + 2), *x1 = tu_randn(nx, seed + 3), *x2 = malloc(nx * sizeof *x2);
    memcpy(x2, x1, nx * sizeof *x2);
    for (int n = 0; n < NB; n++)
        gan_col2im(x1 + n * chw, dc + n * ohw, ldc, C, H, W, K, S, P, OH, OW);
    for (int n = 0; n < NB; n++)
        col2im_naive(x2 + n * chw, dc + n * ohw, ldc, C, H, W, K, S, P, OH, OW);
    bad += memcmp(x1, x2, nx * sizeof *x1) != 0;
    for (size_t i = 0; i < nx; i++) x1[i] = NAN;
    memset(x2, 0, nx * sizeof *x2);
    for (int n = 0; n < NB; n++)
        gan_col2im_set(x1 + n * chw, dc + n * ohw, ldc, C, H, W, K, S, P, OH, OW);
    for (int n = 0; n < NB; n++)
        col2im_naive(x2 + n * chw, dc + n * ohw, ldc, C, H, W, K, S, P, OH, OW);
    bad += memcmp(x1, x2, nx * sizeof *x1) != 0;
    /* gan_col2im_bias: as gan_col2im on x filled with each channel's b */
    float *b = tu_randn((size_t)C, seed + 4);
    for (size_t i = 0; i < nx; i++) x1[i] = NAN;
    for (size_t i = 0; i < nx; i++) x2[i] = b[i / ((size_t)H * W) % C];
    for (int n = 0; n < NB; n++)
        gan_col2im_bias(x1 + n * chw, dc + n * ohw, ldc, b, C, H, W, K, S, P, OH, OW);
    for (int n = 0; n < NB; n++)
        col2im_naive(x2 + n * chw, dc + n * ohw, ldc, C, H, W, K, S, P, OH, OW);
    bad += memcmp(x1, x2, nx * sizeof *x1) != 0;
    free(b);
    if (bad)
        printf("columns: mismatch at NB=%d C=%d H=%d W=%d K=%d S=%d P=%d ldc=%zu\n", NB, C, H, W,
               K, S, P, ldc);
    free(x);
    free(col);
    free(ref);
    free(dc);
    free(x1);
    free(x2);
    return bad;
}

/* The chunks (gan_conv_chunk_rows) cover the batch once, in order, each
 * within one chunk of NB samples. */
START_TEST(test_conv_units_cover_the_batch)
{
    for (int B = 1; B <= 70; B++)
        for (int NB = 1; NB <= 9; NB++) {
            gan_ctx c = { .B = B, .ntasks = 2 };
            int nch = (B + NB - 1) / NB, next = 0;
            for (int u = 0; u < nch; u++) {
                int n0, nb;
                gan_conv_chunk_rows(&c, NB, u, &n0, &nb);
                ck_assert_int_eq(n0, next);
                ck_assert_int_ge(nb, 1);
                ck_assert_int_le(nb, NB);
                /* a unit inside one chunk */
                ck_assert_int_eq(n0 / NB, (n0 + nb - 1) / NB);
                next = n0 + nb;
            }
            ck_assert_int_eq(next, B);
        }
}
END_TEST

START_TEST(test_columns_match_naive)
{
    /* odd and even sizes, kernels larger than the stride and smaller, pad up
     * to 2, rows with and without a gap to the next sample's columns */
    static const int sizes[][2] = { { 1, 1 }, { 2, 3 }, { 5, 4 }, { 7, 7 }, { 8, 9 }, { 14, 13 } };
    int cases = 0, bad = 0;
    uint64_t seed = 10;
    for (int C = 1; C <= 3; C++)
        for (int K = 1; K <= 5; K++)
            for (int S = 1; S <= 3; S++)
                for (int P = 0; P <= 2; P++)
                    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
                        int H = sizes[i][0], W = sizes[i][1];
                        if (H + 2 * P < K || W + 2 * P < K) continue;
                        bad += columns_case(1 + cases % 3, C, H, W, K, S, P,
                                            (size_t)(cases % 2) * 5, seed += 4);
                        cases++;
                    }
    /* the DCGAN-28 shapes, up to 4 samples' columns per row */
    bad += columns_case(1, 64, 14, 14, 4, 2, 1, 3 * 49, 1);
    bad += columns_case(4, 64, 14, 14, 4, 2, 1, 0, 1);
    bad += columns_case(3, 1, 28, 28, 4, 2, 1, 196, 2);
    /* too large for the planes on the stack (the row-by-row path), and a
     * kernel above the planes' largest */
    bad += columns_case(1, 2, 95, 97, 3, 1, 1, 7, 3);
    bad += columns_case(2, 2, 95, 97, 3, 1, 1, 0, 3);
    bad += columns_case(2, 2, 12, 11, 9, 2, 3, 0, 4);
    bad += columns_case(1, 1, 40, 33, 9, 1, 4, 2, 5);
    printf("columns: %d shapes, %d mismatches\n", cases + 7, bad);
    ck_assert_int_gt(cases, 600);
    ck_assert_int_eq(bad, 0);
}
END_TEST

/* ---- convolutions ------------------------------------------------------- */

START_TEST(test_conv2d_forward_matches_naive)
{
    ck_assert_double_lt(conv_vs_naive("conv2d", 3, 2, 5, 7, 3, 3, 2, 1, 1), 1e-4);
    ck_assert_double_lt(conv_vs_naive("conv2d", 2, 3, 6, 4, 4, 2, 1, 0, 0), 1e-4);
    ck_assert_double_lt(conv_vs_naive("conv2d", 1, 1, 28, 28, 8, 4, 2, 1, 1), 1e-4);
    ck_assert_double_lt(conv_vs_naive("conv2d", 2, 2, 5, 5, 2, 3, 3, 2, 1), 1e-4);
    /* 1x1 kernel, and a kernel as large as the padded input */
    ck_assert_double_lt(conv_vs_naive("conv2d", 2, 3, 4, 5, 2, 1, 1, 0, 1), 1e-4);
    ck_assert_double_lt(conv_vs_naive("conv2d", 2, 2, 3, 4, 3, 5, 1, 1, 1), 1e-4);
}
END_TEST

START_TEST(test_conv2d_forward_matches_naive_across_chunks)
{
    /* (16, 32, 32) K=3: 16 samples per chunk, so B=20 takes two GEMMs */
    ck_assert_double_lt(conv_vs_naive("conv2d", 20, 16, 32, 32, 8, 3, 1, 1, 1), 1e-3);
}
END_TEST

START_TEST(test_deconv2d_forward_matches_naive)
{
    ck_assert_double_lt(conv_vs_naive("deconv2d", 3, 2, 3, 5, 3, 4, 2, 1, 1), 1e-4);
    ck_assert_double_lt(conv_vs_naive("deconv2d", 2, 3, 4, 3, 2, 3, 1, 0, 0), 1e-4);
    ck_assert_double_lt(conv_vs_naive("deconv2d", 1, 4, 7, 7, 2, 4, 2, 1, 1), 1e-4);
    /* stride larger than the kernel leaves bias-only pixels */
    ck_assert_double_lt(conv_vs_naive("deconv2d", 2, 2, 3, 4, 2, 2, 3, 0, 1), 1e-4);
    ck_assert_double_lt(conv_vs_naive("deconv2d", 2, 2, 4, 4, 3, 5, 2, 2, 1), 1e-4);
}
END_TEST

START_TEST(test_deconv2d_forward_matches_naive_across_chunks)
{
    /* (8, 32, 32) -> (8, 64, 64): 16 samples per chunk, B=17 takes two GEMMs */
    ck_assert_double_lt(conv_vs_naive("deconv2d", 17, 8, 32, 32, 8, 4, 2, 1, 1), 1e-3);
}
END_TEST

START_TEST(test_deconv2d_is_adjoint_of_conv2d)
{
    /* conv C=3 -> OC=4 on (3, 7, 9) with K=3 S=2 P=1 gives (4, 4, 5); deconv
     * 4 -> 3 with the same (4, 3, 3, 3) weights maps (4, 4, 5) back to (3, 7, 9).
     * Then <conv(x), z> = <x, deconv(z)>. */
    gan_layer_conf cc, cd;
    layer_conf("conv2d", &cc, "filters=4", "kernel=3", "stride=2", "pad=1", "bias=0", NULL);
    layer_conf("deconv2d", &cd, "filters=3", "kernel=3", "stride=2", "pad=1", "bias=0", NULL);
    int B = 2;
    gan_net *conv = tu_make_net(&cc, R3(3, 7, 9), B, 1);
    gan_net *dec = tu_make_net(&cd, R3(4, 4, 5), B, 2);
    ck_assert(gan_shape_eq(conv->out, R3(4, 4, 5)));
    ck_assert(gan_shape_eq(dec->out, R3(3, 7, 9)));
    ck_assert_uint_eq(conv->nparams, dec->nparams);
    memcpy(dec->params, conv->params, conv->nparams * sizeof(float));
    size_t nx = (size_t)B * 3 * 7 * 9, nz = (size_t)B * 4 * 4 * 5;
    float *x = tu_randn(nx, 3), *z = tu_randn(nz, 4);
    const float *cx = gan_net_forward(conv, x, B, 1);
    const float *dz = gan_net_forward(dec, z, B, 1);
    double a = 0, b = 0;
    for (size_t i = 0; i < nz; i++) a += (double)cx[i] * z[i];
    for (size_t i = 0; i < nx; i++) b += (double)x[i] * dz[i];
    printf("adjoint: <conv(x), z> = %.6f, <x, deconv(z)> = %.6f\n", a, b);
    ck_assert_double_lt(fabs(a - b), 1e-4 * fmax(1.0, fabs(a)));
    free(x);
    free(z);
    gan_net_free(conv);
    gan_net_free(dec);
}
END_TEST

START_TEST(test_conv2d_gradcheck)
{
    gan_layer_conf c;
    layer_conf("conv2d", &c, "filters=3", "kernel=3", "stride=2", "pad=1", NULL);
    assert_grads_ok(gradcheck_layer(&c, R3(2, 5, 7), 3, 1, 11));
    layer_conf("conv2d", &c, "filters=2", "kernel=2", NULL);
    assert_grads_ok(gradcheck_layer(&c, R3(3, 4, 3), 2, 1, 12));
    layer_conf("conv2d", &c, "filters=2", "kernel=4", "stride=3", "pad=2", "bias=0", NULL);
    assert_grads_ok(gradcheck_layer(&c, R3(2, 6, 5), 2, 1, 13));
    /* one sample: the GEMMs read and write the sample's tensors directly */
    assert_grads_ok(gradcheck_layer(&c, R3(2, 6, 5), 1, 1, 14));
}
END_TEST

START_TEST(test_deconv2d_gradcheck)
{
    gan_layer_conf c;
    layer_conf("deconv2d", &c, "filters=3", "kernel=4", "stride=2", "pad=1", NULL);
    assert_grads_ok(gradcheck_layer(&c, R3(2, 3, 4), 3, 1, 21));
    layer_conf("deconv2d", &c, "filters=2", "kernel=3", NULL);
    assert_grads_ok(gradcheck_layer(&c, R3(3, 2, 3), 2, 1, 22));
    layer_conf("deconv2d", &c, "filters=2", "kernel=2", "stride=3", "pad=0", "bias=0", NULL);
    assert_grads_ok(gradcheck_layer(&c, R3(2, 3, 2), 2, 1, 23));
    assert_grads_ok(gradcheck_layer(&c, R3(2, 3, 2), 1, 1, 24));
}
END_TEST

/* batches of two chunks (see the forward tests), fewer coordinates checked */
START_TEST(test_conv_gradcheck_across_chunks)
{
    gan_layer_conf c;
    layer_conf("conv2d", &c, "filters=8", "kernel=3", "pad=1", NULL);
    gan_net *net = tu_make_net(&c, R3(16, 32, 32), 20, 25);
    float *x = tu_randn((size_t)20 * 16 * 32 * 32, 26);
    gradcheck_result r = gradcheck_net(net, x, 20, 1, 1e-2, 1e-2, 30);
    printf("gradcheck conv2d     in (16, 32, 32)   B=20: dx rel err %.2e (%d), dparam rel err %.2e (%d)\n",
           r.max_rel_dx, r.checked_dx, r.max_rel_dp, r.checked_dp);
    assert_grads_ok(r);
    free(x);
    gan_net_free(net);
    layer_conf("deconv2d", &c, "filters=8", "kernel=4", "stride=2", "pad=1", NULL);
    net = tu_make_net(&c, R3(8, 32, 32), 17, 27);
    x = tu_randn((size_t)17 * 8 * 32 * 32, 28);
    r = gradcheck_net(net, x, 17, 1, 1e-2, 1e-2, 30);
    printf("gradcheck deconv2d   in (8, 32, 32)    B=17: dx rel err %.2e (%d), dparam rel err %.2e (%d)\n",
           r.max_rel_dx, r.checked_dx, r.max_rel_dp, r.checked_dp);
    assert_grads_ok(r);
    free(x);
    gan_net_free(net);
}
END_TEST

/* ---- batchnorm ---------------------------------------------------------- */

START_TEST(test_batchnorm_gradcheck_training)
{
    gan_layer_conf c;
    layer_conf("batchnorm", &c, NULL);
    assert_grads_ok(gradcheck_layer(&c, R3(3, 2, 3), 4, 1, 31));
    assert_grads_ok(gradcheck_layer(&c, R1(5), 8, 1, 32));
    layer_conf("batchnorm", &c, "affine=0", NULL);
    assert_grads_ok(gradcheck_layer(&c, R3(2, 3, 2), 3, 1, 33));
}
END_TEST

/* sync: true on one rank (no MPI job): the synchronised path, whose sums
 * over ranks are then the rank's own, checked against finite differences
 * and against the plain layer bit for bit.  tests/mpi.sh checks 2 ranks. */
START_TEST(test_batchnorm_sync_one_rank)
{
    gan_layer_conf c, p;
    layer_conf("batchnorm", &c, "sync=1", NULL);
    assert_grads_ok(gradcheck_layer(&c, R3(3, 2, 3), 4, 1, 36));
    assert_grads_ok(gradcheck_layer(&c, R1(5), 8, 1, 37));
    layer_conf("batchnorm", &p, NULL);
    const gan_shape shapes[2] = { R3(3, 2, 3), R1(5) };
    for (int k = 0; k < 2; k++) {
        int B = 6;
        size_t n = (size_t)B * gan_shape_size(shapes[k]);
        gan_net *a = tu_make_net(&c, shapes[k], B, 38), *b = tu_make_net(&p, shapes[k], B, 38);
        float *x = tu_randn(n, 39), *dy = tu_randn(n, 40);
        float *dxa = malloc(n * sizeof *dxa), *dxb = malloc(n * sizeof *dxb);
        const float *ya = gan_net_forward(a, x, B, 1);
        const float *yb = gan_net_forward(b, x, B, 1);
        ck_assert(memcmp(ya, yb, n * sizeof *ya) == 0);
        gan_net_zero_grad(a);
        gan_net_zero_grad(b);
        gan_net_backward(a, dy, dxa, 1);
        gan_net_backward(b, dy, dxb, 1);
        ck_assert(memcmp(dxa, dxb, n * sizeof *dxa) == 0);
        ck_assert(memcmp(a->grads, b->grads, a->nparams * sizeof(float)) == 0);
        ck_assert(memcmp(a->bufs, b->bufs, a->nbufs * sizeof(float)) == 0);
        free(x), free(dy), free(dxa), free(dxb);
        gan_net_free(a);
        gan_net_free(b);
    }
}
END_TEST

START_TEST(test_batchnorm_gradcheck_eval)
{
    gan_layer_conf c;
    layer_conf("batchnorm", &c, NULL);
    gan_net *net = tu_make_net(&c, R3(3, 2, 2), 3, 34);
    /* running statistics away from the (0, 1) of a fresh layer */
    for (int i = 0; i < 3; i++) {
        net->bufs[i] = 0.3f * (float)(i - 1);
        net->bufs[3 + i] = 0.5f + 0.7f * (float)i;
    }
    float *x = tu_randn(3 * 12, 35);
    assert_grads_ok(tu_check_on(net, x, 3, 0));
    free(x);
    gan_net_free(net);
}
END_TEST

START_TEST(test_batchnorm_eval_uses_running_stats)
{
    gan_layer_conf c;
    layer_conf("batchnorm", &c, NULL);
    gan_net *net = tu_make_net(&c, R1(2), 1, 1);
    float p[4] = { 2, 1, 0.5f, 0 };        /* gamma, beta */
    float b[4] = { 1, -2, 4, 0.25f };      /* running mean, running var */
    memcpy(net->params, p, sizeof p);
    memcpy(net->bufs, b, sizeof b);
    float x[2] = { 3, -1.5f };
    const float *y = gan_net_forward(net, x, 1, 0);
    /* 2 (3 - 1)/sqrt(4 + 1e-5) + 0.5 and (-1.5 + 2)/sqrt(0.25 + 1e-5) */
    ck_assert_double_eq_tol(y[0], 2.0 * 2.0 / sqrt(4.00001) + 0.5, 1e-6);
    ck_assert_double_eq_tol(y[1], 0.5 / sqrt(0.25001), 1e-6);
    /* evaluation leaves the running statistics alone */
    ck_assert_mem_eq(net->bufs, b, sizeof b);
    gan_net_free(net);
}
END_TEST

START_TEST(test_batchnorm_training_normalises_and_updates_running_stats)
{
    gan_layer_conf c;
    layer_conf("batchnorm", &c, "momentum=0.1", NULL);
    gan_net *net = tu_make_net(&c, R3(1, 1, 2), 2, 1);
    net->params[0] = 1;
    net->params[1] = 0;
    float x[4] = { 1, 2, 3, 6 };   /* mean 3, biased var 3.5, unbiased 14/3 */
    const float *y = gan_net_forward(net, x, 2, 1);
    for (int i = 0; i < 4; i++) ck_assert_double_eq_tol(y[i], (x[i] - 3) / sqrt(3.5 + 1e-5), 1e-6);
    ck_assert_double_eq_tol(net->bufs[0], 0.1 * 3, 1e-6);
    ck_assert_double_eq_tol(net->bufs[1], 0.9 + 0.1 * 14.0 / 3.0, 1e-6);
    gan_net_free(net);
}
END_TEST

/* ---- activations -------------------------------------------------------- */

/* x pushed at least 0.1 away from 0, where the kinks are */
static float *randn_off_zero(size_t n, uint64_t seed)
{
    float *x = tu_randn(n, seed);
    for (size_t i = 0; i < n; i++) x[i] = x[i] < 0 ? x[i] - 0.1f : x[i] + 0.1f;
    return x;
}

static void gradcheck_off_zero(const gan_layer_conf *c, gan_shape in, int B, uint64_t seed)
{
    gan_net *net = tu_make_net(c, in, B, seed);
    float *x = randn_off_zero((size_t)B * gan_shape_size(in), seed + 1);
    assert_grads_ok(tu_check_on(net, x, B, 1));
    free(x);
    gan_net_free(net);
}

START_TEST(test_activations_gradcheck)
{
    gan_layer_conf c;
    layer_conf("leaky_relu", &c, NULL);
    gradcheck_off_zero(&c, R3(2, 3, 4), 2, 41);
    layer_conf("leaky_relu", &c, "slope=0", NULL);
    gradcheck_off_zero(&c, R1(9), 3, 42);
    layer_conf("elu", &c, "alpha=0.5", NULL);
    gradcheck_off_zero(&c, R3(2, 2, 3), 2, 43);
    layer_conf("tanh", &c, NULL);
    assert_grads_ok(gradcheck_layer(&c, R3(2, 3, 2), 2, 1, 44));
    layer_conf("sigmoid", &c, NULL);
    assert_grads_ok(gradcheck_layer(&c, R1(11), 3, 1, 45));
}
END_TEST

START_TEST(test_activations_values)
{
    float x[5] = { -2, -0.5f, 0, 0.5f, 40 };
    const char *types[4] = { "leaky_relu", "elu", "tanh", "sigmoid" };
    for (int t = 0; t < 4; t++) {
        gan_layer_conf c;
        layer_conf(types[t], &c, NULL);
        gan_net *net = tu_make_net(&c, R1(5), 1, 1);
        const float *y = gan_net_forward(net, x, 1, 1);
        for (int i = 0; i < 5; i++) {
            double v = x[i], e;
            if (t == 0) e = v > 0 ? v : 0.2 * v;
            else if (t == 1) e = v > 0 ? v : exp(v) - 1;
            else if (t == 2) e = tanh(v);
            else e = 1 / (1 + exp(-v));
            ck_assert_double_eq_tol(y[i], e, 1e-6);
        }
        gan_net_free(net);
    }
    /* sigmoid stays finite far out */
    gan_layer_conf c;
    layer_conf("sigmoid", &c, NULL);
    gan_net *net = tu_make_net(&c, R1(2), 1, 1);
    float big[2] = { -200, 200 };
    const float *y = gan_net_forward(net, big, 1, 1);
    ck_assert_float_eq(y[0], 0.0f);
    ck_assert_float_eq(y[1], 1.0f);
    gan_net_free(net);
}
END_TEST

/* ---- dropout ------------------------------------------------------------ */

START_TEST(test_dropout_gradcheck_training)
{
    gan_layer_conf c;
    layer_conf("dropout", &c, "p=0.4", NULL);
    assert_grads_ok(gradcheck_layer(&c, R3(2, 3, 3), 3, 1, 51));
}
END_TEST

START_TEST(test_dropout_masks_in_training_and_passes_in_eval)
{
    gan_layer_conf c;
    layer_conf("dropout", &c, "p=0.3", NULL);
    int n = 20000;
    gan_net *net = tu_make_net(&c, R1(n), 1, 1);
    float *x = randn_off_zero((size_t)n, 2);
    const float *y = gan_net_forward(net, x, 1, 1);
    int zeros = 0;
    for (int i = 0; i < n; i++) {
        if (y[i] == 0.0f) zeros++;
        else ck_assert_double_eq_tol(y[i], x[i] / 0.7, 1e-5);
    }
    /* 6000 expected, sd 65 */
    ck_assert_int_gt(zeros, 5700);
    ck_assert_int_lt(zeros, 6300);
    y = gan_net_forward(net, x, 1, 0);
    ck_assert_mem_eq(y, x, (size_t)n * sizeof *x);
    free(x);
    gan_net_free(net);
}
END_TEST

/* ---- shapes: reshape, flatten, upsample, maxout -------------------------- */

START_TEST(test_shape_layers_gradcheck)
{
    gan_layer_conf c;
    layer_conf("reshape", &c, "shape=2,3,4", NULL);
    assert_grads_ok(gradcheck_layer(&c, R1(24), 2, 1, 61));
    layer_conf("flatten", &c, NULL);
    assert_grads_ok(gradcheck_layer(&c, R3(2, 3, 2), 2, 1, 62));
    layer_conf("upsample", &c, NULL);
    assert_grads_ok(gradcheck_layer(&c, R3(2, 2, 3), 2, 1, 63));
    layer_conf("upsample", &c, "factor=3", NULL);
    assert_grads_ok(gradcheck_layer(&c, R3(1, 3, 2), 2, 1, 64));
}
END_TEST

/* values spaced 0.05 apart in a random order: every group has its maximum
 * more than 2h above the runner-up, so finite differences see no kink */
static float *spaced(size_t n, uint64_t seed)
{
    uint32_t *idx = malloc(n * sizeof *idx);
    float *x = malloc(n * sizeof *x);
    gan_rng r;
    gan_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) idx[i] = (uint32_t)i;
    gan_rng_shuffle(&r, idx, n);
    for (size_t i = 0; i < n; i++) x[i] = 0.05f * (float)idx[i] - 0.025f * (float)n;
    free(idx);
    return x;
}

START_TEST(test_maxout_gradcheck)
{
    gan_layer_conf c;
    layer_conf("maxout", &c, "pieces=3", NULL);
    gan_net *net = tu_make_net(&c, R3(6, 2, 3), 2, 71);
    float *x = spaced(2 * 36, 72);
    assert_grads_ok(tu_check_on(net, x, 2, 1));
    free(x);
    gan_net_free(net);
    layer_conf("maxout", &c, "pieces=2", NULL);
    net = tu_make_net(&c, R1(8), 3, 73);
    x = spaced(3 * 8, 74);
    assert_grads_ok(tu_check_on(net, x, 3, 1));
    free(x);
    gan_net_free(net);
}
END_TEST

START_TEST(test_maxout_and_upsample_values)
{
    gan_layer_conf c;
    layer_conf("maxout", &c, "pieces=2", NULL);
    gan_net *net = tu_make_net(&c, R3(4, 1, 2), 1, 1);
    ck_assert(gan_shape_eq(net->out, R3(2, 1, 2)));
    /* channels (a, b) -> max(a, b) elementwise: (0 1 | 2 -1) (5 4 | 3 6) */
    float x[8] = { 0, 1, 2, -1, 5, 4, 3, 6 };
    const float *y = gan_net_forward(net, x, 1, 1);
    float want[4] = { 2, 1, 5, 6 };
    ck_assert_mem_eq(y, want, sizeof want);
    gan_net_free(net);

    layer_conf("upsample", &c, NULL);
    net = tu_make_net(&c, R3(1, 1, 2), 1, 1);
    ck_assert(gan_shape_eq(net->out, R3(1, 2, 4)));
    float u[2] = { 1, 2 }, uw[8] = { 1, 1, 2, 2, 1, 1, 2, 2 };
    y = gan_net_forward(net, u, 1, 1);
    ck_assert_mem_eq(y, uw, sizeof uw);
    gan_net_free(net);
}
END_TEST

/* ---- contract: dx overwritten, frozen grads untouched -------------------- */

START_TEST(test_backward_overwrites_dx_and_respects_param_grads)
{
    static const struct { const char *type; const char *kv[5]; gan_shape in; } cases[] = {
        { "conv2d", { "filters=3", "kernel=3", "stride=2", "pad=1", NULL }, R3(2, 5, 6) },
        { "deconv2d", { "filters=2", "kernel=4", "stride=2", "pad=1", NULL }, R3(3, 3, 2) },
        { "batchnorm", { NULL }, R3(2, 2, 2) },
        { "batchnorm", { NULL }, R1(3) },
        { "leaky_relu", { NULL }, R1(6) },
        { "elu", { NULL }, R1(6) },
        { "tanh", { NULL }, R1(6) },
        { "sigmoid", { NULL }, R1(6) },
        { "dropout", { NULL }, R1(6) },
        { "reshape", { "shape=3,2", NULL }, R1(6) },
        { "flatten", { NULL }, R3(2, 1, 3) },
        { "upsample", { NULL }, R3(2, 1, 3) },
        { "maxout", { "pieces=2", NULL }, R3(2, 1, 3) },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        gan_layer_conf c;
        layer_conf(cases[k].type, &c, cases[k].kv[0], cases[k].kv[1], cases[k].kv[2],
                   cases[k].kv[3], NULL);
        int B = 3;
        gan_net *net = tu_make_net(&c, cases[k].in, B, 80 + k);
        size_t nin = (size_t)B * gan_shape_size(net->in), nout = (size_t)B * gan_shape_size(net->out);
        float *x = tu_randn(nin, 90 + k), *dy = tu_randn(nout, 100 + k);
        float *dx0 = calloc(nin, sizeof *dx0), *dx1 = malloc(nin * sizeof *dx1);
        float *g0 = calloc(net->nparams + 1, sizeof *g0);
        for (size_t i = 0; i < nin; i++) dx1[i] = 1e3f;
        gan_net_forward(net, x, B, 1);
        gan_net_zero_grad(net);
        gan_net_backward(net, dy, dx0, 0);
        ck_assert_msg(memcmp(net->grads, g0, net->nparams * sizeof *g0) == 0,
                      "%s touched grads with param_grads = 0", cases[k].type);
        gan_net_backward(net, dy, dx1, 1);
        ck_assert_msg(memcmp(dx0, dx1, nin * sizeof *dx0) == 0, "%s did not overwrite dx",
                      cases[k].type);
        /* parameter gradients without dx are the same, and accumulate */
        memcpy(g0, net->grads, net->nparams * sizeof *g0);
        gan_net_backward(net, dy, NULL, 1);
        for (size_t i = 0; i < net->nparams; i++)
            ck_assert_double_eq_tol(net->grads[i], 2 * g0[i], 1e-5 * (1 + fabs(g0[i])));
        free(x); free(dy); free(dx0); free(dx1); free(g0);
        gan_net_free(net);
    }
}
END_TEST

/* ---- layers in a stack -------------------------------------------------- */

START_TEST(test_conv_stack_gradcheck)
{
    /* a small generator and discriminator in one stack; smooth activations
     * only (tanh, elu with alpha 1), since a kink of a rectifier or maxout
     * within h of some point breaks finite differences for the parameters
     * before it, which move every downstream value */
    gan_layer_conf c[10];
    layer_conf("dense", &c[0], "units=32", NULL);
    layer_conf("reshape", &c[1], "shape=2,4,4", NULL);
    layer_conf("deconv2d", &c[2], "filters=3", "kernel=4", "stride=2", "pad=1", NULL);
    layer_conf("batchnorm", &c[3], NULL);
    layer_conf("tanh", &c[4], NULL);
    layer_conf("upsample", &c[5], NULL);
    layer_conf("conv2d", &c[6], "filters=4", "kernel=3", "stride=2", "pad=1", NULL);
    layer_conf("elu", &c[7], NULL);
    layer_conf("flatten", &c[8], NULL);
    layer_conf("dense", &c[9], "units=2", NULL);
    gan_net *net;
    gan_error err;
    int B = 3;
    ck_assert_int_eq(gan_net_create(&net, c, 10, R1(5), B, &err), GAN_OK);
    ck_assert(gan_shape_eq(net->layers[2].out, R3(3, 8, 8)));
    ck_assert(gan_shape_eq(net->layers[6].out, R3(4, 8, 8)));
    gan_rng r;
    gan_rng_seed(&r, 9);
    gan_net_init(net, &r);
    for (size_t i = 0; i < net->nparams; i++) net->params[i] += 0.1f * (float)gan_rng_normal(&r);
    float *x = tu_randn((size_t)B * 5, 10);
    /* Through ten float32 layers the central differences carry an absolute
     * error of about 2e-4 (they disagree with backward by that much on
     * gradients of size 0.1 to 2.6 alike, and shrinking h does not help:
     * rounding), so relative errors are taken against at least 0.05 here,
     * not 0.01: a gradient of 0.011 would otherwise fail at 1.5e-2. */
    gradcheck_result g = gradcheck_net(net, x, B, 1, 1e-2, 5e-2, 300);
    printf("gradcheck stack of 10 layers B=%d: dx rel err %.2e (%d), dparam rel err %.2e (%d)\n", B,
           g.max_rel_dx, g.checked_dx, g.max_rel_dp, g.checked_dp);
    assert_grads_ok(g);
    free(x);
    gan_net_free(net);
}
END_TEST

/* ---- setup errors ------------------------------------------------------- */

static gan_status try_setup(const gan_layer_conf *c, gan_shape in, gan_error *err)
{
    gan_net *net = (gan_net *)1;
    gan_status st = gan_net_create(&net, c, 1, in, 2, err);
    if (st == GAN_OK) gan_net_free(net);
    else ck_assert_ptr_null(net);
    return st;
}

START_TEST(test_shape_errors)
{
    gan_layer_conf c;
    gan_error err;
    layer_conf("conv2d", &c, "filters=2", "kernel=5", NULL);
    ck_assert_int_eq(try_setup(&c, R3(1, 3, 3), &err), GAN_ERR_SHAPE);
    ck_assert_str_eq(err.msg, "conv2d: kernel 5 does not fit input (1, 3, 3) with pad 0");
    ck_assert_int_eq(try_setup(&c, R1(100), &err), GAN_ERR_SHAPE);
    printf("error: %s\n", err.msg);
    layer_conf("conv2d", &c, "filters=2", "kernel=5", "pad=1", NULL);
    ck_assert_int_eq(try_setup(&c, R3(1, 3, 3), &err), GAN_OK);

    layer_conf("deconv2d", &c, "filters=2", "kernel=2", "pad=1", NULL);
    ck_assert_int_eq(try_setup(&c, R3(3, 1, 4), &err), GAN_ERR_SHAPE);
    printf("error: %s\n", err.msg);

    layer_conf("reshape", &c, "shape=5,5", NULL);
    ck_assert_int_eq(try_setup(&c, R3(2, 3, 4), &err), GAN_ERR_SHAPE);
    printf("error: %s\n", err.msg);
    ck_assert_ptr_nonnull(strstr(err.msg, "(1, 5, 5)"));
    ck_assert_ptr_nonnull(strstr(err.msg, "(2, 3, 4)"));
    layer_conf("reshape", &c, "shape=65536,65536,65536", NULL);
    ck_assert_int_eq(try_setup(&c, R1(24), &err), GAN_ERR_SHAPE);

    layer_conf("maxout", &c, "pieces=2", NULL);
    ck_assert_int_eq(try_setup(&c, R3(5, 2, 2), &err), GAN_ERR_SHAPE);
    printf("error: %s\n", err.msg);
    ck_assert_int_eq(try_setup(&c, R1(7), &err), GAN_ERR_SHAPE);

    layer_conf("upsample", &c, NULL);
    ck_assert_int_eq(try_setup(&c, R1(7), &err), GAN_ERR_SHAPE);
}
END_TEST

START_TEST(test_output_shapes)
{
    static const struct { const char *type; const char *kv[5]; gan_shape in, out; } cases[] = {
        { "conv2d", { "filters=8", "kernel=4", "stride=2", "pad=1", NULL }, R3(1, 28, 28), R3(8, 14, 14) },
        { "conv2d", { "filters=2", "kernel=3", "stride=2", NULL }, R3(1, 8, 5), R3(2, 3, 2) },
        { "deconv2d", { "filters=4", "kernel=4", "stride=2", "pad=1", NULL }, R3(8, 7, 7), R3(4, 14, 14) },
        { "deconv2d", { "filters=1", "kernel=3", NULL }, R3(2, 2, 5), R3(1, 4, 7) },
        { "reshape", { "shape=7,7", NULL }, R1(49), R3(1, 7, 7) },
        { "reshape", { "shape=12", NULL }, R3(3, 2, 2), R1(12) },
        { "flatten", { NULL }, R3(3, 2, 2), R1(12) },
        { "upsample", { "factor=3", NULL }, R3(2, 2, 3), R3(2, 6, 9) },
        { "maxout", { "pieces=4", NULL }, R3(8, 2, 3), R3(2, 2, 3) },
        { "maxout", { "pieces=2", NULL }, R1(10), R1(5) },
        { "batchnorm", { NULL }, R3(3, 4, 4), R3(3, 4, 4) },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        gan_layer_conf c;
        gan_net *net;
        gan_error err;
        layer_conf(cases[k].type, &c, cases[k].kv[0], cases[k].kv[1], cases[k].kv[2],
                   cases[k].kv[3], NULL);
        ck_assert_int_eq(gan_net_create(&net, &c, 1, cases[k].in, 1, &err), GAN_OK);
        ck_assert_msg(gan_shape_eq(net->out, cases[k].out), "%s output shape", cases[k].type);
        gan_net_free(net);
    }
}
END_TEST

START_TEST(test_registry_has_every_type_with_documented_keys)
{
    const char *names[] = { "dense", "relu", "leaky_relu", "elu", "tanh", "sigmoid", "dropout",
                            "reshape", "flatten", "upsample", "maxout", "conv2d", "deconv2d",
                            "batchnorm" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const gan_layer_type *t = gan_layer_find(names[i]);
        ck_assert_msg(t != NULL, "no layer type %s", names[i]);
        ck_assert_str_eq(t->name, names[i]);
        ck_assert(t->doc && *t->doc);
        ck_assert_int_le(t->nkeys, GAN_LAYER_MAXKEYS);
        for (int k = 0; k < t->nkeys; k++) ck_assert(t->keys[k].doc && *t->keys[k].doc);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("layers");
    TCase *t = tcase_create("conv");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, test_conv_units_cover_the_batch);
    tcase_add_test(t, test_columns_match_naive);
    tcase_add_test(t, test_conv2d_forward_matches_naive);
    tcase_add_test(t, test_conv2d_forward_matches_naive_across_chunks);
    tcase_add_test(t, test_deconv2d_forward_matches_naive);
    tcase_add_test(t, test_deconv2d_forward_matches_naive_across_chunks);
    tcase_add_test(t, test_deconv2d_is_adjoint_of_conv2d);
    tcase_add_test(t, test_conv2d_gradcheck);
    tcase_add_test(t, test_deconv2d_gradcheck);
    tcase_add_test(t, test_conv_gradcheck_across_chunks);
    suite_add_tcase(s, t);
    t = tcase_create("batchnorm");
    tcase_add_test(t, test_batchnorm_gradcheck_training);
    tcase_add_test(t, test_batchnorm_gradcheck_eval);
    tcase_add_test(t, test_batchnorm_sync_one_rank);
    tcase_add_test(t, test_batchnorm_eval_uses_running_stats);
    tcase_add_test(t, test_batchnorm_training_normalises_and_updates_running_stats);
    suite_add_tcase(s, t);
    t = tcase_create("elementwise");
    tcase_add_test(t, test_activations_gradcheck);
    tcase_add_test(t, test_activations_values);
    tcase_add_test(t, test_dropout_gradcheck_training);
    tcase_add_test(t, test_dropout_masks_in_training_and_passes_in_eval);
    suite_add_tcase(s, t);
    t = tcase_create("shape");
    tcase_add_test(t, test_shape_layers_gradcheck);
    tcase_add_test(t, test_maxout_gradcheck);
    tcase_add_test(t, test_maxout_and_upsample_values);
    tcase_add_test(t, test_shape_errors);
    tcase_add_test(t, test_output_shapes);
    suite_add_tcase(s, t);
    t = tcase_create("contract");
    tcase_add_test(t, test_backward_overwrites_dx_and_respects_param_grads);
    tcase_add_test(t, test_registry_has_every_type_with_documented_keys);
    tcase_add_test(t, test_conv_stack_gradcheck);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return tu_run_suite(suite());
}
