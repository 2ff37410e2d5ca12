/* relu.c - y = max(x, 0).   x, y (B, any) */
#include "config.h"
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
    for (size_t i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

static void backward(gan_layer *l, const gan_ctx *c, const float *x, const float *y,
                     const float *dy, float *dx, int param_grads)
{
    (void)x; (void)param_grads;
    if (!dx) return;
    size_t n = (size_t)c->B * gan_shape_size(l->in);
    for (size_t i = 0; i < n; i++) {
        float g = dy[i];   /* loaded unconditionally, so the select vectorises */
        dx[i] = y[i] > 0.0f ? g : 0.0f;
    }
}

const gan_layer_type gan_layer_relu = {
    "relu", "rectified linear unit, y = max(x, 0)",
    NULL, 0, setup, NULL, forward, backward, NULL, GAN_LAYER_INPLACE,
};
