/* check_r3layers.c - the layers R3GAN's networks are built of: grouped and
 * depthwise conv2d (against a naive loop, and gradient-checked), init_scale
 * and init zeros, the [1,2,1] resampler (against a naive loop, gradient-
 * checked) and a residual inverted-bottleneck block (gradient-checked). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gan/gan.h"
#include "gradcheck.h"
#include "testutil.h"

static void assert_grads_ok(gradcheck_result r)
{
    ck_assert_int_gt(r.checked_dx, 0);
    ck_assert_double_lt(r.max_rel_dx, 1e-2);
    ck_assert_double_lt(r.max_rel_dp, 1e-2);
}

/* y (B, OC, OH, OW) of a grouped conv: W (OC, C/G, K, K), b (OC) or NULL */
static void gconv_naive(float *y, const float *x, const float *w, const float *b, int B, int C, int H,
                        int W, int OC, int K, int S, int P, int G, int OH, int OW)
{
    int Cg = C / G, OCg = OC / G;
    for (int n = 0; n < B; n++)
        for (int o = 0; o < OC; o++)
            for (int i = 0; i < OH; i++)
                for (int j = 0; j < OW; j++) {
                    double acc = b ? b[o] : 0;
                    int g = o / OCg;
                    for (int cc = 0; cc < Cg; cc++)
                        for (int kh = 0; kh < K; kh++)
                            for (int kw = 0; kw < K; kw++) {
                                int ih = i * S - P + kh, iw = j * S - P + kw;
                                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                                int c = g * Cg + cc;
                                acc += (double)x[(((size_t)n * C + c) * H + ih) * W + iw] *
                                       w[(((size_t)o * Cg + cc) * K + kh) * K + kw];
                            }
                    y[(((size_t)n * OC + o) * OH + i) * OW + j] = (float)acc;
                }
}

static double gconv_vs_naive(int B, int C, int H, int W, int OC, int K, int S, int P, int G)
{
    gan_layer_conf c;
    char f[32], k[32], s[32], p[32], g[32];
    snprintf(f, sizeof f, "filters=%d", OC);
    snprintf(k, sizeof k, "kernel=%d", K);
    snprintf(s, sizeof s, "stride=%d", S);
    snprintf(p, sizeof p, "pad=%d", P);
    snprintf(g, sizeof g, "groups=%d", G);
    layer_conf("conv2d", &c, f, k, s, p, g, NULL);
    gan_net *net = tu_make_net(&c, R3(C, H, W), B, 7);
    ck_assert_int_eq((int)net->nparams, OC * (C / G) * K * K + OC);
    int OH = net->out.d[1], OW = net->out.d[2];
    float *x = tu_randn((size_t)B * C * H * W, 8);
    size_t ny = (size_t)B * OC * OH * OW;
    float *ref = malloc(ny * sizeof *ref);
    gconv_naive(ref, x, net->params, net->params + (size_t)OC * (C / G) * K * K, B, C, H, W, OC, K, S, P,
                G, OH, OW);
    const float *y = gan_net_forward(net, x, B, 1);
    double e = 0;
    for (size_t i = 0; i < ny; i++) e = fmax(e, fabs((double)y[i] - ref[i]));
    printf("conv2d groups %d: B=%d (%d, %d, %d) -> (%d, %d, %d): max |fast - naive| %.2e\n", G, B, C, H,
           W, OC, OH, OW, e);
    free(x);
    free(ref);
    gan_net_free(net);
    return e;
}

START_TEST(test_grouped_conv2d_matches_naive)
{
    ck_assert_double_lt(gconv_vs_naive(3, 4, 5, 6, 6, 3, 1, 1, 2), 1e-4);
    ck_assert_double_lt(gconv_vs_naive(2, 6, 7, 7, 6, 3, 2, 1, 3), 1e-4);
    ck_assert_double_lt(gconv_vs_naive(2, 8, 6, 6, 8, 3, 1, 1, 8), 1e-4);    /* depthwise */
    ck_assert_double_lt(gconv_vs_naive(2, 4, 6, 6, 8, 3, 1, 1, 4), 1e-4);    /* 2 filters per channel */
    ck_assert_double_lt(gconv_vs_naive(1, 4, 5, 5, 4, 1, 1, 0, 2), 1e-4);    /* one sample */
    ck_assert_double_lt(gconv_vs_naive(20, 16, 16, 16, 16, 3, 1, 1, 4), 1e-3);  /* many chunks */
}
END_TEST

START_TEST(test_grouped_conv2d_gradcheck)
{
    gan_layer_conf c;
    layer_conf("conv2d", &c, "filters=4", "kernel=3", "pad=1", "groups=2", NULL);
    assert_grads_ok(gradcheck_layer(&c, R3(4, 5, 4), 3, 1, 21));
    layer_conf("conv2d", &c, "filters=6", "kernel=3", "stride=2", "pad=1", "groups=6", NULL);
    assert_grads_ok(gradcheck_layer(&c, R3(6, 5, 5), 2, 1, 22));
    layer_conf("conv2d", &c, "filters=3", "kernel=2", "groups=3", "bias=0", NULL);
    assert_grads_ok(gradcheck_layer(&c, R3(3, 4, 4), 1, 1, 23));
    layer_conf("conv2d", &c, "filters=4", "kernel=3", "pad=1", "groups=2", "spectral_norm=1", NULL);
    assert_grads_ok(gradcheck_layer(&c, R3(2, 4, 4), 2, 0, 24));   /* SN: eval, u fixed */
}
END_TEST

START_TEST(test_groups_must_divide_channels)
{
    gan_layer_conf c;
    gan_error err;
    gan_net *net;
    layer_conf("conv2d", &c, "filters=4", "kernel=3", "groups=3", NULL);
    ck_assert_int_ne(gan_net_create(&net, &c, 1, R3(6, 5, 5), 2, &err), GAN_OK);
    printf("%s\n", err.msg);
    ck_assert_ptr_nonnull(strstr(err.msg, "groups 3 does not divide"));
}
END_TEST

static gan_net *init_net(const gan_layer_conf *c, gan_shape in)
{
    gan_net *net;
    gan_error err;
    ck_assert_int_eq(gan_net_create(&net, c, 1, in, 1, &err), GAN_OK);
    gan_rng r;
    gan_rng_seed(&r, 3);
    gan_net_init(net, &r);
    return net;
}

START_TEST(test_init_scale_and_zeros)
{
    gan_layer_conf a, b, z;
    layer_conf("conv2d", &a, "filters=4", "kernel=3", NULL);
    layer_conf("conv2d", &b, "filters=4", "kernel=3", "init_scale=0.25", NULL);
    layer_conf("dense", &z, "units=5", "init=zeros", NULL);
    gan_net *na = init_net(&a, R3(2, 5, 5)), *nb = init_net(&b, R3(2, 5, 5));
    gan_net *nz = init_net(&z, (gan_shape){ 1, { 7 } });
    int nonzero = 0;
    for (size_t i = 0; i < na->nparams; i++) {
        ck_assert_float_eq(nb->params[i], 0.25f * na->params[i]);
        nonzero += na->params[i] != 0.0f;
    }
    ck_assert_int_eq(nonzero, 72);   /* the weights; the biases start at 0 */
    for (size_t i = 0; i < nz->nparams; i++) ck_assert_float_eq(nz->params[i], 0.0f);
    gan_net_free(na);
    gan_net_free(nb);
    gan_net_free(nz);
}
END_TEST

/* ---- resample against upfirdn2d written out in 2-D ------------------------- */

/* y (C, OH, OW): down y[i,j] = sum_ab g[a] g[b] x[2i+a-p, 2j+b-p]; up: the
 * zero-stuffed u (2H, 2W) correlated with 4 g g^T at offset p + 1 */
static void resample_naive(float *y, const float *x, int C, int H, int W, const int *f, int L, int up)
{
    double s = 0, g[4];
    for (int k = 0; k < L; k++) s += f[k];
    for (int k = 0; k < L; k++) g[k] = f[k] / s;
    int p = (L - 1) / 2, OH = up ? 2 * H : H / 2, OW = up ? 2 * W : W / 2;
    for (int c = 0; c < C; c++)
        for (int i = 0; i < OH; i++)
            for (int j = 0; j < OW; j++) {
                double acc = 0;
                for (int a = 0; a < L; a++)
                    for (int b = 0; b < L; b++) {
                        double v = 0;
                        if (!up) {
                            int h = 2 * i + a - p, w = 2 * j + b - p;
                            if (h >= 0 && h < H && w >= 0 && w < W) v = x[((size_t)c * H + h) * W + w];
                        } else {
                            int h = i + a - p - 1, w = j + b - p - 1;   /* in u */
                            if (h >= 0 && w >= 0 && h < 2 * H && w < 2 * W && !(h & 1) && !(w & 1))
                                v = 4 * x[((size_t)c * H + h / 2) * W + w / 2];
                        }
                        acc += g[a] * g[b] * v;
                    }
                y[((size_t)c * OH + i) * OW + j] = (float)acc;
            }
}

static double resample_vs_naive(const char *op, const char *filter, const int *f, int L, int C, int H, int W)
{
    gan_layer_conf c;
    char o[32], fl[64];
    snprintf(o, sizeof o, "op=%s", op);
    snprintf(fl, sizeof fl, "filter=%s", filter);
    if (filter[0]) layer_conf("resample", &c, o, fl, NULL);
    else layer_conf("resample", &c, o, NULL);
    int B = 2, up = op[0] == 'u';
    gan_net *net = tu_make_net(&c, R3(C, H, W), B, 7);
    float *x = tu_randn((size_t)B * C * H * W, 8);
    size_t per = (size_t)C * net->out.d[1] * net->out.d[2], ny = B * per;
    float *ref = malloc(ny * sizeof *ref);
    for (int n = 0; n < B; n++) resample_naive(ref + n * per, x + (size_t)n * C * H * W, C, H, W, f, L, up);
    const float *y = gan_net_forward(net, x, B, 1);
    double e = 0;
    for (size_t i = 0; i < ny; i++) e = fmax(e, fabs((double)y[i] - ref[i]));
    printf("resample %s [%s] (%d, %d, %d) -> (%d, %d, %d): max |layer - naive| %.2e\n", op, filter, C, H, W,
           net->out.d[0], net->out.d[1], net->out.d[2], e);
    free(x);
    free(ref);
    gan_net_free(net);
    return e;
}

START_TEST(test_resample_matches_upfirdn2d)
{
    static const int f121[3] = { 1, 2, 1 }, f1331[4] = { 1, 3, 3, 1 }, f11[2] = { 1, 1 };
    ck_assert_double_lt(resample_vs_naive("down", "", f121, 3, 2, 6, 8), 1e-6);
    ck_assert_double_lt(resample_vs_naive("up", "", f121, 3, 2, 3, 4), 1e-6);
    ck_assert_double_lt(resample_vs_naive("down", "1,3,3,1", f1331, 4, 3, 4, 4), 1e-6);
    ck_assert_double_lt(resample_vs_naive("up", "1,3,3,1", f1331, 4, 1, 5, 3), 1e-6);
    ck_assert_double_lt(resample_vs_naive("down", "1,1", f11, 2, 1, 4, 6), 1e-6);
    ck_assert_double_lt(resample_vs_naive("up", "1,1", f11, 2, 1, 2, 2), 1e-6);
}
END_TEST

/* [1, 1] is avgpool and nearest-neighbour upsampling exactly; a constant
 * image stays constant inside under every filter */
START_TEST(test_resample_special_cases)
{
    gan_layer_conf c, a;
    layer_conf("resample", &c, "op=down", "filter=1,1", NULL);
    layer_conf("avgpool", &a, "size=2", NULL);
    gan_net *n1 = tu_make_net(&c, R3(2, 4, 6), 2, 1), *n2 = tu_make_net(&a, R3(2, 4, 6), 2, 1);
    float *x = tu_randn(2 * 2 * 4 * 6, 3);
    const float *y1 = gan_net_forward(n1, x, 2, 1), *y2 = gan_net_forward(n2, x, 2, 1);
    for (int i = 0; i < 2 * 2 * 2 * 3; i++) ck_assert_float_eq_tol(y1[i], y2[i], 1e-6f);
    gan_net_free(n1);
    gan_net_free(n2);
    layer_conf("resample", &c, "op=up", NULL);
    n1 = tu_make_net(&c, R3(1, 4, 4), 1, 1);
    for (int i = 0; i < 16; i++) x[i] = 0.5f;
    y1 = gan_net_forward(n1, x, 1, 1);
    for (int i = 2; i < 8; i++)
        for (int j = 2; j < 8; j++) ck_assert_float_eq_tol(y1[i * 8 + j], 0.5f, 1e-6f);
    gan_net_free(n1);
    free(x);
}
END_TEST

START_TEST(test_resample_gradcheck)
{
    gan_layer_conf c;
    layer_conf("resample", &c, "op=down", NULL);
    assert_grads_ok(gradcheck_layer(&c, R3(2, 6, 4), 2, 1, 31));
    layer_conf("resample", &c, "op=up", NULL);
    assert_grads_ok(gradcheck_layer(&c, R3(2, 3, 4), 2, 1, 32));
    layer_conf("resample", &c, "op=up", "filter=1,3,3,1", NULL);
    assert_grads_ok(gradcheck_layer(&c, R3(1, 3, 3), 3, 1, 33));
    layer_conf("resample", &c, "op=down", "filter=1,3,3,1", NULL);
    assert_grads_ok(gradcheck_layer(&c, R3(3, 4, 6), 1, 1, 34));
}
END_TEST

START_TEST(test_resample_bad_filter)
{
    gan_layer_conf c;
    gan_error err;
    gan_net *net;
    layer_conf("resample", &c, "op=down", "filter=3", NULL);
    ck_assert_int_ne(gan_net_create(&net, &c, 1, R3(1, 4, 4), 2, &err), GAN_OK);
    ck_assert_ptr_nonnull(strstr(err.msg, "2 to 4 taps"));
    layer_conf("resample", &c, "op=down", NULL);
    ck_assert_int_ne(gan_net_create(&net, &c, 1, R3(1, 5, 4), 2, &err), GAN_OK);
    ck_assert_ptr_nonnull(strstr(err.msg, "even height"));
}
END_TEST

/* ---- R3GAN's residual block: 1x1 up, grouped 3x3, 1x1 down, + input -------
 * with elu for R3GAN's leaky ReLU: central differences that straddle a
 * leaky ReLU kink are no check (h = 1e-3 hit some; float sums limit a
 * smaller h); leaky ReLU has its own check in check_layers, and the R1/R2
 * checks (check_penalty) run through it. */

static const char *block_model =
    "name: block\n"
    "seed: 2\n"
    "data: {format: idx, path: /nonexistent}\n"
    "noise: {dim: 3}\n"
    "blocks:\n"
    "  inv_bottleneck:\n"
    "    params: {ch: int, wide: int, groups: int}\n"
    "    layers:\n"
    "      - conv2d: {filters: $wide, kernel: 1}\n"
    "      - elu: {}\n"
    "      - conv2d: {filters: $wide, kernel: 3, pad: 1, groups: $groups}\n"
    "      - elu: {}\n"
    "      - conv2d: {filters: $ch, kernel: 1, bias: false, init_scale: 0.5, id: res}\n"
    "      - add: {from: [input, res]}\n"
    "generator:\n"
    "  - dense: {units: 64}\n"
    "  - reshape: {shape: [4, 4, 4]}\n"
    "discriminator:\n"
    "  - inv_bottleneck: {ch: 4, wide: 8, groups: 4}\n"
    "  - resample: {op: down}\n"
    "  - inv_bottleneck: {ch: 4, wide: 8, groups: 2}\n"
    "  - flatten: {}\n"
    "  - dense: {units: 1}\n"
    "train: {loss: rpgan, batch: 2, steps: 1}\n";

START_TEST(test_inverted_bottleneck_block_gradcheck)
{
    gan_trainer *t = tu_trainer(block_model, 0);
    gan_net *D = t->D;
    float *x = tu_randn(2 * 64, 5);
    gradcheck_result r = gradcheck_net(D, x, 2, 1, 1e-2, 1e-2, 400);
    printf("inverted bottleneck blocks: dx rel err %.2e (%d), dparam rel err %.2e (%d)\n", r.max_rel_dx,
           r.checked_dx, r.max_rel_dp, r.checked_dp);
    assert_grads_ok(r);
    free(x);
    gan_trainer_free(t);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("r3layers");
    TCase *t = tcase_create("conv");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, test_grouped_conv2d_matches_naive);
    tcase_add_test(t, test_grouped_conv2d_gradcheck);
    tcase_add_test(t, test_groups_must_divide_channels);
    tcase_add_test(t, test_init_scale_and_zeros);
    tcase_add_test(t, test_resample_matches_upfirdn2d);
    tcase_add_test(t, test_resample_special_cases);
    tcase_add_test(t, test_resample_gradcheck);
    tcase_add_test(t, test_resample_bad_filter);
    tcase_add_test(t, test_inverted_bottleneck_block_gradcheck);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return tu_run_suite(suite());
}
