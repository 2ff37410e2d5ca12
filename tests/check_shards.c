/* check_shards.c - sharded passes (gan_net_set_shards, gan/layer.h):
 *   - ranks emulated in one process: a net that computes shards 0..3 of a
 *     batch gives the same bits (outputs, input gradients, parameter
 *     gradients after the tree, spectral-norm vectors) as two nets that
 *     compute shards 0..1 and 2..3 of it and pool their gradient arenas,
 *     with dropout, spectral norm, minibatch stddev and class labels;
 *   - a sharded net computes what the unsharded one does, up to the order
 *     of its sums, batchnorm included (its statistics over all shards);
 *   - the same bits on 1 to 4 threads;
 *   - the trainer: train.shards on 1 and 3 threads gives the same
 *     parameters, and a shards count that does not divide the
 *     batch is refused at its line.
 * Rank counts proper (mpirun -np 1, 2, 4) are tests/mpi.sh's. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gan/gan.h"
#include "gan/par.h"
#include "testutil.h"

typedef struct pass_out {
    float *y, *dx, *grads, *bufs;
} pass_out;

static float *dup(const float *p, size_t n)
{
    float *q = malloc(n * sizeof *q);
    memcpy(q, p, n * sizeof *q);
    return q;
}

/* A net of the n entries, parameters from seed 3 (plus noise, so nothing
 * is trivially zero), computing shards s0 .. s0+ns-1 of S. */
static gan_net *make(const gan_layer_conf *c, int n, gan_shape in, int B, int S, int s0, int ns)
{
    gan_net *net;
    gan_error err;
    ck_assert_msg(gan_net_create(&net, c, n, in, B, &err) == GAN_OK, "%s", err.msg);
    gan_rng r;
    gan_rng_seed(&r, 3);
    gan_net_init(net, &r);
    for (size_t i = 0; i < net->nparams; i++) net->params[i] += 0.1f * (float)gan_rng_normal(&r);
    ck_assert_msg(gan_net_set_shards(net, S, s0, ns, &err) == GAN_OK, "%s", err.msg);
    gan_net_seed_shards(net, 9, 5u << 24);
    return net;
}

/* Two training passes (gradients accumulate over both) over rows
 * [r0, r0 + B) of x, dy and labels */
static void passes(gan_net *net, const float *x, const float *dy, float *dx, const int *labels, int B,
                   size_t r0)
{
    size_t in = gan_shape_size(net->in), out = gan_shape_size(net->out);
    net->labels = labels ? labels + r0 : NULL;
    gan_net_zero_grad(net);
    for (int p = 0; p < 2; p++) {
        gan_net_forward(net, x + r0 * in, B, 1);
        gan_net_backward(net, dy + r0 * out, dx + r0 * in, 1);
    }
}

/* The entries of the emulated-rank test: no batchnorm (its statistics
 * would be each emulated rank's own without MPI) */
static int rank_net(gan_layer_conf *c)
{
    layer_conf("conv2d", &c[0], "filters=6", "kernel=3", "stride=1", "pad=1", "spectral_norm=true", NULL);
    layer_conf("leaky_relu", &c[1], NULL);
    layer_conf("dropout", &c[2], "p=0.3", NULL);
    layer_conf("minibatch_stddev", &c[3], "group=2", NULL);
    layer_conf("deconv2d", &c[4], "filters=3", "kernel=4", "stride=2", "pad=1", NULL);
    layer_conf("flatten", &c[5], NULL);
    layer_conf("project", &c[6], "classes=3", NULL);
    return 7;
}

START_TEST(test_two_emulated_ranks_give_the_bits_of_one)
{
    gan_layer_conf c[8];
    int n = rank_net(c);
    const int B = 16, S = 4;
    gan_shape in = R3(2, 6, 6);
    gan_net *one = make(c, n, in, B, S, 0, S);
    gan_net *r0 = make(c, n, in, B / 2, S, 0, S / 2), *r1 = make(c, n, in, B / 2, S, S / 2, S / 2);
    size_t nin = gan_shape_size(in), nout = gan_shape_size(one->out);
    float *x = tu_randn(B * nin, 21), *dy = tu_randn(B * nout, 22);
    float *dx1 = calloc(B * nin, sizeof *dx1), *dx2 = calloc(B * nin, sizeof *dx2);
    int labels[16];
    for (int i = 0; i < B; i++) labels[i] = (i * 7) % 3;
    passes(one, x, dy, dx1, labels, B, 0);
    passes(r0, x, dy, dx2, labels, B / 2, 0);
    float *y0 = dup(r0->act[r0->n - 1], (size_t)B / 2 * nout);
    passes(r1, x, dy, dx2, labels, B / 2, B / 2);
    /* outputs and input gradients row for row */
    ck_assert(memcmp(y0, one->act[one->n - 1], (size_t)B / 2 * nout * sizeof(float)) == 0);
    ck_assert(memcmp(r1->act[r1->n - 1], one->act[one->n - 1] + (size_t)B / 2 * nout,
                     (size_t)B / 2 * nout * sizeof(float)) == 0);
    ck_assert(memcmp(dx1, dx2, (size_t)B * nin * sizeof(float)) == 0);
    /* rank 1's arenas to rank 0 (what the all-gather does), then the tree */
    size_t st = gan_net_shards(r0)->gstride;
    memcpy(gan_net_shard_grads(r0) + 2 * st, gan_net_shard_grads(r1) + 2 * st, 2 * st * sizeof(float));
    gan_net_shard_reduce(r0);
    gan_net_shard_reduce(one);
    double e = 0, m = 0;
    for (size_t i = 0; i < one->nparams; i++) {
        e = fmax(e, fabs((double)r0->grads[i] - one->grads[i]));
        m = fmax(m, fabs((double)one->grads[i]));
    }
    printf("two emulated ranks against one process: max |grad| %.3g, max difference %g\n", m, e);
    ck_assert(m > 0);
    ck_assert(memcmp(r0->grads, one->grads, one->nparams * sizeof(float)) == 0);
    /* the power iteration ran once per pass on each */
    ck_assert(memcmp(r0->bufs, one->bufs, one->nbufs * sizeof(float)) == 0);
    ck_assert(memcmp(r1->bufs, one->bufs, one->nbufs * sizeof(float)) == 0);
    free(x), free(dy), free(dx1), free(dx2), free(y0);
    gan_net_free(one), gan_net_free(r0), gan_net_free(r1);
}
END_TEST

static pass_out run(const gan_layer_conf *c, int n, gan_shape in, int B, int S, int T)
{
    gan_par_set_threads(T);
    gan_net *net = make(c, n, in, B, S, 0, S);
    size_t nin = gan_shape_size(in), nout = gan_shape_size(net->out);
    float *x = tu_randn(B * nin, 31), *dy = tu_randn(B * nout, 32), *dx = calloc(B * nin, sizeof *dx);
    passes(net, x, dy, dx, NULL, B, 0);
    gan_net_shard_reduce(net);
    pass_out o = { dup(net->act[net->n - 1], B * nout), dx, dup(net->grads, net->nparams),
                   dup(net->bufs, net->nbufs) };
    free(x), free(dy);
    gan_net_free(net);
    return o;
}

static void out_free(pass_out *o)
{
    free(o->y), free(o->dx), free(o->grads), free(o->bufs);
}

static double rel(const float *a, const float *b, size_t n)
{
    double e = 0, m = 0;
    for (size_t i = 0; i < n; i++) {
        e = fmax(e, fabs((double)a[i] - b[i]));
        m = fmax(m, fabs((double)b[i]));
    }
    ck_assert(m > 0);
    return e / m;
}

/* batchnorm between the layers; no dropout (its streams differ by shard) */
static int bn_net(gan_layer_conf *c)
{
    layer_conf("conv2d", &c[0], "filters=8", "kernel=4", "stride=2", "pad=1", NULL);
    layer_conf("batchnorm", &c[1], NULL);
    layer_conf("leaky_relu", &c[2], NULL);
    layer_conf("conv2d", &c[3], "filters=4", "kernel=3", "stride=1", "pad=1", "spectral_norm=true", NULL);
    layer_conf("batchnorm", &c[4], "affine=false", NULL);
    layer_conf("flatten", &c[5], NULL);
    layer_conf("dense", &c[6], "units=5", NULL);
    return 7;
}

START_TEST(test_sharded_computes_what_unsharded_does)
{
    gan_layer_conf c[8];
    int n = bn_net(c);
    const int B = 24;
    gan_shape in = R3(3, 8, 8);
    pass_out a = run(c, n, in, B, 1, 1), b = run(c, n, in, B, 4, 1);
    size_t nout = 5, nin = gan_shape_size(in);
    gan_net *probe;
    gan_error err;
    ck_assert(gan_net_create(&probe, c, n, in, 1, &err) == GAN_OK);
    double ey = rel(b.y, a.y, B * nout), ex = rel(b.dx, a.dx, B * nin);
    double eg = rel(b.grads, a.grads, probe->nparams), eb = rel(b.bufs, a.bufs, probe->nbufs);
    printf("4 shards against none: y %.1e, dx %.1e, grads %.1e, buffers %.1e\n", ey, ex, eg, eb);
    ck_assert(ey < 1e-5 && ex < 1e-5 && eg < 1e-5 && eb < 1e-5);
    /* and not the same computation */
    ck_assert(memcmp(b.grads, a.grads, probe->nparams * sizeof(float)) != 0);
    gan_net_free(probe);
    out_free(&a), out_free(&b);
}
END_TEST

START_TEST(test_sharded_same_bits_on_any_thread_count)
{
    gan_layer_conf c[8];
    int n = bn_net(c);
    const int B = 40;
    gan_shape in = R3(3, 8, 8);
    gan_net *probe;
    gan_error err;
    ck_assert(gan_net_create(&probe, c, n, in, 1, &err) == GAN_OK);
    pass_out one = run(c, n, in, B, 8, 1);
    for (int T = 2; T <= 4; T++) {
        pass_out t = run(c, n, in, B, 8, T);
        ck_assert_msg(memcmp(t.y, one.y, (size_t)B * 5 * sizeof(float)) == 0, "y on %d threads", T);
        ck_assert_msg(memcmp(t.dx, one.dx, (size_t)B * 192 * sizeof(float)) == 0, "dx on %d threads", T);
        ck_assert_msg(memcmp(t.grads, one.grads, probe->nparams * sizeof(float)) == 0, "grads on %d", T);
        ck_assert_msg(memcmp(t.bufs, one.bufs, probe->nbufs * sizeof(float)) == 0, "bufs on %d", T);
        out_free(&t);
    }
    out_free(&one);
    gan_net_free(probe);
    gan_par_set_threads(0);
}
END_TEST

START_TEST(test_bad_shard_ranges_refused)
{
    gan_layer_conf c[8];
    int n = bn_net(c);
    gan_net *net;
    gan_error err;
    ck_assert(gan_net_create(&net, c, n, R3(3, 8, 8), 4, &err) == GAN_OK);
    ck_assert_int_eq(gan_net_set_shards(net, 4, 3, 2, &err), GAN_ERR_INVALID);
    ck_assert_int_eq(gan_net_set_shards(net, 4, 0, 0, &err), GAN_ERR_INVALID);
    ck_assert_int_eq(gan_net_set_shards(net, 1, 0, 1, &err), GAN_OK);   /* off */
    ck_assert_ptr_null(gan_net_shards(net));
    gan_net_free(net);
}
END_TEST

/* ---- the trainer ---------------------------------------------------------- */

static void train_state(int T, const char *extra, float *out, size_t n)
{
    gan_par_set_threads(T);
    char text[4096];
    tu_tiny_model(text, sizeof text, extra);
    gan_trainer *t = tu_trainer(text, 1);
    gan_error err;
    for (int s = 0; s < 12; s++) ck_assert_msg(gan_trainer_step(t, &err) == GAN_OK, "%s", err.msg);
    ck_assert(n == t->G->nparams + t->D->nparams);
    memcpy(out, t->G->params, t->G->nparams * sizeof *out);
    memcpy(out + t->G->nparams, t->D->params, t->D->nparams * sizeof *out);
    gan_trainer_free(t);
}

START_TEST(test_trainer_sharded_same_bits_on_any_thread_count)
{
    char text[4096];
    tu_tiny_model(text, sizeof text, "  shards: 4\n");
    gan_trainer *t = tu_trainer(text, 1);
    size_t n = t->G->nparams + t->D->nparams;
    ck_assert_ptr_nonnull(gan_net_shards(t->G));
    ck_assert_int_eq(gan_net_shards(t->G)->S, 4);
    gan_trainer_free(t);
    float *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b), *u = malloc(n * sizeof *u);
    train_state(1, "  shards: 4\n", a, n);
    train_state(3, "  shards: 4\n", b, n);
    train_state(1, "", u, n);
    ck_assert(memcmp(a, b, n * sizeof *a) == 0);
    /* not the unsharded run (the tiny model's dropout draws from the
     * shards' streams, so the runs part at once) */
    double e = rel(a, u, n);
    printf("trainer, 12 steps: 4 shards against none, parameters differ by %.1e of their largest\n", e);
    ck_assert(e > 0);
    free(a), free(b), free(u);
    gan_par_set_threads(0);
}
END_TEST

START_TEST(test_shards_must_divide_the_batch)
{
    char text[4096];
    tu_tiny_model(text, sizeof text, "  shards: 5\n");
    gan_model_spec *m;
    gan_error err;
    ck_assert_int_eq(gan_model_load_string(&m, text, strlen(text), "tiny.yaml", NULL, 0, &err), GAN_ERR_INVALID);
    printf("%s:%d:%d: %s\n", err.file, err.line, err.col, err.msg);
    ck_assert(strstr(err.msg, "train.shards 5 does not divide train.batch 32"));
    ck_assert_int_gt(err.line, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("shards");
    TCase *tc = tcase_create("shards");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_two_emulated_ranks_give_the_bits_of_one);
    tcase_add_test(tc, test_sharded_computes_what_unsharded_does);
    tcase_add_test(tc, test_sharded_same_bits_on_any_thread_count);
    tcase_add_test(tc, test_bad_shard_ranges_refused);
    tcase_add_test(tc, test_trainer_sharded_same_bits_on_any_thread_count);
    tcase_add_test(tc, test_shards_must_divide_the_batch);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
