/* check_core.c - random numbers, errors, networks of dense + relu. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "gan/gan.h"
#include "gradcheck.h"
#include "testutil.h"

START_TEST(test_rng_reference_outputs)
{
    /* xoshiro256** reference sequence from state {1, 2, 3, 4} */
    gan_rng r = { { 1, 2, 3, 4 } };
    ck_assert_uint_eq(gan_rng_next(&r), 11520ULL);
    ck_assert_uint_eq(gan_rng_next(&r), 0ULL);
    ck_assert_uint_eq(gan_rng_next(&r), 1509978240ULL);
    ck_assert_uint_eq(gan_rng_next(&r), 1215971899390074240ULL);
}
END_TEST

START_TEST(test_rng_seed_is_deterministic_and_distinct)
{
    gan_rng a, b, c;
    gan_rng_seed(&a, 42);
    gan_rng_seed(&b, 42);
    gan_rng_seed(&c, 43);
    uint64_t x = gan_rng_next(&a);
    ck_assert_uint_eq(x, gan_rng_next(&b));
    ck_assert_uint_ne(x, gan_rng_next(&c));
    gan_rng_seed_stream(&a, 42, 1);
    gan_rng_seed_stream(&b, 42, 2);
    ck_assert_uint_ne(gan_rng_next(&a), gan_rng_next(&b));
}
END_TEST

START_TEST(test_rng_save_restore_continues)
{
    gan_rng r, saved;
    gan_rng_seed(&r, 7);
    for (int i = 0; i < 100; i++) gan_rng_normal(&r);
    saved = r;
    double a[10], b[10];
    for (int i = 0; i < 10; i++) a[i] = gan_rng_normal(&r);
    r = saved;
    for (int i = 0; i < 10; i++) b[i] = gan_rng_normal(&r);
    ck_assert_mem_eq(a, b, sizeof a);
}
END_TEST

START_TEST(test_rng_normal_moments)
{
    gan_rng r;
    gan_rng_seed(&r, 1);
    const int n = 200000;
    double s1 = 0, s2 = 0, s4 = 0;
    for (int i = 0; i < n; i++) {
        double z = gan_rng_normal(&r);
        s1 += z; s2 += z * z; s4 += z * z * z * z;
    }
    double mean = s1 / n, var = s2 / n - mean * mean, kurt = s4 / n;
    ck_assert_double_lt(fabs(mean), 0.01);     /* sd of mean: 0.0022 */
    ck_assert_double_lt(fabs(var - 1), 0.02);  /* sd of var: 0.0032 */
    ck_assert_double_lt(fabs(kurt - 3), 0.1);
}
END_TEST

START_TEST(test_rng_uniform_and_truncated_ranges)
{
    gan_rng r;
    gan_rng_seed(&r, 3);
    float u[10000], t[10000];
    gan_rng_fill_uniform(&r, u, 10000, -2, 3);
    gan_rng_fill_truncnormal(&r, t, 10000, 1, 2, 1.5f);
    double su = 0;
    for (int i = 0; i < 10000; i++) {
        ck_assert(u[i] >= -2 && u[i] < 3);
        ck_assert(t[i] >= 1 - 3.0001 && t[i] <= 1 + 3.0001);
        su += u[i];
    }
    ck_assert_double_lt(fabs(su / 10000 - 0.5), 0.05);
    uint32_t counts[7] = { 0 };
    for (int i = 0; i < 70000; i++) counts[gan_rng_below(&r, 7)]++;
    for (int i = 0; i < 7; i++) ck_assert(counts[i] > 9500 && counts[i] < 10500);
}
END_TEST

START_TEST(test_error_format)
{
    gan_error e;
    char buf[256];
    gan_error_at(&e, GAN_ERR_INVALID, "m.yaml", 3, 7, "bad %s", "thing");
    gan_error_format(&e, buf, sizeof buf);
    ck_assert_str_eq(buf, "m.yaml:3:7: error: bad thing");
    gan_error_at(&e, GAN_ERR_IO, "data.gz", 0, 0, "cannot open");
    gan_error_format(&e, buf, sizeof buf);
    ck_assert_str_eq(buf, "data.gz: error: cannot open");
}
END_TEST

START_TEST(test_dense_gradcheck)
{
    gan_layer_conf c;
    layer_conf("dense", &c, "units=5", NULL);
    gradcheck_result r = gradcheck_layer(&c, (gan_shape){ 3, { 2, 3, 2 } }, 3, 1, 1);
    ck_assert_double_lt(r.max_rel_dx, 1e-2);
    ck_assert_double_lt(r.max_rel_dp, 1e-2);
    layer_conf("dense", &c, "units=4", "bias=0", NULL);
    r = gradcheck_layer(&c, (gan_shape){ 1, { 7 } }, 2, 1, 2);
    ck_assert_double_lt(r.max_rel_dx, 1e-2);
    ck_assert_double_lt(r.max_rel_dp, 1e-2);
}
END_TEST

START_TEST(test_dense_matches_naive)
{
    gan_layer_conf c;
    layer_conf("dense", &c, "units=3", NULL);
    gan_net *net;
    gan_error err;
    ck_assert_int_eq(gan_net_create(&net, &c, 1, (gan_shape){ 1, { 4 } }, 2, &err), GAN_OK);
    ck_assert_uint_eq(net->nparams, 3 * 4 + 3);
    for (size_t i = 0; i < net->nparams; i++) net->params[i] = (float)i * 0.1f - 0.5f;
    float x[8] = { 1, 2, 3, 4, -1, 0.5f, 0, 2 };
    const float *y = gan_net_forward(net, x, 2, 1);
    for (int n = 0; n < 2; n++)
        for (int o = 0; o < 3; o++) {
            double s = net->params[12 + o];
            for (int i = 0; i < 4; i++) s += (double)x[n * 4 + i] * net->params[o * 4 + i];
            ck_assert_double_eq_tol(y[n * 3 + o], s, 1e-5);
        }
    gan_net_free(net);
}
END_TEST

START_TEST(test_mlp_gradcheck_and_frozen_params)
{
    gan_layer_conf c[3];
    layer_conf("dense", &c[0], "units=6", NULL);
    layer_conf("relu", &c[1], NULL);
    layer_conf("dense", &c[2], "units=1", NULL);
    gan_net *net;
    gan_error err;
    ck_assert_int_eq(gan_net_create(&net, c, 3, (gan_shape){ 1, { 2 } }, 4, &err), GAN_OK);
    gan_rng r;
    gan_rng_seed(&r, 5);
    gan_net_init(net, &r);
    float x[8];
    gan_rng_fill_normal(&r, x, 8, 0, 1);
    gradcheck_result g = gradcheck_net(net, x, 4, 1, 1e-2, 1e-2, 100);
    ck_assert_double_lt(g.max_rel_dx, 1e-2);
    ck_assert_double_lt(g.max_rel_dp, 1e-2);
    /* input gradients only: the arena's gradients stay untouched */
    float dy[4] = { 1, -1, 2, 0.5f }, dx[8];
    gan_net_zero_grad(net);
    gan_net_forward(net, x, 4, 1);
    gan_net_backward(net, dy, dx, 0);
    for (size_t i = 0; i < net->nparams; i++) ck_assert_float_eq(net->grads[i], 0.0f);
    gan_net_free(net);
}
END_TEST

/* Activation sharing: in-place activations over conv/batchnorm/dense
 * outputs, aliased flatten/reshape; the backward passes through all of it
 * must still match finite differences, and a layer whose backward reads its
 * own output (tanh) must keep it: a relu after it gets its own buffer. */
START_TEST(test_net_shares_activation_memory_safely)
{
    gan_layer_conf c[10];
    layer_conf("conv2d", &c[0], "filters=3", "kernel=3", "pad=1", NULL);
    layer_conf("leaky_relu", &c[1], NULL);              /* in place over conv */
    layer_conf("dropout", &c[2], "p=0.25", NULL);        /* leaky_relu reads y: own buffer */
    layer_conf("flatten", &c[3], NULL);                  /* alias */
    layer_conf("dense", &c[4], "units=6", NULL);
    layer_conf("batchnorm", &c[5], NULL);
    layer_conf("relu", &c[6], NULL);                     /* in place over batchnorm */
    layer_conf("tanh", &c[7], NULL);                     /* relu reads y: own buffer */
    layer_conf("sigmoid", &c[8], NULL);                  /* tanh reads y: own buffer */
    layer_conf("dense", &c[9], "units=2", NULL);
    gan_net *net;
    gan_error err;
    ck_assert_int_eq(gan_net_create(&net, c, 10, (gan_shape){ 3, { 2, 4, 4 } }, 3, &err), GAN_OK);
    static const unsigned char want[10] = { 0, 1, 0, 2, 0, 0, 1, 0, 0, 0 };
    for (int i = 0; i < 10; i++) ck_assert_int_eq(gan_net_act_share(net, i), want[i]);
    ck_assert_ptr_eq(net->act[1], net->act[0]);
    ck_assert_ptr_eq(net->act[3], net->act[2]);
    ck_assert_ptr_ne(net->act[7], net->act[6]);
    gan_rng r;
    gan_rng_seed(&r, 11);
    gan_net_init(net, &r);
    float x[3 * 32], keep[3 * 32];
    gan_rng_fill_normal(&r, x, 3 * 32, 0, 1);
    memcpy(keep, x, sizeof x);
    gradcheck_result g = gradcheck_net(net, x, 3, 1, 1e-3, 1e-2, 200);
    ck_assert_double_lt(g.max_rel_dx, 2e-2);
    ck_assert_double_lt(g.max_rel_dp, 2e-2);
    ck_assert_mem_eq(x, keep, sizeof x);   /* the caller's input is never written */
    gan_net_free(net);
}
END_TEST

/* Two nets sharing gradient buffers and scratch compute what they compute
 * alone, passes interleaved; growing one gives it its own again. */
START_TEST(test_nets_share_scratch)
{
    gan_layer_conf a[3], b[2];
    layer_conf("conv2d", &a[0], "filters=4", "kernel=3", "stride=2", "pad=1", NULL);
    layer_conf("batchnorm", &a[1], NULL);
    layer_conf("dense", &a[2], "units=3", NULL);
    layer_conf("dense", &b[0], "units=40", NULL);
    layer_conf("tanh", &b[1], NULL);
    gan_shape ain = { 3, { 2, 9, 9 } }, bin = { 1, { 5, 0, 0 } };
    enum { B = 4, NXA = B * 162, NYA = B * 3, NXB = B * 5, NYB = B * 40 };
    float xa[NXA], xb[NXB], dya[NYA], dyb[NYB];
    gan_rng r;
    gan_rng_seed(&r, 9);
    gan_rng_fill_normal(&r, xa, NXA, 0, 1);
    gan_rng_fill_normal(&r, xb, NXB, 0, 1);
    gan_rng_fill_normal(&r, dya, NYA, 0, 1);
    gan_rng_fill_normal(&r, dyb, NYB, 0, 1);
    gan_net *na[2], *nb[2];   /* [0] alone, [1] sharing */
    float ya[2][NYA], yb[2][NYB], dxa[2][NXA], dxb[2][NXB];
    gan_error err;
    for (int sh = 0; sh < 2; sh++) {
        ck_assert_int_eq(gan_net_create(&na[sh], a, 3, ain, B, &err), GAN_OK);
        ck_assert_int_eq(gan_net_create(&nb[sh], b, 2, bin, B, &err), GAN_OK);
        if (sh) {
            ck_assert_int_eq(gan_net_share_scratch(na[sh], nb[sh], &err), GAN_OK);
            ck_assert_ptr_eq(gan_net_plan_get(na[sh]).scratch, gan_net_plan_get(nb[sh]).scratch);
        }
        gan_rng_seed(&r, 5);
        gan_net_init(na[sh], &r);
        gan_net_init(nb[sh], &r);
        gan_net_zero_grad(na[sh]);
        gan_net_zero_grad(nb[sh]);
        /* interleaved: a forward, b forward and backward, a backward */
        memcpy(ya[sh], gan_net_forward(na[sh], xa, B, 1), sizeof ya[sh]);
        memcpy(yb[sh], gan_net_forward(nb[sh], xb, B, 1), sizeof yb[sh]);
        gan_net_backward(nb[sh], dyb, dxb[sh], 1);
        gan_net_backward(na[sh], dya, dxa[sh], 1);
    }
    ck_assert_mem_eq(ya[0], ya[1], sizeof ya[0]);
    ck_assert_mem_eq(yb[0], yb[1], sizeof yb[0]);
    ck_assert_mem_eq(dxa[0], dxa[1], sizeof dxa[0]);
    ck_assert_mem_eq(dxb[0], dxb[1], sizeof dxb[0]);
    ck_assert_mem_eq(na[0]->grads, na[1]->grads, na[0]->nparams * sizeof(float));
    ck_assert_mem_eq(nb[0]->grads, nb[1]->grads, nb[0]->nparams * sizeof(float));
    /* growing one net gives it its own scratch; the other keeps the shared */
    ck_assert_int_eq(gan_net_reserve(nb[1], 64, &err), GAN_OK);
    ck_assert_ptr_ne(gan_net_plan_get(na[1]).scratch, gan_net_plan_get(nb[1]).scratch);
    ck_assert_mem_eq(gan_net_forward(na[1], xa, B, 1), ya[0], sizeof ya[0]);
    for (int sh = 0; sh < 2; sh++) {
        gan_net_free(na[sh]);
        gan_net_free(nb[sh]);
    }
}
END_TEST

START_TEST(test_net_create_rejects_bad_conf)
{
    gan_net *net = (gan_net *)1;
    gan_error err;
    ck_assert_int_ne(gan_net_create(&net, NULL, 0, (gan_shape){ 1, { 2 } }, 4, &err), GAN_OK);
    ck_assert_ptr_null(net);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("core");
    TCase *t = tcase_create("rng");
    tcase_add_test(t, test_rng_reference_outputs);
    tcase_add_test(t, test_rng_seed_is_deterministic_and_distinct);
    tcase_add_test(t, test_rng_save_restore_continues);
    tcase_add_test(t, test_rng_normal_moments);
    tcase_add_test(t, test_rng_uniform_and_truncated_ranges);
    suite_add_tcase(s, t);
    t = tcase_create("net");
    tcase_add_test(t, test_error_format);
    tcase_add_test(t, test_dense_gradcheck);
    tcase_add_test(t, test_dense_matches_naive);
    tcase_add_test(t, test_mlp_gradcheck_and_frozen_params);
    tcase_add_test(t, test_net_shares_activation_memory_safely);
    tcase_add_test(t, test_nets_share_scratch);
    tcase_add_test(t, test_net_create_rejects_bad_conf);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return tu_run_suite(suite());
}
