/* pixelnorm.c - ProGAN's pixelwise feature normalisation.
 *
 *   x, y (B, C, HW)   (rank 1: C = F, HW = 1: the whole vector, as ProGAN
 *                      normalises its latent)
 * At every position p of sample n, over the C channels:
 *   r = 1/sqrt(mean_c x[c, p]^2 + eps);   y[c, p] = x[c, p] r
 * No parameters; the same in training and evaluation.  Backward:
 *   dx[c, p] = r dy[c, p] - x[c, p] r^3 (1/C) sum_c' dy[c', p] x[c', p]
 * Scratch (ws_fixed): per position the sum of squares, then r, and the
 * sum of dy x (HW floats each), for one sample at a time.
 */
#include "config.h"
#include <math.h>
#include <string.h>
#include "layers/layers.h"

static const gan_key_desc keys[] = {
    { "eps", GAN_KEY_FLOAT, 0, 1e-8, 0.0, 1.0, 1, 0, NULL, 0, 0,
      "added to the mean square before the square root; > 0" },
};

static gan_status setup(gan_layer *l, gan_shape in, gan_error *err)
{
    (void)err;
    l->out = in;
    l->ws_fixed = 2 * (gan_shape_size(in) / (size_t)in.d[0]);
    return GAN_OK;
}

/* r (HW) of sample xn (C, HW) */
static void norms(float *r, const float *xn, int C, size_t HW, float eps)
{
    memset(r, 0, HW * sizeof *r);
    for (int ch = 0; ch < C; ch++) {
        const float *xc = xn + (size_t)ch * HW;
        for (size_t j = 0; j < HW; j++) r[j] += xc[j] * xc[j];
    }
    for (size_t j = 0; j < HW; j++) r[j] = 1.0f / sqrtf(r[j] / (float)C + eps);
}

static void forward(gan_layer *l, const gan_ctx *c, const float *x, float *y)
{
    int C = l->in.d[0];
    size_t D = gan_shape_size(l->in), HW = D / (size_t)C;
    float eps = (float)gan_conf_num(&l->conf, "eps");
    float *r = c->ws;   // (HW)
    for (int n = 0; n < c->B; n++) {
        const float *xn = x + (size_t)n * D;
        float *yn = y + (size_t)n * D;
        norms(r, xn, C, HW, eps);
        for (int ch = 0; ch < C; ch++)
            for (size_t j = 0; j < HW; j++) yn[(size_t)ch * HW + j] = xn[(size_t)ch * HW + j] * r[j];
    }
}

static void backward(gan_layer *l, const gan_ctx *c, const float *x, const float *y,
                     const float *dy, float *dx, int param_grads)
{
    (void)y; (void)param_grads;
    if (!dx) return;
    int C = l->in.d[0];
    size_t D = gan_shape_size(l->in), HW = D / (size_t)C;
    float eps = (float)gan_conf_num(&l->conf, "eps");
    float *r = c->ws, *k = r + HW;   // (HW) each: r, then r^3 mean(dy x)
    for (int n = 0; n < c->B; n++) {
        const float *xn = x + (size_t)n * D, *dyn = dy + (size_t)n * D;
        float *dxn = dx + (size_t)n * D;
        norms(r, xn, C, HW, eps);
        memset(k, 0, HW * sizeof *k);
        for (int ch = 0; ch < C; ch++)
            for (size_t j = 0; j < HW; j++) k[j] += dyn[(size_t)ch * HW + j] * xn[(size_t)ch * HW + j];
        for (size_t j = 0; j < HW; j++) k[j] *= r[j] * r[j] * r[j] / (float)C;
        for (int ch = 0; ch < C; ch++)
            for (size_t j = 0; j < HW; j++) {
                size_t i = (size_t)ch * HW + j;
                dxn[i] = r[j] * dyn[i] - xn[i] * k[j];
            }
    }
}

const gan_layer_type gan_layer_pixelnorm = {
    "pixelnorm", "ProGAN pixelwise normalisation: x / sqrt(mean over channels of x^2 + eps) at each position",
    keys, GAN_NKEYS(keys), setup, NULL, forward, backward, NULL, GAN_LAYER_Y_UNUSED,
};
