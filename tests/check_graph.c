/* check_graph.c - networks that are graphs: add and concat, values read by
 * several entries, residual blocks; the memory plan; finite differences
 * for all of it. */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "gan/gan.h"
#include "gradcheck.h"
#include "testutil.h"

/* c reads the entries given (-1: the net's input), then -2 */
static void from(gan_layer_conf *c, ...)
{
    va_list ap;
    va_start(ap, c);
    c->nfrom = 0;
    for (int j; (j = va_arg(ap, int)) != -2;) c->from[c->nfrom++] = j;
    va_end(ap);
}

static gan_net *build(const gan_layer_conf *c, int n, gan_shape in, int B)
{
    gan_net *net;
    gan_error err;
    gan_error_clear(&err);
    ck_assert_msg(gan_net_create(&net, c, n, in, B, &err) == GAN_OK, "%s", err.msg);
    gan_rng r;
    gan_rng_seed(&r, 17);
    gan_net_init(net, &r);
    for (size_t i = 0; i < net->nparams; i++) net->params[i] += 0.1f * (float)gan_rng_normal(&r);
    return net;
}

static void check_grads(gan_net *net, int B, int training, double tol)
{
    size_t nin = (size_t)B * gan_shape_size(net->in);
    float *x = malloc(nin * sizeof *x), *keep = malloc(nin * sizeof *x);
    gan_rng r;
    gan_rng_seed(&r, 3);
    gan_rng_fill_normal(&r, x, nin, 0, 1);
    memcpy(keep, x, nin * sizeof *x);
    gradcheck_result g = gradcheck_net(net, x, B, training, 1e-2, 1e-2, 300);
    fprintf(stderr, "graph gradcheck: dx %.2e (%d), dparams %.2e (%d)\n", g.max_rel_dx, g.checked_dx,
            g.max_rel_dp, g.checked_dp);
    ck_assert_int_gt(g.checked_dx, 0);
    ck_assert_double_lt(g.max_rel_dx, tol);
    if (net->nparams) ck_assert_double_lt(g.max_rel_dp, tol);
    ck_assert_mem_eq(x, keep, nin * sizeof *x);   /* the caller's input is never written */
    free(x);
    free(keep);
}

/* add and concat against their definitions, element by element */
START_TEST(test_add_and_concat_compute_their_definition)
{
    /* the values read are kept when a later entry reads them in backward:
     * conv 3 and 4 read the merges, the 1x1 conv reads the input */
    gan_layer_conf c[5];
    layer_conf("conv2d", &c[0], "filters=3", "kernel=3", "pad=1", NULL);
    layer_conf("tanh", &c[1], NULL);
    from(&c[1], -1, -2);
    layer_conf("concat", &c[2], NULL);
    from(&c[2], 0, 1, -1, -2);                      /* (3 + 2 + 2, 4, 4) */
    layer_conf("add", &c[3], NULL);
    from(&c[3], 1, -1, -2);
    layer_conf("concat", &c[4], NULL);
    from(&c[4], 2, 3, -2);
    enum { B = 2 };
    gan_net *net = build(c, 5, (gan_shape){ 3, { 2, 4, 4 } }, B);
    ck_assert(gan_shape_eq(net->layers[2].out, (gan_shape){ 3, { 7, 4, 4 } }));
    ck_assert(gan_shape_eq(net->out, (gan_shape){ 3, { 9, 4, 4 } }));
    float x[B * 32], a[B * 48], t[B * 32];
    gan_rng r;
    gan_rng_seed(&r, 1);
    gan_rng_fill_normal(&r, x, B * 32, 0, 1);
    /* conv 0 and tanh 1 on their own */
    gan_net *one = build(c, 1, (gan_shape){ 3, { 2, 4, 4 } }, B);
    memcpy(a, gan_net_forward(one, x, B, 1), sizeof a);
    gan_net_free(one);
    for (int i = 0; i < B * 32; i++) t[i] = tanhf(x[i]);
    const float *y = gan_net_forward(net, x, B, 1);
    for (int n = 0; n < B; n++) {
        const float *yn = y + n * 144;
        ck_assert_mem_eq(yn, a + n * 48, 48 * sizeof(float));
        for (int i = 0; i < 32; i++) ck_assert_float_eq_tol(yn[48 + i], t[n * 32 + i], 1e-6);
        ck_assert_mem_eq(yn + 80, x + n * 32, 32 * sizeof(float));
        for (int i = 0; i < 32; i++) ck_assert_float_eq(yn[112 + i], yn[48 + i] + x[n * 32 + i]);
    }
    gan_net_free(net);
}
END_TEST

START_TEST(test_add_and_concat_gradcheck)
{
    gan_layer_conf c[8];
    layer_conf("conv2d", &c[0], "filters=3", "kernel=3", "pad=1", NULL);
    layer_conf("tanh", &c[1], NULL);
    layer_conf("conv2d", &c[2], "filters=2", "kernel=1", NULL);
    from(&c[2], -1, -2);
    layer_conf("concat", &c[3], NULL);
    from(&c[3], 1, 2, -2);
    layer_conf("conv2d", &c[4], "filters=3", "kernel=1", NULL);
    layer_conf("add", &c[5], NULL);
    from(&c[5], 4, 0, -2);
    layer_conf("flatten", &c[6], NULL);
    layer_conf("dense", &c[7], "units=2", NULL);
    gan_net *net = build(c, 8, (gan_shape){ 3, { 2, 4, 4 } }, 3);
    check_grads(net, 3, 1, 1e-2);
    gan_net_free(net);
    /* vectors: concat along features */
    gan_layer_conf v[5];
    layer_conf("dense", &v[0], "units=3", NULL);
    layer_conf("sigmoid", &v[1], NULL);
    layer_conf("concat", &v[2], NULL);
    from(&v[2], -1, 1, 0, -2);
    layer_conf("dense", &v[3], "units=2", NULL);
    layer_conf("tanh", &v[4], NULL);
    net = build(v, 5, (gan_shape){ 1, { 4 } }, 4);
    ck_assert_int_eq(net->layers[2].out.d[0], 10);
    check_grads(net, 4, 1, 1e-2);
    gan_net_free(net);
}
END_TEST

/* One value read by three entries (and the input by two): backward sums
 * the three gradients into it. */
START_TEST(test_value_read_by_three_entries_gradcheck)
{
    gan_layer_conf c[8];
    layer_conf("dense", &c[0], "units=6", NULL);
    layer_conf("leaky_relu", &c[1], NULL);
    layer_conf("dense", &c[2], "units=4", NULL);          /* reads 1 */
    layer_conf("dense", &c[3], "units=4", NULL);
    from(&c[3], 1, -2);
    layer_conf("dense", &c[4], "units=4", NULL);
    from(&c[4], 1, -2);
    layer_conf("dense", &c[5], "units=4", NULL);
    from(&c[5], -1, -2);
    layer_conf("add", &c[6], NULL);
    from(&c[6], 2, 3, 4, 5, -2);
    layer_conf("dense", &c[7], "units=1", NULL);
    gan_net *net = build(c, 8, (gan_shape){ 1, { 5 } }, 4);
    ck_assert_int_ge(gan_net_plan_get(net).ntmp, 1);
    check_grads(net, 4, 1, 1e-2);
    /* the input gradient is the sum over both readers: check it without
     * the dx of the caller (NULL) too, parameters alike */
    float x[20], dy[4] = { 1, 2, -1, 0.5f }, dx[20];
    for (int i = 0; i < 20; i++) x[i] = 0.1f * (float)(i - 10);
    gan_net_zero_grad(net);
    gan_net_forward(net, x, 4, 1);
    gan_net_backward(net, dy, dx, 1);
    float *g1 = malloc(net->nparams * sizeof *g1);
    memcpy(g1, net->grads, net->nparams * sizeof *g1);
    gan_net_zero_grad(net);
    gan_net_forward(net, x, 4, 1);
    gan_net_backward(net, dy, NULL, 1);
    ck_assert_mem_eq(g1, net->grads, net->nparams * sizeof *g1);
    free(g1);
    gan_net_free(net);
}
END_TEST

/* A residual block: conv, batchnorm, tanh, conv, plus the identity
 * shortcut from the input; then one with a 1x1 conv shortcut after an
 * upsample (a generator's up-block).  tanh where a model would have relu:
 * central differences across relu's kink are not a derivative. */
START_TEST(test_residual_block_gradcheck)
{
    gan_layer_conf c[8];
    layer_conf("conv2d", &c[0], "filters=4", "kernel=3", "pad=1", NULL);
    layer_conf("batchnorm", &c[1], NULL);
    layer_conf("tanh", &c[2], NULL);
    layer_conf("conv2d", &c[3], "filters=4", "kernel=3", "pad=1", NULL);
    layer_conf("add", &c[4], NULL);
    from(&c[4], 3, -1, -2);
    layer_conf("tanh", &c[5], NULL);
    layer_conf("flatten", &c[6], NULL);
    layer_conf("dense", &c[7], "units=1", NULL);
    gan_net *net = build(c, 8, (gan_shape){ 3, { 4, 5, 5 } }, 3);
    check_grads(net, 3, 1, 2e-2);
    gan_net_free(net);

    gan_layer_conf u[9];
    layer_conf("batchnorm", &u[0], NULL);
    layer_conf("tanh", &u[1], NULL);
    layer_conf("upsample", &u[2], "factor=2", NULL);
    layer_conf("conv2d", &u[3], "filters=2", "kernel=3", "pad=1", NULL);
    layer_conf("upsample", &u[4], "factor=2", NULL);
    from(&u[4], -1, -2);
    layer_conf("conv2d", &u[5], "filters=2", "kernel=1", NULL);
    layer_conf("add", &u[6], NULL);
    from(&u[6], 3, 5, -2);
    layer_conf("flatten", &u[7], NULL);
    layer_conf("dense", &u[8], "units=2", NULL);
    net = build(u, 9, (gan_shape){ 3, { 3, 3, 3 } }, 3);
    check_grads(net, 3, 1, 2e-2);
    gan_net_free(net);
}
END_TEST

/* The memory plan: a value no backward pass reads gives its buffer to a
 * later one; a value read after an in-place candidate keeps its own. */
START_TEST(test_plan_reuses_dead_buffers)
{
    gan_layer_conf c[6];
    layer_conf("dense", &c[0], "units=4", NULL);
    layer_conf("dense", &c[1], "units=4", NULL);       /* dead: only add reads it */
    layer_conf("add", &c[2], NULL);
    from(&c[2], 1, -1, -2);
    layer_conf("add", &c[3], NULL);                    /* takes dense 1's buffer */
    from(&c[3], 2, 0, -2);
    layer_conf("tanh", &c[4], NULL);                   /* in place over add 3 */
    layer_conf("dense", &c[5], "units=1", NULL);
    gan_net *net = build(c, 6, (gan_shape){ 1, { 4 } }, 3);
    static const unsigned char want[6] = { 0, 0, 0, 3, 1, 3 };
    for (int i = 0; i < 6; i++)
        ck_assert_msg(gan_net_act_share(net, i) == want[i], "share[%d] = %d", i, gan_net_act_share(net, i));
    ck_assert_ptr_eq(net->act[3], net->act[1]);
    ck_assert_ptr_eq(net->act[4], net->act[3]);
    ck_assert_ptr_eq(net->act[5], net->act[2]);   /* add 2 is dead after add 3 */
    ck_assert_int_eq(gan_net_plan_get(net).nabuf, 3);
    check_grads(net, 3, 1, 1e-2);
    gan_net_free(net);
    /* tanh would write over dense 0, which add reads after it:
     * not in place */
    gan_layer_conf d[4];
    layer_conf("dense", &d[0], "units=4", NULL);
    layer_conf("tanh", &d[1], NULL);
    layer_conf("add", &d[2], NULL);
    from(&d[2], 1, 0, -2);
    layer_conf("dense", &d[3], "units=1", NULL);
    net = build(d, 4, (gan_shape){ 1, { 4 } }, 3);
    ck_assert_int_eq(gan_net_act_share(net, 1), 0);
    check_grads(net, 3, 1, 1e-2);
    gan_net_free(net);
}
END_TEST

static void expect_error(const gan_layer_conf *c, int n, gan_shape in, const char *msg)
{
    gan_net *net = (gan_net *)1;
    gan_error err;
    gan_error_clear(&err);
    ck_assert_int_ne(gan_net_create(&net, c, n, in, 2, &err), GAN_OK);
    ck_assert_ptr_null(net);
    ck_assert_msg(strcmp(err.msg, msg) == 0, "\n got: %s\nwant: %s", err.msg, msg);
}

START_TEST(test_bad_graphs_are_refused)
{
    gan_shape in = { 1, { 4 } };
    gan_layer_conf c[3];
    layer_conf("dense", &c[0], "units=3", NULL);
    layer_conf("dense", &c[1], "units=4", NULL);
    from(&c[1], -1, -2);                               /* dense 0 unused */
    expect_error(c, 2, in, "the output of dense 'dense' is never used (expected every entry "
                           "but the last to be read by a later one)");
    from(&c[1], 1, -2);
    expect_error(c, 2, in, "dense reads entry 1 (expected an earlier entry, or -1 for the input)");
    from(&c[1], 0, -1, -2);
    expect_error(c, 2, in, "dense reads 2 inputs (expected one)");
    layer_conf("add", &c[1], NULL);
    from(&c[1], 0, -1, -2);
    snprintf(c[0].id, sizeof c[0].id, "main");
    expect_error(c, 2, in, "add of 'main' (3) and 'input' (4): shapes differ (expected equal shapes)");
    from(&c[1], 0, 0, -2);
    expect_error(c, 2, in, "add reads 'main' twice (expected distinct inputs)");
    c[1].nfrom = 0;
    expect_error(c, 2, in, "add reads 1 input (expected at least 2 in from: [a, b, ...])");
    layer_conf("concat", &c[1], NULL);
    from(&c[1], 0, -1, -2);
    layer_conf("reshape", &c[0], "shape=2,2,1", NULL);
    c[0].id[0] = 0;
    expect_error(c, 2, in, "concat of 'reshape' (2, 2, 1) and 'input' (4): shapes do not fit "
                           "(expected inputs of one rank)");
}
END_TEST

/* ---- modulate (FiLM) ------------------------------------------------------ */

/* a net whose entry 2 modulates the input x (C, H, W) (or a vector) by
 * c = dense(F) of x's channel means: entry 0 global mean pool (or
 * identity via dense for vectors), 1 dense F, 2 modulate from [input, 1] */
static gan_net *film_net(gan_shape in, int F, int B, const char *sn)
{
    gan_layer_conf c[3];
    char units[32];
    snprintf(units, sizeof units, "units=%d", F);
    if (in.rank == 3) layer_conf("global_pool", &c[0], "op=mean", NULL);
    else layer_conf("tanh", &c[0], NULL);
    layer_conf("dense", &c[1], units, NULL);
    layer_conf("modulate", &c[2], sn, NULL);
    from(&c[2], -1, 1, -2);
    return build(c, 3, in, B);
}

/* y = (1 + Wg c + bg) x + (Wb c + bb), in double, with W the weights the
 * layer computes with (W / sigma under spectral_norm) */
static double film_vs_naive(gan_net *net, int B, const float *x)
{
    const gan_layer *l = &net->layers[2];
    int C = l->ins[0].d[0], F = l->ins[1].d[0];
    int P = (int)(gan_shape_size(l->ins[0]) / (size_t)C);
    const float *y = gan_net_forward(net, x, B, 0);
    const float *c = net->act[1];
    const float *Wg = gan_layer_sn_sigma(l) > 0 ? NULL : l->params;
    ck_assert_ptr_nonnull(Wg);
    const float *Wb = Wg + (size_t)C * F, *bg = Wb + (size_t)C * F, *bb = bg + C;
    double e = 0;
    for (int n = 0; n < B; n++)
        for (int k = 0; k < C; k++) {
            double ga = 1.0 + bg[k], be = bb[k];
            for (int f = 0; f < F; f++) {
                ga += (double)Wg[k * F + f] * c[n * F + f];
                be += (double)Wb[k * F + f] * c[n * F + f];
            }
            for (int p = 0; p < P; p++) {
                size_t i = ((size_t)n * C + k) * P + p;
                e = fmax(e, fabs(y[i] - (ga * x[i] + be)));
            }
        }
    return e;
}

START_TEST(test_modulate)
{
    const int B = 3;
    gan_shape img = { 3, { 4, 2, 3 } }, vec = { 1, { 5 } };
    gan_net *net = film_net(img, 6, B, NULL);
    const gan_layer *l = &net->layers[2];
    static const char *const names[4] = { "weight_gamma", "weight_beta", "bias_gamma", "bias_beta" };
    for (int t = 0; t < 4; t++) ck_assert_str_eq(l->tensors[t].name, names[t]);
    ck_assert_int_eq((int)l->nparams, 2 * 4 * 6 + 2 * 4);
    size_t n = (size_t)B * 24;
    float *x = malloc(n * sizeof *x);
    gan_rng r;
    gan_rng_seed(&r, 5);
    gan_rng_fill_normal(&r, x, n, 0, 1);
    double e = film_vs_naive(net, B, x);
    fprintf(stderr, "modulate (4, 2, 3) by (6): max |y - definition| %.2e\n", e);
    ck_assert_double_lt(e, 1e-5);
    /* gradients through both inputs (x directly, and through c's dense) */
    check_grads(net, B, 1, 1e-2);
    gan_net_free(net);
    net = film_net(vec, 3, B, NULL);
    gan_rng_fill_normal(&r, x, (size_t)B * 5, 0, 1);
    e = film_vs_naive(net, B, x);
    fprintf(stderr, "modulate (5) by (3): max |y - definition| %.2e\n", e);
    ck_assert_double_lt(e, 1e-5);
    check_grads(net, B, 1, 1e-2);
    gan_net_free(net);
    /* spectral_norm on Wg and Wb: evaluation gradients (u, v fixed) */
    gan_layer_conf c[3];
    gan_error err;
    layer_conf("global_pool", &c[0], "op=mean", NULL);
    layer_conf("dense", &c[1], "units=6", NULL);
    layer_conf("modulate", &c[2], "spectral_norm=1", NULL);
    from(&c[2], -1, 1, -2);
    ck_assert_int_eq(gan_net_create(&net, c, 3, img, B, &err), GAN_ERR_INVALID);
    fprintf(stderr, "%s\n", err.msg);
    ck_assert_ptr_nonnull(strstr(err.msg, "weights that start at zero"));
    net = film_net(img, 6, B, "init=normal");
    gan_net_free(net);
    layer_conf("modulate", &c[2], "spectral_norm=1", "init=normal", "init_std=0.3", NULL);
    from(&c[2], -1, 1, -2);
    net = build(c, 3, img, B);
    ck_assert_int_eq(net->layers[2].ntensors, 8);
    ck_assert_float_gt(gan_layer_sn_sigma(&net->layers[2]), 0.0f);
    check_grads(net, B, 0, 1e-2);
    gan_net_free(net);
    /* default init: zero weights, the identity */
    layer_conf("global_pool", &c[0], "op=mean", NULL);
    layer_conf("dense", &c[1], "units=6", NULL);
    layer_conf("modulate", &c[2], NULL);
    from(&c[2], -1, 1, -2);
    ck_assert_int_eq(gan_net_create(&net, c, 3, img, B, &err), GAN_OK);
    gan_rng_seed(&r, 1);
    gan_net_init(net, &r);
    gan_rng_fill_normal(&r, x, n, 0, 1);
    ck_assert_mem_eq(gan_net_forward(net, x, B, 1), x, n * sizeof *x);
    gan_net_free(net);
    /* the conditioning must be a vector */
    layer_conf("dense", &c[0], "units=24", NULL);
    layer_conf("reshape", &c[1], "shape=4,2,3", NULL);
    from(&c[2], 0, 1, -2);
    ck_assert_int_eq(gan_net_create(&net, c, 3, vec, B, &err), GAN_ERR_SHAPE);
    fprintf(stderr, "%s\n", err.msg);
    ck_assert_ptr_nonnull(strstr(err.msg, "must be a vector (F)"));
    free(x);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("graph");
    TCase *t = tcase_create("net");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, test_add_and_concat_compute_their_definition);
    tcase_add_test(t, test_add_and_concat_gradcheck);
    tcase_add_test(t, test_value_read_by_three_entries_gradcheck);
    tcase_add_test(t, test_residual_block_gradcheck);
    tcase_add_test(t, test_plan_reuses_dead_buffers);
    tcase_add_test(t, test_bad_graphs_are_refused);
    tcase_add_test(t, test_modulate);
    suite_add_tcase(s, t);
    return tu_run_suite(s);
}
