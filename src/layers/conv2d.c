/* conv2d.c - 2-D convolution (cross-correlation, as PyTorch Conv2d).
 *
 *   x (B, C, H, W)   W (OC, C, K, K)   b (OC)   y (B, OC, OH, OW)
 *   y[n, o, i, j] = b[o] + sum_{c,kh,kw} W[o, c, kh, kw] x[n, c, i*S - P + kh, j*S - P + kw]
 *   OH = (H + 2P - K)/S + 1, OW likewise; x is zero outside the image.
 *
 * Per chunk of NB samples (see gan_conv_chunk):
 *   col (CKK, NB*OHW) = im2col of every sample, side by side
 *   t   (OC, NB*OHW)  = W (OC, CKK) . col                      one GEMM
 *   y   (NB, OC, OHW) = t reordered, + b
 * Backward, with dt (OC, NB*OHW) the reordered dy:
 *   dW (OC, CKK) += dt . col^T          db[o] += sum of dt's row o
 *   dcol (CKK, NB*OHW) = W^T . dt       dx = col2im(dcol)
 *
 * groups G (PyTorch's groups; depthwise when G = C = OC): W is
 * (OC, C/G, K, K) and output channels [g OC/G, (g+1) OC/G) read input
 * channels [g C/G, (g+1) C/G) only.  col's rows are channel-major, so group
 * g's rows are the block [g CgKK, (g+1) CgKK) (CgKK = C/G K K) and each
 * product above is G products of its diagonal blocks:
 *   t_g (OCg, N) = W_g (OCg, CgKK) . col_g,  dW_g += dt_g . col_g^T,
 *   dcol_g = W_g^T . dt_g.  G = 1 makes the same calls as before.
 */
#include "config.h"
#include <string.h>
#include "gan/par.h"
#include "layers/layers.h"

static const gan_key_desc keys[] = {
    GAN_CONV_KEYS,
    { "groups", GAN_KEY_INT, 0, 1, 1, 65536, 0, 0, NULL, 0, 0,
      "grouped convolution: G groups of C/G input to OC/G output channels (depthwise: G = C)" },
    GAN_WEIGHT_KEYS,
    GAN_SN_KEYS,
};

typedef struct geom {
    int C, H, W, OC, K, S, P, OH, OW;
    int G, OCg;          /* groups, output channels per group */
    size_t CKK, HW, OHW;
    size_t CgKK, NW;     /* a group's col rows (C/G K K); weights OC CgKK */
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
    g.CKK = (size_t)g.C * g.K * g.K;
    g.G = (int)gan_conf_num(&l->conf, "groups");
    g.OCg = g.OC / g.G;
    g.CgKK = g.CKK / (size_t)g.G;
    g.NW = (size_t)g.OC * g.CgKK;
    g.HW = (size_t)g.H * g.W;
    g.OHW = (size_t)g.OH * g.OW;
    g.NB = gan_conv_chunk((g.CKK + (size_t)g.OC) * g.OHW, g.OHW);
    return g;
}

static gan_status setup(gan_layer *l, gan_shape in, gan_error *err)
{
    char s[64];
    gan_shape_str(in, s, sizeof s);
    if (in.rank != 3)
        return gan_error_set(err, GAN_ERR_SHAPE, "conv2d: input %s must be (C, H, W)", s);
    long long OC = (long long)gan_conf_num(&l->conf, "filters");
    long long K = (long long)gan_conf_num(&l->conf, "kernel");
    long long S = (long long)gan_conf_num(&l->conf, "stride");
    long long P = (long long)gan_conf_num(&l->conf, "pad");
    long long G = (long long)gan_conf_num(&l->conf, "groups");
    long long C = in.d[0], H = in.d[1], W = in.d[2];
    if (K < 1 || S < 1 || P < 0 || OC < 1 || G < 1)
        return gan_error_set(err, GAN_ERR_INVALID, "conv2d: filters, kernel, stride and groups must be "
                             "positive and pad not negative");
    if (C % G || OC % G)
        return gan_error_set(err, GAN_ERR_INVALID, "conv2d: groups %lld does not divide the %lld input "
                             "channels and %lld filters (expected a divisor of both)", G, C, OC);
    if (H + 2 * P < K || W + 2 * P < K)
        return gan_error_set(err, GAN_ERR_SHAPE, "conv2d: kernel %lld does not fit input %s with pad %lld",
                             K, s, P);
    long long OH = (H + 2 * P - K) / S + 1, OW = (W + 2 * P - K) / S + 1;
    long long limit = 1LL << 28;
    if (OC * (C / G) * K * K > limit)
        return gan_error_set(err, GAN_ERR_SHAPE, "conv2d: %lld weights are too many (at most %lld)",
                             OC * (C / G) * K * K, limit);
    if (C * K * K * OH * OW > 4 * limit)
        return gan_error_set(err, GAN_ERR_SHAPE, "conv2d: column matrix of %lld floats per sample "
                             "is too large for input %s", C * K * K * OH * OW, s);
    l->out = (gan_shape){ 3, { (int)OC, (int)OH, (int)OW } };
    gan_layer_add_tensor(l, "weight", 0, 4, (int)OC, (int)(C / G), (int)K, (int)K);
    if (gan_conf_num(&l->conf, "bias")) gan_layer_add_tensor(l, "bias", 0, 1, (int)OC, 0, 0, 0);
    geom g = get_geom(l);
    /* per task: forward col + t; backward dt + col (dcol reuses col), then
     * a group's partial dW and db (layers.h) */
    l->ws_fixed = (size_t)g.NB * (g.CKK + (size_t)g.OC) * g.OHW + (size_t)g.OC * (g.CKK + 1);
    l->ws_task = l->ws_fixed;
    return gan_sn_setup(l, g.OC, (int)g.CgKK, err);
}

static void init(gan_layer *l, gan_rng *rng)
{
    geom g = get_geom(l);
    size_t nw = g.NW;
    gan_init_weights(&l->conf, l->params, nw, (int)g.CgKK, g.OC * g.K * g.K, rng);
    if (l->nparams > nw) memset(l->params + nw, 0, (size_t)g.OC * sizeof(float));
    gan_sn_init(l, rng);
}

/* One pass split into tasks, each with its own scratch slot (layers.h):
 * forward's tasks claim single chunks (whichever task is free takes the
 * next: a thread that starts late or runs slow takes fewer); backward's
 * tasks claim groups of chunks and add their dW and db in group order. */
typedef struct pass {
    gan_layer *l;
    const gan_ctx *c;
    geom g;
    const float *x, *dy, *Wt, *b;   /* Wt (OC, CKK), b (OC) or NULL */
    float *y, *dx, *dW, *db;        /* dW (OC, CKK), db (OC) or NULL */
    int ntasks;
    gan_conv_groups *gr;            /* the units (forward) or groups (backward) to claim */
    int nunits;                     /* backward: dx units after the groups */
} pass;

static void forward_task(void *arg, int t)
{
    const pass *p = arg;
    const geom g = p->g;
    float *col = gan_conv_slot(p->l, p->c, t);   // (CKK, N)
    for (int u; (u = gan_conv_group_claim(p->gr)) >= 0;) {
        int n0, nb;
        gan_conv_chunk_rows(p->c, g.NB, u, &n0, &nb);
        int N = nb * (int)g.OHW;
        float *yn = p->y + (size_t)n0 * g.OC * g.OHW;               // (nb, OC, OHW)
        /* with one sample, t is y itself */
        float *tt = nb == 1 ? yn : col + g.CKK * (size_t)N;        // (OC, N)
        for (int i = 0; i < nb; i++)
            gan_im2col(col + (size_t)i * g.OHW, (size_t)N, p->x + (size_t)(n0 + i) * g.C * g.HW,
                       g.C, g.H, g.W, g.K, g.S, g.P, g.OH, g.OW);
        for (int gi = 0; gi < g.G; gi++)
            gan_sgemm_whole(0, 0, g.OCg, N, (int)g.CgKK, 1.0f, p->Wt + gi * g.OCg * g.CgKK, (int)g.CgKK,
                            col + gi * g.CgKK * N, N, 0.0f, tt + (size_t)gi * g.OCg * N, N);
        if (!p->b) {
            if (nb > 1) gan_chan_to_batch(yn, tt, nb, g.OC, g.OHW);
            continue;
        }
        /* y = t reordered + b, one pass (in place when t is y) */
        for (int i = 0; i < nb; i++)
            for (int o = 0; o < g.OC; o++) {
                float *yo = yn + ((size_t)i * g.OC + o) * g.OHW;
                const float *to = nb > 1 ? tt + ((size_t)o * nb + i) * g.OHW : yo;
                const float bo = p->b[o];
                for (size_t j = 0; j < g.OHW; j++) yo[j] = to[j] + bo;
            }
    }
}

static void forward(gan_layer *l, const gan_ctx *c, const float *x, float *y)
{
    geom g = get_geom(l);
    gan_conv_groups gr;   /* single units, claimed by whichever task is free */
    gan_conv_groups_init(&gr, gan_conv_nchunks(c, g.NB), 0);
    pass p = { l, c, g, x, NULL, gan_sn_weight_pass(l, c), NULL, y, NULL, NULL, NULL,
               gan_conv_tasks(c, g.NB), &gr, 0 };
    if (l->nparams > g.NW) p.b = l->params + g.NW;
    gan_par_for(p.ntasks, forward_task, &p);
}

/* dt (OC, nb*OHW): dy of samples [n0, n0 + nb) reordered into tt; with
 * one sample, dy itself */
static const float *backward_dt(const pass *p, float *tt, int n0, int nb)
{
    const geom g = p->g;
    const float *dyn = p->dy + (size_t)n0 * g.OC * g.OHW;       // (nb, OC, OHW)
    if (nb == 1) return dyn;
    gan_batch_to_chan(tt, dyn, nb, g.OC, g.OHW);
    return tt;
}

/* dx of samples [n0, n0 + nb): dcol (CKK, N) = W^T dt in col, scattered */
static void backward_dx(const pass *p, float *col, int n0, int nb)
{
    const geom g = p->g;
    int N = nb * (int)g.OHW;
    const float *dt = backward_dt(p, col + g.CKK * (size_t)N, n0, nb);
    float *dxn = p->dx + (size_t)n0 * g.C * g.HW;               // (nb, C, H, W)
    for (int gi = 0; gi < g.G; gi++)
        gan_sgemm_whole(1, 0, (int)g.CgKK, N, g.OCg, 1.0f, p->Wt + gi * g.OCg * g.CgKK, (int)g.CgKK,
                        dt + (size_t)gi * g.OCg * N, N, 0.0f, col + gi * g.CgKK * N, N);
    for (int i = 0; i < nb; i++)
        gan_col2im_set(dxn + (size_t)i * g.C * g.HW, col + (size_t)i * g.OHW, (size_t)N,
                       g.C, g.H, g.W, g.K, g.S, g.P, g.OH, g.OW);
}

/* Chunk k's dW and db added into dW, db (assigned instead when first: a
 * group's partial starts there), after the held partial is settled (dW
 * may be the partial's room). */
static void backward_dw(const pass *p, float *col, int k, float *dW, float *db, int first,
                        gan_conv_held *held)
{
    const geom g = p->g;
    int n0, nb;
    gan_conv_chunk_rows(p->c, g.NB, k, &n0, &nb);
    int N = nb * (int)g.OHW;
    const float *dt = backward_dt(p, col + g.CKK * (size_t)N, n0, nb);
    gan_conv_settle(held);
    for (int i = 0; i < nb; i++)
        gan_im2col(col + (size_t)i * g.OHW, (size_t)N, p->x + (size_t)(n0 + i) * g.C * g.HW,
                   g.C, g.H, g.W, g.K, g.S, g.P, g.OH, g.OW);
    for (int gi = 0; gi < g.G; gi++)
        gan_sgemm_whole(0, 1, g.OCg, (int)g.CgKK, N, 1.0f, dt + (size_t)gi * g.OCg * N, N,
                        col + gi * g.CgKK * N, N, first ? 0.0f : 1.0f, dW + gi * g.OCg * g.CgKK,
                        (int)g.CgKK);
    if (db)
        for (int o = 0; o < g.OC; o++) {
            float s = (float)gan_sum_floats(dt + (size_t)o * N, (size_t)N);
            db[o] = first ? s : db[o] + s;
        }
}

/* A backward task claims the dW groups first, then the dx units (forward's
 * units, the chunks), so a pass ends on one chunk's dx
 * at most; a held partial is added as soon as the groups before it are in,
 * and at the latest at the task's end. */
static void backward_task(void *arg, int t)
{
    const pass *p = arg;
    const geom g = p->g;
    float *col = gan_conv_slot(p->l, p->c, t);                  // (CKK, N)
    float *part = col + p->l->ws_fixed - (size_t)g.OC * (g.CKK + 1);   // dW (OC, CKK), db (OC)
    size_t nw = g.NW;
    int ng = p->dW ? p->gr->ngroups : 0;
    gan_conv_held held = { p->gr, p->dW, p->db, part, nw, g.OC, 0 };
    for (int u; (u = gan_conv_claim(p->gr, ng + p->nunits)) >= 0;) {
        if (u >= ng) {
            int n0, nb;
            gan_conv_try_settle(&held);
            gan_conv_chunk_rows(p->c, g.NB, u - ng, &n0, &nb);
            backward_dx(p, col, n0, nb);
            continue;
        }
        int k0 = u * p->gr->per, k1 = k0 + p->gr->per < p->gr->nchunks ? k0 + p->gr->per : p->gr->nchunks;
        /* group 0 straight into the gradients, the others into the partial */
        float *dW = u ? part : p->dW, *db = p->db && u ? part + nw : p->db;
        for (int k = k0; k < k1; k++) backward_dw(p, col, k, dW, db, u && k == k0, &held);
        gan_conv_hold(&held, u);
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
    int nunits = dx ? gan_conv_nchunks(c, g.NB) : 0, units = (param_grads ? gr.ngroups : 0) + nunits;
    pass p = { l, c, g, x, dy, gan_sn_last(l), NULL, NULL, dx, NULL, NULL,
               units < c->ntasks ? units : c->ntasks, &gr, nunits };
    if (param_grads) {
        p.dW = gan_sn_grad_begin(l);                                // dW_sn with SN
        if (l->nparams > g.NW) p.db = l->grads + g.NW;
    }
    gan_par_for(p.ntasks, backward_task, &p);
    if (param_grads) gan_sn_grad_end(l);
}

const gan_layer_type gan_layer_conv2d = {
    "conv2d", "2-D convolution over (C, H, W), weight (OC, C/groups, K, K), as PyTorch Conv2d",
    keys, GAN_NKEYS(keys), setup, init, forward, backward, gan_sn_destroy, GAN_LAYER_Y_UNUSED,
};
