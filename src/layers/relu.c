/* relu.c - y = max(x, 0).   x, y (B, any) */
#include "config.h"
#include "layers/layers.h"

static void fwd(void *arg, size_t lo, size_t hi)   /* a = x */
{
    const gan_ew *e = arg;
    for (size_t i = lo; i < hi; i++) e->out[i] = e->a[i] > 0.0f ? e->a[i] : 0.0f;
}

static void bwd(void *arg, size_t lo, size_t hi)   /* a = dy, b = y */
{
    const gan_ew *e = arg;
    for (size_t i = lo; i < hi; i++) {
        float g = e->a[i];   /* loaded unconditionally, so the select vectorises */
        e->out[i] = e->b[i] > 0.0f ? g : 0.0f;
    }
}

static void forward(gan_layer *l, const gan_ctx *c, const float *x, float *y)
{
    gan_ew_run((size_t)c->B * gan_shape_size(l->in), fwd, x, NULL, y, 0.0f);
}

static void backward(gan_layer *l, const gan_ctx *c, const float *x, const float *y,
                     const float *dy, float *dx, int param_grads)
{
    (void)x; (void)param_grads;
    gan_ew_backward_y(l, c, bwd, dy, y, dx, 0.0f);
}

const gan_layer_type gan_layer_relu = {
    "relu", "rectified linear unit, y = max(x, 0)",
    NULL, 0, gan_ew_setup, NULL, forward, backward, NULL, GAN_LAYER_INPLACE,
};
