/* tanh.c - y = tanh(x), dy/dx = 1 - y^2.   x, y (B, any) */
#include "config.h"
#include <math.h>
#include "layers/layers.h"

static void fwd(void *arg, size_t lo, size_t hi)   /* a = x */
{
    const gan_ew *e = arg;
    for (size_t i = lo; i < hi; i++) e->out[i] = tanhf(e->a[i]);
}

static void bwd(void *arg, size_t lo, size_t hi)   /* a = dy, b = y */
{
    const gan_ew *e = arg;
    for (size_t i = lo; i < hi; i++) e->out[i] = e->a[i] * (1.0f - e->b[i] * e->b[i]);
}

static void forward(gan_layer *l, const gan_ctx *c, const float *x, float *y)
{
    gan_ew_run_libm((size_t)c->B * gan_shape_size(l->in), fwd, x, NULL, y, 0.0f);
}

static void backward(gan_layer *l, const gan_ctx *c, const float *x, const float *y,
                     const float *dy, float *dx, int param_grads)
{
    (void)x; (void)param_grads;
    gan_ew_backward_y(l, c, bwd, dy, y, dx, 0.0f);
}

const gan_layer_type gan_layer_tanh = {
    "tanh", "hyperbolic tangent, y = tanh(x)",
    NULL, 0, gan_ew_setup, NULL, forward, backward, NULL, GAN_LAYER_INPLACE,
};
