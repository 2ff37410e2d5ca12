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
#include <unistd.h>
#include "gan/gan.h"
#include "testutil.h"

/* test_batchnorm_plain_unchanged: the hashes at commit 45699ed */
#define PLAIN_HASH_CHW 0xdb9ab169cc00425eULL
#define PLAIN_HASH_F 0x3d2d8abdd589ed83ULL

/* ---- helpers ----------------------------------------------------------- */

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
    gan_net *net = tu_make_net(c, in, B, seed);
    float *x = tu_randn((size_t)B * gan_shape_size(in), seed + 1);
    assert_grads_ok(tu_check_on(net, x, B, training), want_params);
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
    gan_net *net = tu_make_net(&c, R3(C, H, W), B, 1);
    ck_assert(gan_shape_eq(net->out, R3(2, 2, 3)));
    float *x = tu_randn((size_t)B * C * H * W, 2);
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
    gan_net *net = tu_make_net(&c, R3(2, 1, 3), 2, 1);
    ck_assert(gan_shape_eq(net->out, R1(2)));
    const float *y = gan_net_forward(net, x, 2, 1);
    float sum[4] = { 6, 15, -6, 0.75f };
    ck_assert_mem_eq(y, sum, sizeof sum);
    gan_net_free(net);
    layer_conf("global_pool", &c, "op=mean", NULL);
    net = tu_make_net(&c, R3(2, 1, 3), 2, 1);
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


/* ---- conditional batchnorm ---------------------------------------------- */

static const int labels7[7] = { 0, 2, 1, 2, 0, 1, 1 };

/* conditional batchnorm, K = 3 classes, labels7 */
static gan_net *cbn_net(gan_shape in, int B, uint64_t seed)
{
    gan_layer_conf c;
    layer_conf("batchnorm", &c, "conditional=1", "classes=3", NULL);
    gan_net *net = tu_make_net(&c, in, B, seed);
    net->labels = labels7;
    return net;
}

START_TEST(test_cbatchnorm_tensors_and_init)
{
    gan_layer_conf c;
    layer_conf("batchnorm", &c, "conditional=1", "classes=3", NULL);
    gan_net *net;
    gan_error err;
    ck_assert_int_eq(gan_net_create(&net, &c, 1, R3(4, 2, 2), 2, &err), GAN_OK);
    const gan_layer *l = &net->layers[0];
    ck_assert_int_eq(l->ntensors, 4);
    ck_assert_str_eq(l->tensors[0].name, "gamma");
    ck_assert_str_eq(l->tensors[1].name, "beta");
    ck_assert_int_eq(l->tensors[0].rank, 2);
    ck_assert_int_eq(l->tensors[0].dims[0], 3);
    ck_assert_int_eq(l->tensors[0].dims[1], 4);
    ck_assert_uint_eq(l->tensors[1].offset, 12);
    ck_assert_uint_eq(net->nparams, 24);
    ck_assert_uint_eq(net->nbufs, 8);
    gan_rng r;
    gan_rng_seed(&r, 1);
    gan_net_init(net, &r);
    for (int i = 0; i < 12; i++) {
        ck_assert_float_eq(net->params[i], 1.0f);
        ck_assert_float_eq(net->params[12 + i], 0.0f);
    }
    gan_net_free(net);
}
END_TEST

/* y = G[k_n] (x - mu) / sqrt(var + eps) + Bt[k_n], batch statistics in double */
static void cbn_naive(double *y, const float *x, const float *G, const float *Bt, const int *lab,
                      int B, int C, int HW, double eps)
{
    for (int ch = 0; ch < C; ch++) {
        double m = 0, v = 0;
        for (int n = 0; n < B; n++)
            for (int j = 0; j < HW; j++) m += x[((size_t)n * C + ch) * HW + j];
        m /= (double)B * HW;
        for (int n = 0; n < B; n++)
            for (int j = 0; j < HW; j++) {
                double d = x[((size_t)n * C + ch) * HW + j] - m;
                v += d * d;
            }
        v /= (double)B * HW;
        for (int n = 0; n < B; n++)
            for (int j = 0; j < HW; j++) {
                size_t i = ((size_t)n * C + ch) * HW + j;
                y[i] = G[lab[n] * C + ch] * (x[i] - m) / sqrt(v + eps) + Bt[lab[n] * C + ch];
            }
    }
}

START_TEST(test_cbatchnorm_matches_naive)
{
    const gan_shape shapes[2] = { R3(3, 2, 3), R1(5) };
    for (int k = 0; k < 2; k++) {
        int B = 7, C = shapes[k].d[0], HW = (int)gan_shape_size(shapes[k]) / C;
        gan_net *net = cbn_net(shapes[k], B, 11 + k);
        size_t n = (size_t)B * C * HW;
        float *x = tu_randn(n, 13 + k);
        double *ref = malloc(n * sizeof *ref);
        cbn_naive(ref, x, net->params, net->params + 3 * C, labels7, B, C, HW, 1e-5);
        const float *y = gan_net_forward(net, x, B, 1);
        double e = max_abs_diff(y, ref, n);
        printf("conditional batchnorm (%d classes) B=%d HW=%d: max |y - naive| %.2e\n", 3, B, HW, e);
        ck_assert_double_lt(e, 1e-5);
        free(x);
        free(ref);
        gan_net_free(net);
    }
}
END_TEST

START_TEST(test_cbatchnorm_gradcheck)
{
    gan_net *net = cbn_net(R3(3, 2, 3), 7, 21);
    float *x = tu_randn(7 * 18, 22);
    assert_grads_ok(tu_check_on(net, x, 7, 1), 1);
    /* evaluation: running statistics away from (0, 1) */
    for (int i = 0; i < 3; i++) {
        net->bufs[i] = 0.3f * (float)(i - 1);
        net->bufs[3 + i] = 0.5f + 0.7f * (float)i;
    }
    assert_grads_ok(tu_check_on(net, x, 7, 0), 1);
    free(x);
    gan_net_free(net);
    net = cbn_net(R1(5), 6, 23);
    x = tu_randn(6 * 5, 24);
    assert_grads_ok(tu_check_on(net, x, 6, 1), 1);
    free(x);
    gan_net_free(net);
    /* one sample with a batch of one pixel per channel: rank 3, 1 x 2 */
    net = cbn_net(R3(2, 1, 2), 1, 25);
    x = tu_randn(4, 26);
    x[1] = x[0] + 1.0f, x[3] = x[2] - 1.0f;   /* away from a zero variance */
    assert_grads_ok(tu_check_on(net, x, 1, 1), 1);
    free(x);
    gan_net_free(net);
}
END_TEST

START_TEST(test_cbatchnorm_sync_one_rank_and_contract)
{
    gan_layer_conf c, p;
    layer_conf("batchnorm", &c, "conditional=1", "classes=3", "sync=1", NULL);
    layer_conf("batchnorm", &p, "conditional=1", "classes=3", NULL);
    int B = 7;
    size_t n = (size_t)B * 12;
    gan_net *a = tu_make_net(&c, R3(3, 2, 2), B, 31), *b = tu_make_net(&p, R3(3, 2, 2), B, 31);
    a->labels = b->labels = labels7;
    float *x = tu_randn(n, 32), *dy = tu_randn(n, 33);
    float *dxa = malloc(n * sizeof *dxa), *dxb = malloc(n * sizeof *dxb);
    const float *ya = gan_net_forward(a, x, B, 1), *yb = gan_net_forward(b, x, B, 1);
    ck_assert(memcmp(ya, yb, n * sizeof *ya) == 0);
    gan_net_zero_grad(a);
    gan_net_zero_grad(b);
    gan_net_backward(a, dy, dxa, 0);   /* frozen: grads untouched */
    for (size_t i = 0; i < a->nparams; i++) ck_assert_float_eq(a->grads[i], 0.0f);
    for (size_t i = 0; i < n; i++) dxa[i] = 1e3f;
    gan_net_backward(a, dy, dxa, 1);
    gan_net_backward(b, dy, dxb, 1);
    ck_assert(memcmp(dxa, dxb, n * sizeof *dxa) == 0);
    ck_assert(memcmp(a->grads, b->grads, a->nparams * sizeof(float)) == 0);
    ck_assert(memcmp(a->bufs, b->bufs, a->nbufs * sizeof(float)) == 0);
    /* classes without a sample in the batch get no gradient */
    float *g0 = malloc(a->nparams * sizeof *g0);
    memcpy(g0, a->grads, a->nparams * sizeof *g0);
    gan_net_backward(a, dy, NULL, 1);
    for (size_t i = 0; i < a->nparams; i++)
        ck_assert_double_eq_tol(a->grads[i], 2 * g0[i], 1e-5 * (1 + fabs(g0[i])));
    free(x), free(dy), free(dxa), free(dxb), free(g0);
    gan_net_free(a);
    gan_net_free(b);
}
END_TEST

START_TEST(test_cbatchnorm_option_errors)
{
    gan_layer_conf c;
    gan_error err;
    layer_conf("batchnorm", &c, "conditional=1", NULL);
    ck_assert_int_eq(try_setup(&c, R3(2, 2, 2), &err), GAN_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(err.msg, "needs the number of classes"));
    layer_conf("batchnorm", &c, "conditional=1", "classes=4", "affine=0", NULL);
    ck_assert_int_eq(try_setup(&c, R3(2, 2, 2), &err), GAN_ERR_INVALID);
    ck_assert_str_eq(err.msg, "batchnorm: conditional needs affine (the per-class gamma and beta)");
    layer_conf("batchnorm", &c, "classes=4", NULL);
    ck_assert_int_eq(try_setup(&c, R3(2, 2, 2), &err), GAN_ERR_INVALID);
    ck_assert_str_eq(err.msg, "batchnorm: classes without conditional: true");
}
END_TEST

/* 64-bit FNV-1a of n floats' bytes, chained */
static uint64_t fnv(uint64_t h, const float *x, size_t n)
{
    const unsigned char *p = (const unsigned char *)x;
    for (size_t i = 0; i < n * sizeof *x; i++) h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

/* The plain layer (conditional false, the default) has the tensors of the
 * layer before the key existed, so old checkpoints load, and computes the
 * same floats: y, dx, the parameter gradients and running statistics of
 * training and evaluation passes hash to the values the layer gave at
 * commit 45699ed (x86-64; elsewhere contractions into FMAs may change the
 * last bits, so only the layout is checked there). */
START_TEST(test_batchnorm_plain_unchanged)
{
    const gan_shape shapes[2] = { R3(3, 2, 3), R1(5) };
    uint64_t got[2];
    for (int k = 0; k < 2; k++) {
        gan_layer_conf c;
        layer_conf("batchnorm", &c, NULL);
        int B = 6, C = shapes[k].d[0];
        size_t n = (size_t)B * gan_shape_size(shapes[k]);
        gan_net *net = tu_make_net(&c, shapes[k], B, 41 + k);
        const gan_layer *l = &net->layers[0];
        static const char *const names[4] = { "gamma", "beta", "running_mean", "running_var" };
        ck_assert_int_eq(l->ntensors, 4);
        for (int t = 0; t < 4; t++) {
            ck_assert_str_eq(l->tensors[t].name, names[t]);
            ck_assert_int_eq(l->tensors[t].is_buffer, t >= 2);
            ck_assert_int_eq(l->tensors[t].rank, 1);
            ck_assert_int_eq(l->tensors[t].dims[0], C);
            ck_assert_uint_eq(l->tensors[t].offset, (size_t)(t % 2) * C);
        }
        ck_assert_uint_eq(net->nparams, 2 * (size_t)C);
        float *x = tu_randn(n, 43 + k), *dy = tu_randn(n, 45 + k), *dx = malloc(n * sizeof *dx);
        uint64_t h = 1469598103934665603ULL;
        for (int training = 1; training >= 0; training--) {
            h = fnv(h, gan_net_forward(net, x, B, training), n);
            gan_net_zero_grad(net);
            gan_net_backward(net, dy, dx, 1);
            h = fnv(h, dx, n);
            h = fnv(h, net->grads, net->nparams);
            h = fnv(h, net->bufs, net->nbufs);
        }
        got[k] = h;
        printf("plain batchnorm %s: hash %016llx\n", k ? "(F)" : "(C, H, W)", (unsigned long long)h);
        fflush(stdout);
        free(x), free(dy), free(dx);
        gan_net_free(net);
    }
#if defined(__x86_64__)
    ck_assert_msg(got[0] == PLAIN_HASH_CHW && got[1] == PLAIN_HASH_F, "plain batchnorm changed");
#endif
}
END_TEST

/* In a model file: classes from data.classes, written out by the expanded
 * model, which reads back; the plain layer is no label layer. */
static const char *cbn_model =
    "name: cbn\n"
    "data: {format: csv, path: %s, label_column: 2%s}\n"
    "noise: {distribution: normal, dim: 2}\n"
    "generator:\n"
    "  - dense: {units: 8}\n"
    "  - batchnorm: {conditional: true}\n"
    "  - relu\n"
    "  - dense: {units: 2}\n"
    "discriminator:\n"
    "  - dense: {units: 8}\n"
    "  - batchnorm: {}\n"
    "  - relu\n"
    "  - %s\n"
    "train: {batch: 4, steps: 1}\n";

START_TEST(test_cbatchnorm_in_a_model_file)
{
    char csv[64], text[2048];
    snprintf(csv, sizeof csv, "/tmp/ganrun-check-layers2-%ld.csv", (long)getpid());
    FILE *f = fopen(csv, "w");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 8; i++) fprintf(f, "%d.5,%d,%d\n", i, -i, i % 4);
    fclose(f);
    gan_model_spec *m, *m2;
    gan_error err;
    snprintf(text, sizeof text, cbn_model, csv, ", classes: 4", "project: {}");
    ck_assert_msg(gan_model_load_string(&m, text, strlen(text), "cbn.yaml", NULL, 0, &err) == GAN_OK,
                  "%s", err.msg);
    ck_assert_int_eq((int)gan_conf_num(&m->gen.layers[1], "classes"), 4);
    ck_assert_int_eq((int)gan_conf_num(&m->disc.layers[1], "classes"), 0);
    char *x = gan_model_expand(m);
    ck_assert_ptr_nonnull(strstr(x, "conditional: true, classes: 4}"));
    ck_assert_ptr_nonnull(strstr(x, "conditional: false, classes: 0}"));
    ck_assert_msg(gan_model_load_string(&m2, x, strlen(x), "expanded", NULL, 0, &err) == GAN_OK,
                  "%s", err.msg);
    gan_net *G, *D;
    ck_assert_msg(gan_model_build(m2, R1(2), 4, &G, &D, &err) == GAN_OK, "%s", err.msg);
    ck_assert_int_eq(G->layers[1].tensors[0].dims[0], 4);
    ck_assert_int_eq(G->layers[1].tensors[0].dims[1], 8);
    ck_assert_int_eq(D->layers[1].tensors[0].rank, 1);
    gan_net_free(G);
    gan_net_free(D);
    free(x);
    gan_model_free(m);
    gan_model_free(m2);
    /* without data.classes: the plain layer is fine, the conditional one not */
    snprintf(text, sizeof text, cbn_model, csv, "", "dense: {units: 1}");
    ck_assert_int_eq(gan_model_load_string(&m, text, strlen(text), "cbn.yaml", NULL, 0, &err),
                     GAN_ERR_INVALID);
    printf("error: cbn.yaml:%d:%d: %s\n", err.line, err.col, err.msg);
    ck_assert_ptr_nonnull(strstr(err.msg, "batchnorm layer in the generator of an unconditional model"));
    ck_assert_int_eq(err.line, 6);
    char *p = strstr(text, "{conditional: true}");
    memcpy(p, "{}                 ", 19);
    ck_assert_msg(gan_model_load_string(&m, text, strlen(text), "cbn.yaml", NULL, 0, &err) == GAN_OK,
                  "%s", err.msg);
    gan_model_free(m);
    unlink(csv);
}
END_TEST

/* ---- attention ---------------------------------------------------------- */

/* y (B, C, N) from the definition, in double: f, g, h = W x; s = g^T f;
 * a = softmax of s's rows; y = gamma h a^T + x */
static void attention_naive(double *y, const float *x, const float *params, int B, int C, int R,
                            int N)
{
    const float *Wf = params, *Wg = Wf + R * C, *Wh = Wg + R * C;
    float gamma = Wh[C * C];
    double *f = malloc((size_t)R * N * sizeof *f), *g = malloc((size_t)R * N * sizeof *g);
    double *h = malloc((size_t)C * N * sizeof *h), *a = malloc((size_t)N * sizeof *a);
    for (int n = 0; n < B; n++) {
        const float *xn = x + (size_t)n * C * N;
        for (int i = 0; i < N; i++) {
            for (int r = 0; r < R; r++) {
                double sf = 0, sg = 0;
                for (int c = 0; c < C; c++) {
                    sf += (double)Wf[r * C + c] * xn[c * N + i];
                    sg += (double)Wg[r * C + c] * xn[c * N + i];
                }
                f[r * N + i] = sf, g[r * N + i] = sg;
            }
            for (int o = 0; o < C; o++) {
                double sh = 0;
                for (int c = 0; c < C; c++) sh += (double)Wh[o * C + c] * xn[c * N + i];
                h[o * N + i] = sh;
            }
        }
        for (int j = 0; j < N; j++) {
            double m = -INFINITY, z = 0;
            for (int i = 0; i < N; i++) {
                double s = 0;
                for (int r = 0; r < R; r++) s += g[r * N + j] * f[r * N + i];
                a[i] = s;
                m = fmax(m, s);
            }
            for (int i = 0; i < N; i++) z += a[i] = exp(a[i] - m);
            for (int c = 0; c < C; c++) {
                double o = 0;
                for (int i = 0; i < N; i++) o += h[c * N + i] * a[i] / z;
                y[((size_t)n * C + c) * N + j] = gamma * o + xn[c * N + j];
            }
        }
    }
    free(f), free(g), free(h), free(a);
}

static double attention_vs_naive(int B, int C, int H, int W, const char *reduce, float scale)
{
    gan_layer_conf c;
    layer_conf("attention", &c, reduce, NULL);
    gan_net *net = tu_make_net(&c, R3(C, H, W), B, 51);
    int R = net->layers[0].tensors[0].dims[0], N = H * W;
    net->params[net->nparams - 1] = 0.7f;   /* gamma */
    size_t n = (size_t)B * C * N;
    float *x = tu_randn(n, 52);
    for (size_t i = 0; i < n; i++) x[i] *= scale;
    double *ref = malloc(n * sizeof *ref), top = 0;
    attention_naive(ref, x, net->params, B, C, R, N);
    const float *y = gan_net_forward(net, x, B, 1);
    for (size_t i = 0; i < n; i++) top = fmax(top, fabs(ref[i]));
    double e = max_abs_diff(y, ref, n) / fmax(1.0, top);
    printf("attention B=%d (%d, %d, %d) R=%d x*%g: max |y - naive| / max(1, |y|) %.2e\n", B, C, H,
           W, R, scale, e);
    free(x);
    free(ref);
    gan_net_free(net);
    return e;
}

START_TEST(test_attention_matches_naive)
{
    ck_assert_double_lt(attention_vs_naive(3, 16, 3, 4, "reduce=8", 1.0f), 1e-5);
    ck_assert_double_lt(attention_vs_naive(2, 6, 5, 5, "reduce=4", 1.0f), 1e-5);
    ck_assert_double_lt(attention_vs_naive(1, 3, 1, 1, "reduce=1", 1.0f), 1e-5);
    /* scores in the thousands: the softmax must not overflow */
    ck_assert_double_lt(attention_vs_naive(2, 8, 4, 4, "reduce=2", 30.0f), 1e-5);
}
END_TEST

/* Inputs normal(0, 0.5): with normal(0, 1) the scores spread over several
 * units, and the softmax's curvature puts the central differences (h 1e-2)
 * 1e-2 off the gradients (the error falls as h^2 down to h 5e-3, below
 * which float rounding takes over). */
static void gradcheck_attention(const gan_layer_conf *c, gan_shape in, int B, int training,
                                uint64_t seed)
{
    gan_net *net = tu_make_net(c, in, B, seed);
    size_t n = (size_t)B * gan_shape_size(in);
    float *x = tu_randn(n, seed + 1);
    for (size_t i = 0; i < n; i++) x[i] *= 0.5f;
    assert_grads_ok(tu_check_on(net, x, B, training), 1);
    free(x);
    gan_net_free(net);
}

START_TEST(test_attention_gradcheck)
{
    gan_layer_conf c;
    layer_conf("attention", &c, NULL);
    gradcheck_attention(&c, R3(16, 3, 4), 3, 1, 61);
    gradcheck_attention(&c, R3(16, 2, 2), 1, 0, 62);   /* one sample, evaluation */
    layer_conf("attention", &c, "reduce=2", NULL);
    gradcheck_attention(&c, R3(4, 3, 3), 5, 1, 63);
}
END_TEST

START_TEST(test_attention_starts_as_identity)
{
    gan_layer_conf c;
    layer_conf("attention", &c, NULL);
    gan_net *net;
    gan_error err;
    ck_assert_int_eq(gan_net_create(&net, &c, 1, R3(16, 2, 3), 2, &err), GAN_OK);
    const gan_layer *l = &net->layers[0];
    static const char *const names[4] = { "weight_f", "weight_g", "weight_h", "gamma" };
    const int dims[4][2] = { { 2, 16 }, { 2, 16 }, { 16, 16 }, { 1, 0 } };
    for (int t = 0; t < 4; t++) {
        ck_assert_str_eq(l->tensors[t].name, names[t]);
        ck_assert_int_eq(l->tensors[t].dims[0], dims[t][0]);
        ck_assert_int_eq(l->tensors[t].dims[1], dims[t][1]);
    }
    gan_rng r;
    gan_rng_seed(&r, 1);
    gan_net_init(net, &r);
    ck_assert_float_eq(net->params[net->nparams - 1], 0.0f);
    float *x = tu_randn(2 * 96, 2);
    const float *y = gan_net_forward(net, x, 2, 1);
    ck_assert_mem_eq(y, x, 2 * 96 * sizeof *x);
    free(x);
    gan_net_free(net);
}
END_TEST

/* The batch split over 1 to 4 threads: the same y, dx and parameter
 * gradients bit for bit (each sample is one task's; the parameter
 * gradients are added in sample order).  gamma is set non-zero, else the
 * weights' gradients would all be 0. */
START_TEST(test_attention_threads_agree)
{
    gan_layer_conf c;
    layer_conf("attention", &c, "reduce=4", NULL);
    int B = 5;
    size_t n = (size_t)B * 8 * 9;
    float *x = tu_randn(n, 71), *dy = tu_randn(n, 72);
    float *y[4], *dx[4], *g[4];
    size_t np = 0;
    for (int k = 0; k < 4; k++) {
        gan_par_set_threads(k + 1);
        gan_net *net = tu_make_net(&c, R3(8, 3, 3), B, 73);
        np = net->nparams;
        net->params[np - 1] = 0.7f;   /* gamma */
        y[k] = malloc(n * sizeof(float)), dx[k] = malloc(n * sizeof(float));
        g[k] = malloc(np * sizeof(float));
        memcpy(y[k], gan_net_forward(net, x, B, 1), n * sizeof(float));
        gan_net_zero_grad(net);
        gan_net_backward(net, dy, dx[k], 1);
        memcpy(g[k], net->grads, np * sizeof(float));
        gan_net_free(net);
    }
    gan_par_set_threads(0);
    int nonzero = 0;
    for (size_t i = 0; i + 1 < np; i++) nonzero += g[0][i] != 0.0f;
    ck_assert_int_gt(nonzero, (int)(np / 2));
    for (int k = 1; k < 4; k++) {
        ck_assert_mem_eq(y[0], y[k], n * sizeof(float));
        ck_assert_mem_eq(dx[0], dx[k], n * sizeof(float));
        ck_assert_mem_eq(g[0], g[k], np * sizeof(float));
    }
    for (int k = 0; k < 4; k++) free(y[k]), free(dx[k]), free(g[k]);
    free(x);
    free(dy);
}
END_TEST

/* spectral_norm: Wf, Wg and Wh each over its own largest singular value.
 * After 300 training passes the power iteration has converged, so an
 * evaluation pass must match the definition computed with W_i / sigma_i
 * (sigma_i by gradcheck_sigma_max, in double); gamma is not normalised.
 * The buffers are named per weight, and a training pass leaves
 * the parameters themselves alone. */
START_TEST(test_attention_spectral_norm)
{
    gan_layer_conf c;
    layer_conf("attention", &c, "reduce=2", "spectral_norm=1", NULL);
    const int B = 2, C = 6, H = 3, W = 4, R = 3, N = H * W;
    gan_net *net = tu_make_net(&c, R3(C, H, W), B, 81);
    const gan_layer *l = &net->layers[0];
    static const char *const names[10] = { "weight_f", "weight_g", "weight_h", "gamma",
                                           "weight_f.sn_u", "weight_f.sn_v", "weight_g.sn_u",
                                           "weight_g.sn_v", "weight_h.sn_u", "weight_h.sn_v" };
    const int len[10] = { R * C, R * C, C * C, 1, R, C, R, C, C, C };
    ck_assert_int_eq(l->ntensors, 10);
    for (int t = 0; t < 10; t++) {
        ck_assert_str_eq(l->tensors[t].name, names[t]);
        ck_assert_int_eq(l->tensors[t].is_buffer, t >= 4);
        ck_assert_int_eq((int)l->tensors[t].size, len[t]);
    }
    net->params[net->nparams - 1] = 0.7f;   /* gamma */
    /* weights scaled so that each sigma is far from 1 */
    for (size_t i = 0; i + 1 < net->nparams; i++) net->params[i] *= 9.0f;
    size_t n = (size_t)B * C * N;
    float *x = tu_randn(n, 82), *p0 = malloc(net->nparams * sizeof *p0);
    memcpy(p0, net->params, net->nparams * sizeof *p0);
    for (int i = 0; i < 300; i++) gan_net_forward(net, x, B, 1);
    ck_assert_mem_eq(net->params, p0, net->nparams * sizeof *p0);
    float *wn = malloc(net->nparams * sizeof *wn);   /* [Wf; Wg; Wh] / sigmas, gamma */
    const int rows[3] = { R, R, C };
    size_t off = 0;
    for (int k = 0; k < 3; k++) {
        double sig = gradcheck_sigma_max(p0 + off, rows[k], C);
        ck_assert_double_gt(sig, 2.0);
        for (size_t i = 0; i < (size_t)rows[k] * C; i++) wn[off + i] = (float)(p0[off + i] / sig);
        off += (size_t)rows[k] * C;
    }
    wn[off] = p0[off];
    ck_assert_int_eq((int)off + 1, (int)net->nparams);
    double *ref = malloc(n * sizeof *ref), top = 0;
    attention_naive(ref, x, wn, B, C, R, N);
    const float *y = gan_net_forward(net, x, B, 0);
    for (size_t i = 0; i < n; i++) top = fmax(top, fabs(ref[i]));
    double e = max_abs_diff(y, ref, n) / fmax(1.0, top);
    printf("attention with spectral_norm: max |y - naive with W_i / sigma_i| / max(1, |y|) %.2e\n", e);
    ck_assert_double_lt(e, 1e-4);
    /* evaluation-mode gradients (u, v fixed) against finite differences */
    for (size_t i = 0; i < n; i++) x[i] *= 0.5f;
    assert_grads_ok(tu_check_on(net, x, B, 0), 1);
    free(x), free(p0), free(wn), free(ref);
    gan_net_free(net);
}
END_TEST

START_TEST(test_attention_errors)
{
    gan_layer_conf c;
    gan_error err;
    layer_conf("attention", &c, NULL);
    ck_assert_int_eq(try_setup(&c, R3(4, 2, 2), &err), GAN_ERR_SHAPE);
    ck_assert_str_eq(err.msg, "attention: input (4, 2, 2) has fewer channels than reduce 8");
    ck_assert_int_eq(try_setup(&c, R1(64), &err), GAN_ERR_SHAPE);
    ck_assert_int_eq(try_setup(&c, R3(8, 128, 128), &err), GAN_ERR_SHAPE);
    ck_assert_int_eq(try_setup(&c, R3(8, 64, 128), &err), GAN_OK);
}
END_TEST

/* ---- layernorm, pixelnorm ----------------------------------------------- */

/* y (B, C, HW): layernorm over each sample's D = C*HW, gamma, beta (C) or NULL */
static void layernorm_naive(double *y, const float *x, const float *gamma, const float *beta,
                            int B, int C, int HW, double eps)
{
    size_t D = (size_t)C * HW;
    for (int n = 0; n < B; n++) {
        const float *xn = x + n * D;
        double m = 0, v = 0;
        for (size_t i = 0; i < D; i++) m += xn[i];
        m /= (double)D;
        for (size_t i = 0; i < D; i++) v += (xn[i] - m) * (xn[i] - m);
        v /= (double)D;
        for (size_t i = 0; i < D; i++) {
            int ch = (int)(i / (size_t)HW);
            y[n * D + i] = (gamma ? gamma[ch] : 1.0) * (xn[i] - m) / sqrt(v + eps) + (beta ? beta[ch] : 0.0);
        }
    }
}

START_TEST(test_layernorm_matches_naive)
{
    const gan_shape shapes[2] = { R3(3, 2, 5), R1(7) };
    for (int k = 0; k < 2; k++)
        for (int affine = 0; affine <= 1; affine++) {
            gan_layer_conf c;
            layer_conf("layernorm", &c, affine ? "affine=1" : "affine=0", "eps=1e-3", NULL);
            int B = 3, C = shapes[k].d[0], HW = (int)gan_shape_size(shapes[k]) / C;
            gan_net *net = tu_make_net(&c, shapes[k], B, 81);
            size_t n = (size_t)B * C * HW;
            float *x = tu_randn(n, 82);
            for (size_t i = 0; i < n; i++) x[i] = 3.0f * x[i] + 5.0f;   /* far from (0, 1) */
            double *ref = malloc(n * sizeof *ref);
            layernorm_naive(ref, x, affine ? net->params : NULL, affine ? net->params + C : NULL, B,
                            C, HW, 1e-3);
            for (int training = 0; training <= 1; training++) {
                const float *y = gan_net_forward(net, x, B, training);
                ck_assert_double_lt(max_abs_diff(y, ref, n), 1e-5);
            }
            free(x), free(ref);
            gan_net_free(net);
        }
}
END_TEST

START_TEST(test_layernorm_gradcheck)
{
    gan_layer_conf c;
    layer_conf("layernorm", &c, NULL);
    gradcheck_conf(&c, R3(3, 2, 3), 2, 1, 91, 1);
    gradcheck_conf(&c, R3(3, 2, 3), 2, 0, 92, 1);
    gradcheck_conf(&c, R1(7), 3, 1, 93, 1);
    gradcheck_conf(&c, R3(2, 2, 2), 1, 1, 94, 1);
    layer_conf("layernorm", &c, "affine=0", NULL);
    gradcheck_conf(&c, R3(2, 3, 2), 2, 1, 95, 0);
}
END_TEST

START_TEST(test_pixelnorm_matches_naive_and_gradcheck)
{
    const gan_shape shapes[2] = { R3(4, 2, 3), R1(6) };
    for (int k = 0; k < 2; k++) {
        gan_layer_conf c;
        layer_conf("pixelnorm", &c, "eps=1e-2", NULL);
        int B = 2, C = shapes[k].d[0], HW = (int)gan_shape_size(shapes[k]) / C;
        gan_net *net = tu_make_net(&c, shapes[k], B, 101);
        size_t n = (size_t)B * C * HW;
        float *x = tu_randn(n, 102);
        double *ref = malloc(n * sizeof *ref);
        for (int b = 0; b < B; b++)
            for (int p = 0; p < HW; p++) {
                double s = 0;
                for (int ch = 0; ch < C; ch++) s += (double)x[(b * C + ch) * HW + p] * x[(b * C + ch) * HW + p];
                for (int ch = 0; ch < C; ch++)
                    ref[(b * C + ch) * HW + p] = x[(b * C + ch) * HW + p] / sqrt(s / C + 1e-2);
            }
        const float *y = gan_net_forward(net, x, B, 1);
        ck_assert_double_lt(max_abs_diff(y, ref, n), 1e-5);
        assert_grads_ok(tu_check_on(net, x, B, 1), 0);
        free(x), free(ref);
        gan_net_free(net);
    }
    gan_layer_conf c;
    layer_conf("pixelnorm", &c, NULL);
    gradcheck_conf(&c, R3(3, 3, 3), 1, 0, 103, 0);
}
END_TEST

/* ---- minibatch_stddev --------------------------------------------------- */

/* y (B, C+1, HW) with groups of G samples n = g*M + m */
static void mbstd_naive(double *y, const float *x, int B, int G, int C, int HW, double eps)
{
    int M = B / G;
    size_t D = (size_t)C * HW, O = D + HW;
    for (int m = 0; m < M; m++) {
        double stat = 0;
        for (size_t f = 0; f < D; f++) {
            double mean = 0, v = 0;
            for (int g = 0; g < G; g++) mean += x[(size_t)(g * M + m) * D + f] / G;
            for (int g = 0; g < G; g++) {
                double d = x[(size_t)(g * M + m) * D + f] - mean;
                v += d * d / G;
            }
            stat += sqrt(v + eps) / (double)D;
        }
        for (int g = 0; g < G; g++) {
            size_t n = (size_t)g * M + m;
            for (size_t f = 0; f < D; f++) y[n * O + f] = x[n * D + f];
            for (int j = 0; j < HW; j++) y[n * O + D + j] = stat;
        }
    }
}

/* forward against the naive loop with the group G it should pick */
static double mbstd_case(int B, const char *group, int G)
{
    gan_layer_conf c;
    layer_conf("minibatch_stddev", &c, group, NULL);
    int C = 3, HW = 4;
    gan_net *net = tu_make_net(&c, R3(C, 2, 2), B, 111);
    ck_assert(gan_shape_eq(net->out, R3(4, 2, 2)));
    size_t n = (size_t)B * C * HW, no = (size_t)B * (C + 1) * HW;
    float *x = tu_randn(n, 112 + B);
    double *ref = malloc(no * sizeof *ref);
    mbstd_naive(ref, x, B, G, C, HW, 1e-8);
    const float *y = gan_net_forward(net, x, B, 1);
    double e = max_abs_diff(y, ref, no);
    printf("minibatch_stddev B=%d %s: G=%d, stat of sample 0 %.4f, max |y - naive| %.2e\n", B, group,
           G, y[(size_t)C * HW], e);
    free(x), free(ref);
    gan_net_free(net);
    return e;
}

START_TEST(test_minibatch_stddev_matches_naive)
{
    ck_assert_double_lt(mbstd_case(8, "group=4", 4), 1e-6);
    ck_assert_double_lt(mbstd_case(8, "group=8", 8), 1e-6);
    ck_assert_double_lt(mbstd_case(6, "group=4", 3), 1e-6);   /* 4 does not divide 6 */
    ck_assert_double_lt(mbstd_case(7, "group=4", 1), 1e-6);   /* nor anything but 1 */
    ck_assert_double_lt(mbstd_case(2, "group=4", 2), 1e-6);   /* a batch below the group */
    ck_assert_double_lt(mbstd_case(1, "group=4", 1), 1e-6);   /* one sample: sqrt(eps) */
}
END_TEST

START_TEST(test_minibatch_stddev_gradcheck)
{
    gan_layer_conf c;
    layer_conf("minibatch_stddev", &c, "group=2", NULL);
    gradcheck_conf(&c, R3(2, 2, 3), 4, 1, 121, 0);
    layer_conf("minibatch_stddev", &c, NULL);
    gradcheck_conf(&c, R3(2, 3, 2), 6, 1, 122, 0);   /* groups of 3 */
    gradcheck_conf(&c, R3(3, 2, 2), 8, 0, 123, 0);
    gradcheck_conf(&c, R3(2, 2, 2), 1, 1, 124, 0);
}
END_TEST

START_TEST(test_norm_errors)
{
    gan_layer_conf c;
    gan_error err;
    layer_conf("minibatch_stddev", &c, NULL);
    ck_assert_int_eq(try_setup(&c, R1(8), &err), GAN_ERR_SHAPE);
    ck_assert_str_eq(err.msg, "minibatch_stddev: input (8) must be (C, H, W)");
    layer_conf("layernorm", &c, NULL);
    ck_assert_int_eq(try_setup(&c, R1(8), &err), GAN_OK);
    layer_conf("pixelnorm", &c, NULL);
    ck_assert_int_eq(try_setup(&c, R1(8), &err), GAN_OK);
}
END_TEST

/* ---- slice --------------------------------------------------------------- */

START_TEST(test_slice_values_gradcheck_and_errors)
{
    gan_layer_conf c;
    gan_error err;
    /* vectors: features 2..4 of 7; images: channels 1..2 of 4 */
    layer_conf("slice", &c, "start=2", "size=3", NULL);
    gan_net *net = tu_make_net(&c, R1(7), 3, 171);
    float *x = tu_randn(21, 172);
    const float *y = gan_net_forward(net, x, 3, 1);
    ck_assert(gan_shape_eq(net->out, R1(3)));
    for (int n = 0; n < 3; n++)
        for (int f = 0; f < 3; f++) ck_assert_float_eq(y[n * 3 + f], x[n * 7 + 2 + f]);
    float dy[9], dx[21];
    for (int i = 0; i < 9; i++) dy[i] = (float)(i + 1);
    gan_net_backward(net, dy, dx, 1);
    for (int n = 0; n < 3; n++)
        for (int f = 0; f < 7; f++)
            ck_assert_float_eq(dx[n * 7 + f], f >= 2 && f < 5 ? dy[n * 3 + f - 2] : 0.0f);
    free(x);
    gan_net_free(net);
    layer_conf("slice", &c, "start=1", "size=2", NULL);
    net = tu_make_net(&c, R3(4, 2, 3), 2, 173);
    x = tu_randn(48, 174);
    y = gan_net_forward(net, x, 2, 1);
    ck_assert(gan_shape_eq(net->out, R3(2, 2, 3)));
    for (int n = 0; n < 2; n++) ck_assert_mem_eq(y + n * 12, x + n * 24 + 6, 12 * sizeof *y);
    free(x);
    gan_net_free(net);
    gradcheck_conf(&c, R3(4, 2, 3), 2, 1, 175, 0);
    layer_conf("slice", &c, "size=7", NULL);
    gradcheck_conf(&c, R1(7), 3, 0, 176, 0);   /* the whole vector */
    /* out of range, and a rank it does not take */
    layer_conf("slice", &c, "start=5", "size=3", NULL);
    ck_assert_int_eq(try_setup(&c, R1(7), &err), GAN_ERR_SHAPE);
    ck_assert_str_eq(err.msg, "slice: start 5 + size 3 is beyond the 7 features of input (7)");
    ck_assert_int_eq(try_setup(&c, R3(4, 2, 2), &err), GAN_ERR_SHAPE);
    ck_assert_str_eq(err.msg, "slice: start 5 + size 3 is beyond the 4 channels of input (4, 2, 2)");
}
END_TEST

/* ---- contract: dx overwritten, frozen grads untouched, grads accumulate -- */

START_TEST(test_new_layers_keep_the_backward_contract)
{
    static const struct { const char *type; const char *kv[3]; gan_shape in; } cases[] = {
        { "avgpool", { NULL }, R3(2, 4, 2) },
        { "global_pool", { "op=mean", NULL }, R3(2, 2, 3) },
        { "batchnorm", { "conditional=1", "classes=3", NULL }, R3(2, 2, 2) },
        { "attention", { "reduce=2", NULL }, R3(4, 2, 3) },
        { "layernorm", { NULL }, R3(2, 2, 2) },
        { "layernorm", { NULL }, R1(5) },
        { "pixelnorm", { NULL }, R3(3, 2, 2) },
        { "minibatch_stddev", { NULL }, R3(2, 2, 2) },
        { "slice", { "start=1", "size=2", NULL }, R3(3, 2, 2) },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        gan_layer_conf c;
        layer_conf(cases[k].type, &c, cases[k].kv[0], cases[k].kv[1], cases[k].kv[2], NULL);
        int B = 4;
        gan_net *net = tu_make_net(&c, cases[k].in, B, 130 + k);
        net->labels = labels7;
        size_t nin = (size_t)B * gan_shape_size(net->in), nout = (size_t)B * gan_shape_size(net->out);
        float *x = tu_randn(nin, 140 + k), *dy = tu_randn(nout, 150 + k);
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
        memcpy(g0, net->grads, net->nparams * sizeof *g0);
        gan_net_backward(net, dy, NULL, 1);
        for (size_t i = 0; i < net->nparams; i++)
            ck_assert_double_eq_tol(net->grads[i], 2 * g0[i], 1e-5 * (1 + fabs(g0[i])));
        /* documented */
        const gan_layer_type *t = gan_layer_find(cases[k].type);
        ck_assert(t->doc && *t->doc);
        for (int i = 0; i < t->nkeys; i++) ck_assert(t->keys[i].doc && *t->keys[i].doc);
        free(x), free(dy), free(dx0), free(dx1), free(g0);
        gan_net_free(net);
    }
}
END_TEST

/* ---- the new layers in one stack ----------------------------------------- */

/* every new type between others, so that the network's sharing of
 * activation memory (the layers' flags) is exercised; smooth activations
 * only (see check_layers.c's stack test for the floor of 0.05).  Three
 * normalisations in a row make the loss strongly curved: central
 * differences with h 1e-2 are 5e-2 off, with h 3e-3 under 1e-2 (the error
 * falling as h^2).  minibatch_stddev takes the whole batch as its group:
 * with groups of 2 a feature's deviation is |x1 - x2| / 2, whose kinks
 * some of the 512 features meet within h. */
START_TEST(test_new_layers_stack_gradcheck)
{
    gan_layer_conf c[14];
    layer_conf("dense", &c[0], "units=32", NULL);
    layer_conf("reshape", &c[1], "shape=2,4,4", NULL);
    layer_conf("pixelnorm", &c[2], NULL);
    layer_conf("upsample", &c[3], NULL);
    layer_conf("conv2d", &c[4], "filters=4", "kernel=3", "pad=1", NULL);
    layer_conf("batchnorm", &c[5], "conditional=1", "classes=3", NULL);
    layer_conf("tanh", &c[6], NULL);
    layer_conf("attention", &c[7], "reduce=2", NULL);
    layer_conf("layernorm", &c[8], NULL);
    layer_conf("minibatch_stddev", &c[9], NULL);
    layer_conf("avgpool", &c[10], NULL);
    layer_conf("elu", &c[11], NULL);
    layer_conf("global_pool", &c[12], "op=mean", NULL);
    layer_conf("dense", &c[13], "units=2", NULL);
    gan_net *net;
    gan_error err;
    int B = 4;
    ck_assert_msg(gan_net_create(&net, c, 14, R1(5), B, &err) == GAN_OK, "%s", err.msg);
    ck_assert(gan_shape_eq(net->layers[9].out, R3(5, 8, 8)));
    ck_assert(gan_shape_eq(net->layers[12].out, R1(5)));
    gan_rng r;
    gan_rng_seed(&r, 161);
    gan_net_init(net, &r);
    for (size_t i = 0; i < net->nparams; i++) net->params[i] += 0.1f * (float)gan_rng_normal(&r);
    net->labels = labels7;
    float *x = tu_randn((size_t)B * 5, 162);
    gradcheck_result g = gradcheck_net(net, x, B, 1, 3e-3, 5e-2, 300);
    printf("gradcheck stack of 14 layers B=%d: dx rel err %.2e (%d), dparam rel err %.2e (%d)\n", B,
           g.max_rel_dx, g.checked_dx, g.max_rel_dp, g.checked_dp);
    assert_grads_ok(g, 1);
    free(x);
    gan_net_free(net);
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
    t = tcase_create("cbatchnorm");
    tcase_add_test(t, test_batchnorm_plain_unchanged);
    tcase_add_test(t, test_cbatchnorm_tensors_and_init);
    tcase_add_test(t, test_cbatchnorm_matches_naive);
    tcase_add_test(t, test_cbatchnorm_gradcheck);
    tcase_add_test(t, test_cbatchnorm_sync_one_rank_and_contract);
    tcase_add_test(t, test_cbatchnorm_option_errors);
    tcase_add_test(t, test_cbatchnorm_in_a_model_file);
    suite_add_tcase(s, t);
    t = tcase_create("attention");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, test_attention_matches_naive);
    tcase_add_test(t, test_attention_gradcheck);
    tcase_add_test(t, test_attention_starts_as_identity);
    tcase_add_test(t, test_attention_threads_agree);
    tcase_add_test(t, test_attention_errors);
    tcase_add_test(t, test_attention_spectral_norm);
    suite_add_tcase(s, t);
    t = tcase_create("norm");
    tcase_add_test(t, test_layernorm_matches_naive);
    tcase_add_test(t, test_layernorm_gradcheck);
    tcase_add_test(t, test_pixelnorm_matches_naive_and_gradcheck);
    tcase_add_test(t, test_minibatch_stddev_matches_naive);
    tcase_add_test(t, test_minibatch_stddev_gradcheck);
    tcase_add_test(t, test_norm_errors);
    tcase_add_test(t, test_slice_values_gradcheck_and_errors);
    suite_add_tcase(s, t);
    t = tcase_create("contract");
    tcase_add_test(t, test_new_layers_keep_the_backward_contract);
    tcase_add_test(t, test_new_layers_stack_gradcheck);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return tu_run_suite(suite());
}
