/* global_pool.c - sum or mean of each channel over all positions.
 *   x (B, C, H, W)   y (B, C)
 *   sum:  y[n, c] = sum_{h, w} x[n, c, h, w]      dx = dy[n, c]
 *   mean: y[n, c] = (1/HW) sum_{h, w} x[n, c, h, w]  dx = dy[n, c] / HW
 * SNGAN's discriminator ends with a global sum after relu.  As ONNX
 * ReduceSum / GlobalAveragePool over (H, W), then a flatten. */
#include "config.h"
#include "layers/layers.h"

static const char *const ops[] = { "sum", "mean", NULL };
enum { OP_SUM, OP_MEAN };

static const gan_key_desc keys[] = {
    { "op", GAN_KEY_ENUM, 0, OP_SUM, 0, 0, 0, 0, ops, 0, 0,
      "sum (SNGAN) or mean (global average pooling) over H x W" },
};

static gan_status setup(gan_layer *l, gan_shape in, gan_error *err)
{
    char s[64];
    gan_shape_str(in, s, sizeof s);
    if (in.rank != 3)
        return gan_error_set(err, GAN_ERR_SHAPE, "global_pool: input %s must be (C, H, W)", s);
    l->out = (gan_shape){ 1, { in.d[0], 0, 0 } };
    return GAN_OK;
}

static float scale(const gan_layer *l)
{
    size_t HW = (size_t)l->in.d[1] * l->in.d[2];
    return gan_conf_num(&l->conf, "op") == OP_MEAN ? 1.0f / (float)HW : 1.0f;
}

static void forward(gan_layer *l, const gan_ctx *c, const float *x, float *y)
{
    size_t HW = (size_t)l->in.d[1] * l->in.d[2], planes = (size_t)c->B * l->in.d[0];
    float k = scale(l);
    for (size_t p = 0; p < planes; p++) y[p] = (float)gan_sum_floats(x + p * HW, HW) * k;
}

static void backward(gan_layer *l, const gan_ctx *c, const float *x, const float *y,
                     const float *dy, float *dx, int param_grads)
{
    (void)x; (void)y; (void)param_grads;
    if (!dx) return;
    size_t HW = (size_t)l->in.d[1] * l->in.d[2], planes = (size_t)c->B * l->in.d[0];
    float k = scale(l);
    for (size_t p = 0; p < planes; p++) {
        float g = dy[p] * k;
        for (size_t j = 0; j < HW; j++) dx[p * HW + j] = g;
    }
}

const gan_layer_type gan_layer_global_pool = {
    "global_pool", "sum or mean of each channel of (C, H, W) over H x W, giving (C)",
    keys, GAN_NKEYS(keys), setup, NULL, forward, backward, NULL, GAN_LAYER_Y_UNUSED,
};
