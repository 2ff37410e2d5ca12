/* deconv2d.c - 2-D transposed convolution (as PyTorch ConvTranspose2d).
 *
 *   x (B, C, H, W)   W (C, OC, K, K)   b (OC)   y (B, OC, OH, OW)
 *   OH = (H - 1)*S - 2P + K, OW likewise.
 * It is the adjoint of conv2d (OC -> C channels, same K, S, P): every input
 * pixel x[n, c, i, j] adds x * W[c, o, kh, kw] to y[n, o, i*S - P + kh,
 * j*S - P + kw].  In column form, for a chunk of NB samples:
 *   xt  (C, NB*HW)     = x reordered
 *   col (OCKK, NB*HW)  = W^T (OCKK, C) . xt                     one GEMM
 *   y   = b + col2im(col)     (col2im with the image (OC, OH, OW))
 * Backward, with dcol = im2col(dy) (OCKK, NB*HW), a convolution of dy:
 *   dW (C, OCKK) += xt . dcol^T        db[o] += sum of dy over o's pixels
 *   dxt (C, NB*HW) = W (C, OCKK) . dcol, reordered into dx
 */
#include "config.h"
#include <string.h>
#include "gan/par.h"
#include "layers/layers.h"

static const gan_key_desc keys[] = {
    GAN_CONV_KEYS,
    GAN_WEIGHT_KEYS,
    GAN_SN_KEYS,
};

typedef struct geom {
    int C, H, W, OC, K, S, P, OH, OW;
    size_t OCKK, HW, OHW;
    int NB;   /* samples per chunk */
} geom;

static geom get_geom(const gan_layer *l)
{
    geom g;
    g.C = l->in.d[0], g.H = l->in.d[1], g.W = l->in.d[2];
    g.OC = l->out.d[0], g.OH = l->out.d[1], g.OW = l->out.d[2];
    g.K = (int)gan_conf_num(&l->conf, "kernel");
    g.S = (int)gan_conf_num(&l->conf, "stride");
    g.P = (int)gan_conf_num(&l->conf, "pad");
    g.OCKK = (size_t)g.OC * g.K * g.K;
    g.HW = (size_t)g.H * g.W;
    g.OHW = (size_t)g.OH * g.OW;
    g.NB = gan_conv_chunk(((size_t)g.C + g.OCKK) * g.HW, g.HW);
    return g;
}

static gan_status setup(gan_layer *l, gan_shape in, gan_error *err)
{
    char s[64];
    gan_shape_str(in, s, sizeof s);
    if (in.rank != 3)
        return gan_error_set(err, GAN_ERR_SHAPE, "deconv2d: input %s must be (C, H, W)", s);
    long long OC = (long long)gan_conf_num(&l->conf, "filters");
    long long K = (long long)gan_conf_num(&l->conf, "kernel");
    long long S = (long long)gan_conf_num(&l->conf, "stride");
    long long P = (long long)gan_conf_num(&l->conf, "pad");
    long long C = in.d[0], H = in.d[1], W = in.d[2];
    if (K < 1 || S < 1 || P < 0 || OC < 1)
        return gan_error_set(err, GAN_ERR_INVALID, "deconv2d: filters, kernel and stride must be "
                             "positive and pad not negative");
    long long OH = (H - 1) * S - 2 * P + K, OW = (W - 1) * S - 2 * P + K;
    if (OH < 1 || OW < 1)
        return gan_error_set(err, GAN_ERR_SHAPE, "deconv2d: pad %lld leaves no output for input %s "
                             "with kernel %lld and stride %lld", P, s, K, S);
    long long limit = 1LL << 28;
    if (OH > limit || OW > limit || OH * OW > limit)
        return gan_error_set(err, GAN_ERR_SHAPE, "deconv2d: output %lld x %lld is too large", OH, OW);
    if (OC * C * K * K > limit)
        return gan_error_set(err, GAN_ERR_SHAPE, "deconv2d: %lld weights are too many (at most %lld)",
                             OC * C * K * K, limit);
    if (OC * K * K * H * W > 4 * limit)
        return gan_error_set(err, GAN_ERR_SHAPE, "deconv2d: column matrix of %lld floats per sample "
                             "is too large for input %s", OC * K * K * H * W, s);
    l->out = (gan_shape){ 3, { (int)OC, (int)OH, (int)OW } };
    gan_layer_add_tensor(l, "weight", 0, 4, (int)C, (int)OC, (int)K, (int)K);
    if (gan_conf_num(&l->conf, "bias")) gan_layer_add_tensor(l, "bias", 0, 1, (int)OC, 0, 0, 0);
    geom g = get_geom(l);
    /* per task: xt (or dxt) + col (or dcol), then a group's partial dW and
     * db (layers.h) */
    l->ws_fixed = (size_t)g.NB * ((size_t)g.C + g.OCKK) * g.HW + (size_t)g.C * g.OCKK + (size_t)g.OC;
    l->ws_task = l->ws_fixed;
    return gan_sn_setup(l, g.C, (int)g.OCKK, err);
}

static void init(gan_layer *l, gan_rng *rng)
{
    geom g = get_geom(l);
    size_t nw = (size_t)g.C * g.OCKK;
    /* fans as PyTorch computes them from the weight (C, OC, K, K):
     * fan_in = OC*K*K, fan_out = C*K*K */
    gan_init_weights(&l->conf, l->params, nw, (int)g.OCKK, g.C * g.K * g.K, rng);
    if (l->nparams > nw) memset(l->params + nw, 0, (size_t)g.OC * sizeof(float));
    gan_sn_init(l, rng);
}

/* One pass split into tasks as in conv2d.c, each with its own scratch
 * slot: forward's tasks claim single chunks, backward's tasks claim groups
 * of chunks and add their dW and db in group order. */
typedef struct pass {
    gan_layer *l;
    const gan_ctx *c;
    geom g;
    const float *x, *dy, *Wt, *b;   /* Wt (C, OCKK), b (OC) or NULL */
    float *y, *dx, *dW, *db;        /* dW (C, OCKK), db (OC) or NULL */
    int ntasks;
    gan_conv_groups *gr;            /* the chunks (forward) or groups (backward) to claim */
} pass;

static void forward_task(void *arg, int t)
{
    const pass *p = arg;
    const geom g = p->g;
    float *col = gan_conv_slot(p->l, p->c, t);   // (OCKK, N)
    for (int u; (u = gan_conv_group_claim(p->gr)) >= 0;) {
        int n0, nb;
        gan_conv_chunk_rows(p->c, g.NB, u, &n0, &nb);
        int N = nb * (int)g.HW;
        const float *xn = p->x + (size_t)n0 * g.C * g.HW;           // (nb, C, HW)
        float *yn = p->y + (size_t)n0 * g.OC * g.OHW;               // (nb, OC, OH, OW)
        /* xt (C, N): x reordered; with one sample, x itself */
        const float *xt = xn;
        if (nb > 1) {
            float *tt = col + g.OCKK * (size_t)N;
            gan_batch_to_chan(tt, xn, nb, g.C, g.HW);
            xt = tt;
        }
        gan_sgemm_whole(1, 0, (int)g.OCKK, N, g.C, 1.0f, p->Wt, (int)g.OCKK, xt, N, 0.0f, col, N);
        /* y = b + col2im(col), one pass */
        for (int i = 0; i < nb; i++)
            gan_col2im_bias(yn + (size_t)i * g.OC * g.OHW, col + (size_t)i * g.HW, (size_t)N, p->b,
                            g.OC, g.OH, g.OW, g.K, g.S, g.P, g.H, g.W);
    }
}

static void forward(gan_layer *l, const gan_ctx *c, const float *x, float *y)
{
    geom g = get_geom(l);
    gan_conv_groups gr;   /* single units, claimed by whichever task is free */
    gan_conv_groups_init(&gr, gan_conv_nchunks(c, g.NB), 0);
    pass p = { l, c, g, x, NULL, gan_sn_weight_pass(l, c), NULL, y, NULL, NULL, NULL,
               gan_conv_tasks(c, g.NB), &gr };
    if (l->nparams > (size_t)g.C * g.OCKK) p.b = l->params + (size_t)g.C * g.OCKK;
    gan_par_for(p.ntasks, forward_task, &p);
}

/* One chunk k of backward: dx, then (the held partial settled first, as
 * dW may be the partial) the chunk's dW and db added into dW, db (assigned
 * instead when first: a group's partial starts there). */
static void backward_chunk(const pass *p, float *dcol, int k, float *dW, float *db, int first,
                           gan_conv_held *held)
{
    const geom g = p->g;
    int n0, nb;
    gan_conv_chunk_rows(p->c, g.NB, k, &n0, &nb);
    int N = nb * (int)g.HW;
    const float *dyn = p->dy + (size_t)n0 * g.OC * g.OHW;       // (nb, OC, OH, OW)
    float *xt = dcol + g.OCKK * (size_t)N;                      // (C, N)
    for (int i = 0; i < nb; i++)
        gan_im2col(dcol + (size_t)i * g.HW, (size_t)N, dyn + (size_t)i * g.OC * g.OHW,
                   g.OC, g.OH, g.OW, g.K, g.S, g.P, g.H, g.W);
    if (p->dx) {
        float *dxn = p->dx + (size_t)n0 * g.C * g.HW;           // (nb, C, HW)
        /* with one sample, dxt is dx itself */
        float *dxt = nb == 1 ? dxn : xt;
        gan_sgemm_whole(0, 0, g.C, N, (int)g.OCKK, 1.0f, p->Wt, (int)g.OCKK, dcol, N, 0.0f, dxt, N);
        if (nb > 1) gan_chan_to_batch(dxn, xt, nb, g.C, g.HW);
    }
    if (!dW) return;
    gan_conv_settle(held);
    const float *xn = p->x + (size_t)n0 * g.C * g.HW;
    const float *xr = xn;
    if (nb > 1) {   /* x reordered into xt (after dx is out of it) */
        gan_batch_to_chan(xt, xn, nb, g.C, g.HW);
        xr = xt;
    }
    gan_sgemm_whole(0, 1, g.C, (int)g.OCKK, N, 1.0f, xr, N, dcol, N, first ? 0.0f : 1.0f, dW,
                    (int)g.OCKK);
    if (db)
        for (int o = 0; o < g.OC; o++) {
            double s = 0.0;
            for (int i = 0; i < nb; i++)
                s += gan_sum_floats(dyn + ((size_t)i * g.OC + o) * g.OHW, g.OHW);
            db[o] = first ? (float)s : db[o] + (float)s;
        }
}

static void backward_task(void *arg, int t)
{
    const pass *p = arg;
    const geom g = p->g;
    float *dcol = gan_conv_slot(p->l, p->c, t);                 // (OCKK, N)
    size_t nw = (size_t)g.C * g.OCKK;
    float *part = dcol + p->l->ws_fixed - nw - (size_t)g.OC;    // dW (C, OCKK), db (OC)
    gan_conv_held held = { p->gr, p->dW, p->db, part, nw, g.OC, 0 };
    for (int gi; (gi = gan_conv_group_claim(p->gr)) >= 0;) {
        int k0 = gi * p->gr->per, k1 = k0 + p->gr->per < p->gr->nchunks ? k0 + p->gr->per : p->gr->nchunks;
        /* group 0 straight into the gradients, the others into the partial */
        float *dW = p->dW && gi ? part : p->dW, *db = p->db && gi ? part + nw : p->db;
        for (int k = k0; k < k1; k++) backward_chunk(p, dcol, k, dW, db, gi && k == k0, &held);
        if (p->dW) gan_conv_hold(&held, gi);
    }
    gan_conv_settle(&held);
}

static void backward(gan_layer *l, const gan_ctx *c, const float *x, const float *y,
                     const float *dy, float *dx, int param_grads)
{
    (void)y;
    if (!dx && !param_grads) return;
    geom g = get_geom(l);
    gan_conv_groups gr;
    gan_conv_groups_init(&gr, gan_conv_nchunks(c, g.NB), param_grads);
    pass p = { l, c, g, x, dy, gan_sn_last(l), NULL, NULL, dx, NULL, NULL,
               gr.ngroups < c->ntasks ? gr.ngroups : c->ntasks, &gr };
    if (param_grads) {
        p.dW = gan_sn_grad_begin(l);                                // dW_sn with SN
        if (l->nparams > (size_t)g.C * g.OCKK) p.db = l->grads + (size_t)g.C * g.OCKK;
    }
    gan_par_for(p.ntasks, backward_task, &p);
    if (param_grads) gan_sn_grad_end(l);
}

const gan_layer_type gan_layer_deconv2d = {
    "deconv2d", "2-D transposed convolution over (C, H, W), weight (C, OC, K, K), as PyTorch ConvTranspose2d",
    keys, GAN_NKEYS(keys), setup, init, forward, backward, gan_sn_destroy, GAN_LAYER_Y_UNUSED,
};
