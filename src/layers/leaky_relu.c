/* leaky_relu.c - y = x for x > 0, slope * x otherwise.   x, y (B, any) */
#include "config.h"
#include "layers/layers.h"

static const gan_key_desc keys[] = {
    { "slope", GAN_KEY_FLOAT, 0, 0.2, 0.0, 1.0, 0, 1, NULL, 0, 0,
      "slope for negative inputs, in [0, 1)" },
};

/* x times 1 or k: the same value as x > 0 ? x : k x, and branch-free, so
 * it vectorises (the select picks a constant, not a product) */
static void fwd(void *arg, size_t lo, size_t hi)   /* a = x */
{
    const gan_ew *e = arg;
    const float k = e->k;
    for (size_t i = lo; i < hi; i++) e->out[i] = e->a[i] * (e->a[i] > 0.0f ? 1.0f : k);
}

static void bwd(void *arg, size_t lo, size_t hi)   /* a = dy, b = y */
{
    const gan_ew *e = arg;
    const float k = e->k;
    for (size_t i = lo; i < hi; i++) e->out[i] = e->a[i] * (e->b[i] > 0.0f ? 1.0f : k);
}

static void forward(gan_layer *l, const gan_ctx *c, const float *x, float *y)
{
    gan_ew_run((size_t)c->B * gan_shape_size(l->in), fwd, x, NULL, y,
               (float)gan_conf_num(&l->conf, "slope"));
}

static void backward(gan_layer *l, const gan_ctx *c, const float *x, const float *y,
                     const float *dy, float *dx, int param_grads)
{
    (void)x; (void)param_grads;
    /* dy/dx = 1 or slope, decided by the sign of x, which y > 0 gives for
     * every slope in [0, 1): x > 0 gives y = x > 0, x <= 0 gives a x <= 0
     * (a NaN fails both tests).  Reading y lets the layer run in place. */
    gan_ew_backward_y(l, c, bwd, dy, y, dx, (float)gan_conf_num(&l->conf, "slope"));
}

const gan_layer_type gan_layer_leaky_relu = {
    "leaky_relu", "leaky rectifier, y = x for x > 0 else slope * x",
    keys, GAN_NKEYS(keys), gan_ew_setup, NULL, forward, backward, NULL, GAN_LAYER_INPLACE,
};
