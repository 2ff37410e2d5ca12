/* specnorm.c - spectral normalisation of a layer's weight (Miyato et al.
 * 2018, "Spectral Normalization for GANs"; as PyTorch's spectral_norm).
 *
 * The weight W is viewed as a matrix (R, K): dense (O, IN), conv2d
 * (OC, C*K*K), deconv2d (C, OC*K*K) (its stored layout; PyTorch instead
 * permutes ConvTranspose weights to (OC, C*K*K) first, a different matrix).
 * The layer computes with
 *     W_sn = W / sigma,   sigma = u^T W v,
 * where u (R) and v (K) are unit vectors kept as the layer's buffers
 * "sn_u" and "sn_v" (checkpointed in TENS like batchnorm's statistics).  A
 * forward pass in training mode first runs power_iterations steps
 *     v = normalize(W^T u),  u = normalize(W v)
 * so that u and v approach the top singular vectors and sigma the largest
 * singular value; an eval-mode pass uses the stored u and v as they are.
 *
 * Backward treats u and v as constants (as PyTorch does: they are computed
 * under no_grad).  With G = dL/dW_sn,
 *     dL/dW = G / sigma - (sum G * W) / sigma^2 * u v^T
 *           = (G - (sum G * W_sn) u v^T) / sigma.
 */
#include "config.h"
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "layers/layers.h"

typedef struct gan_sn {
    int R, K;       /* W viewed as (R, K) */
    float *w;       /* (R, K) W / sigma of the last forward */
    float *g;       /* (R, K) dL/dW_sn accumulated by the layer's backward */
    float sigma;    /* of the last forward */
} gan_sn;

static int sn_on(const gan_layer *l)
{
    return gan_conf_num(&l->conf, "spectral_norm") != 0;
}

gan_status gan_sn_setup(gan_layer *l, int R, int K, gan_error *err)
{
    if (!sn_on(l)) return GAN_OK;
    gan_sn *s = calloc(1, sizeof *s);
    if (!s) return gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    s->R = R, s->K = K;
    s->w = gan_alloc_floats((size_t)R * K);
    s->g = gan_alloc_floats((size_t)R * K);
    s->sigma = 1.0f;
    l->priv = s;
    if (!s->w || !s->g) return gan_error_set(err, GAN_ERR_NOMEM, "out of memory for spectral norm");
    gan_layer_add_tensor(l, "sn_u", 1, 1, R, 0, 0, 0);
    gan_layer_add_tensor(l, "sn_v", 1, 1, K, 0, 0, 0);
    return GAN_OK;
}

void gan_sn_destroy(gan_layer *l)
{
    gan_sn *s = l->priv;
    if (!s) return;
    gan_free_floats(s->w);
    gan_free_floats(s->g);
    free(s);
    l->priv = NULL;
}

/* x (n) /= |x|; returns |x| (x left as is when 0) */
static double normalize(float *x, int n)
{
    double ss = 0;
    for (int i = 0; i < n; i++) ss += (double)x[i] * x[i];
    double nrm = sqrt(ss);
    if (nrm > 0)
        for (int i = 0; i < n; i++) x[i] = (float)(x[i] / nrm);
    return nrm;
}

/* u (R), v (K): the buffers, after the layer's other buffers (none today) */
static float *sn_u(const gan_layer *l, const gan_sn *s)
{
    return l->bufs + l->nbufs - (size_t)s->R - (size_t)s->K;
}

void gan_sn_init(gan_layer *l, gan_rng *rng)
{
    gan_sn *s = l->priv;
    if (!s) return;
    float *u = sn_u(l, s), *v = u + s->R;
    gan_rng_fill_normal(rng, u, (size_t)s->R, 0.0f, 1.0f);
    normalize(u, s->R);
    /* v = normalize(W^T u) */
    cblas_sgemv(CblasRowMajor, CblasTrans, s->R, s->K, 1.0f, l->params, s->K, u, 1, 0.0f, v, 1);
    normalize(v, s->K);
}

void gan_sn_power_iteration(const float *W, int R, int K, float *u, float *v, int iters)
{
    for (int it = 0; it < iters; it++) {
        /* v (K) = normalize(W^T u), u (R) = normalize(W v) */
        cblas_sgemv(CblasRowMajor, CblasTrans, R, K, 1.0f, W, K, u, 1, 0.0f, v, 1);
        normalize(v, K);
        cblas_sgemv(CblasRowMajor, CblasNoTrans, R, K, 1.0f, W, K, v, 1, 0.0f, u, 1);
        normalize(u, R);
    }
}

const float *gan_sn_weight(gan_layer *l, int training)
{
    gan_sn *s = l->priv;
    if (!s) return l->params;
    const float *W = l->params;   /* (R, K) */
    float *u = sn_u(l, s), *v = u + s->R;
    if (training) gan_sn_power_iteration(W, s->R, s->K, u, v, (int)gan_conf_num(&l->conf, "power_iterations"));
    /* sigma = u^T W v, with W v into the gradient scratch (free until backward) */
    float *wv = s->g;
    cblas_sgemv(CblasRowMajor, CblasNoTrans, s->R, s->K, 1.0f, W, s->K, v, 1, 0.0f, wv, 1);
    double sig = 0;
    for (int i = 0; i < s->R; i++) sig += (double)u[i] * wv[i];
    s->sigma = (float)sig;
    const float inv = (float)(1.0 / sig);
    size_t n = (size_t)s->R * s->K;
    for (size_t i = 0; i < n; i++) s->w[i] = W[i] * inv;
    return s->w;
}

const float *gan_sn_last(const gan_layer *l)
{
    const gan_sn *s = l->priv;
    return s ? s->w : l->params;
}

float *gan_sn_grad_begin(gan_layer *l)
{
    gan_sn *s = l->priv;
    if (!s) return l->grads;
    memset(s->g, 0, (size_t)s->R * s->K * sizeof(float));
    return s->g;
}

void gan_sn_grad_end(gan_layer *l)
{
    gan_sn *s = l->priv;
    if (!s) return;
    const float *u = sn_u(l, s), *v = u + s->R;
    size_t n = (size_t)s->R * s->K;
    double gw = 0;   /* sum G * W_sn */
    for (size_t i = 0; i < n; i++) gw += (double)s->g[i] * s->w[i];
    const float inv = 1.0f / s->sigma, c = (float)gw;
    /* dW (R, K) += (G - c u v^T) / sigma */
    for (int r = 0; r < s->R; r++) {
        const float *gr = s->g + (size_t)r * s->K;
        float *dr = l->grads + (size_t)r * s->K;
        const float cu = c * u[r];
        for (int k = 0; k < s->K; k++) dr[k] += (gr[k] - cu * v[k]) * inv;
    }
}

float gan_layer_sn_sigma(const gan_layer *l)
{
    const gan_sn *s = l->priv;
    return s ? s->sigma : 0.0f;
}

const float *gan_layer_eval_weight(gan_layer *l)
{
    return gan_sn_weight(l, 0);
}
