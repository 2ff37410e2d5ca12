/* ema.c - exponential moving average of the generator's weights.
 *
 * After every G update (train.ema, decay d, start s):
 *   step <  s:  ema = params                      (a copy, warm-up)
 *   step >= s:  ema = d * ema + (1 - d) * params
 * where step is the number of training steps done before this one.  With
 * a ramp r > 0 (StyleGAN's ema_rampup), d is at most 0.5^(1 / (r step)):
 * the average's half-life, in images, is at most r times the images seen
 * so far (0 at step 0: a copy), so early weights are forgotten fast.  The
 * half-life h > 0 (train.ema.half_life, in images, StyleGAN's ema_kimg and
 * R3GAN's), d = 0.5^(B / h) with B = train.batch, the real images of a
 * step: after h images the old weights weigh one half; the ramp then
 * caps h at rampup * s * B, the images seen (StyleGAN's ema_rampup).
 * The averaged weights are used for sampling (sample grids, ganrun sample and
 * eval), never for training, as in Yazici et al. 2019 and BigGAN.
 *
 * G's buffers (batchnorm running mean and variance, spectral-norm u
 * vectors) are copied, not averaged, as PyTorch-StudioGAN does: the running
 * statistics already are an exponential average over batches, averaging
 * them again would only make them lag further behind the weights, and a
 * power-iteration vector is an estimate, not a weight.
 *
 * Layout: t->state.ema (G->nparams + G->nbufs) = averaged params, then buffers,
 * at the arenas' own offsets, so swapping it with G's arenas makes G the
 * averaged generator (and swapping back restores G bit for bit).
 */
#include "config.h"
#include <math.h>
#include <string.h>
#include "gan/train.h"

void gan_ema_update(float *ema, const float *x, size_t n, float decay)
{
    const float a = decay, b = 1.0f - decay;
    for (size_t i = 0; i < n; i++) ema[i] = a * ema[i] + b * x[i];
}

float gan_ema_decay(const gan_ema_spec *e, long step)
{
    if (!(e->rampup > 0.0f)) return e->decay;
    double ramp = step > 0 ? pow(0.5, 1.0 / ((double)e->rampup * (double)step)) : 0.0;
    return ramp < e->decay ? (float)ramp : e->decay;
}

float gan_ema_beta(const gan_ema_spec *e, long step, int batch)
{
    if (!(e->half_life > 0.0f)) return gan_ema_decay(e, step);
    double h = e->half_life, seen = (double)step * batch;
    if (e->rampup > 0.0f && (double)e->rampup * seen < h) h = (double)e->rampup * seen;
    return h > 0 ? (float)pow(0.5, (double)batch / h) : 0.0f;
}

gan_status gan_trainer_ema_init(gan_trainer *t, gan_error *err)
{
    const gan_ema_spec *e = &t->cfg.spec->train.ema;
    if (!(e->decay > 0.0f) && !(e->half_life > 0.0f)) return GAN_OK;
    gan_net *G = t->G;
    t->state.ema = gan_alloc_floats(G->nparams + G->nbufs);
    if (!t->state.ema) return gan_error_set(err, GAN_ERR_NOMEM, "out of memory for the weight average");
    memcpy(t->state.ema, G->params, G->nparams * sizeof(float));
    if (G->nbufs) memcpy(t->state.ema + G->nparams, G->bufs, G->nbufs * sizeof(float));
    return GAN_OK;
}

void gan_trainer_ema_after_g(gan_trainer *t)
{
    if (!t->state.ema) return;
    gan_net *G = t->G;
    const gan_ema_spec *e = &t->cfg.spec->train.ema;
    if (t->state.step >= e->start)
        gan_ema_update(t->state.ema, G->params, G->nparams, gan_ema_beta(e, t->state.step, t->cfg.spec->train.batch));
    else
        memcpy(t->state.ema, G->params, G->nparams * sizeof(float));
    if (G->nbufs) memcpy(t->state.ema + G->nparams, G->bufs, G->nbufs * sizeof(float));
}

static void swap_floats(float *a, float *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float x = a[i];
        a[i] = b[i];
        b[i] = x;
    }
}

int gan_trainer_ema_swap(gan_trainer *t)
{
    if (!t->state.ema || t->cfg.no_ema) return 0;
    gan_net *G = t->G;
    swap_floats(G->params, t->state.ema, G->nparams);
    if (G->nbufs) swap_floats(G->bufs, t->state.ema + G->nparams, G->nbufs);
    return 1;
}
