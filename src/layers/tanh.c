/* tanh.c - y = tanh(x), dy/dx = 1 - y^2.   x, y (B, any) */
#include "config.h"
#include <math.h>
#include "layers/layers.h"

static gan_status setup(gan_layer *l, gan_shape in, gan_error *err)
{
    (void)err;
    l->out = in;
    return GAN_OK;
}

static void forward(gan_layer *l, const gan_ctx *c, const float *x, float *y)
{
    size_t n = (size_t)c->B * gan_shape_size(l->in);
    for (size_t i = 0; i < n; i++) y[i] = tanhf(x[i]);
}

static void backward(gan_layer *l, const gan_ctx *c, const float *x, const float *y,
                     const float *dy, float *dx, int param_grads)
{
    (void)x; (void)param_grads;
    if (!dx) return;
    size_t n = (size_t)c->B * gan_shape_size(l->in);
    for (size_t i = 0; i < n; i++) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
}

const gan_layer_type gan_layer_tanh = {
    "tanh", "hyperbolic tangent, y = tanh(x)",
    NULL, 0, setup, NULL, forward, backward, NULL, GAN_LAYER_INPLACE,
};
