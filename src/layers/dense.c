/* dense.c - fully connected layer: y = x W^T + b.
 *
 *   x (B, IN)   W (O, IN)   b (O)   y (B, O)
 * Input of any rank is taken flattened (IN = C*H*W).
 */
#include "config.h"
#include <string.h>
#include "gan/par.h"
#include "layers/layers.h"

static const gan_key_desc keys[] = {
    { "units", GAN_KEY_INT, 1, 0, 1, 1 << 24, 0, 0, NULL, 0, 0, "output features O" },
    GAN_WEIGHT_KEYS,
    GAN_SN_KEYS,
};

static gan_status setup(gan_layer *l, gan_shape in, gan_error *err)
{
    int IN = (int)gan_shape_size(in);
    int O = (int)gan_conf_num(&l->conf, "units");
    l->out = (gan_shape){ 1, { O, 0, 0 } };
    gan_layer_add_tensor(l, "weight", 0, 2, O, IN, 0, 0);
    if (gan_conf_num(&l->conf, "bias")) gan_layer_add_tensor(l, "bias", 0, 1, O, 0, 0, 0);
    return gan_sn_setup(l, O, IN, err);
}

static void init(gan_layer *l, gan_rng *rng)
{
    int IN = (int)gan_shape_size(l->in), O = l->out.d[0];
    gan_init_weights(&l->conf, l->params, (size_t)O * IN, IN, O, rng);
    if (l->nparams > (size_t)O * IN) memset(l->params + (size_t)O * IN, 0, (size_t)O * sizeof(float));
    gan_sn_init(l, rng);
}

/* the bias passes on the pool's threads: rows [lo, hi) of y (B, O) = b
 * (forward); db[o] += the column o of dy over its B rows, in row order, for
 * o in [lo, hi) (backward) */
typedef struct bias_pass {
    int B, O;
    const float *b, *dy;
    float *y, *db;
} bias_pass;

static void fill_rows(void *arg, size_t lo, size_t hi)
{
    const bias_pass *p = arg;
    for (size_t n = lo; n < hi; n++) memcpy(p->y + n * p->O, p->b, (size_t)p->O * sizeof(float));
}

static void sum_cols(void *arg, size_t lo, size_t hi)
{
    const bias_pass *p = arg;
    for (int n = 0; n < p->B; n++)
        for (size_t o = lo; o < hi; o++) p->db[o] += p->dy[(size_t)n * p->O + o];
}

static void forward(gan_layer *l, const gan_ctx *c, const float *x, float *y)
{
    int B = c->B, IN = (int)gan_shape_size(l->in), O = l->out.d[0];
    const float *W = gan_sn_weight_pass(l, c);   /* (O, IN), W / sigma with spectral_norm */
    int bias = l->nparams > (size_t)O * IN;
    if (bias) {
        bias_pass p = { B, O, l->params + (size_t)O * IN, NULL, y, NULL };
        gan_par_range((size_t)B, GAN_EW_GRAIN / (size_t)O + 1, fill_rows, &p);
    }
    /* y (B, O) (+)= x (B, IN) . W^T (IN, O) */
    gan_sgemm(0, 1, B, O, IN, 1.0f, x, IN, W, IN, bias ? 1.0f : 0.0f, y, O);
}

static void backward(gan_layer *l, const gan_ctx *c, const float *x, const float *y,
                     const float *dy, float *dx, int param_grads)
{
    (void)y;
    int B = c->B, IN = (int)gan_shape_size(l->in), O = l->out.d[0];
    if (dx) /* dx (B, IN) = dy (B, O) . W (O, IN) */
        gan_sgemm(0, 0, B, IN, O, 1.0f, dy, O, gan_sn_last(l), IN, 0.0f, dx, IN);
    if (!param_grads) return;
    /* dW (O, IN) += dy^T (O, B) . x (B, IN)  (dW_sn first with spectral_norm) */
    gan_sgemm(1, 0, O, IN, B, 1.0f, dy, O, x, IN, 1.0f, gan_sn_grad_begin(l), IN);
    gan_sn_grad_end(l);
    if (l->nparams > (size_t)O * IN) {
        bias_pass p = { B, O, NULL, dy, NULL, l->grads + (size_t)O * IN };
        gan_par_range((size_t)O, GAN_EW_GRAIN / (size_t)B + 1, sum_cols, &p);
    }
}

const gan_layer_type gan_layer_dense = {
    "dense", "fully connected layer, y = x W^T + b (input flattened)",
    keys, GAN_NKEYS(keys), setup, init, forward, backward, gan_sn_destroy, GAN_LAYER_Y_UNUSED,
};
