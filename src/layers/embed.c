/* embed.c - label embedding concatenated to the input (conditional GANs).
 *
 * A trainable table E (K, D) of K classes; sample n with label y_n gets its
 * row E[y_n] appended:
 *   x (B, F)       -> y (B, F + D)        y = [x, E[y_n]]
 *   x (B, C, H, W) -> y (B, C + D, H, W)  E[y_n] broadcast over H, W as D
 *                                         extra channels (conditioning by
 *                                         concatenation in a discriminator)
 * The labels come with the pass (gan_ctx.labels); without labels every
 * sample is class 0.  Backward: dx is dy's first part; dE[y_n] += the
 * rest (summed over H, W for images).
 */
#include "config.h"
#include <string.h>
#include "layers/layers.h"

static const gan_key_desc keys[] = {
    GAN_CLASSES_KEY,
    { "dim", GAN_KEY_INT, 1, 0, 1, 65536, 0, 0, NULL, 0, 0, "embedding width D (features or channels added)" },
    { "init_std", GAN_KEY_FLOAT, 0, 1.0, 0.0, 1e3, 0, 0, NULL, 0, 0,
      "the table starts as normal(0, init_std) values" },
};

static gan_status setup(gan_layer *l, gan_shape in, gan_error *err)
{
    int K = (int)gan_conf_num(&l->conf, "classes"), D = (int)gan_conf_num(&l->conf, "dim");
    if (K < 1)
        return gan_error_set(err, GAN_ERR_INVALID,
                             "embed needs the number of classes (expected data.classes: N or classes: N)");
    if (in.rank == 1) l->out = (gan_shape){ 1, { in.d[0] + D, 0, 0 } };
    else l->out = (gan_shape){ 3, { in.d[0] + D, in.d[1], in.d[2] } };
    gan_layer_add_tensor(l, "table", 0, 2, K, D, 0, 0);
    return GAN_OK;
}

static void init(gan_layer *l, gan_rng *rng)
{
    gan_rng_fill_normal(rng, l->params, l->nparams, 0, gan_conf_num(&l->conf, "init_std"));
}

int layers_label_of(const gan_ctx *c, int n, int K)
{
    int y = c->labels ? c->labels[n] : 0;
    return y >= 0 && y < K ? y : 0;
}

static void forward(gan_layer *l, const gan_ctx *c, const float *x, float *y)
{
    int K = l->tensors[0].dims[0], D = l->tensors[0].dims[1];
    size_t S = gan_shape_size(l->in), O = gan_shape_size(l->out);
    size_t HW = l->in.rank == 1 ? 1 : (size_t)l->in.d[1] * l->in.d[2];
    for (int n = 0; n < c->B; n++) {
        const float *e = l->params + (size_t)layers_label_of(c, n, K) * D;   /* (D) */
        float *yn = y + (size_t)n * O;
        memcpy(yn, x + (size_t)n * S, S * sizeof *yn);
        for (int d = 0; d < D; d++)
            for (size_t p = 0; p < HW; p++) yn[S + (size_t)d * HW + p] = e[d];
    }
}

static void backward(gan_layer *l, const gan_ctx *c, const float *x, const float *y,
                     const float *dy, float *dx, int param_grads)
{
    (void)x;
    (void)y;
    int K = l->tensors[0].dims[0], D = l->tensors[0].dims[1];
    size_t S = gan_shape_size(l->in), O = gan_shape_size(l->out);
    size_t HW = l->in.rank == 1 ? 1 : (size_t)l->in.d[1] * l->in.d[2];
    for (int n = 0; n < c->B; n++) {
        const float *dyn = dy + (size_t)n * O;
        if (dx) memcpy(dx + (size_t)n * S, dyn, S * sizeof *dx);
        if (!param_grads) continue;
        float *de = l->grads + (size_t)layers_label_of(c, n, K) * D;   /* (D) */
        for (int d = 0; d < D; d++) {
            float s = 0;
            for (size_t p = 0; p < HW; p++) s += dyn[S + (size_t)d * HW + p];
            de[d] += s;
        }
    }
}

const gan_layer_type gan_layer_embed = {
    "embed", "appends a learned embedding of the sample's class label (features, or channels of an image)",
    keys, GAN_NKEYS(keys), setup, init, forward, backward, NULL,
};
