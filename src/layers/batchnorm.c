/* batchnorm.c - batch normalisation per feature (rank 1) or channel (rank 3).
 *
 *   x, y (B, C, HW)   (rank 1: C = F, HW = 1)   gamma, beta (C)
 *   running_mean, running_var (C) in the buffer arena
 * Over the M = B*HW values of channel c:
 *   training:   mu = mean x,  var = mean (x - mu)^2 (biased),
 *               running_mean += momentum (mu - running_mean)
 *               running_var  += momentum (var M/(M-1) - running_var)  (unbiased)
 *   evaluation: mu = running_mean, var = running_var
 *   xh = (x - mu) r with r = 1/sqrt(var + eps);   y = gamma xh + beta
 * Backward, with g = gamma dy:
 *   dbeta += sum dy,  dgamma += sum dy xh
 *   training:   dx = r (g - mean g - xh mean(g xh))   (mu and var depend on x)
 *   evaluation: dx = r g
 * Backward recomputes mu and r from x (or the running statistics), so the
 * layer keeps nothing between the passes.
 *
 * Per-channel sums are taken sample by sample, channel by channel, so every
 * pass runs along memory: for rank 1 (HW = 1) the inner loop runs over the
 * channels of one sample (and vectorises), for rank 3 over one channel's
 * HW pixels with four partial sums.  The statistics live in the layer's
 * scratch (ws_fixed): mu, var, and in backward sum dy, sum dy xh, as
 * doubles (C each).
 *
 * sync (data-parallel training, gan/dist.h): in training, the per-channel
 * sums behind mu and var (and M) are summed over the ranks before they are
 * divided, and so are sum dy and sum dy xh in backward, so every rank
 * normalises with the statistics of the whole global batch, as one process
 * would.  dgamma and dbeta take this rank's own sums (the trainer averages
 * parameter gradients over the ranks).  On one rank sync changes nothing.
 *
 * conditional (BigGAN, SNGAN's conditional generators): gamma and beta are
 * tables (K, C), one row per class, and sample n takes the row of its label
 * k_n (gan_ctx.labels, as embed does): y = gamma[k_n] xh + beta[k_n], with
 * the statistics as above.  Backward, with g = gamma[k_n] dy:
 *   dbeta[k_n] += sum over the sample's HW of dy, dgamma[k_n] += of dy xh
 *   training:   dx = r (g - mean g - xh mean(g xh))
 * The plain layer (conditional false) keeps its own code path, so its
 * floats and tensors are those of a layer without the key. */
#include "config.h"
#include <math.h>
#include <string.h>
#include "layers/layers.h"
#include "gan/dist.h"
#include "gan/par.h"

static const gan_key_desc keys[] = {
    { "momentum", GAN_KEY_FLOAT, 0, 0.1, 0.0, 1.0, 0, 0, NULL, 0, 0,
      "weight of the batch in the running statistics, in [0, 1]" },
    { "eps", GAN_KEY_FLOAT, 0, 1e-5, 0.0, 1.0, 1, 0, NULL, 0, 0,
      "added to the variance before the square root; > 0" },
    { "affine", GAN_KEY_BOOL, 0, 1, 0, 1, 0, 0, NULL, 0, 0,
      "learn a scale gamma (init 1) and shift beta (init 0)" },
    { "sync", GAN_KEY_BOOL, 0, 0, 0, 1, 0, 0, NULL, 0, 0,
      "data-parallel training: batch statistics over all ranks' rows, not this rank's" },
    { "conditional", GAN_KEY_BOOL, 0, 0, 0, 1, 0, 0, NULL, 0, 0,
      "gamma and beta per class (tables (K, C)), chosen by the sample's label" },
    GAN_CLASSES_KEY,
};

typedef struct dims {
    int C;
    size_t HW;
    const float *gamma, *beta;   // (C) each, NULL without affine; conditional: (K, C)
    int K;                       // classes of a conditional layer, else 0
} dims;

static dims get_dims(const gan_layer *l)
{
    dims d;
    d.C = l->in.d[0];
    d.HW = gan_shape_size(l->in) / (size_t)d.C;
    d.gamma = l->nparams ? l->params : NULL;
    d.beta = l->nparams ? l->params + l->tensors[1].offset : NULL;
    d.K = gan_conf_num(&l->conf, "conditional") != 0 ? l->tensors[0].dims[0] : 0;
    return d;
}

static gan_status setup(gan_layer *l, gan_shape in, gan_error *err)
{
    l->out = in;
    int C = in.d[0];
    int K = (int)gan_conf_num(&l->conf, "classes");
    if (gan_conf_num(&l->conf, "conditional")) {
        if (!gan_conf_num(&l->conf, "affine"))
            return gan_error_set(err, GAN_ERR_INVALID,
                                 "batchnorm: conditional needs affine (the per-class gamma and beta)");
        if (K < 1)
            return gan_error_set(err, GAN_ERR_INVALID, "batchnorm: conditional needs the number of "
                                 "classes (expected data.classes: N or classes: N)");
        gan_layer_add_tensor(l, "gamma", 0, 2, K, C, 0, 0);
        gan_layer_add_tensor(l, "beta", 0, 2, K, C, 0, 0);
    } else if (K != 0) {   /* 0 is what the expanded model writes */
        return gan_error_set(err, GAN_ERR_INVALID, "batchnorm: classes without conditional: true");
    } else if (gan_conf_num(&l->conf, "affine")) {
        gan_layer_add_tensor(l, "gamma", 0, 1, C, 0, 0, 0);
        gan_layer_add_tensor(l, "beta", 0, 1, C, 0, 0, 0);
    }
    gan_layer_add_tensor(l, "running_mean", 1, 1, C, 0, 0, 0);
    gan_layer_add_tensor(l, "running_var", 1, 1, C, 0, 0, 0);
    /* scratch: four double arrays (C) mu, var, sum dy, sum dy xh, then two
     * five float arrays (C) */
    l->ws_fixed = 13 * (size_t)C;
    l->shard_sums = 2 * (size_t)C;   /* sharded passes: sum dy, sum dy xh per shard */
    return GAN_OK;
}

static void init(gan_layer *l, gan_rng *rng)
{
    (void)rng;
    int C = l->in.d[0];
    size_t half = l->nparams / 2;   /* gamma (C) or (K, C), then beta */
    for (size_t i = 0; i < half; i++) {
        l->params[i] = 1.0f;
        l->params[half + i] = 0.0f;
    }
    for (int c = 0; c < C; c++) {
        l->bufs[c] = 0.0f;
        l->bufs[C + c] = 1.0f;
    }
}

/* sum of x[j] (and of (x[j] - m)^2 when sq) over n floats, in double with
 * four partial sums (gan_sum_floats for the plain sum) */
static double run_sum(const float *x, size_t n, double m, int sq)
{
    if (!sq) return gan_sum_floats(x, n);
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t j = 0;
    for (; j + 4 <= n; j += 4) {
        double a = x[j] - m, b = x[j + 1] - m, c = x[j + 2] - m, d = x[j + 3] - m;
        s0 += a * a, s1 += b * b, s2 += c * c, s3 += d * d;
    }
    for (; j < n; j++) s0 += (x[j] - m) * (x[j] - m);
    return (s0 + s1) + (s2 + s3);
}

static int synced(const gan_layer *l, const gan_ctx *c)
{
    return c->training && gan_conf_num(&l->conf, "sync") != 0;
}

/* The passes over the batch, each over the channels [lo, hi) so that they
 * run on the pool's threads (gan/par.h); a channel's sums are taken in the
 * same order whatever the split, so the results do not depend on it. */
enum { SUM, VAR, APPLY, DSUMS, DX };

typedef struct pass {
    int phase, B;
    dims d;
    const float *x, *dy;
    float *y, *dx;
    double *mu, *var, *sdy, *sdyxh;   // (C) each
    const float *a, *b;               // APPLY: y = a x + b
    const float *fmu, *r, *k, *p, *q; // DSUMS, DX
    const gan_ctx *ctx;               // conditional: the labels
    float *dG, *dB;                   // conditional DSUMS: dgamma, dbeta (K, C) or NULL
} pass;

/* APPLY, DSUMS and DX of a conditional layer, channel by channel for any
 * HW: y = G[k] xh + Bt[k] with xh = (x - fmu) r; DSUMS: sdy += G[k] sum dy,
 * sdyxh += G[k] sum dy xh, and the tables' gradients; DX: dx = k (G[k] dy
 * - p - (x - fmu) q) */
static void pass_cond_range(void *arg, size_t lo_, size_t hi_)
{
    const pass *P = arg;
    const int C = P->d.C, lo = (int)lo_, hi = (int)hi_;
    const size_t HW = P->d.HW;
    for (int n = 0; n < P->B; n++) {
        size_t row = (size_t)layers_label_of(P->ctx, n, P->d.K) * C;
        const float *G = P->d.gamma + row, *Bt = P->d.beta + row;   // (C) each
        for (int ch = lo; ch < hi; ch++) {
            size_t off = ((size_t)n * C + ch) * HW;
            const float *xc = P->x + off;                            // (HW)
            float m = P->fmu[ch], rc = P->r[ch], gm = G[ch];
            switch (P->phase) {
            case APPLY: {
                float *yc = P->y + off, bt = Bt[ch];
                for (size_t j = 0; j < HW; j++) yc[j] = gm * ((xc[j] - m) * rc) + bt;
                break;
            }
            case DSUMS: {
                const float *dyc = P->dy + off;
                double s0 = 0, q0 = 0;
                for (size_t j = 0; j < HW; j++) s0 += dyc[j], q0 += dyc[j] * ((xc[j] - m) * rc);
                P->sdy[ch] += gm * s0;
                P->sdyxh[ch] += gm * q0;
                if (P->dG) {
                    P->dG[row + ch] += (float)q0;
                    P->dB[row + ch] += (float)s0;
                }
                break;
            }
            case DX: {
                const float *dyc = P->dy + off;
                float *dxc = P->dx + off;
                float kc = P->k[ch], pc = P->p[ch], qc = P->q[ch];
                for (size_t j = 0; j < HW; j++) dxc[j] = kc * (gm * dyc[j] - pc - (xc[j] - m) * qc);
                break;
            }
            }
        }
    }
}

/* two floats, two doubles (GCC vector extensions: lane-wise IEEE
 * operations, the same as the scalar ones) */
typedef float v2f __attribute__((vector_size(2 * sizeof(float))));
typedef double v2d __attribute__((vector_size(2 * sizeof(double))));

static void pass_range(void *arg, size_t lo_, size_t hi_)
{
    const pass *P = arg;
    const int C = P->d.C, lo = (int)lo_, hi = (int)hi_;
    const size_t HW = P->d.HW;
    for (int n = 0; n < P->B; n++) {
        const float *xn = P->x + (size_t)n * C * HW;   // (C, HW)
        if (HW == 1) {   /* along the channels of one sample */
            const float *dyn = P->dy ? P->dy + (size_t)n * C : NULL;
            switch (P->phase) {
            case SUM: for (int ch = lo; ch < hi; ch++) P->mu[ch] += xn[ch]; break;
            case VAR:
                for (int ch = lo; ch < hi; ch++) P->var[ch] += (xn[ch] - P->mu[ch]) * (xn[ch] - P->mu[ch]);
                break;
            case APPLY: {
                float *yn = P->y + (size_t)n * C;
                for (int ch = lo; ch < hi; ch++) yn[ch] = P->a[ch] * xn[ch] + P->b[ch];
                break;
            }
            case DSUMS:
                for (int ch = lo; ch < hi; ch++) {
                    P->sdy[ch] += dyn[ch];
                    P->sdyxh[ch] += dyn[ch] * ((xn[ch] - P->fmu[ch]) * P->r[ch]);
                }
                break;
            case DX: {
                float *dxn = P->dx + (size_t)n * C;
                for (int ch = lo; ch < hi; ch++)
                    dxn[ch] = P->k[ch] * (dyn[ch] - P->p[ch] - (xn[ch] - P->fmu[ch]) * P->q[ch]);
                break;
            }
            }
            continue;
        }
        for (int ch = lo; ch < hi; ch++) {   /* along one channel's pixels */
            const float *xc = xn + (size_t)ch * HW;
            const float *dyc = P->dy ? P->dy + ((size_t)n * C + ch) * HW : NULL;
            switch (P->phase) {
            case SUM: P->mu[ch] += run_sum(xc, HW, 0, 0); break;
            case VAR: P->var[ch] += run_sum(xc, HW, P->mu[ch], 1); break;
            case APPLY: {
                float *yc = P->y + ((size_t)n * C + ch) * HW;
                float ac = P->a[ch], bc = P->b[ch];
                for (size_t j = 0; j < HW; j++) yc[j] = ac * xc[j] + bc;
                break;
            }
            case DSUMS: {
                /* two partial sums of each, over the even and the odd j, as
                 * the lanes of a vector (GCC leaves the scalar form scalar) */
                float m = P->fmu[ch], rc = P->r[ch];
                v2d s = { 0, 0 }, q = { 0, 0 };
                size_t j = 0;
                for (; j + 2 <= HW; j += 2) {
                    v2f d, xv;
                    memcpy(&d, dyc + j, sizeof d);
                    memcpy(&xv, xc + j, sizeof xv);
                    s += __builtin_convertvector(d, v2d);
                    q += __builtin_convertvector(d * ((xv - m) * rc), v2d);
                }
                double s0 = s[0], s1 = s[1], q0 = q[0], q1 = q[1];
                for (; j < HW; j++) s0 += dyc[j], q0 += dyc[j] * ((xc[j] - m) * rc);
                P->sdy[ch] += s0 + s1;
                P->sdyxh[ch] += q0 + q1;
                break;
            }
            case DX: {
                float *dxc = P->dx + ((size_t)n * C + ch) * HW;
                float kc = P->k[ch], pc = P->p[ch], qc = P->q[ch], m = P->fmu[ch];
                for (size_t j = 0; j < HW; j++) dxc[j] = kc * (dyc[j] - pc - (xc[j] - m) * qc);
                break;
            }
            }
        }
    }
}

static void run_pass(pass *P, int phase)
{
    P->phase = phase;
    /* about 16 K values per task at least */
    size_t per_ch = (size_t)P->B * P->d.HW;
    gan_par_range((size_t)P->d.C, ((size_t)1 << 14) / (per_ch ? per_ch : 1) + 1,
                  P->d.K && phase >= APPLY ? pass_cond_range : pass_range, P);
}

/* the plain layer's dgamma (C) += sum dy xh, dbeta (C) += sum dy */
static void add_dgb(float *dgamma, float *dbeta, const double *sdy, const double *sdyxh, int C)
{
    for (int ch = 0; ch < C; ch++) {
        dgamma[ch] += (float)sdyxh[ch];
        dbeta[ch] += (float)sdy[ch];
    }
}

/* A sharded training pass (gan_ctx.sh): the pass's sums (phase SUM, VAR
 * or DSUMS, n doubles each) shard by shard, each from 0 over its own rows
 * into its row of the shards' scratch, then added in the fixed tree over
 * the shards (all of them with sync, this process's without); the result
 * in out.  Conditional DSUMS adds each shard's table gradients to that
 * shard's arena. */
static void sharded_sums(pass *P, const gan_ctx *c, int phase, size_t n, double *out, int sync,
                         float *dgamma, float *dbeta)
{
    const gan_shards *sh = c->sh;
    pass Q = *P;
    const int rows = P->B / sh->ns;
    const size_t per = (size_t)rows * P->d.C * P->d.HW;
    for (int k = 0; k < sh->ns; k++) {
        double *part = sh->dbuf + (size_t)(sh->s0 + k) * n;
        memset(part, 0, n * sizeof *part);
        Q.B = rows;
        Q.x = P->x + k * per;
        if (P->dy) Q.dy = P->dy + k * per;
        if (phase == SUM) Q.mu = part;
        if (phase == VAR) Q.var = part;
        if (phase == DSUMS) {
            Q.sdy = part;
            Q.sdyxh = part + P->d.C;
            gan_ctx cs = *c;
            cs.labels = c->labels ? c->labels + (size_t)k * rows : NULL;
            Q.ctx = &cs;
            Q.dG = P->dG ? P->dG + k * sh->gstride : NULL;
            Q.dB = P->dB ? P->dB + k * sh->gstride : NULL;
            run_pass(&Q, phase);
            if (dgamma)   /* the plain layer's: this shard's sums */
                add_dgb(dgamma + k * sh->gstride, dbeta + k * sh->gstride, part, part + P->d.C, P->d.C);
            continue;
        }
        run_pass(&Q, phase);
    }
    gan_shards_sum(sh, sh->dbuf, n, sync);
    memcpy(out, sh->dbuf, n * sizeof *out);
}

/* mu, var (C): the batch's mean and biased variance, two passes in double,
 * or the running statistics outside training.  Returns M, the values per
 * channel they are taken over (all ranks' with sync).  With sync, var[0]
 * carries M through the first sum over ranks: mu and var are adjacent. */
static double stats(pass *P, const gan_layer *l, const gan_ctx *c)
{
    int C = P->d.C;
    double *mu = P->mu, *var = P->var;
    double M = (double)c->B * P->d.HW;
    if (!c->training) {
        for (int ch = 0; ch < C; ch++) {
            mu[ch] = l->bufs[ch];
            var[ch] = l->bufs[C + ch] > 0 ? l->bufs[C + ch] : 0.0;
        }
        return M;
    }
    int sync = synced(l, c);
    if (c->sh) {   /* sums by shard; M over the shards they cover */
        M = (double)(sync ? c->sh->S : c->sh->ns) * (c->B / c->sh->ns) * P->d.HW;
        sharded_sums(P, c, SUM, (size_t)C, mu, sync, NULL, NULL);
        for (int ch = 0; ch < C; ch++) mu[ch] /= M;
        sharded_sums(P, c, VAR, (size_t)C, var, sync, NULL, NULL);
        for (int ch = 0; ch < C; ch++) var[ch] /= M;
        return M;
    }
    for (int ch = 0; ch < C; ch++) mu[ch] = var[ch] = 0.0;
    run_pass(P, SUM);
    if (sync) {   /* M rides in var[0] through the one sum over ranks */
        var[0] = M;
        gan_dist_sum_double(mu, (size_t)C + 1);
        M = var[0];
        var[0] = 0.0;
    }
    for (int ch = 0; ch < C; ch++) mu[ch] /= M;
    run_pass(P, VAR);
    if (sync) gan_dist_sum_double(var, (size_t)C);
    for (int ch = 0; ch < C; ch++) var[ch] /= M;
    return M;
}

static void forward(gan_layer *l, const gan_ctx *c, const float *x, float *y)
{
    dims d = get_dims(l);
    int C = d.C;
    float *rmean = l->bufs, *rvar = l->bufs + C;   // (C) each
    double *mu = (double *)c->ws, *var = mu + C;   // (C) each
    double mom = gan_conf_num(&l->conf, "momentum"), eps = gan_conf_num(&l->conf, "eps");
    pass P = { 0, c->B, d, x, NULL, y, NULL, mu, var, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
               NULL, NULL, c, NULL, NULL };
    double M = stats(&P, l, c);
    /* y = a x + b with a = gamma r, b = beta - a mu (conditional: mu and r
     * as floats for pass_cond_range) */
    float *a = (float *)(var + 3 * C), *b = a + C; // (C) each
    for (int ch = 0; ch < C; ch++) {
        if (c->training) {
            double unbiased = M > 1 ? var[ch] * M / (M - 1) : var[ch];
            rmean[ch] = (float)((1 - mom) * rmean[ch] + mom * mu[ch]);
            rvar[ch] = (float)((1 - mom) * rvar[ch] + mom * unbiased);
        }
        float r = (float)(1.0 / sqrt(var[ch] + eps));
        if (d.K) {
            a[ch] = (float)mu[ch];
            b[ch] = r;
            continue;
        }
        float ac = d.gamma ? d.gamma[ch] * r : r;
        float bc = (d.beta ? d.beta[ch] : 0.0f) - ac * (float)mu[ch];
        a[ch] = ac;
        b[ch] = bc;
    }
    P.a = a;
    P.b = b;
    P.fmu = a;
    P.r = b;
    run_pass(&P, APPLY);
}

static void backward(gan_layer *l, const gan_ctx *c, const float *x, const float *y,
                     const float *dy, float *dx, int param_grads)
{
    (void)y;
    dims d = get_dims(l);
    int C = d.C;
    if (!dx && !(param_grads && d.gamma)) return;
    float *dgamma = d.gamma && param_grads ? l->grads : NULL;   // (C)
    float *dbeta = d.gamma && param_grads ? l->grads + l->tensors[1].offset : NULL;
    double eps = gan_conf_num(&l->conf, "eps");
    double *mu_d = (double *)c->ws, *var = mu_d + C;            // (C) each
    double *sdy = var + C, *sdyxh = sdy + C;                    // (C) each
    pass P = { 0, c->B, d, x, dy, NULL, dx, mu_d, var, sdy, sdyxh, NULL, NULL, NULL, NULL, NULL,
               NULL, NULL, c, NULL, NULL };
    /* forward's statistics again: the batch's x, or the running ones,
     * which only a training forward changes */
    double M = stats(&P, l, c);
    float *mu = (float *)(sdyxh + C), *r = mu + C;             // (C) each
    for (int ch = 0; ch < C; ch++) {
        mu[ch] = (float)mu_d[ch];
        r[ch] = (float)(1.0 / sqrt(var[ch] + eps));
        sdy[ch] = sdyxh[ch] = 0.0;
    }
    /* sdy = sum dy, sdyxh = sum dy xh over each channel */
    P.fmu = mu;
    P.r = r;
    P.dG = d.K ? dgamma : NULL;   /* conditional: the tables' rows in the pass */
    P.dB = d.K ? dbeta : NULL;
    if (c->sh) {
        /* each shard's dgamma and dbeta from its own sums, into its arena;
         * dx from the sums over the shards (all of them with sync) */
        sharded_sums(&P, c, DSUMS, 2 * (size_t)C, sdy, synced(l, c), d.K ? NULL : dgamma, dbeta);
        if (!dx) return;
    } else {
        run_pass(&P, DSUMS);
        if (dgamma && !d.K) add_dgb(dgamma, dbeta, sdy, sdyxh, C);
        if (!dx) return;
        /* sync: the means of dy and dy xh below are over every rank's rows */
        if (synced(l, c)) gan_dist_sum_double(sdy, 2 * (size_t)C);
    }
    /* training: dx = gamma r (dy - mean dy - xh mean(dy xh)) = k (dy - p - (x - mu) q);
     * k, p, q (C) floats after mu and r */
    float *k = r + C, *p = k + C, *q = p + C;                  // (C) each
    for (int ch = 0; ch < C; ch++) {
        float gm = d.gamma && !d.K ? d.gamma[ch] : 1.0f;   /* conditional: G[k] in the pass */
        float mdy = c->training ? (float)(sdy[ch] / M) : 0.0f;
        float mdyxh = c->training ? (float)(sdyxh[ch] / M) : 0.0f;
        k[ch] = gm * r[ch];
        p[ch] = mdy;
        q[ch] = r[ch] * mdyxh;
    }
    P.k = k;
    P.p = p;
    P.q = q;
    run_pass(&P, DX);
}

const gan_layer_type gan_layer_batchnorm = {
    "batchnorm", "batch normalisation per feature (F) or channel (C, H, W), as PyTorch BatchNorm",
    keys, GAN_NKEYS(keys), setup, init, forward, backward, NULL,
    GAN_LAYER_Y_UNUSED | GAN_LAYER_BATCH,
};
