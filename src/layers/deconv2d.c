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
#include <cblas.h>
#include <string.h>
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
    /* xt (or dxt) + col (or dcol) */
    l->ws_fixed = (size_t)g.NB * ((size_t)g.C + g.OCKK) * g.HW;
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

static void forward(gan_layer *l, const gan_ctx *c, const float *x, float *y)
{
    geom g = get_geom(l);
    const float *Wt = gan_sn_weight(l, c->training);               // (C, OCKK), / sigma with SN
    const float *b = l->nparams > (size_t)g.C * g.OCKK ? l->params + (size_t)g.C * g.OCKK : NULL;   // (OC)
    for (int n0 = 0; n0 < c->B; n0 += g.NB) {
        int nb = c->B - n0 < g.NB ? c->B - n0 : g.NB;
        int N = nb * (int)g.HW;
        const float *xn = x + (size_t)n0 * g.C * g.HW;              // (nb, C, HW)
        float *yn = y + (size_t)n0 * g.OC * g.OHW;                  // (nb, OC, OH, OW)
        float *col = c->ws;                                         // (OCKK, N)
        /* xt (C, N): x reordered; with one sample, x itself */
        const float *xt = xn;
        if (nb > 1) {
            float *t = col + g.OCKK * (size_t)N;
            gan_batch_to_chan(t, xn, nb, g.C, g.HW);
            xt = t;
        }
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)g.OCKK, N, g.C, 1.0f, Wt,
                    (int)g.OCKK, xt, N, 0.0f, col, N);
        for (int i = 0; i < nb; i++)
            for (int o = 0; o < g.OC; o++) {
                float *yo = yn + ((size_t)i * g.OC + o) * g.OHW;
                float bo = b ? b[o] : 0.0f;
                for (size_t j = 0; j < g.OHW; j++) yo[j] = bo;
            }
        for (int i = 0; i < nb; i++)
            gan_col2im(yn + (size_t)i * g.OC * g.OHW, col + (size_t)i * g.HW, (size_t)N,
                       g.OC, g.OH, g.OW, g.K, g.S, g.P, g.H, g.W);
    }
}

static void backward(gan_layer *l, const gan_ctx *c, const float *x, const float *y,
                     const float *dy, float *dx, int param_grads)
{
    (void)y;
    if (!dx && !param_grads) return;
    geom g = get_geom(l);
    const float *Wt = gan_sn_last(l);                               // (C, OCKK)
    float *dW = param_grads ? gan_sn_grad_begin(l) : NULL;          // (C, OCKK), dW_sn with SN
    float *db = l->nparams > (size_t)g.C * g.OCKK ? l->grads + (size_t)g.C * g.OCKK : NULL; // (OC)
    for (int n0 = 0; n0 < c->B; n0 += g.NB) {
        int nb = c->B - n0 < g.NB ? c->B - n0 : g.NB;
        int N = nb * (int)g.HW;
        const float *dyn = dy + (size_t)n0 * g.OC * g.OHW;          // (nb, OC, OH, OW)
        float *dcol = c->ws;                                        // (OCKK, N)
        float *xt = dcol + g.OCKK * (size_t)N;                      // (C, N)
        for (int i = 0; i < nb; i++)
            gan_im2col(dcol + (size_t)i * g.HW, (size_t)N, dyn + (size_t)i * g.OC * g.OHW,
                       g.OC, g.OH, g.OW, g.K, g.S, g.P, g.H, g.W);
        if (param_grads) {
            const float *xn = x + (size_t)n0 * g.C * g.HW;
            const float *xr = xn;
            if (nb > 1) {
                gan_batch_to_chan(xt, xn, nb, g.C, g.HW);
                xr = xt;
            }
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, g.C, (int)g.OCKK, N, 1.0f, xr, N,
                        dcol, N, 1.0f, dW, (int)g.OCKK);
            if (db)
                for (int o = 0; o < g.OC; o++) {
                    double s = 0.0;
                    for (int i = 0; i < nb; i++) {
                        const float *r = dyn + ((size_t)i * g.OC + o) * g.OHW;
                        for (size_t j = 0; j < g.OHW; j++) s += r[j];
                    }
                    db[o] += (float)s;
                }
        }
        if (dx) {
            float *dxn = dx + (size_t)n0 * g.C * g.HW;              // (nb, C, HW)
            /* with one sample, dxt is dx itself */
            float *dxt = nb == 1 ? dxn : xt;
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, g.C, N, (int)g.OCKK, 1.0f, Wt,
                        (int)g.OCKK, dcol, N, 0.0f, dxt, N);
            if (nb > 1) gan_chan_to_batch(dxn, xt, nb, g.C, g.HW);
        }
    }
    if (param_grads) gan_sn_grad_end(l);
}

const gan_layer_type gan_layer_deconv2d = {
    "deconv2d", "2-D transposed convolution over (C, H, W), weight (C, OC, K, K), as PyTorch ConvTranspose2d",
    keys, GAN_NKEYS(keys), setup, init, forward, backward, gan_sn_destroy, GAN_LAYER_Y_UNUSED,
};
