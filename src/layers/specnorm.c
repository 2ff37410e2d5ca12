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
 * A layer whose weight is several matrices side by side (attention's
 * Wf, Wg, Wh) normalises each by its own sigma, with its own u and v
 * (gan_sn_setup_parts), as SAGAN's spectral_norm on each 1x1 convolution.
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
    int nparts;                    /* weights normalised, each on its own */
    int R[GAN_SN_MAXPARTS], K[GAN_SN_MAXPARTS];   /* part i viewed as (R, K) */
    size_t off[GAN_SN_MAXPARTS];   /* part i's first float in W, w and g */
    size_t uv[GAN_SN_MAXPARTS];    /* its u (R), then v (K), in l->bufs */
    size_t n;                      /* floats of all parts */
    float *w;       /* (n) W / sigma of the last forward, part by part */
    float *g;       /* (n) dL/dW_sn accumulated by the layer's backward */
    float sigma[GAN_SN_MAXPARTS];  /* of the last forward */
} gan_sn;

static int sn_on(const gan_layer *l)
{
    return gan_conf_num(&l->conf, "spectral_norm") != 0;
}

gan_status gan_sn_setup_parts(gan_layer *l, int nparts, const int *R, const int *K,
                              const char *const *names, gan_error *err)
{
    if (!sn_on(l)) return GAN_OK;
    gan_sn *s = calloc(1, sizeof *s);
    if (!s) return gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    s->nparts = nparts;
    for (int i = 0; i < nparts; i++) {
        s->R[i] = R[i], s->K[i] = K[i];
        s->off[i] = s->n;
        s->n += (size_t)R[i] * K[i];
        s->sigma[i] = 1.0f;
    }
    s->w = gan_alloc_floats(s->n);
    s->g = gan_alloc_floats(s->n);
    l->priv = s;
    if (!s->w || !s->g) return gan_error_set(err, GAN_ERR_NOMEM, "out of memory for spectral norm");
    for (int i = 0; i < nparts; i++) {
        s->uv[i] = l->nbufs;
        gan_layer_add_tensor(l, names[2 * i], 1, 1, R[i], 0, 0, 0);
        gan_layer_add_tensor(l, names[2 * i + 1], 1, 1, K[i], 0, 0, 0);
    }
    return GAN_OK;
}

gan_status gan_sn_setup(gan_layer *l, int R, int K, gan_error *err)
{
    static const char *const names[2] = { "sn_u", "sn_v" };
    return gan_sn_setup_parts(l, 1, &R, &K, names, err);
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

/* part i's u (R), followed by its v (K) */
static float *sn_u(const gan_layer *l, const gan_sn *s, int i)
{
    return l->bufs + s->uv[i];
}

void gan_sn_init(gan_layer *l, gan_rng *rng)
{
    gan_sn *s = l->priv;
    if (!s) return;
    for (int i = 0; i < s->nparts; i++) {
        float *u = sn_u(l, s, i), *v = u + s->R[i];
        gan_rng_fill_normal(rng, u, (size_t)s->R[i], 0.0f, 1.0f);
        normalize(u, s->R[i]);
        /* v = normalize(W^T u) */
        cblas_sgemv(CblasRowMajor, CblasTrans, s->R[i], s->K[i], 1.0f, l->params + s->off[i], s->K[i], u, 1,
                    0.0f, v, 1);
        normalize(v, s->K[i]);
    }
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
    const int iters = (int)gan_conf_num(&l->conf, "power_iterations");
    for (int p = 0; p < s->nparts; p++) {
        const int R = s->R[p], K = s->K[p];
        const float *W = l->params + s->off[p];   /* (R, K) */
        float *u = sn_u(l, s, p), *v = u + R;
        if (training) gan_sn_power_iteration(W, R, K, u, v, iters);
        /* sigma = u^T W v, with W v into the gradient scratch (free until backward) */
        float *wv = s->g + s->off[p];
        cblas_sgemv(CblasRowMajor, CblasNoTrans, R, K, 1.0f, W, K, v, 1, 0.0f, wv, 1);
        double sig = 0;
        for (int i = 0; i < R; i++) sig += (double)u[i] * wv[i];
        s->sigma[p] = (float)sig;
        const float inv = (float)(1.0 / sig);
        float *w = s->w + s->off[p];
        size_t n = (size_t)R * K;
        for (size_t i = 0; i < n; i++) w[i] = W[i] * inv;
    }
    return s->w;
}

const float *gan_sn_weight_pass(gan_layer *l, const gan_ctx *c)
{
    return c->shard > 0 ? gan_sn_last(l) : gan_sn_weight(l, c->training);
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
    memset(s->g, 0, s->n * sizeof(float));
    return s->g;
}

void gan_sn_grad_end(gan_layer *l)
{
    gan_sn *s = l->priv;
    if (!s) return;
    for (int p = 0; p < s->nparts; p++) {
        const int R = s->R[p], K = s->K[p];
        const float *u = sn_u(l, s, p), *v = u + R;
        const float *g = s->g + s->off[p], *w = s->w + s->off[p];
        size_t n = (size_t)R * K;
        double gw = 0;   /* sum G * W_sn */
        for (size_t i = 0; i < n; i++) gw += (double)g[i] * w[i];
        const float inv = 1.0f / s->sigma[p], c = (float)gw;
        /* dW (R, K) += (G - c u v^T) / sigma */
        for (int r = 0; r < R; r++) {
            const float *gr = g + (size_t)r * K;
            float *dr = l->grads + s->off[p] + (size_t)r * K;
            const float cu = c * u[r];
            for (int k = 0; k < K; k++) dr[k] += (gr[k] - cu * v[k]) * inv;
        }
    }
}

float gan_layer_sn_sigma(const gan_layer *l)
{
    const gan_sn *s = l->priv;
    return s ? s->sigma[0] : 0.0f;
}

const float *gan_layer_eval_weight(gan_layer *l)
{
    return gan_sn_weight(l, 0);
}
