/* flatten.c - (C, H, W) -> (C*H*W); rank 1 passes through. */
#include "config.h"
#include "layers/layers.h"

static gan_status setup(gan_layer *l, gan_shape in, gan_error *err)
{
    (void)err;
    l->out = (gan_shape){ 1, { (int)gan_shape_size(in), 0, 0 } };
    return GAN_OK;
}

const gan_layer_type gan_layer_flatten = {
    "flatten", "flatten each sample to rank 1, (C, H, W) -> (C*H*W)",
    NULL, 0, setup, NULL, gan_copy_forward, gan_copy_backward, NULL,
    GAN_LAYER_Y_UNUSED | GAN_LAYER_ALIAS,
};
