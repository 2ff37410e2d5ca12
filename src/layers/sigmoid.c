/* sigmoid.c - y = 1 / (1 + e^-x), dy/dx = y (1 - y).   x, y (B, any) */
#include "config.h"
#include <math.h>
#include "layers/layers.h"

static void forward(gan_layer *l, const gan_ctx *c, const float *x, float *y)
{
    size_t n = (size_t)c->B * gan_shape_size(l->in);
    /* e^-|x| never overflows: for x < 0 use e^x / (1 + e^x) */
    for (size_t i = 0; i < n; i++) {
        float e = expf(-fabsf(x[i]));
        y[i] = x[i] >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
    }
}

static void backward(gan_layer *l, const gan_ctx *c, const float *x, const float *y,
                     const float *dy, float *dx, int param_grads)
{
    (void)x; (void)param_grads;
    if (!dx) return;
    size_t n = (size_t)c->B * gan_shape_size(l->in);
    for (size_t i = 0; i < n; i++) dx[i] = dy[i] * y[i] * (1.0f - y[i]);
}

const gan_layer_type gan_layer_sigmoid = {
    "sigmoid", "logistic function, y = 1 / (1 + e^-x)",
    NULL, 0, gan_ew_setup, NULL, forward, backward, NULL, GAN_LAYER_INPLACE,
};
