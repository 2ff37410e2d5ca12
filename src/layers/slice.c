/* slice.c - a contiguous range of features (vectors) or channels (images):
 * the chunk of the noise that a BigGAN generator hands to each block, or
 * one part of a concatenation taken apart again.
 *
 *   x (B, F) -> y (B, size)                 y[n] = x[n, start : start + size]
 *   x (B, C, H, W) -> y (B, size, H, W)     channels start .. start + size - 1
 * Backward: dx is dy in the range and 0 elsewhere.  Neither pass reads x or
 * y again.
 */
#include "config.h"
#include <string.h>
#include "layers/layers.h"

static const gan_key_desc keys[] = {
    { "start", GAN_KEY_INT, 0, 0, 0, 1 << 24, 0, 0, NULL, 0, 0,
      "first feature (vectors) or channel (images) taken, from 0" },
    { "size", GAN_KEY_INT, 1, 0, 1, 1 << 24, 0, 0, NULL, 0, 0, "features or channels taken" },
};

static gan_status setup(gan_layer *l, gan_shape in, gan_error *err)
{
    char s[64];
    gan_shape_str(in, s, sizeof s);
    int start = (int)gan_conf_num(&l->conf, "start"), size = (int)gan_conf_num(&l->conf, "size");
    if (in.rank != 1 && in.rank != 3)
        return gan_error_set(err, GAN_ERR_SHAPE, "slice: input %s must be (F) or (C, H, W)", s);
    if ((long)start + size > in.d[0])
        return gan_error_set(err, GAN_ERR_SHAPE, "slice: start %d + size %d is beyond the %d %s of input %s",
                             start, size, in.d[0], in.rank == 1 ? "features" : "channels", s);
    l->out = in;
    l->out.d[0] = size;
    return GAN_OK;
}

/* per sample: in (whole) floats, the range [off, off + len) */
static void geometry(const gan_layer *l, size_t *in, size_t *off, size_t *len)
{
    size_t per = gan_shape_size(l->in) / (size_t)l->in.d[0];   /* floats per feature or channel */
    *in = gan_shape_size(l->in);
    *off = (size_t)gan_conf_num(&l->conf, "start") * per;
    *len = gan_shape_size(l->out);
}

static void forward(gan_layer *l, const gan_ctx *c, const float *x, float *y)
{
    size_t in, off, len;
    geometry(l, &in, &off, &len);
    for (int n = 0; n < c->B; n++) memcpy(y + (size_t)n * len, x + (size_t)n * in + off, len * sizeof *y);
}

static void backward(gan_layer *l, const gan_ctx *c, const float *x, const float *y,
                     const float *dy, float *dx, int param_grads)
{
    (void)x; (void)y; (void)param_grads;
    if (!dx) return;
    size_t in, off, len;
    geometry(l, &in, &off, &len);
    memset(dx, 0, (size_t)c->B * in * sizeof *dx);
    for (int n = 0; n < c->B; n++) memcpy(dx + (size_t)n * in + off, dy + (size_t)n * len, len * sizeof *dx);
}

const gan_layer_type gan_layer_slice = {
    "slice", "features (vectors) or channels (images) start .. start + size - 1",
    keys, GAN_NKEYS(keys), setup, NULL, forward, backward, NULL, GAN_LAYER_Y_UNUSED | GAN_LAYER_X_UNUSED,
};
