/* check_layers2.c - the layer types of SNGAN, BigGAN, SAGAN and ProGAN
 * models (avgpool, global_pool, conditional batchnorm, attention,
 * layernorm, pixelnorm, minibatch_stddev): gradients against finite
 * differences, forward passes against naive loops in double, option and
 * shape errors. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gan/gan.h"
#include "gradcheck.h"

#define R1(f) ((gan_shape){ 1, { (f), 0, 0 } })
#define R3(c, h, w) ((gan_shape){ 3, { (c), (h), (w) } })

/* ---- helpers ----------------------------------------------------------- */

static gan_net *make_net(const gan_layer_conf *c, gan_shape in, int B, uint64_t seed)
{
    gan_net *net;
    gan_error err;
    gan_status st = gan_net_create(&net, c, 1, in, B, &err);
    ck_assert_msg(st == GAN_OK, "net: %s", err.msg);
    gan_rng r;
    gan_rng_seed(&r, seed);
    gan_net_init(net, &r);
    /* non-trivial parameters even where init is zero (biases, gamma) */
    for (size_t i = 0; i < net->nparams; i++) net->params[i] += 0.1f * (float)gan_rng_normal(&r);
    return net;
}

static float *randn(size_t n, uint64_t seed)
{
    float *x = malloc(n * sizeof *x);
    gan_rng r;
    gan_rng_seed(&r, seed);
    gan_rng_fill_normal(&r, x, n, 0, 1);
    return x;
}

/* gradient check of a one-layer net on given inputs, printed */
static gradcheck_result check_on(gan_net *net, const float *x, int B, int training)
{
    gradcheck_result res = gradcheck_net(net, x, B, training, 1e-2, 1e-2, 300);
    char s[64];
    gan_shape_str(net->in, s, sizeof s);
    printf("gradcheck %-16s in %-14s B=%d: dx rel err %.2e (%d), dparam rel err %.2e (%d)%s\n",
           net->layers[0].type->name, s, B, res.max_rel_dx, res.checked_dx, res.max_rel_dp,
           res.checked_dp, training ? "" : " (eval)");
    return res;
}

static void assert_grads_ok(gradcheck_result r, int want_params)
{
    ck_assert_int_gt(r.checked_dx, 0);
    ck_assert_double_lt(r.max_rel_dx, 1e-2);
    if (want_params) ck_assert_int_gt(r.checked_dp, 0);
    ck_assert_double_lt(r.max_rel_dp, 1e-2);
}

/* one-layer net with given parameters, gradient-checked on normal(0, 1) x */
static void gradcheck_conf(const gan_layer_conf *c, gan_shape in, int B, int training,
                           uint64_t seed, int want_params)
{
    gan_net *net = make_net(c, in, B, seed);
    float *x = randn((size_t)B * gan_shape_size(in), seed + 1);
    assert_grads_ok(check_on(net, x, B, training), want_params);
    free(x);
    gan_net_free(net);
}

/* max |y - ref| over n values */
static double max_abs_diff(const float *y, const double *ref, size_t n)
{
    double e = 0;
    for (size_t i = 0; i < n; i++) e = fmax(e, fabs((double)y[i] - ref[i]));
    return e;
}

static gan_status try_setup(const gan_layer_conf *c, gan_shape in, gan_error *err)
{
    gan_net *net = NULL;
    gan_status st = gan_net_create(&net, c, 1, in, 2, err);
    if (st == GAN_OK) gan_net_free(net);
    else printf("error: %s\n", err->msg);
    return st;
}

/* ---- avgpool, global_pool ----------------------------------------------- */

START_TEST(test_avgpool_matches_naive_and_gradcheck)
{
    gan_layer_conf c;
    layer_conf("avgpool", &c, "size=3", NULL);
    int B = 2, C = 2, H = 6, W = 9, K = 3;
    gan_net *net = make_net(&c, R3(C, H, W), B, 1);
    ck_assert(gan_shape_eq(net->out, R3(2, 2, 3)));
    float *x = randn((size_t)B * C * H * W, 2);
    const float *y = gan_net_forward(net, x, B, 1);
    size_t ny = (size_t)B * C * (H / K) * (W / K);
    double *ref = calloc(ny, sizeof *ref);
    for (int p = 0; p < B * C; p++)
        for (int h = 0; h < H; h++)
            for (int w = 0; w < W; w++)
                ref[((size_t)p * (H / K) + h / K) * (W / K) + w / K] += x[((size_t)p * H + h) * W + w] / 9.0;
    ck_assert_double_lt(max_abs_diff(y, ref, ny), 1e-6);
    free(x);
    free(ref);
    gan_net_free(net);
    layer_conf("avgpool", &c, NULL);
    gradcheck_conf(&c, R3(3, 4, 6), 2, 1, 3, 0);
    gradcheck_conf(&c, R3(1, 2, 2), 1, 1, 4, 0);
}
END_TEST

START_TEST(test_global_pool_values_and_gradcheck)
{
    gan_layer_conf c;
    float x[12] = { 1, 2, 3, 4, 5, 6, -1, -2, -3, 0.5f, 0.25f, 0 };   /* (B=2, C=2, 1, 3) */
    layer_conf("global_pool", &c, NULL);   /* sum by default */
    gan_net *net = make_net(&c, R3(2, 1, 3), 2, 1);
    ck_assert(gan_shape_eq(net->out, R1(2)));
    const float *y = gan_net_forward(net, x, 2, 1);
    float sum[4] = { 6, 15, -6, 0.75f };
    ck_assert_mem_eq(y, sum, sizeof sum);
    gan_net_free(net);
    layer_conf("global_pool", &c, "op=mean", NULL);
    net = make_net(&c, R3(2, 1, 3), 2, 1);
    y = gan_net_forward(net, x, 2, 1);
    for (int i = 0; i < 4; i++) ck_assert_double_eq_tol(y[i], sum[i] / 3.0, 1e-6);
    gan_net_free(net);
    gradcheck_conf(&c, R3(3, 2, 5), 3, 1, 5, 0);
    layer_conf("global_pool", &c, "op=sum", NULL);
    gradcheck_conf(&c, R3(2, 4, 4), 2, 1, 6, 0);
}
END_TEST

START_TEST(test_pool_shape_errors)
{
    gan_layer_conf c;
    gan_error err;
    layer_conf("avgpool", &c, "size=2", NULL);
    ck_assert_int_eq(try_setup(&c, R3(2, 5, 4), &err), GAN_ERR_SHAPE);
    ck_assert_str_eq(err.msg, "avgpool: input (2, 5, 4): height and width must be divisible by size 2");
    ck_assert_int_eq(try_setup(&c, R1(8), &err), GAN_ERR_SHAPE);
    layer_conf("global_pool", &c, NULL);
    ck_assert_int_eq(try_setup(&c, R1(8), &err), GAN_ERR_SHAPE);
    ck_assert_str_eq(err.msg, "global_pool: input (8) must be (C, H, W)");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("layers2");
    TCase *t = tcase_create("pool");
    tcase_add_test(t, test_avgpool_matches_naive_and_gradcheck);
    tcase_add_test(t, test_global_pool_values_and_gradcheck);
    tcase_add_test(t, test_pool_shape_errors);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
