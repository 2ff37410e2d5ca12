/* registry.c - the one table of layer types. */
#include "config.h"
#include <string.h>
#include "layers/layers.h"

static const gan_layer_type *const registry[] = {
    &gan_layer_dense,
    &gan_layer_relu,
    &gan_layer_leaky_relu,
    &gan_layer_elu,
    &gan_layer_tanh,
    &gan_layer_sigmoid,
    &gan_layer_dropout,
    &gan_layer_reshape,
    &gan_layer_flatten,
    &gan_layer_upsample,
    &gan_layer_maxout,
    &gan_layer_conv2d,
    &gan_layer_deconv2d,
    &gan_layer_batchnorm,
    &gan_layer_embed,
    &gan_layer_project,
    &gan_layer_avgpool,
    &gan_layer_global_pool,
    &gan_layer_attention,
    &gan_layer_layernorm,
    &gan_layer_pixelnorm,
    &gan_layer_minibatch_stddev,
    &gan_layer_slice,
    &gan_layer_resample,
    &gan_layer_add.t,
    &gan_layer_concat.t,
    &gan_layer_modulate.t,
};

const gan_layer_type *gan_layer_find(const char *name)
{
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++)
        if (strcmp(registry[i]->name, name) == 0) return registry[i];
    return NULL;
}

const gan_layer_type *const *gan_layer_types(int *n)
{
    *n = (int)(sizeof registry / sizeof registry[0]);
    return registry;
}
