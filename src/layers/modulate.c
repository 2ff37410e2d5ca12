/* modulate.c - feature-wise modulation by a conditioning vector (FiLM,
 * Perez et al. 2018): the gain and bias of a conditional norm computed
 * from a vector, as BigGAN's generator does from [z chunk, class
 * embedding] and StyleGAN's AdaIN from w.
 *
 *   from: [x, c]   x (B, C, H, W) or (B, C)   c (B, F)   y like x
 *   W = [Wg; Wb] (2C, F)   bg, bb (C)
 *   [g_n; b_n] = W c_n (2C)          gamma_n = 1 + g_n + bg,  beta_n = b_n + bb
 *   y[n, k, p] = gamma_n[k] x[n, k, p] + beta_n[k]
 * After `batchnorm: {affine: false}` it is BigGAN's conditional batchnorm,
 * after `layernorm` or `pixelnorm` an adaptive norm.  With the weights at
 * zero the layer is the identity.
 *
 * Backward, with dgamma[n, k] = sum_p dy x, dbeta[n, k] = sum_p dy:
 *   dx = gamma dy      dc (B, F) = [dgamma, dbeta] (B, 2C) W
 *   dW (2C, F) += [dgamma, dbeta]^T c      dbg += sum_n dgamma, dbb += sum_n dbeta
 * (the sums over n in sample order, the products by gan_sgemm, whose
 * split depends on shapes only: the same bits on any thread count).
 * Saved per sample: [gamma; beta] (2C).  Scratch per sample: [dgamma; dbeta].
 * With spectral_norm, Wg and Wb are each divided by their own sigma.
 */
#include "config.h"
#include <string.h>
#include "gan/par.h"
#include "layers/layers.h"

static const gan_key_desc keys[] = {
    GAN_INIT_KEYS(GAN_INIT_ZEROS, "initialisation of Wg and Wb (default zeros: the layer starts as the identity)"),
    GAN_SN_KEYS,
};

typedef struct geom {
    int C, P, F;   /* channels (features), positions per channel, conditioning width */
} geom;

static geom get_geom(const gan_layer *l)
{
    geom g;
    g.C = l->ins[0].d[0];
    g.P = (int)(gan_shape_size(l->ins[0]) / (size_t)g.C);
    g.F = (int)gan_shape_size(l->ins[1]);
    return g;
}

static gan_status setup_n(gan_layer *l, const gan_shape *in, int nin, gan_error *err)
{
    char a[64], b[64];
    gan_shape_str(in[0], a, sizeof a);
    gan_shape_str(nin > 1 ? in[1] : in[0], b, sizeof b);
    if (nin != 2)
        return gan_error_set(err, GAN_ERR_INVALID, "modulate reads %d inputs (expected from: [x, c]: the "
                             "features and the conditioning vector)", nin);
    if (in[0].rank != 1 && in[0].rank != 3)
        return gan_error_set(err, GAN_ERR_SHAPE, "modulate: '%s' %s must be (C, H, W) or (C)",
                             l->in_name[0], a);
    if (in[1].rank != 1)
        return gan_error_set(err, GAN_ERR_SHAPE, "modulate: the conditioning '%s' %s must be a vector (F)",
                             l->in_name[1], b);
    if (gan_conf_num(&l->conf, "spectral_norm") != 0 && gan_conf_num(&l->conf, "init") == GAN_INIT_ZEROS)
        return gan_error_set(err, GAN_ERR_INVALID, "modulate: spectral_norm divides by the largest singular "
                             "value, which is 0 for weights that start at zero (expected init: normal, "
                             "uniform, xavier or he with spectral_norm)");
    l->out = in[0];
    geom g = get_geom(l);
    gan_layer_add_tensor(l, "weight_gamma", 0, 2, g.C, g.F, 0, 0);
    gan_layer_add_tensor(l, "weight_beta", 0, 2, g.C, g.F, 0, 0);
    gan_layer_add_tensor(l, "bias_gamma", 0, 1, g.C, 0, 0, 0);
    gan_layer_add_tensor(l, "bias_beta", 0, 1, g.C, 0, 0, 0);
    static const char *const sn_names[4] = { "weight_gamma.sn_u", "weight_gamma.sn_v", "weight_beta.sn_u",
                                             "weight_beta.sn_v" };
    const int R[2] = { g.C, g.C }, K[2] = { g.F, g.F };
    gan_status st = gan_sn_setup_parts(l, 2, R, K, sn_names, err);
    if (st != GAN_OK) return st;
    l->saved_per_sample = (size_t)2 * g.C;
    l->ws_per_sample = (size_t)2 * g.C;
    return GAN_OK;
}

static void init(gan_layer *l, gan_rng *rng)
{
    geom g = get_geom(l);
    size_t n = (size_t)g.C * g.F;
    gan_init_weights(&l->conf, l->params, n, g.F, g.C, rng);
    gan_init_weights(&l->conf, l->params + n, n, g.F, g.C, rng);
    memset(l->params + 2 * n, 0, (size_t)2 * g.C * sizeof(float));
    gan_sn_init(l, rng);
}

static void forward_n(gan_layer *l, const gan_ctx *c, const float *const *x, int nin, float *y)
{
    (void)nin;
    const geom g = get_geom(l);
    const int B = c->B, C2 = 2 * g.C;
    const float *W = gan_sn_weight_pass(l, c);          // (2C, F) = [Wg; Wb]
    const float *bg = l->params + (size_t)C2 * g.F, *bb = bg + g.C;
    float *gb = l->saved;                                     // (B, 2C) = [gamma_n; beta_n]
    /* [g_n; b_n] = W c_n, then 1 + bg and bb added */
    gan_sgemm(0, 1, B, C2, g.F, 1.0f, x[1], g.F, W, g.F, 0.0f, gb, C2);
    for (int n = 0; n < B; n++) {
        float *r = gb + (size_t)n * C2;
        for (int k = 0; k < g.C; k++) {
            r[k] = 1.0f + r[k] + bg[k];
            r[g.C + k] += bb[k];
        }
        const float *xn = x[0] + (size_t)n * g.C * g.P;
        float *yn = y + (size_t)n * g.C * g.P;
        for (int k = 0; k < g.C; k++) {
            const float ga = r[k], be = r[g.C + k];
            const float *xk = xn + (size_t)k * g.P;
            float *yk = yn + (size_t)k * g.P;
            for (int p = 0; p < g.P; p++) yk[p] = ga * xk[p] + be;
        }
    }
}

static void backward_n(gan_layer *l, const gan_ctx *c, const float *const *x, int nin, const float *y,
                       const float *dy, float *const *dx, int param_grads)
{
    (void)nin, (void)y;
    const geom g = get_geom(l);
    const int B = c->B, C2 = 2 * g.C;
    const float *gb = l->saved;
    float *dgb = c->ws;                                       // (B, 2C) = [dgamma_n; dbeta_n]
    for (int n = 0; n < B; n++) {
        const float *r = gb + (size_t)n * C2;
        const float *xn = x[0] + (size_t)n * g.C * g.P, *dyn = dy + (size_t)n * g.C * g.P;
        float *d = dgb + (size_t)n * C2;
        for (int k = 0; k < g.C; k++) {
            const float *xk = xn + (size_t)k * g.P, *dk = dyn + (size_t)k * g.P;
            float sg = 0.0f, sb = 0.0f;
            for (int p = 0; p < g.P; p++) {
                sg += dk[p] * xk[p];
                sb += dk[p];
            }
            d[k] = sg;
            d[g.C + k] = sb;
            if (dx[0]) {
                float *dxk = dx[0] + (size_t)n * g.C * g.P + (size_t)k * g.P;
                for (int p = 0; p < g.P; p++) dxk[p] = r[k] * dk[p];
            }
        }
    }
    /* dc (B, F) = [dgamma, dbeta] (B, 2C) . W (2C, F) */
    if (dx[1]) gan_sgemm(0, 0, B, g.F, C2, 1.0f, dgb, C2, gan_sn_last(l), g.F, 0.0f, dx[1], g.F);
    if (!param_grads) return;
    /* dW (2C, F) += [dgamma, dbeta]^T (2C, B) . c (B, F)  (dW_sn with spectral_norm) */
    gan_sgemm(1, 0, C2, g.F, B, 1.0f, dgb, C2, x[1], g.F, 1.0f, gan_sn_grad_begin(l), g.F);
    gan_sn_grad_end(l);
    float *db = l->grads + (size_t)C2 * g.F;                  // [dbg; dbb] (2C)
    for (int n = 0; n < B; n++)
        for (int k = 0; k < C2; k++) db[k] += dgb[(size_t)n * C2 + k];
}

const gan_layer_multi gan_layer_modulate = {
    { "modulate", "FiLM: y = (1 + Wg c + bg) x + (Wb c + bb) per channel, c a vector read by from: [x, c]",
      keys, GAN_NKEYS(keys), NULL, init, NULL, NULL, gan_sn_destroy, GAN_LAYER_Y_UNUSED | GAN_LAYER_MULTI },
    setup_n, forward_n, backward_n, 2,
};
