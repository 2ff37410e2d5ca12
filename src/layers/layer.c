/* layer.c - what every layer type uses: its options (defaults, key
 * lookup), its tensors in the parameter and buffer arenas, weight init.
 * (registry.c is only the table of the types.) */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gan/layer.h"
#include "layers/layers.h"

const char *const gan_init_choices[] = { "xavier", "he", "normal", "uniform", "zeros", NULL };

void gan_layer_conf_defaults(gan_layer_conf *c, const gan_layer_type *t)
{
    memset(c, 0, sizeof *c);
    c->type = t;
    for (int i = 0; i < t->nkeys; i++) c->v[i].num = t->keys[i].def;
}

int gan_layer_key_index(const gan_layer_type *t, const char *key)
{
    for (int i = 0; i < t->nkeys; i++)
        if (strcmp(t->keys[i].key, key) == 0) return i;
    return -1;
}

const gan_key_value *gan_conf_val(const gan_layer_conf *c, const char *key)
{
    int i = gan_layer_key_index(c->type, key);
    if (i < 0) {
        /* a layer asked for a key its own table lacks: a bug, not bad input */
        fprintf(stderr, "%s:%d: layer %s has no key %s\n", __FILE__, __LINE__, c->type->name, key);
        abort();
    }
    return &c->v[i];
}

double gan_conf_num(const gan_layer_conf *c, const char *key)
{
    return gan_conf_val(c, key)->num;
}

void gan_init_weights(const gan_layer_conf *c, float *w, size_t n, int fan_in, int fan_out, gan_rng *rng)
{
    int scheme = (int)gan_conf_num(c, "init");
    float mean = (float)gan_conf_num(c, "init_mean");
    float std = (float)gan_conf_num(c, "init_std");
    switch (scheme) {
    case GAN_INIT_XAVIER: {
        float a = sqrtf(6.0f / (float)(fan_in + fan_out));
        gan_rng_fill_uniform(rng, w, n, -a, a);
        break;
    }
    case GAN_INIT_HE:
        gan_rng_fill_normal(rng, w, n, 0.0f, sqrtf(2.0f / (float)fan_in));
        break;
    case GAN_INIT_NORMAL:
        gan_rng_fill_normal(rng, w, n, mean, std);
        break;
    case GAN_INIT_UNIFORM:
        gan_rng_fill_uniform(rng, w, n, mean - std, mean + std);
        break;
    default:
        memset(w, 0, n * sizeof *w);
    }
    /* init_scale: exactly the drawn weights when 1 (every model before it) */
    float scale = (float)gan_conf_num(c, "init_scale");
    if (scale != 1.0f)
        for (size_t i = 0; i < n; i++) w[i] *= scale;
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
