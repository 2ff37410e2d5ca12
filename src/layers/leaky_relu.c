/* leaky_relu.c - y = x for x > 0, slope * x otherwise.   x, y (B, any) */
#include "config.h"
#include "layers/layers.h"

static const gan_key_desc keys[] = {
    { "slope", GAN_KEY_FLOAT, 0, 0.2, 0.0, 1.0, 0, 1, NULL, 0, 0,
      "slope for negative inputs, in [0, 1)" },
};

static gan_status setup(gan_layer *l, gan_shape in, gan_error *err)
{
    (void)err;
    l->out = in;
    return GAN_OK;
}

static void forward(gan_layer *l, const gan_ctx *c, const float *x, float *y)
{
    size_t n = (size_t)c->B * gan_shape_size(l->in);
    float a = (float)gan_conf_num(&l->conf, "slope");
    /* x times 1 or a: the same value as x > 0 ? x : a x, and branch-free,
     * so it vectorises (the select picks a constant, not a product) */
    for (size_t i = 0; i < n; i++) y[i] = x[i] * (x[i] > 0.0f ? 1.0f : a);
}

static void backward(gan_layer *l, const gan_ctx *c, const float *x, const float *y,
                     const float *dy, float *dx, int param_grads)
{
    (void)x; (void)param_grads;
    if (!dx) return;
    size_t n = (size_t)c->B * gan_shape_size(l->in);
    float a = (float)gan_conf_num(&l->conf, "slope");
    /* dy/dx = 1 or slope, decided by the sign of x, which y > 0 gives for
     * every slope in [0, 1): x > 0 gives y = x > 0, x <= 0 gives a x <= 0
     * (a NaN fails both tests).  Reading y lets the layer run in place. */
    for (size_t i = 0; i < n; i++) dx[i] = dy[i] * (y[i] > 0.0f ? 1.0f : a);
}

const gan_layer_type gan_layer_leaky_relu = {
    "leaky_relu", "leaky rectifier, y = x for x > 0 else slope * x",
    keys, GAN_NKEYS(keys), setup, NULL, forward, backward, NULL, GAN_LAYER_INPLACE,
};
