/* attention.c - self-attention over the positions of (C, H, W) (SAGAN,
 * Zhang et al. 2019).
 *
 *   x (B, C, N) with N = H*W positions     R = C / reduce (integer division)
 *   weight_f, weight_g (R, C)   weight_h (C, C)   gamma (1)
 * Per sample, three 1x1 convolutions (matrix products over the channels):
 *   f = Wf x (R, N)   g = Wg x (R, N)   h = Wh x (C, N)
 * the attention of output position j on position i,
 *   s[j, i] = sum_r g[r, j] f[r, i]            s = g^T f (N, N)
 *   a[j, :] = softmax over i of s[j, :]        (largest score subtracted first)
 * and
 *   o = h a^T (C, N): o[c, j] = sum_i h[c, i] a[j, i]
 *   y = gamma o + x      gamma starts at 0, so the layer starts as identity.
 * With spectral_norm, Wf, Wg and Wh are each divided by their own largest
 * singular value (specnorm.c), as SAGAN's discriminator does; gamma is not.
 * No biases and no output projection (SAGAN's later code adds a 1x1 conv
 * after o; with h already a full (C, C) map it adds little).
 *
 * Backward, with do = gamma dy:
 *   dgamma += sum dy o
 *   dh = do a (C, N)        da = do^T h (N, N)
 *   ds[j, i] = a[j, i] (da[j, i] - sum_k a[j, k] da[j, k])    (softmax)
 *   df = g ds (R, N)        dg = f ds^T (R, N)
 *   dW (2R + C, C) += [df; dg; dh] x^T      dx = dy + W^T [df; dg; dh]
 * The three weights are adjacent in the arena, so W = [Wf; Wg; Wh] is one
 * (2R + C, C) matrix and [f; g; h] one product.
 *
 * Saved from forward, per sample: [f; g; h] (2R + C, N), a (N, N), o (C, N).
 * Scratch: per sample [df; dg; dh] (2R + C, N) and its dgamma term (1), per
 * parallel task da (N, N).  Samples are split over the tasks as conv2d's
 * chunks are; the parameter gradients are then added sample by sample in
 * sample order (one (2R + C, C) product each), so they are the same bits
 * on any thread count.
 */
#include "config.h"
#include <math.h>
#include <string.h>
#include "gan/par.h"
#include "layers/layers.h"

static const gan_key_desc keys[] = {
    { "reduce", GAN_KEY_INT, 0, 8, 1, 65536, 0, 0, NULL, 0, 0,
      "channels of f and g are C / reduce (SAGAN: 8)" },
    GAN_INIT_KEYS(GAN_INIT_XAVIER, "initialisation of the three 1x1 weights, as for dense and conv2d"),
    GAN_SN_KEYS,
};

typedef struct geom {
    int C, R, M;   /* M = 2R + C rows of W = [Wf; Wg; Wh] */
    int N;         /* positions H*W */
    size_t saved;  /* floats saved per sample */
} geom;

static geom get_geom(const gan_layer *l)
{
    geom g;
    g.C = l->in.d[0];
    g.R = g.C / (int)gan_conf_num(&l->conf, "reduce");
    g.M = 2 * g.R + g.C;
    g.N = l->in.d[1] * l->in.d[2];
    g.saved = (size_t)g.M * g.N + (size_t)g.N * g.N + (size_t)g.C * g.N;
    return g;
}

static gan_status setup(gan_layer *l, gan_shape in, gan_error *err)
{
    char s[64];
    gan_shape_str(in, s, sizeof s);
    if (in.rank != 3)
        return gan_error_set(err, GAN_ERR_SHAPE, "attention: input %s must be (C, H, W)", s);
    int reduce = (int)gan_conf_num(&l->conf, "reduce");
    if (in.d[0] < reduce)
        return gan_error_set(err, GAN_ERR_SHAPE,
                             "attention: input %s has fewer channels than reduce %d", s, reduce);
    long long N = (long long)in.d[1] * in.d[2];
    if (N * N > (1LL << 26))
        return gan_error_set(err, GAN_ERR_SHAPE, "attention: input %s has %lld positions: the "
                             "(N, N) attention map per sample is too large (at most 8192 positions)",
                             s, N);
    if ((long long)in.d[0] * in.d[0] > (1LL << 28))
        return gan_error_set(err, GAN_ERR_SHAPE, "attention: input %s has too many channels", s);
    l->out = in;
    geom g;
    g.C = in.d[0];
    g.R = g.C / reduce;
    gan_layer_add_tensor(l, "weight_f", 0, 2, g.R, g.C, 0, 0);
    gan_layer_add_tensor(l, "weight_g", 0, 2, g.R, g.C, 0, 0);
    gan_layer_add_tensor(l, "weight_h", 0, 2, g.C, g.C, 0, 0);
    gan_layer_add_tensor(l, "gamma", 0, 1, 1, 0, 0, 0);
    /* spectral_norm: Wf, Wg and Wh each divided by its own sigma; gamma as is */
    static const char *const sn_names[6] = { "weight_f.sn_u", "weight_f.sn_v", "weight_g.sn_u",
                                             "weight_g.sn_v", "weight_h.sn_u", "weight_h.sn_v" };
    const int snR[3] = { g.R, g.R, g.C }, snK[3] = { g.C, g.C, g.C };
    gan_status st = gan_sn_setup_parts(l, 3, snR, snK, sn_names, err);
    if (st != GAN_OK) return st;
    g = get_geom(l);
    l->saved_per_sample = g.saved;
    /* ws: B x [df; dg; dh], B dgamma terms, then one da per task */
    l->ws_per_sample = (size_t)g.M * g.N + 1;
    l->ws_fixed = (size_t)g.N * g.N;
    l->ws_task = (size_t)g.N * g.N;
    return GAN_OK;
}

static void init(gan_layer *l, gan_rng *rng)
{
    geom g = get_geom(l);
    gan_init_weights(&l->conf, l->params, (size_t)g.R * g.C, g.C, g.R, rng);
    gan_init_weights(&l->conf, l->params + (size_t)g.R * g.C, (size_t)g.R * g.C, g.C, g.R, rng);
    gan_init_weights(&l->conf, l->params + (size_t)2 * g.R * g.C, (size_t)g.C * g.C, g.C, g.C, rng);
    l->params[(size_t)g.M * g.C] = 0.0f;   /* gamma */
    gan_sn_init(l, rng);
}

/* rows of s (rows, N) replaced by their softmax */
static void softmax_rows(float *s, int rows, int N)
{
    for (int j = 0; j < rows; j++) {
        float *r = s + (size_t)j * N;
        float m = r[0];
        for (int i = 1; i < N; i++) m = r[i] > m ? r[i] : m;
        float sum = 0.0f;
        for (int i = 0; i < N; i++) {
            r[i] = expf(r[i] - m);
            sum += r[i];
        }
        float inv = 1.0f / sum;
        for (int i = 0; i < N; i++) r[i] *= inv;
    }
}

typedef struct pass {
    gan_layer *l;
    const gan_ctx *c;
    geom g;
    const float *W;   /* (M, C) = [Wf; Wg; Wh], each over its sigma with spectral_norm */
    const float *x, *dy;
    float *y, *dx;
    int param_grads, ntasks;
} pass;

static void forward_task(void *arg, int t)
{
    const pass *p = arg;
    const geom g = p->g;
    const float *W = p->W;                     // (M, C) = [Wf; Wg; Wh]
    float gamma = p->l->params[(size_t)g.M * g.C];
    for (int n = t; n < p->c->B; n += p->ntasks) {
        const float *xn = p->x + (size_t)n * g.C * g.N;   // (C, N)
        float *fgh = p->l->saved + (size_t)n * g.saved;   // (M, N) = [f; g; h]
        float *a = fgh + (size_t)g.M * g.N;               // (N, N)
        float *o = a + (size_t)g.N * g.N;                 // (C, N)
        const float *f = fgh, *gg = fgh + (size_t)g.R * g.N, *h = fgh + (size_t)2 * g.R * g.N;
        gan_sgemm(0, 0, g.M, g.N, g.C, 1.0f, W, g.C, xn, g.N, 0.0f, fgh, g.N);
        /* s = g^T f, then its rows' softmax */
        gan_sgemm(1, 0, g.N, g.N, g.R, 1.0f, gg, g.N, f, g.N, 0.0f, a, g.N);
        softmax_rows(a, g.N, g.N);
        /* o = h a^T */
        gan_sgemm(0, 1, g.C, g.N, g.N, 1.0f, h, g.N, a, g.N, 0.0f, o, g.N);
        float *yn = p->y + (size_t)n * g.C * g.N;
        for (size_t i = 0; i < (size_t)g.C * g.N; i++) yn[i] = gamma * o[i] + xn[i];
    }
}

static void forward(gan_layer *l, const gan_ctx *c, const float *x, float *y)
{
    geom g = get_geom(l);
    pass p = { l, c, g, gan_sn_weight_pass(l, c), x, NULL, y, NULL, 0,
               c->B < c->ntasks ? c->B : c->ntasks };
    gan_par_for(p.ntasks, forward_task, &p);
}

static void backward_task(void *arg, int t)
{
    const pass *p = arg;
    const geom g = p->g;
    const int B = p->c->B;
    const float *W = p->W;                          // (M, C)
    float gamma = p->l->params[(size_t)g.M * g.C];
    float *dgam = p->c->ws + (size_t)B * g.M * g.N;                   // (B)
    float *da = dgam + B + (size_t)t * g.N * g.N;                     // (N, N)
    for (int n = t; n < B; n += p->ntasks) {
        const float *dyn = p->dy + (size_t)n * g.C * g.N;   // (C, N)
        const float *fgh = p->l->saved + (size_t)n * g.saved;
        const float *a = fgh + (size_t)g.M * g.N, *o = a + (size_t)g.N * g.N;
        const float *f = fgh, *gg = fgh + (size_t)g.R * g.N, *h = fgh + (size_t)2 * g.R * g.N;
        float *dfgh = p->c->ws + (size_t)n * g.M * g.N;     // (M, N) = [df; dg; dh]
        float *df = dfgh, *dg = dfgh + (size_t)g.R * g.N, *dh = dfgh + (size_t)2 * g.R * g.N;
        if (p->param_grads) {
            double s = 0;
            for (size_t i = 0; i < (size_t)g.C * g.N; i++) s += (double)dyn[i] * o[i];
            dgam[n] = (float)s;
        }
        /* dh = gamma dy a, da = gamma dy^T h */
        gan_sgemm(0, 0, g.C, g.N, g.N, gamma, dyn, g.N, a, g.N, 0.0f, dh, g.N);
        gan_sgemm(1, 0, g.N, g.N, g.C, gamma, dyn, g.N, h, g.N, 0.0f, da, g.N);
        /* ds = a (da - rowsum(a da)), in place */
        for (int j = 0; j < g.N; j++) {
            const float *ar = a + (size_t)j * g.N;
            float *dr = da + (size_t)j * g.N;
            float dot = 0.0f;
            for (int i = 0; i < g.N; i++) dot += ar[i] * dr[i];
            for (int i = 0; i < g.N; i++) dr[i] = ar[i] * (dr[i] - dot);
        }
        /* df = g ds, dg = f ds^T */
        gan_sgemm(0, 0, g.R, g.N, g.N, 1.0f, gg, g.N, da, g.N, 0.0f, df, g.N);
        gan_sgemm(0, 1, g.R, g.N, g.N, 1.0f, f, g.N, da, g.N, 0.0f, dg, g.N);
        if (p->dx) {          /* dx = dy + W^T [df; dg; dh] */
            float *dxn = p->dx + (size_t)n * g.C * g.N;
            memcpy(dxn, dyn, (size_t)g.C * g.N * sizeof *dxn);
            gan_sgemm(1, 0, g.C, g.N, g.M, 1.0f, W, g.C, dfgh, g.N, 1.0f, dxn, g.N);
        }
    }
}

static void backward(gan_layer *l, const gan_ctx *c, const float *x, const float *y,
                     const float *dy, float *dx, int param_grads)
{
    (void)y;
    if (!dx && !param_grads) return;
    geom g = get_geom(l);
    pass p = { l, c, g, gan_sn_last(l), x, dy, NULL, dx, param_grads, c->B < c->ntasks ? c->B : c->ntasks };
    gan_par_for(p.ntasks, backward_task, &p);
    if (!param_grads) return;
    /* in sample order: dgamma += sum dy o, dW += [df; dg; dh] x^T */
    float *dW = gan_sn_grad_begin(l);                  // (M, C): dW_sn with spectral_norm
    float *dgamma = l->grads + (size_t)g.M * g.C;      // after the weights
    const float *dgam = c->ws + (size_t)c->B * g.M * g.N;
    for (int n = 0; n < c->B; n++) {
        *dgamma += dgam[n];
        gan_sgemm_whole(0, 1, g.M, g.C, g.N, 1.0f, c->ws + (size_t)n * g.M * g.N, g.N,
                        x + (size_t)n * g.C * g.N, g.N, 1.0f, dW, g.C);
    }
    gan_sn_grad_end(l);
}

const gan_layer_type gan_layer_attention = {
    "attention", "SAGAN self-attention over the positions of (C, H, W): y = gamma o + x",
    keys, GAN_NKEYS(keys), setup, init, forward, backward, gan_sn_destroy, GAN_LAYER_Y_UNUSED,
};
