/* layernorm.c - layer normalisation: each sample over all its features.
 *
 *   x, y (B, C, HW)   (rank 1: C = F, HW = 1)   gamma, beta (C)
 * Over the D = C*HW values of sample n:
 *   mu = mean x,  var = mean (x - mu)^2 (biased),  r = 1/sqrt(var + eps)
 *   xh = (x - mu) r;   y = gamma[c] xh + beta[c]   (gamma 1, beta 0 at first)
 * The same in training and evaluation (no running statistics).  As ONNX
 * LayerNormalization over axes 1.. with the scale and bias broadcast over
 * H, W.  Backward, with g = gamma[c] dy and means over the sample's D:
 *   dbeta[c] += sum_hw dy,  dgamma[c] += sum_hw dy xh
 *   dx = r (g - mean g - xh mean(g xh))
 * Forward keeps mu and r per sample (saved) for backward.  Sums in double.
 */
#include "config.h"
#include <math.h>
#include "layers/layers.h"

static const gan_key_desc keys[] = {
    { "eps", GAN_KEY_FLOAT, 0, 1e-5, 0.0, 1.0, 1, 0, NULL, 0, 0,
      "added to the variance before the square root; > 0" },
    { "affine", GAN_KEY_BOOL, 0, 1, 0, 1, 0, 0, NULL, 0, 0,
      "learn a scale gamma (init 1) and shift beta (init 0) per channel (or feature)" },
};

static gan_status setup(gan_layer *l, gan_shape in, gan_error *err)
{
    (void)err;
    l->out = in;
    if (gan_conf_num(&l->conf, "affine")) {
        gan_layer_add_tensor(l, "gamma", 0, 1, in.d[0], 0, 0, 0);
        gan_layer_add_tensor(l, "beta", 0, 1, in.d[0], 0, 0, 0);
    }
    l->saved_per_sample = 2;   /* mu, r */
    return GAN_OK;
}

static void init(gan_layer *l, gan_rng *rng)
{
    (void)rng;
    int C = l->in.d[0];
    for (int c = 0; c < C && l->nparams; c++) {
        l->params[c] = 1.0f;
        l->params[C + c] = 0.0f;
    }
}

static void forward(gan_layer *l, const gan_ctx *c, const float *x, float *y)
{
    int C = l->in.d[0];
    size_t D = gan_shape_size(l->in), HW = D / (size_t)C;
    const float *gamma = l->nparams ? l->params : NULL, *beta = gamma ? gamma + C : NULL;   // (C)
    double eps = gan_conf_num(&l->conf, "eps");
    for (int n = 0; n < c->B; n++) {
        const float *xn = x + (size_t)n * D;   // (C, HW)
        float *yn = y + (size_t)n * D;
        double mu = gan_sum_floats(xn, D) / (double)D, v = 0;
        for (size_t i = 0; i < D; i++) v += (xn[i] - mu) * (xn[i] - mu);
        float r = (float)(1.0 / sqrt(v / (double)D + eps)), m = (float)mu;
        l->saved[2 * n] = m;
        l->saved[2 * n + 1] = r;
        for (int ch = 0; ch < C; ch++) {
            float gc = gamma ? gamma[ch] : 1.0f, bc = beta ? beta[ch] : 0.0f;
            const float *xc = xn + (size_t)ch * HW;
            float *yc = yn + (size_t)ch * HW;
            for (size_t j = 0; j < HW; j++) yc[j] = gc * ((xc[j] - m) * r) + bc;
        }
    }
}

static void backward(gan_layer *l, const gan_ctx *c, const float *x, const float *y,
                     const float *dy, float *dx, int param_grads)
{
    (void)y;
    int C = l->in.d[0];
    size_t D = gan_shape_size(l->in), HW = D / (size_t)C;
    const float *gamma = l->nparams ? l->params : NULL;                 // (C)
    float *dgamma = gamma && param_grads ? l->grads : NULL, *dbeta = dgamma ? dgamma + C : NULL;
    if (!dx && !dgamma) return;
    for (int n = 0; n < c->B; n++) {
        const float *xn = x + (size_t)n * D, *dyn = dy + (size_t)n * D;   // (C, HW)
        float m = l->saved[2 * n], r = l->saved[2 * n + 1];
        double sg = 0, sgxh = 0;   /* sum g, sum g xh over the sample */
        for (int ch = 0; ch < C; ch++) {
            const float *xc = xn + (size_t)ch * HW, *dyc = dyn + (size_t)ch * HW;
            double s = 0, q = 0;
            for (size_t j = 0; j < HW; j++) s += dyc[j], q += dyc[j] * ((xc[j] - m) * r);
            if (dgamma) dgamma[ch] += (float)q, dbeta[ch] += (float)s;
            double gc = gamma ? gamma[ch] : 1.0;
            sg += gc * s;
            sgxh += gc * q;
        }
        if (!dx) continue;
        float mg = (float)(sg / (double)D), mgxh = (float)(sgxh / (double)D);
        for (int ch = 0; ch < C; ch++) {
            float gc = gamma ? gamma[ch] : 1.0f;
            const float *xc = xn + (size_t)ch * HW, *dyc = dyn + (size_t)ch * HW;
            float *dxc = dx + (size_t)n * D + (size_t)ch * HW;
            for (size_t j = 0; j < HW; j++) dxc[j] = r * (gc * dyc[j] - mg - (xc[j] - m) * r * mgxh);
        }
    }
}

const gan_layer_type gan_layer_layernorm = {
    "layernorm", "layer normalisation of each sample over all its features, per-channel scale and shift",
    keys, GAN_NKEYS(keys), setup, init, forward, backward, NULL, GAN_LAYER_Y_UNUSED,
};
