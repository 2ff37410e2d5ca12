/* elu.c - exponential linear unit.   x, y (B, any)
 *   y = x for x > 0, alpha (e^x - 1) otherwise;
 *   dy/dx = 1 for x > 0, alpha e^x = y + alpha otherwise. */
#include "config.h"
#include <math.h>
#include "layers/layers.h"

static const gan_key_desc keys[] = {
    { "alpha", GAN_KEY_FLOAT, 0, 1.0, 0.0, 1e3, 1, 0, NULL, 0, 0,
      "scale of the negative part, alpha (e^x - 1); > 0" },
};

static void forward(gan_layer *l, const gan_ctx *c, const float *x, float *y)
{
    size_t n = (size_t)c->B * gan_shape_size(l->in);
    float a = (float)gan_conf_num(&l->conf, "alpha");
    for (size_t i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : a * expm1f(x[i]);
}

static void backward(gan_layer *l, const gan_ctx *c, const float *x, const float *y,
                     const float *dy, float *dx, int param_grads)
{
    (void)param_grads;
    if (!dx) return;
    size_t n = (size_t)c->B * gan_shape_size(l->in);
    float a = (float)gan_conf_num(&l->conf, "alpha");
    for (size_t i = 0; i < n; i++) dx[i] = x[i] > 0.0f ? dy[i] : dy[i] * (y[i] + a);
}

const gan_layer_type gan_layer_elu = {
    "elu", "exponential linear unit, y = x for x > 0 else alpha (e^x - 1)",
    keys, GAN_NKEYS(keys), gan_ew_setup, NULL, forward, backward, NULL, 0,   /* backward reads both x and y */
};
