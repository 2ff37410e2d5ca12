/* upsample.c - nearest-neighbour upsampling by an integer factor F.
 *   x (B, C, H, W)   y (B, C, H*F, W*F),   y[n, c, i, j] = x[n, c, i/F, j/F]
 *   dx[n, c, h, w] = sum of dy over the F x F block it was copied to. */
#include "config.h"
#include <string.h>
#include "layers/layers.h"

static const gan_key_desc keys[] = {
    { "factor", GAN_KEY_INT, 0, 2, 1, 8, 0, 0, NULL, 0, 0, "scale factor F for height and width" },
};

static gan_status setup(gan_layer *l, gan_shape in, gan_error *err)
{
    char s[64];
    gan_shape_str(in, s, sizeof s);
    if (in.rank != 3)
        return gan_error_set(err, GAN_ERR_SHAPE, "upsample: input %s must be (C, H, W)", s);
    long long F = (long long)gan_conf_num(&l->conf, "factor");
    if (F < 1) return gan_error_set(err, GAN_ERR_INVALID, "upsample: factor must be positive");
    if ((long long)gan_shape_size(in) * F * F > (1LL << 28))
        return gan_error_set(err, GAN_ERR_SHAPE, "upsample: output of input %s by %lld is too large", s, F);
    l->out = (gan_shape){ 3, { in.d[0], (int)(in.d[1] * F), (int)(in.d[2] * F) } };
    return GAN_OK;
}

static void forward(gan_layer *l, const gan_ctx *c, const float *x, float *y)
{
    int F = (int)gan_conf_num(&l->conf, "factor");
    int H = l->in.d[1], W = l->in.d[2], OW = W * F;
    size_t planes = (size_t)c->B * l->in.d[0];   /* (n, c) pairs; rows of all planes in order */
    for (size_t r = 0; r < planes * (size_t)H; r++) {
        const float *xr = x + r * W;                 // (W)
        float *yr = y + r * (size_t)F * OW;          // (F, OW)
        for (int w = 0; w < W; w++)
            for (int f = 0; f < F; f++) yr[w * F + f] = xr[w];
        for (int f = 1; f < F; f++) memcpy(yr + (size_t)f * OW, yr, (size_t)OW * sizeof *yr);
    }
}

static void backward(gan_layer *l, const gan_ctx *c, const float *x, const float *y,
                     const float *dy, float *dx, int param_grads)
{
    (void)x; (void)y; (void)param_grads;
    if (!dx) return;
    int F = (int)gan_conf_num(&l->conf, "factor");
    int H = l->in.d[1], W = l->in.d[2], OW = W * F;
    size_t planes = (size_t)c->B * l->in.d[0];
    for (size_t r = 0; r < planes * (size_t)H; r++) {
        float *dxr = dx + r * W;                     // (W)
        const float *dyr = dy + r * (size_t)F * OW;  // (F, OW)
        for (int w = 0; w < W; w++) {
            float s = 0.0f;
            for (int i = 0; i < F; i++)
                for (int f = 0; f < F; f++) s += dyr[(size_t)i * OW + w * F + f];
            dxr[w] = s;
        }
    }
}

const gan_layer_type gan_layer_upsample = {
    "upsample", "nearest-neighbour upsampling of (C, H, W) by an integer factor",
    keys, GAN_NKEYS(keys), setup, NULL, forward, backward, NULL, GAN_LAYER_Y_UNUSED,
};
