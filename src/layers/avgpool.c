/* avgpool.c - average pooling over non-overlapping K x K windows.
 *   x (B, C, H, W)   y (B, C, H/K, W/K)   (H and W divisible by K)
 *   y[n, c, i, j] = (1/K^2) sum_{a, b < K} x[n, c, i K + a, j K + b]
 *   dx[n, c, h, w] = dy[n, c, h/K, w/K] / K^2
 * As ONNX AveragePool with kernel_shape and strides (K, K), no padding. */
#include "config.h"
#include "layers/layers.h"

static const gan_key_desc keys[] = {
    { "size", GAN_KEY_INT, 0, 2, 1, 64, 0, 0, NULL, 0, 0,
      "window K (K x K, stride K); H and W must be divisible by K" },
};

static gan_status setup(gan_layer *l, gan_shape in, gan_error *err)
{
    char s[64];
    gan_shape_str(in, s, sizeof s);
    if (in.rank != 3)
        return gan_error_set(err, GAN_ERR_SHAPE, "avgpool: input %s must be (C, H, W)", s);
    int K = (int)gan_conf_num(&l->conf, "size");
    if (in.d[1] % K || in.d[2] % K)
        return gan_error_set(err, GAN_ERR_SHAPE,
                             "avgpool: input %s: height and width must be divisible by size %d", s, K);
    l->out = (gan_shape){ 3, { in.d[0], in.d[1] / K, in.d[2] / K } };
    return GAN_OK;
}

static void forward(gan_layer *l, const gan_ctx *c, const float *x, float *y)
{
    int K = (int)gan_conf_num(&l->conf, "size");
    int W = l->in.d[2], OH = l->out.d[1], OW = l->out.d[2];
    float inv = 1.0f / (float)(K * K);
    size_t planes = (size_t)c->B * l->in.d[0];   /* (n, c) pairs */
    for (size_t p = 0; p < planes; p++) {
        const float *xp = x + p * (size_t)l->in.d[1] * W;   // (H, W)
        float *yp = y + p * (size_t)OH * OW;                // (OH, OW)
        for (int i = 0; i < OH; i++)
            for (int j = 0; j < OW; j++) {
                float s = 0.0f;
                for (int a = 0; a < K; a++)
                    for (int b = 0; b < K; b++) s += xp[(size_t)(i * K + a) * W + j * K + b];
                yp[(size_t)i * OW + j] = s * inv;
            }
    }
}

static void backward(gan_layer *l, const gan_ctx *c, const float *x, const float *y,
                     const float *dy, float *dx, int param_grads)
{
    (void)x; (void)y; (void)param_grads;
    if (!dx) return;
    int K = (int)gan_conf_num(&l->conf, "size");
    int H = l->in.d[1], W = l->in.d[2], OW = l->out.d[2];
    float inv = 1.0f / (float)(K * K);
    size_t planes = (size_t)c->B * l->in.d[0];
    for (size_t p = 0; p < planes; p++) {
        float *dxp = dx + p * (size_t)H * W;                        // (H, W)
        const float *dyp = dy + p * (size_t)(H / K) * OW;           // (OH, OW)
        for (int h = 0; h < H; h++)
            for (int w = 0; w < W; w++) dxp[(size_t)h * W + w] = dyp[(size_t)(h / K) * OW + w / K] * inv;
    }
}

const gan_layer_type gan_layer_avgpool = {
    "avgpool", "average pooling of (C, H, W) over K x K windows with stride K",
    keys, GAN_NKEYS(keys), setup, NULL, forward, backward, NULL, GAN_LAYER_Y_UNUSED,
};
