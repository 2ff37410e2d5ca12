/* check_dist.c - the MPI pieces of data-parallel training, run by
 * tests/mpi.sh under `mpirun -np N` (N dividing 8); on one rank it checks
 * the degenerate case.  Prints one ok/FAIL line per check (rank 0) and
 * exits non-zero on any failure.
 *
 *   - sync batchnorm over N ranks, each with B/N rows, equals plain
 *     batchnorm over the whole batch B in one process: outputs, input
 *     gradients, parameter gradients (summed over ranks) and running
 *     statistics, within float rounding; per-rank statistics do not;
 *   - the same with train.shards (8 shards), bit for bit;
 *   - gan_dist_allreduce_grads leaves every rank with the mean;
 *   - gan_dist_agree hands the lowest failing rank's error to all. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gan/gan.h"

static int fails;

static void check(int cond, const char *what)
{
    /* every rank's verdict, so rank 0 reports a failure on any */
    int bad = gan_dist_any(!cond);
    if (gan_dist_rank() == 0) printf("%s - %s\n", bad ? "FAIL" : "ok", what);
    fails += bad;
}

static float max_rel(const float *a, const float *b, size_t n)
{
    float m = 0;
    for (size_t i = 0; i < n; i++) {
        float d = fabsf(a[i] - b[i]) / (fabsf(b[i]) + 1e-3f);
        if (!(d <= m)) m = d;   /* NaN counts */
    }
    return m;
}

static gan_net *bn_net(gan_shape in, int B, int sync)
{
    gan_layer_conf c;
    const gan_layer_type *t = gan_layer_find("batchnorm");
    gan_layer_conf_defaults(&c, t);
    c.v[gan_layer_key_index(t, "sync")].num = sync;
    c.v[gan_layer_key_index(t, "momentum")].num = 0.5;
    gan_net *net;
    gan_error err;
    if (gan_net_create(&net, &c, 1, in, B, &err) != GAN_OK) {
        fprintf(stderr, "check_dist: %s\n", err.msg);
        exit(1);
    }
    gan_rng r;
    gan_rng_seed(&r, 7);
    gan_net_init(net, &r);
    for (size_t i = 0; i < net->nparams; i++) net->params[i] += 0.3f * (float)gan_rng_normal(&r);
    return net;
}

static void sync_bn(gan_shape in, const char *name)
{
    int N = gan_dist_size(), rank = gan_dist_rank(), B = 8, b = B / N;
    size_t S = gan_shape_size(in), n = (size_t)B * S, off = (size_t)rank * b * S;
    float *x = malloc(n * sizeof *x), *dy = malloc(n * sizeof *dy), *dx = malloc(n * sizeof *dx);
    float *dxl = malloc(n * sizeof *dxl), *yl = malloc(n * sizeof *yl);
    gan_rng r;
    gan_rng_seed(&r, 11);                       /* the same global batch on every rank */
    gan_rng_fill_normal(&r, x, n, 0.5f, 2.0f);
    gan_rng_fill_normal(&r, dy, n, 0, 1);

    gan_net *ref = bn_net(in, B, 0), *syn = bn_net(in, b, 1), *loc = bn_net(in, b, 0);
    const float *yr = gan_net_forward(ref, x, B, 1);   /* one process, whole batch */
    gan_net_zero_grad(ref);
    gan_net_backward(ref, dy, dx, 1);
    const float *ys = gan_net_forward(syn, x + off, b, 1);   /* this rank's rows */
    gan_net_zero_grad(syn);
    gan_net_backward(syn, dy + off, dxl, 1);
    memcpy(yl, ys, (size_t)b * S * sizeof *yl);
    /* parameter gradients: each rank's share, summed as the trainer's mean
     * over ranks times N */
    gan_dist_mean_float(syn->grads, syn->nparams);
    for (size_t i = 0; i < syn->nparams; i++) syn->grads[i] *= (float)N;

    char what[160];
    float ey = max_rel(yl, yr + off, (size_t)b * S), edx = max_rel(dxl, dx + off, (size_t)b * S);
    float eg = max_rel(syn->grads, ref->grads, ref->nparams), eb = max_rel(syn->bufs, ref->bufs, ref->nbufs);
    snprintf(what, sizeof what, "sync batchnorm %s on %d rank(s) == one process, B=%d: y %.1e dx %.1e dparam %.1e running %.1e",
             name, N, B, ey, edx, eg, eb);
    check(ey < 1e-5f && edx < 1e-4f && eg < 1e-4f && eb < 1e-5f, what);
    if (N > 1) {
        /* per-rank statistics: a different function of the batch */
        const float *yp = gan_net_forward(loc, x + off, b, 1);
        float ep = max_rel(yp, yr + off, (size_t)b * S);
        snprintf(what, sizeof what, "per-rank batchnorm %s differs from whole-batch (%.1e)", name, ep);
        check(ep > 1e-3f, what);
    }
    gan_net_free(ref), gan_net_free(syn), gan_net_free(loc);
    free(x), free(dy), free(dx), free(dxl), free(yl);
}

static void grads_mean(void)
{
    int N = gan_dist_size(), rank = gan_dist_rank();
    gan_net net;
    memset(&net, 0, sizeof net);
    net.nparams = 1000;
    net.grads = malloc((net.nparams + GAN_NET_GRAD_SLACK) * sizeof(float));
    for (size_t i = 0; i < net.nparams; i++) net.grads[i] = (float)(rank + 1) * (float)i;
    float v[3] = { (float)rank, 1.0f, -2.0f * (float)rank };
    gan_dist_allreduce_grads(&net, v, 3);
    int good = 1;
    for (size_t i = 0; i < net.nparams; i++)
        good &= fabsf(net.grads[i] - (float)(N + 1) / 2 * (float)i) <= 1e-6f * (float)i * N;
    check(good, "allreduce_grads leaves the mean of the ranks' gradients on every rank");
    float m = (float)(N - 1) / 2;
    check(fabsf(v[0] - m) < 1e-6f && v[1] == 1.0f && fabsf(v[2] + 2 * m) < 1e-6f,
          "allreduce_grads averages the step's measurements in the same call");
    check(gan_dist_first_different(net.grads, net.nparams * sizeof(float)) < 0,
          "the averaged gradients are byte-identical on every rank");
    free(net.grads);
}

static void agree(void)
{
    int N = gan_dist_size(), rank = gan_dist_rank();
    gan_error err;
    gan_error_clear(&err);
    gan_status st = GAN_OK;
    if (rank == N - 1) st = gan_error_set(&err, GAN_ERR_IO, "cannot read it");
    st = gan_dist_agree(st, &err);
    char want[64];
    if (N > 1) snprintf(want, sizeof want, "rank %d: cannot read it", N - 1);
    else snprintf(want, sizeof want, "cannot read it");
    check(st == GAN_ERR_IO && !strcmp(err.msg, want), "agree: the failing rank's error reaches every rank");
    gan_error_clear(&err);
    check(gan_dist_agree(GAN_OK, &err) == GAN_OK, "agree: all OK is OK");
    if (N > 1) check(gan_dist_first_different(&rank, sizeof rank) == 1, "first_different finds rank 1");
}

/* train.shards: sync batchnorm over 8 shards, this rank computing 8/N of
 * them, gives the bits of one process computing all 8: outputs, input
 * gradients, parameter gradients after the gathered tree, running
 * statistics. */
static void sharded_bn(gan_shape in, const char *name)
{
    int N = gan_dist_size(), rank = gan_dist_rank(), B = 16, b = B / N, S = 8;
    size_t F = gan_shape_size(in), n = (size_t)B * F, off = (size_t)rank * b * F;
    float *x = malloc(n * sizeof *x), *dy = malloc(n * sizeof *dy), *dx = malloc(n * sizeof *dx);
    float *dxl = malloc(n * sizeof *dxl);
    gan_rng r;
    gan_rng_seed(&r, 13);
    gan_rng_fill_normal(&r, x, n, 0.5f, 2.0f);
    gan_rng_fill_normal(&r, dy, n, 0, 1);
    gan_net *one = bn_net(in, B, 1), *mine = bn_net(in, b, 1);
    gan_error err;
    int ok = gan_net_set_shards(one, S, 0, S, &err) == GAN_OK &&
             gan_net_set_shards(mine, S, rank * (S / N), S / N, &err) == GAN_OK;
    const float *y1 = gan_net_forward(one, x, B, 1);   /* all shards: no exchange */
    gan_net_zero_grad(one);
    gan_net_backward(one, dy, dx, 1);
    gan_net_shard_reduce(one);
    const float *ym = gan_net_forward(mine, x + off, b, 1);
    gan_net_zero_grad(mine);
    gan_net_backward(mine, dy + off, dxl, 1);
    gan_net_shard_reduce(mine);
    char what[160];
    snprintf(what, sizeof what, "%s: 8 shards of sync batchnorm on %d rank(s), the bits of one process", name, N);
    check(ok && memcmp(ym, y1 + off, (size_t)b * F * sizeof *ym) == 0 &&
              memcmp(dxl, dx + off, (size_t)b * F * sizeof *dx) == 0 &&
              memcmp(mine->grads, one->grads, one->nparams * sizeof *dx) == 0 &&
              memcmp(mine->bufs, one->bufs, one->nbufs * sizeof *dx) == 0, what);
    free(x), free(dy), free(dx), free(dxl);
    gan_net_free(one), gan_net_free(mine);
}

int main(int argc, char **argv)
{
    gan_error err;
    if (gan_dist_init(&argc, &argv, &err) != GAN_OK) {
        fprintf(stderr, "check_dist: %s\n", err.msg);
        return 1;
    }
    if (8 % gan_dist_size()) {
        if (gan_dist_rank() == 0) fprintf(stderr, "check_dist: run on 1, 2, 4 or 8 ranks\n");
        gan_dist_finalize();
        return 1;
    }
    gan_shape conv = { 3, { 3, 4, 5 } }, flat = { 1, { 6, 0, 0 } };
    sync_bn(conv, "(3, 4, 5)");
    sync_bn(flat, "(6)");
    sharded_bn(conv, "(3, 4, 5)");
    sharded_bn(flat, "(6)");
    grads_mean();
    agree();
    gan_dist_finalize();
    return fails ? 1 : 0;
}
