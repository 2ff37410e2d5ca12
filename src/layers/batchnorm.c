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
 * layer keeps nothing between the passes and owns no memory.
 */
#include "config.h"
#include <math.h>
#include "layers/layers.h"

static const gan_key_desc keys[] = {
    { "momentum", GAN_KEY_FLOAT, 0, 0.1, 0.0, 1.0, 0, 0, NULL, 0, 0,
      "weight of the batch in the running statistics, in [0, 1]" },
    { "eps", GAN_KEY_FLOAT, 0, 1e-5, 0.0, 1.0, 1, 0, NULL, 0, 0,
      "added to the variance before the square root; > 0" },
    { "affine", GAN_KEY_BOOL, 0, 1, 0, 1, 0, 0, NULL, 0, 0,
      "learn a scale gamma (init 1) and shift beta (init 0)" },
};

typedef struct dims {
    int C;
    size_t HW;
    const float *gamma, *beta;   // (C) each, NULL without affine
} dims;

static dims get_dims(const gan_layer *l)
{
    dims d;
    d.C = l->in.d[0];
    d.HW = gan_shape_size(l->in) / (size_t)d.C;
    d.gamma = l->nparams ? l->params : NULL;
    d.beta = l->nparams ? l->params + d.C : NULL;
    return d;
}

static gan_status setup(gan_layer *l, gan_shape in, gan_error *err)
{
    (void)err;
    l->out = in;
    int C = in.d[0];
    if (gan_conf_num(&l->conf, "affine")) {
        gan_layer_add_tensor(l, "gamma", 0, 1, C, 0, 0, 0);
        gan_layer_add_tensor(l, "beta", 0, 1, C, 0, 0, 0);
    }
    gan_layer_add_tensor(l, "running_mean", 1, 1, C, 0, 0, 0);
    gan_layer_add_tensor(l, "running_var", 1, 1, C, 0, 0, 0);
    return GAN_OK;
}

static void init(gan_layer *l, gan_rng *rng)
{
    (void)rng;
    int C = l->in.d[0];
    for (int c = 0; c < C; c++) {
        if (l->nparams) {
            l->params[c] = 1.0f;
            l->params[C + c] = 0.0f;
        }
        l->bufs[c] = 0.0f;
        l->bufs[C + c] = 1.0f;
    }
}

/* batch mean and biased variance of channel ch, two passes in double */
static void batch_stats(double *mean, double *var, const float *x, int B, int C, int ch, size_t HW)
{
    double s = 0.0, q = 0.0;
    for (int n = 0; n < B; n++) {
        const float *xc = x + ((size_t)n * C + ch) * HW;
        for (size_t j = 0; j < HW; j++) s += xc[j];
    }
    double M = (double)B * HW, mu = s / M;
    for (int n = 0; n < B; n++) {
        const float *xc = x + ((size_t)n * C + ch) * HW;
        for (size_t j = 0; j < HW; j++) q += (xc[j] - mu) * (xc[j] - mu);
    }
    *mean = mu;
    *var = q / M;
}

/* the mu and var that normalise channel ch in this pass */
static void channel_stats(double *mu, double *var, const gan_layer *l, const gan_ctx *c,
                          const float *x, int ch)
{
    dims d = get_dims(l);
    if (c->training) {
        batch_stats(mu, var, x, c->B, d.C, ch, d.HW);
    } else {
        *mu = l->bufs[ch];
        *var = l->bufs[d.C + ch] > 0 ? l->bufs[d.C + ch] : 0.0;
    }
}

static void forward(gan_layer *l, const gan_ctx *c, const float *x, float *y)
{
    dims d = get_dims(l);
    float *rmean = l->bufs, *rvar = l->bufs + d.C;   // (C) each
    double mom = gan_conf_num(&l->conf, "momentum"), eps = gan_conf_num(&l->conf, "eps");
    double M = (double)c->B * d.HW;
    for (int ch = 0; ch < d.C; ch++) {
        double mu, var;
        channel_stats(&mu, &var, l, c, x, ch);
        if (c->training) {
            double unbiased = M > 1 ? var * M / (M - 1) : var;
            rmean[ch] = (float)((1 - mom) * rmean[ch] + mom * mu);
            rvar[ch] = (float)((1 - mom) * rvar[ch] + mom * unbiased);
        }
        /* y = a x + b with a = gamma r, b = beta - a mu */
        float r = (float)(1.0 / sqrt(var + eps));
        float a = d.gamma ? d.gamma[ch] * r : r;
        float b = (d.beta ? d.beta[ch] : 0.0f) - a * (float)mu;
        for (int n = 0; n < c->B; n++) {
            const float *xc = x + ((size_t)n * d.C + ch) * d.HW;
            float *yc = y + ((size_t)n * d.C + ch) * d.HW;
            for (size_t j = 0; j < d.HW; j++) yc[j] = a * xc[j] + b;
        }
    }
}

static void backward(gan_layer *l, const gan_ctx *c, const float *x, const float *y,
                     const float *dy, float *dx, int param_grads)
{
    (void)y;
    dims d = get_dims(l);
    if (!dx && !(param_grads && d.gamma)) return;
    float *dgamma = d.gamma && param_grads ? l->grads : NULL;   // (C)
    float *dbeta = d.gamma && param_grads ? l->grads + d.C : NULL;
    double M = (double)c->B * d.HW, eps = gan_conf_num(&l->conf, "eps");
    for (int ch = 0; ch < d.C; ch++) {
        /* forward's statistics again: the batch's x, or the running ones,
         * which only a training forward changes */
        double mu_d, var;
        channel_stats(&mu_d, &var, l, c, x, ch);
        float mu = (float)mu_d, r = (float)(1.0 / sqrt(var + eps));
        /* sdy = sum dy, sdyxh = sum dy xh over the channel */
        double sdy = 0.0, sdyxh = 0.0;
        for (int n = 0; n < c->B; n++) {
            const float *xc = x + ((size_t)n * d.C + ch) * d.HW;
            const float *dyc = dy + ((size_t)n * d.C + ch) * d.HW;
            for (size_t j = 0; j < d.HW; j++) {
                sdy += dyc[j];
                sdyxh += dyc[j] * ((xc[j] - mu) * r);
            }
        }
        if (dgamma) {
            dgamma[ch] += (float)sdyxh;
            dbeta[ch] += (float)sdy;
        }
        if (!dx) continue;
        float gm = d.gamma ? d.gamma[ch] : 1.0f;
        /* training: dx = gamma r (dy - mean dy - xh mean(dy xh)) */
        float k = gm * r;
        float mdy = c->training ? (float)(sdy / M) : 0.0f;
        float mdyxh = c->training ? (float)(sdyxh / M) : 0.0f;
        for (int n = 0; n < c->B; n++) {
            const float *xc = x + ((size_t)n * d.C + ch) * d.HW;
            const float *dyc = dy + ((size_t)n * d.C + ch) * d.HW;
            float *dxc = dx + ((size_t)n * d.C + ch) * d.HW;
            for (size_t j = 0; j < d.HW; j++)
                dxc[j] = k * (dyc[j] - mdy - (xc[j] - mu) * r * mdyxh);
        }
    }
}

const gan_layer_type gan_layer_batchnorm = {
    "batchnorm", "batch normalisation per feature (F) or channel (C, H, W), as PyTorch BatchNorm",
    keys, GAN_NKEYS(keys), setup, init, forward, backward, NULL,
};
