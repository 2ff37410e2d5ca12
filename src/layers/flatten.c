/* flatten.c - (C, H, W) -> (C*H*W); rank 1 passes through. */
#include "config.h"
#include <string.h>
#include "layers/layers.h"

static gan_status setup(gan_layer *l, gan_shape in, gan_error *err)
{
    (void)err;
    l->out = (gan_shape){ 1, { (int)gan_shape_size(in), 0, 0 } };
    return GAN_OK;
}

static void forward(gan_layer *l, const gan_ctx *c, const float *x, float *y)
{
    memcpy(y, x, (size_t)c->B * gan_shape_size(l->in) * sizeof *y);
}

static void backward(gan_layer *l, const gan_ctx *c, const float *x, const float *y,
                     const float *dy, float *dx, int param_grads)
{
    (void)x; (void)y; (void)param_grads;
    if (dx) memcpy(dx, dy, (size_t)c->B * gan_shape_size(l->in) * sizeof *dx);
}

const gan_layer_type gan_layer_flatten = {
    "flatten", "flatten each sample to rank 1, (C, H, W) -> (C*H*W)",
    NULL, 0, setup, NULL, forward, backward, NULL, GAN_LAYER_Y_UNUSED | GAN_LAYER_ALIAS,
};
