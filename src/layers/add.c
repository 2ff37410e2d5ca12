/* add.c - y = x_0 + x_1 + ... + x_{n-1}, inputs of equal shape (a residual
 * block's main path and shortcut).  x_k, y (B, any).
 *
 * The sum runs left to right, ((x_0 + x_1) + x_2) ..., in float; backward
 * gives every input dy.  Neither pass reads x or y again. */
#include "config.h"
#include <string.h>
#include "gan/par.h"
#include "layers/layers.h"

static gan_status setup_n(gan_layer *l, const gan_shape *in, int nin, gan_error *err)
{
    for (int k = 1; k < nin; k++)
        if (!gan_shape_eq(in[k], in[0])) {
            char a[64], b[64];
            gan_shape_str(in[0], a, sizeof a);
            gan_shape_str(in[k], b, sizeof b);
            return gan_error_set(err, GAN_ERR_SHAPE,
                                 "add of '%s' %s and '%s' %s: shapes differ (expected equal shapes)",
                                 l->in_name[0], a, l->in_name[k], b);
        }
    l->out = in[0];
    return GAN_OK;
}

typedef struct add_args {
    const float *const *x;
    int nin;
    float *y;
} add_args;

static void fwd(void *arg, size_t lo, size_t hi)
{
    const add_args *a = arg;
    for (size_t i = lo; i < hi; i++) {
        float s = a->x[0][i] + a->x[1][i];
        for (int k = 2; k < a->nin; k++) s += a->x[k][i];
        a->y[i] = s;
    }
}

static void forward_n(gan_layer *l, const gan_ctx *c, const float *const *x, int nin, float *y)
{
    add_args a = { x, nin, y };
    gan_par_range((size_t)c->B * gan_shape_size(l->out), GAN_EW_GRAIN, fwd, &a);
}

static void backward_n(gan_layer *l, const gan_ctx *c, const float *const *x, int nin,
                       const float *y, const float *dy, float *const *dx, int param_grads)
{
    (void)x; (void)y; (void)param_grads;
    size_t n = (size_t)c->B * gan_shape_size(l->out);
    for (int k = 0; k < nin; k++)
        if (dx[k]) memcpy(dx[k], dy, n * sizeof *dy);
}

const gan_layer_multi gan_layer_add = {
    { "add", "element-wise sum of the entries in from: [a, b, ...], all of one shape",
      NULL, 0, NULL, NULL, NULL, NULL, NULL, GAN_LAYER_Y_UNUSED | GAN_LAYER_X_UNUSED | GAN_LAYER_MULTI },
    setup_n, forward_n, backward_n, 2,
};
