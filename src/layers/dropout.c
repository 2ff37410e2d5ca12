/* dropout.c - inverted dropout.   x, y (B, any)   mask saved (B, any)
 *   training: m = 1/(1-p) with probability 1-p, else 0; y = m x; dx = m dy.
 *   evaluation: y = x (the 1/(1-p) scaling already made E[y] = x). */
#include "config.h"
#include <string.h>
#include "layers/layers.h"

static const gan_key_desc keys[] = {
    { "p", GAN_KEY_FLOAT, 0, 0.5, 0.0, 1.0, 0, 1, NULL, 0, 0,
      "probability of zeroing an input during training, in [0, 1)" },
};

static gan_status setup(gan_layer *l, gan_shape in, gan_error *err)
{
    (void)err;
    l->out = in;
    l->saved_per_sample = gan_shape_size(in);   /* the mask */
    return GAN_OK;
}

static void forward(gan_layer *l, const gan_ctx *c, const float *x, float *y)
{
    size_t n = (size_t)c->B * gan_shape_size(l->in);
    if (!c->training) {
        if (y != x) memcpy(y, x, n * sizeof *y);   /* may run in place */
        return;
    }
    double p = gan_conf_num(&l->conf, "p");
    float keep = (float)(1.0 / (1.0 - p));
    float *m = l->saved;   // (B, any)
    for (size_t i = 0; i < n; i++) {
        m[i] = gan_rng_uniform(c->rng) >= p ? keep : 0.0f;
        y[i] = m[i] * x[i];
    }
}

static void backward(gan_layer *l, const gan_ctx *c, const float *x, const float *y,
                     const float *dy, float *dx, int param_grads)
{
    (void)x; (void)y; (void)param_grads;
    if (!dx) return;
    size_t n = (size_t)c->B * gan_shape_size(l->in);
    if (!c->training) {
        memcpy(dx, dy, n * sizeof *dx);
        return;
    }
    const float *m = l->saved;
    for (size_t i = 0; i < n; i++) dx[i] = m[i] * dy[i];
}

const gan_layer_type gan_layer_dropout = {
    "dropout", "inverted dropout: zero inputs with probability p in training, scale the rest by 1/(1-p)",
    keys, GAN_NKEYS(keys), setup, NULL, forward, backward, NULL, GAN_LAYER_Y_UNUSED | GAN_LAYER_INPLACE,
};
