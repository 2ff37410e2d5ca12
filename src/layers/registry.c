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

void gan_layer_add_tensor(gan_layer *l, const char *name, int is_buffer, int rank,
                          int d0, int d1, int d2, int d3)
{
    gan_tensor_info *t = &l->tensors[l->ntensors++];
    int d[4] = { d0, d1, d2, d3 };
    size_t size = 1;
    t->name = name;
    t->is_buffer = is_buffer;
    t->rank = rank;
    for (int i = 0; i < 4; i++) t->dims[i] = i < rank ? d[i] : 0;
    for (int i = 0; i < rank; i++) size *= (size_t)d[i];
    t->size = size;
    /* tensors are laid out back to back in the order they are added */
    size_t *count = is_buffer ? &l->nbufs : &l->nparams;
    t->offset = *count;
    *count += size;
}
