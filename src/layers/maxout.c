/* maxout.c - maximum over groups of `pieces` consecutive channels (rank 3)
 * or features (rank 1).   x (B, C*P, HW)   y (B, C, HW)   argmax saved (B, C, HW)
 *   y[n, c, s] = max_{k < P} x[n, c*P + k, s]   (rank 1: HW = 1)
 *   dx[n, c*P + k, s] = dy[n, c, s] where k is the saved argmax, else 0.
 * The argmax k is stored as a float (exact for k < 2^24). */
#include "config.h"
#include <string.h>
#include "layers/layers.h"

static const gan_key_desc keys[] = {
    { "pieces", GAN_KEY_INT, 1, 0, 2, 16, 0, 0, NULL, 0, 0,
      "group size P: channels (or features) C*P -> C by the maximum over each group" },
};

static gan_status setup(gan_layer *l, gan_shape in, gan_error *err)
{
    int P = (int)gan_conf_num(&l->conf, "pieces");
    char s[64];
    gan_shape_str(in, s, sizeof s);
    if (P < 1) return gan_error_set(err, GAN_ERR_INVALID, "maxout: pieces must be positive");
    if (in.d[0] % P != 0)
        return gan_error_set(err, GAN_ERR_SHAPE, "maxout: %s %d of input %s do not divide into "
                             "groups of %d pieces", in.rank == 3 ? "channels" : "features",
                             in.d[0], s, P);
    l->out = in;
    l->out.d[0] = in.d[0] / P;
    l->saved_per_sample = gan_shape_size(l->out);
    return GAN_OK;
}

static void forward(gan_layer *l, const gan_ctx *c, const float *x, float *y)
{
    int P = (int)gan_conf_num(&l->conf, "pieces");
    size_t HW = gan_shape_size(l->out) / (size_t)l->out.d[0];
    size_t groups = (size_t)c->B * l->out.d[0];   /* (n, c) pairs */
    float *arg = l->saved;                        // (B, C, HW)
    for (size_t g = 0; g < groups; g++) {
        const float *xg = x + g * P * HW;         // (P, HW)
        float *yg = y + g * HW, *ag = arg + g * HW;
        memcpy(yg, xg, HW * sizeof *yg);
        for (size_t s = 0; s < HW; s++) ag[s] = 0.0f;
        for (int k = 1; k < P; k++)
            for (size_t s = 0; s < HW; s++)
                if (xg[k * HW + s] > yg[s]) {
                    yg[s] = xg[k * HW + s];
                    ag[s] = (float)k;
                }
    }
}

static void backward(gan_layer *l, const gan_ctx *c, const float *x, const float *y,
                     const float *dy, float *dx, int param_grads)
{
    (void)x; (void)y; (void)param_grads;
    if (!dx) return;
    int P = (int)gan_conf_num(&l->conf, "pieces");
    size_t HW = gan_shape_size(l->out) / (size_t)l->out.d[0];
    size_t groups = (size_t)c->B * l->out.d[0];
    const float *arg = l->saved;
    memset(dx, 0, (size_t)c->B * gan_shape_size(l->in) * sizeof *dx);
    for (size_t g = 0; g < groups; g++) {
        float *dxg = dx + g * P * HW;             // (P, HW)
        for (size_t s = 0; s < HW; s++)
            dxg[(size_t)arg[g * HW + s] * HW + s] = dy[g * HW + s];
    }
}

const gan_layer_type gan_layer_maxout = {
    "maxout", "maximum over groups of consecutive channels (C, H, W) or features (F)",
    keys, GAN_NKEYS(keys), setup, NULL, forward, backward, NULL, GAN_LAYER_Y_UNUSED,
};
