/* concat.c - the inputs side by side: along channels for images, (C_k, H,
 * W) -> (sum C_k, H, W), or along features for vectors, (F_k) -> (sum F_k).
 * x_k (B, in_k), y (B, out).
 *
 * Per sample, y is the inputs' samples one after another, so both passes
 * are copies of contiguous runs.  Neither reads x or y again. */
#include "config.h"
#include <string.h>
#include "layers/layers.h"

static gan_status setup_n(gan_layer *l, const gan_shape *in, int nin, gan_error *err)
{
    gan_shape out = in[0];
    for (int k = 1; k < nin; k++) {
        int ok = in[k].rank == in[0].rank;
        if (ok && in[0].rank == 3) ok = in[k].d[1] == in[0].d[1] && in[k].d[2] == in[0].d[2];
        if (!ok) {
            char a[64], b[64];
            gan_shape_str(in[0], a, sizeof a);
            gan_shape_str(in[k], b, sizeof b);
            return gan_error_set(err, GAN_ERR_SHAPE,
                                 "concat of '%s' %s and '%s' %s: shapes do not fit (expected %s)",
                                 l->in_name[0], a, l->in_name[k], b,
                                 in[0].rank == 3 && in[k].rank == 3 ? "equal H and W" : "inputs of one rank");
        }
        out.d[0] += in[k].d[0];
    }
    l->out = out;
    return GAN_OK;
}

static void forward_n(gan_layer *l, const gan_ctx *c, const float *const *x, int nin, float *y)
{
    size_t per = gan_shape_size(l->out);
    for (int n = 0; n < c->B; n++) {
        float *yn = y + (size_t)n * per;
        for (int k = 0; k < nin; k++) {
            size_t m = gan_shape_size(l->ins[k]);
            memcpy(yn, x[k] + (size_t)n * m, m * sizeof *yn);
            yn += m;
        }
    }
}

static void backward_n(gan_layer *l, const gan_ctx *c, const float *const *x, int nin,
                       const float *y, const float *dy, float *const *dx, int param_grads)
{
    (void)x; (void)y; (void)param_grads;
    size_t per = gan_shape_size(l->out);
    for (int n = 0; n < c->B; n++) {
        const float *g = dy + (size_t)n * per;
        for (int k = 0; k < nin; k++) {
            size_t m = gan_shape_size(l->ins[k]);
            if (dx[k]) memcpy(dx[k] + (size_t)n * m, g, m * sizeof *g);
            g += m;
        }
    }
}

const gan_layer_multi gan_layer_concat = {
    { "concat", "the entries in from: [a, b, ...] joined along channels (C, H, W) or features (F)",
      NULL, 0, NULL, NULL, NULL, NULL, NULL, GAN_LAYER_Y_UNUSED | GAN_LAYER_X_UNUSED | GAN_LAYER_MULTI },
    setup_n, forward_n, backward_n, 2,
};
