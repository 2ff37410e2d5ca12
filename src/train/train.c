/* train.c - the GAN training step.
 *
 * One training step (gan_trainer_step):
 *   d_steps times:
 *     z ~ noise (Bf, Z); fake = G(z)                       (G in training mode)
 *     D on a real batch (Br) and on fake, each its own pass (so batchnorm
 *     statistics are per batch, as in PyTorch's DCGAN); grads of D's loss
 *     accumulate over both passes; wgan-gp adds its gradient penalty; D step.
 *   g_steps times:
 *     fresh z; fake = G(z); logits = D(fake); the generator loss's dL/dlogit
 *     flows back through D with param_grads = 0 (D is frozen: its gradient
 *     arena is not touched) into dL/dfake, then through G; G step.
 *
 * Random streams: all derived from the model's seed, their ids in the
 * registry of gan/rng.h; the gradient penalty's interpolation weights come
 * from the noise stream.  Sampling is sample.c's, the data-parallel job's
 * start job.c's.
 *
 * Data parallel (gan/dist.h, N ranks): each rank draws the whole global
 * noise batch and reads the whole global data order, and trains on its
 * share (rows rank*B/N ..); gradients and measurements are averaged over
 * the ranks before each update.  Rank 0 keeps the dropout streams above;
 * rank r > 0 derives its own from (seed, r, step) at every step.
 *
 * train.shards S > 1 (gan/layer.h, gan_shards): each batch is S shards,
 * rank r computes S/N of them, the losses are means over the whole batch,
 * the gradients are the shards' arenas added in a fixed tree, and every
 * shard draws dropout from its own stream of (seed, step, shard): the same
 * bits on any N that divides S.
 */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "gan/train.h"
#include "gan/dist.h"
#include "train/cond.h"
#include "train/augment.h"

/* Data shape without the data: G's output is the data shape by
 * construction, so a checkpoint can be sampled where its data is absent. */
static gan_status shape_from_generator(const gan_model_spec *m, gan_shape *s, gan_error *err)
{
    gan_net *G;
    gan_shape zin = { 1, { m->noise.dim, 0, 0 } };
    gan_status st = gan_net_create(&G, m->gen.layers, m->gen.n, zin, 1, err);
    if (st != GAN_OK) {
        if (err && !err->file[0]) snprintf(err->file, sizeof err->file, "%s", m->source);
        return st;
    }
    *s = G->out;
    gan_net_free(G);
    return GAN_OK;
}

gan_status gan_trainer_create(gan_trainer **out, gan_model_spec *spec, int load_data, gan_error *err)
{
    *out = NULL;
    gan_trainer *t = calloc(1, sizeof *t);
    if (!t) {
        gan_model_free(spec);
        return gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    }
    t->cfg.spec = spec;
    const gan_train_spec *ts = &spec->train;
    int Br = ts->batch, Bf = ts->noise_batch, Z = spec->noise.dim;
    t->job.nranks = 1, t->job.Br = Br, t->job.Bf = Bf;   /* gan_dist_start() shares them out */
    int Bmax = Br > Bf ? Br : Bf;
    gan_status st;

    if (spec->data.format == GAN_DATA_IMAGES) {
        /* images take the size they are resized to from the generator */
        gan_data_spec *ds = &spec->data;
        gan_shape g;
        if (!ds->height || !ds->width || !ds->channels) {
            if ((st = shape_from_generator(spec, &g, err)) != GAN_OK) goto fail;
            if (g.rank != 3 || (g.d[0] != 1 && g.d[0] != 3)) {
                st = gan_error_at(err, GAN_ERR_SHAPE, spec->source, 0, 0,
                                  "format: images needs a generator whose output is (1 or 3, H, W)");
                goto fail;
            }
            if (!ds->channels) ds->channels = g.d[0];
            if (!ds->height) ds->height = g.d[1];
            if (!ds->width) ds->width = g.d[2];
        }
    }
    if (load_data) {
        st = gan_data_load(&t->data, &spec->data, spec->seed, err);
        if (st != GAN_OK) goto fail;
        t->cfg.data_shape = t->data->shape;
        t->cfg.data_fingerprint = t->data->fingerprint;
        if (t->data->n < Br) {
            st = gan_error_at(err, GAN_ERR_INVALID, spec->data.path[0] ? spec->data.path : spec->source,
                              0, 0, "data set has %ld samples, fewer than train.batch %d",
                              t->data->n, Br);
            goto fail;
        }
    } else {
        st = shape_from_generator(spec, &t->cfg.data_shape, err);
        if (st != GAN_OK) goto fail;
    }
    st = gan_model_build(spec, t->cfg.data_shape, Bmax, &t->G, &t->D, err);
    if (st != GAN_OK) goto fail;
    /* train.shards: all of them on this process (gan_dist_start deals
     * them out among ranks) */
    if ((st = gan_net_set_shards(t->G, ts->shards, 0, ts->shards, err)) != GAN_OK ||
        (st = gan_net_set_shards(t->D, ts->shards, 0, ts->shards, err)) != GAN_OK)
        goto fail;
    st = gan_optim_init(&t->gopt, &ts->gopt, t->G->nparams, err);
    if (st != GAN_OK) goto fail;
    st = gan_optim_init(&t->dopt, &ts->dopt, t->D->nparams, err);
    if (st != GAN_OK) goto fail;

    gan_rng r;
    gan_rng_seed_stream(&r, spec->seed, GAN_STREAM_G_INIT);
    gan_net_init(t->G, &r);
    gan_rng_seed_stream(&r, spec->seed, GAN_STREAM_D_INIT);
    gan_net_init(t->D, &r);
    st = gan_trainer_ema_init(t, err);
    if (st != GAN_OK) goto fail;
    gan_rng_seed_stream(&t->state.noise_rng, spec->seed, GAN_STREAM_NOISE);
    gan_rng_seed_stream(&t->state.data_rng, spec->seed, GAN_STREAM_DATA);
    gan_rng_seed_stream(&t->G->rng, spec->seed, GAN_STREAM_G_NET);
    gan_rng_seed_stream(&t->D->rng, spec->seed, GAN_STREAM_D_NET);

    size_t S = gan_shape_size(t->cfg.data_shape);
    int ns = spec->output.samples > 0 ? spec->output.samples : 64;
    t->scratch.z = gan_alloc_floats((size_t)Bmax * Z);
    t->scratch.real = gan_alloc_floats((size_t)Bmax * S);
    t->scratch.fake_grad = gan_alloc_floats((size_t)Bmax * S);
    t->scratch.dout = gan_alloc_floats(4 * (size_t)Bmax);
    t->cfg.fixed_z = gan_alloc_floats((size_t)ns * Z);
    int gp = ts->loss == GAN_LOSS_WGAN_GP || ts->r1.gamma > 0.0f || ts->r2.gamma > 0.0f;
    t->scratch.gp_buf = gan_alloc_floats(gp ? 3 * (size_t)Bmax * S + Bmax : 1);
    /* rpgan runs D over the reals twice: their buffers' state and dropout
     * streams are kept for the second pass (d_step) */
    const gan_shards *dsh = gan_net_shards(t->D);
    size_t nsh = dsh ? (size_t)dsh->ns : 0;
    if (ts->loss == GAN_LOSS_RPGAN &&
        !(t->scratch.rp_keep = malloc(2 * t->D->nbufs * sizeof(float) + (nsh + 1) * sizeof(gan_rng) + 1))) {
        st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory allocating training buffers");
        goto fail;
    }
    if (!t->scratch.z || !t->scratch.real || !t->scratch.fake_grad || !t->scratch.dout || !t->cfg.fixed_z ||
        !t->scratch.gp_buf) {
        st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory allocating training buffers");
        goto fail;
    }
    gan_rng_seed_stream(&r, spec->seed, GAN_STREAM_FIXED);
    gan_noise_fill(&spec->noise, &r, t->cfg.fixed_z, (size_t)ns * Z);
    if ((st = cond_init(t, ns, err)) != GAN_OK) goto fail;
    if ((st = aug_init(t, err)) != GAN_OK) goto fail;

    if (t->data) {
        if ((unsigned long)t->data->n > 0xffffffffUL) {
            st = gan_error_set(err, GAN_ERR_INVALID, "data set too large");
            goto fail;
        }
        t->state.order = malloc((size_t)t->data->n * sizeof *t->state.order);
        if (!t->state.order) {
            st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
            goto fail;
        }
        for (long i = 0; i < t->data->n; i++) t->state.order[i] = (uint32_t)i;
        gan_rng_shuffle(&t->state.data_rng, t->state.order, (size_t)t->data->n);
    }
    t->cfg.model_text = gan_model_expand(spec);
    if (!t->cfg.model_text) {
        st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
        goto fail;
    }
    *out = t;
    return GAN_OK;
fail:
    gan_trainer_free(t);
    return st;
}

gan_status gan_trainer_check_data_shape(const gan_trainer *t, gan_error *err)
{
    const gan_model_spec *spec = t->cfg.spec;
    gan_shape ds;
    gan_error derr;
    if (gan_data_shape(&spec->data, &ds, &derr) != GAN_OK || gan_shape_eq(ds, t->cfg.data_shape)) return GAN_OK;
    char a[64], b[64];
    gan_shape_str(t->cfg.data_shape, a, sizeof a);
    gan_shape_str(ds, b, sizeof b);
    const gan_layer_conf *last = &spec->gen.layers[spec->gen.n - 1];
    return gan_error_at(err, GAN_ERR_SHAPE, spec->source, last->line, last->col,
                        "generator output %s does not match the data shape %s", a, b);
}

void gan_trainer_free(gan_trainer *t)
{
    if (!t) return;
    gan_net_free(t->G);
    gan_net_free(t->D);
    gan_optim_free(&t->gopt);
    gan_optim_free(&t->dopt);
    gan_data_free(t->data);
    gan_model_free(t->cfg.spec);
    free(t->cfg.model_text);
    free(t->state.order);
    gan_free_floats(t->scratch.z);
    gan_free_floats(t->scratch.real);
    gan_free_floats(t->scratch.fake_grad);
    gan_free_floats(t->scratch.dout);
    gan_free_floats(t->cfg.fixed_z);
    gan_free_floats(t->scratch.gp_buf);
    free(t->scratch.rp_keep);
    cond_free(t);
    aug_free(t);
    gan_free_floats(t->state.ema);
    free(t);
}

/* Next Br real samples in the epoch's order; a new epoch (reshuffled) when
 * fewer than Br remain (the tail of an epoch is dropped, as drop_last).
 * Of them, this rank reads its share t->job.Br from row t->job.rank * t->job.Br. */
static void next_real_batch(gan_trainer *t, int Br)
{
    const gan_dataset *d = t->data;
    size_t S = gan_shape_size(d->shape);
    if (t->state.pos + Br > d->n) {
        gan_rng_shuffle(&t->state.data_rng, t->state.order, (size_t)d->n);
        t->state.pos = 0;
        t->state.epoch++;
    }
    const uint32_t *mine = t->state.order + t->state.pos + (long)t->job.rank * t->job.Br;
    for (int i = 0; i < t->job.Br; i++) gan_data_get(d, mine[i], t->scratch.real + (size_t)i * S);
    t->state.pos += Br;
}

/* The global noise batch (noise_batch, dim) into t->scratch.z; returns this rank's
 * rows (Bf, dim). */
static const float *next_noise(gan_trainer *t)
{
    size_t Z = (size_t)t->cfg.spec->noise.dim;
    gan_noise_fill(&t->cfg.spec->noise, &t->state.noise_rng, t->scratch.z, (size_t)t->cfg.spec->train.noise_batch * Z);
    return t->scratch.z + (size_t)t->job.rank * t->job.Bf * Z;
}

/* train.shards > 1: every float of a step is the same on any number of
 * ranks (gan/layer.h, gan_shards) */
static int sharded(const gan_trainer *t)
{
    return t->cfg.spec->train.shards > 1;
}

/* Data parallelism: net's gradients and the step's measurements v[0..n)
 * become their means over the ranks, in one all-reduce (nothing on one
 * rank).  Sharded: the gradients are the shards' sum in the fixed tree, and
 * v, each rank's part of the whole batch's values, their sum over the ranks
 * (measurements only: no update depends on their last bits, but for
 * ADA's sign count, an integer, exact). */
static void reduce_step(const gan_trainer *t, gan_net *net, float *v, size_t n)
{
    if (sharded(t)) {
        gan_net_shard_reduce(net);
        double d[GAN_NET_GRAD_SLACK];
        for (size_t i = 0; i < n; i++) d[i] = v[i];
        gan_dist_sum_double(d, n);
        for (size_t i = 0; i < n; i++) v[i] = (float)d[i];
    } else if (t->job.nranks > 1) {
        gan_dist_allreduce_grads(net, v, n);
    }
}

/* L2 norm of x, or NaN/inf when any element is not finite */
static float grad_norm(const float *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (double)x[i] * x[i];
    return (float)sqrt(s);
}

/* WGAN-GP: P = lambda * mean_i (||g_i|| - 1)^2 with g_i = dD/dx at
 * x_i = e_i real_i + (1 - e_i) fake_i.  Its parameter gradient is
 *   dP/dtheta = sum_i c_i (dg_i/dtheta)^T g_i,   c_i = 2 lambda (||g_i|| - 1) / (||g_i|| B),
 * and (dg_i/dtheta)^T v = d/dtheta (g_i . v) for v = g_i held fixed, where
 * g_i . v is D's directional derivative along v.  We take that derivative as
 * a central difference, (D(x + h u) - D(x - h u)) / 2h * |v| with u = v/|v|,
 * whose parameter gradient is two ordinary backward passes.  For piecewise
 * linear critics (leaky ReLU, dense, conv) the difference is exact unless a
 * kink lies within h; the test checks the whole gradient against finite
 * differences of P. Returns P. */
float gan_trainer_gradient_penalty(gan_trainer *t, const float *real, const float *fake, int B)
{
    gan_net *D = t->D;
    /* the count the penalty is a mean over: the whole batch when sharded */
    const int N = sharded(t) ? B * t->job.nranks : B;
    size_t S = gan_shape_size(D->in);   /* a packed sample with train.pack */
    float lambda = t->cfg.spec->train.gp_lambda;
    float *xi = t->scratch.gp_buf, *g = xi + (size_t)B * S, *xp = g + (size_t)B * S;
    float *coef = xp + (size_t)B * S;
    const float h = 1e-2f;
    /* every rank draws the weights of all nranks * B interpolates */
    for (int i = 0; i < t->job.rank * B; i++) gan_rng_uniform(&t->state.noise_rng);
    for (int i = 0; i < B; i++) {
        float e = (float)gan_rng_uniform(&t->state.noise_rng);
        for (size_t k = 0; k < S; k++)
            xi[i * S + k] = e * real[i * S + k] + (1.0f - e) * fake[i * S + k];
    }
    for (int i = (t->job.rank + 1) * B; i < t->job.nranks * B; i++) gan_rng_uniform(&t->state.noise_rng);
    for (int i = 0; i < B; i++) t->scratch.dout[i] = 1.0f;
    gan_net_forward(D, xi, B, 1);
    gan_net_backward(D, t->scratch.dout, g, 0);
    double P = 0;
    for (int i = 0; i < B; i++) {
        double nn = 0;
        for (size_t k = 0; k < S; k++) nn += (double)g[i * S + k] * g[i * S + k];
        double norm = sqrt(nn);
        P += (norm - 1) * (norm - 1);
        /* dy for the +h pass: c_i |v| / 2h, with |v| = norm */
        double c = norm > 0 ? 2.0 * lambda * (norm - 1) / (norm * N) : 0.0;
        coef[i] = (float)(c * norm / (2.0 * h));
        float inv = norm > 0 ? (float)(1.0 / norm) : 0.0f;
        for (size_t k = 0; k < S; k++) g[i * S + k] *= inv;   /* u_i */
    }
    for (int sgn = 1; sgn >= -1; sgn -= 2) {
        for (size_t k = 0; k < (size_t)B * S; k++) xp[k] = xi[k] + (float)sgn * h * g[k];
        for (int i = 0; i < B; i++) t->scratch.dout[i] = (float)sgn * coef[i];
        gan_net_forward(D, xp, B, 1);
        gan_net_backward(D, t->scratch.dout, NULL, 1);
    }
    return (float)(lambda * P / N);
}

/* rpgan's D passes (P pairs of this rank, N of the whole batch): the loss
 * needs both logits of a pair before either gradient, and a net keeps one
 * pass's activations, so D runs over the reals, the fakes (backward), and
 * the reals again (backward).  The second real pass starts from the
 * buffers (batchnorm statistics, spectral-norm vectors) and dropout
 * streams of the first, so it computes the same logits; afterwards the
 * buffers are as after the fake pass (each batch updated them once). */
static void rp_d_passes(gan_trainer *t, const float *real, const float *fake, int P, int N, float *rt)
{
    gan_net *D = t->D;
    const gan_shards *sh = gan_net_shards(D);
    gan_rng *srng = gan_net_shard_rngs(D);   /* (ns) */
    size_t nb = D->nbufs, ns = sh ? (size_t)sh->ns : 0;
    float *b0 = t->scratch.rp_keep, *b2 = b0 + nb;
    gan_rng *r0 = (gan_rng *)(b2 + nb);
    float *yr = t->scratch.dout + 2 * (size_t)P, *dreal = t->scratch.dout + 3 * (size_t)P;   /* dout: 4 Bmax */
    if (nb) memcpy(b0, D->bufs, nb * sizeof(float));
    r0[0] = D->rng;
    if (ns) memcpy(r0 + 1, srng, ns * sizeof(gan_rng));

    D->labels = t->scratch.yreal;
    memcpy(yr, gan_net_forward(D, real, P, 1), (size_t)P * sizeof(float));
    if (t->scratch.aug) *rt = sharded(t) ? aug_sign_sum(yr, P) : aug_sign_mean(yr, P);
    D->labels = t->scratch.yfake;
    const float *yf = gan_net_forward(D, fake, P, 1);
    t->metrics.d_loss = gan_loss_rp_d(yr, yf, P, N, dreal, t->scratch.dout);
    t->metrics.d_real = gan_loss_score(GAN_LOSS_RPGAN, yr, P) * ((float)P / (float)N);
    t->metrics.d_fake = gan_loss_score(GAN_LOSS_RPGAN, yf, P) * ((float)P / (float)N);
    gan_net_backward(D, t->scratch.dout, NULL, 1);

    if (nb) {
        memcpy(b2, D->bufs, nb * sizeof(float));
        memcpy(D->bufs, b0, nb * sizeof(float));
    }
    gan_rng r2 = D->rng;
    D->rng = r0[0];
    if (ns) {
        gan_rng tmp;
        for (size_t i = 0; i < ns; i++) tmp = srng[i], srng[i] = r0[1 + i], r0[1 + i] = tmp;
    }
    D->labels = t->scratch.yreal;
    gan_net_forward(D, real, P, 1);
    gan_net_backward(D, dreal, NULL, 1);
    if (nb) memcpy(D->bufs, b2, nb * sizeof(float));
    D->rng = r2;
    if (ns) memcpy(srng, r0 + 1, ns * sizeof(gan_rng));
}

static gan_status d_step(gan_trainer *t, int k, gan_error *err)
{
    const gan_train_spec *ts = &t->cfg.spec->train;
    int Br = t->job.Br, Bf = t->job.Bf;   /* this rank's share */
    /* PacGAN: D judges groups of pk consecutive samples; (B, S) is
     * (B/pk, pk S) in memory, so packing is only a smaller batch for D */
    int pk = ts->pack > 1 ? ts->pack : 1, Pr = Br / pk, Pf = Bf / pk;
    /* the counts the losses are means over: the whole batch when sharded */
    int Nr = sharded(t) ? ts->batch / pk : Pr, Nf = sharded(t) ? ts->noise_batch / pk : Pf;
    gan_net *G = t->G, *D = t->D;
    float *scratch = t->scratch.dout + 2 * (size_t)(Br > Bf ? Br : Bf);
    float lr, lf, unused, rt = 0.0f;

    next_real_batch(t, ts->batch);
    aug_flip_reals(t, 4 * k);
    cond_real_labels(t, Br);
    const float *z = next_noise(t);
    cond_fake_labels(t, Bf);
    const float *fake = gan_net_forward(G, z, Bf, 1);
    /* train.augment: D judges augmented copies (the same inputs otherwise) */
    const float *real = aug_apply(t, t->scratch.real, Br, 0, 4 * k + 1);
    fake = aug_apply(t, fake, Bf, 1, 4 * k + 2);

    gan_net_zero_grad(D);
    if (ts->loss == GAN_LOSS_RPGAN) {
        rp_d_passes(t, real, fake, Pr, Nr, &rt);
    } else {
        /* The D losses are sums of a real term and a fake term, so each pass
         * computes its half of the loss on its own logits (the other argument
         * is a placeholder whose outputs are discarded). */
        D->labels = t->scratch.yreal;
        const float *yr = gan_net_forward(D, real, Pr, 1);
        gan_loss_d_share(ts->loss, yr, Pr, Nr, yr, Pr, Nr, t->scratch.dout, scratch, &lr, &unused);
        t->metrics.d_real = gan_loss_score(ts->loss, yr, Pr) * ((float)Pr / (float)Nr);
        /* ADA's r_t: sharded, the count of signs (exact over ranks), divided below */
        rt = !t->scratch.aug ? 0.0f : sharded(t) ? aug_sign_sum(yr, Pr) : aug_sign_mean(yr, Pr);
        gan_net_backward(D, t->scratch.dout, NULL, 1);

        D->labels = t->scratch.yfake;
        const float *yf = gan_net_forward(D, fake, Pf, 1);
        gan_loss_d_share(ts->loss, yf, Pf, Nf, yf, Pf, Nf, scratch, t->scratch.dout, &unused, &lf);
        t->metrics.d_fake = gan_loss_score(ts->loss, yf, Pf) * ((float)Pf / (float)Nf);
        gan_net_backward(D, t->scratch.dout, NULL, 1);
        t->metrics.d_loss = lr + lf;
    }

    D->labels = t->scratch.yreal;   /* interpolates carry the real labels */
    if (ts->loss == GAN_LOSS_WGAN_GP)
        t->metrics.d_loss += gan_trainer_gradient_penalty(t, real, fake, Pr < Pf ? Pr : Pf);
    t->metrics.d_loss += gan_trainer_penalties(t, real, Pr, fake, Pf, k);
    float m[4] = { t->metrics.d_loss, t->metrics.d_real, t->metrics.d_fake, rt };
    reduce_step(t, D, m, t->scratch.aug ? 4 : 3);
    t->metrics.d_loss = m[0], t->metrics.d_real = m[1], t->metrics.d_fake = m[2];
    aug_adapt(t, sharded(t) ? (float)((double)m[3] / Nr) : m[3]);
    t->metrics.d_grad_norm = grad_norm(D->grads, D->nparams);
    if (!isfinite(t->metrics.d_loss) || !isfinite(t->metrics.d_grad_norm))
        return gan_error_set(err, GAN_ERR_NUMERIC, "step %ld: discriminator %s is not finite",
                             t->state.step + 1, isfinite(t->metrics.d_loss) ? "gradient" : "loss");
    gan_optim_step(&t->dopt, D->params, D->grads);
    return GAN_OK;
}

static gan_status g_step(gan_trainer *t, int k, gan_error *err)
{
    const gan_train_spec *ts = &t->cfg.spec->train;
    int Bf = t->job.Bf;   /* this rank's share */
    int Pf = Bf / (ts->pack > 1 ? ts->pack : 1);   /* packs of fakes D judges */
    int Nf = sharded(t) ? ts->noise_batch / (ts->pack > 1 ? ts->pack : 1) : Pf;
    gan_net *G = t->G, *D = t->D;

    const float *z = next_noise(t);
    cond_fake_labels(t, Bf);
    float *yr = t->scratch.dout + 2 * (size_t)(t->job.Br > Bf ? t->job.Br : Bf);
    if (ts->loss == GAN_LOSS_RPGAN) {
        /* rpgan: D (not trained here) on the last D step's real batch,
         * augmented afresh, as R3GAN uses one real batch per iteration */
        D->labels = t->scratch.yreal;
        const float *xr = aug_apply(t, t->scratch.real, t->job.Br, 0, 0x1000 + k);
        memcpy(yr, gan_net_forward(D, xr, Pf, 1), (size_t)Pf * sizeof(float));
    }
    D->labels = t->scratch.yfake;
    const float *fake = gan_net_forward(G, z, Bf, 1);
    fake = aug_apply(t, fake, Bf, 1, 4 * k + 3);
    const float *yf = gan_net_forward(D, fake, Pf, 1);
    t->metrics.g_loss = ts->loss == GAN_LOSS_RPGAN ? gan_loss_rp_g(yr, yf, Pf, Nf, t->scratch.dout)
                                           : gan_loss_g_share(ts->loss, yf, Pf, Nf, t->scratch.dout);
    /* through the frozen discriminator: input gradients only; with
     * train.augment on, then back through the augmentation */
    float *ga = aug_grad_buffer(t);
    gan_net_backward(D, t->scratch.dout, ga ? ga : t->scratch.fake_grad, 0);
    if (ga) aug_grad(t, t->scratch.fake_grad, ga, Bf);
    gan_net_zero_grad(G);
    gan_net_backward(G, t->scratch.fake_grad, NULL, 1);
    reduce_step(t, G, &t->metrics.g_loss, 1);
    t->metrics.g_grad_norm = grad_norm(G->grads, G->nparams);
    if (!isfinite(t->metrics.g_loss) || !isfinite(t->metrics.g_grad_norm))
        return gan_error_set(err, GAN_ERR_NUMERIC, "step %ld: generator %s is not finite",
                             t->state.step + 1, isfinite(t->metrics.g_loss) ? "gradient" : "loss");
    gan_optim_step(&t->gopt, G->params, G->grads);
    gan_trainer_ema_after_g(t);
    return GAN_OK;
}

gan_status gan_trainer_step(gan_trainer *t, gan_error *err)
{
    if (!t->data) return gan_error_set(err, GAN_ERR_INVALID, "trainer has no data loaded");
    gan_status st;
    if (sharded(t)) {
        /* shards: dropout streams of (seed, step, shard), the same on any
         * rank count; bit 23 keeps them apart from the ranks' below */
        uint64_t id = (uint64_t)t->state.step << GAN_STREAM_STEP_SHIFT | GAN_STREAM_SHARDED;
        gan_net_seed_shards(t->G, t->cfg.spec->seed, id | GAN_STREAM_G_NET);
        gan_net_seed_shards(t->D, t->cfg.spec->seed, id | GAN_STREAM_D_NET);
    } else if (t->job.rank > 0) {
        /* ranks > 0: dropout streams of (seed, rank, step), so a resumed
         * run needs none of their state; ids >= 256 never meet 1..8 */
        uint64_t id = (uint64_t)t->state.step << GAN_STREAM_STEP_SHIFT | (uint64_t)t->job.rank << 8;
        gan_rng_seed_stream(&t->G->rng, t->cfg.spec->seed, id | GAN_STREAM_G_NET);
        gan_rng_seed_stream(&t->D->rng, t->cfg.spec->seed, id | GAN_STREAM_D_NET);
    }
    /* the rates of this step (learning-rate schedules, gan/optim.h) */
    gan_optim_schedule(&t->gopt, t->state.step, t->cfg.spec->train.steps);
    gan_optim_schedule(&t->dopt, t->state.step, t->cfg.spec->train.steps);
    aug_schedule(t);
    for (int i = 0; i < t->cfg.spec->train.d_steps; i++)
        if ((st = d_step(t, i, err)) != GAN_OK) return st;
    for (int i = 0; i < t->cfg.spec->train.g_steps; i++)
        if ((st = g_step(t, i, err)) != GAN_OK) return st;
    t->state.step++;
    return GAN_OK;
}
