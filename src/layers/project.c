/* project.c - projection discriminator head (Miyato & Koyama 2018).
 *
 *   h (B, F)  w (F)  b (1)  V (K, F)      (h: the input, flattened: phi(x))
 *   y_n = w . h_n + b + V[y_n] . h_n      (B, 1)
 * i.e. psi(phi(x)) + <embed(y), phi(x)> with psi linear.  Labels come with
 * the pass (gan_ctx.labels); without labels every sample is class 0.
 * Backward: dh_n = dy_n (w + V[y_n]); dw += dy_n h_n; db += dy_n;
 * dV[y_n] += dy_n h_n.
 */
#include "config.h"
#include <string.h>
#include "layers/layers.h"

static const gan_key_desc keys[] = {
    GAN_CLASSES_KEY,
    GAN_WEIGHT_KEYS,
};

static gan_status setup(gan_layer *l, gan_shape in, gan_error *err)
{
    int K = (int)gan_conf_num(&l->conf, "classes"), F = (int)gan_shape_size(in);
    if (K < 1)
        return gan_error_set(err, GAN_ERR_INVALID,
                             "project needs the number of classes (expected data.classes: N or classes: N)");
    l->out = (gan_shape){ 1, { 1, 0, 0 } };
    gan_layer_add_tensor(l, "weight", 0, 2, 1, F, 0, 0);
    gan_layer_add_tensor(l, "table", 0, 2, K, F, 0, 0);
    if (gan_conf_num(&l->conf, "bias")) gan_layer_add_tensor(l, "bias", 0, 1, 1, 0, 0, 0);
    return GAN_OK;
}

static void init(gan_layer *l, gan_rng *rng)
{
    int F = (int)gan_shape_size(l->in), K = l->tensors[1].dims[0];
    gan_init_weights(&l->conf, l->params, (size_t)F, F, 1, rng);
    gan_init_weights(&l->conf, l->params + l->tensors[1].offset, (size_t)K * F, F, 1, rng);
    if (l->ntensors > 2) l->params[l->tensors[2].offset] = 0;
}

static void forward(gan_layer *l, const gan_ctx *c, const float *x, float *y)
{
    int F = (int)gan_shape_size(l->in), K = l->tensors[1].dims[0];
    const float *w = l->params, *V = l->params + l->tensors[1].offset;
    float b = l->ntensors > 2 ? l->params[l->tensors[2].offset] : 0.0f;
    for (int n = 0; n < c->B; n++) {
        const float *h = x + (size_t)n * F, *v = V + (size_t)layers_label_of(c, n, K) * F;
        float s = b;
        for (int f = 0; f < F; f++) s += (w[f] + v[f]) * h[f];
        y[n] = s;
    }
}

static void backward(gan_layer *l, const gan_ctx *c, const float *x, const float *y,
                     const float *dy, float *dx, int param_grads)
{
    (void)y;
    int F = (int)gan_shape_size(l->in), K = l->tensors[1].dims[0];
    const float *w = l->params, *V = l->params + l->tensors[1].offset;
    for (int n = 0; n < c->B; n++) {
        int k = layers_label_of(c, n, K);
        const float *h = x + (size_t)n * F, *v = V + (size_t)k * F;
        float g = dy[n];
        if (dx)
            for (int f = 0; f < F; f++) dx[(size_t)n * F + f] = g * (w[f] + v[f]);
        if (!param_grads) continue;
        float *dw = l->grads, *dv = l->grads + l->tensors[1].offset + (size_t)k * F;
        for (int f = 0; f < F; f++) {
            dw[f] += g * h[f];
            dv[f] += g * h[f];
        }
        if (l->ntensors > 2) l->grads[l->tensors[2].offset] += g;
    }
}

const gan_layer_type gan_layer_project = {
    "project", "projection discriminator head: w . h + b + <V[label], h>, one score per sample",
    keys, GAN_NKEYS(keys), setup, init, forward, backward, NULL,
};
