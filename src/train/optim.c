/* optim.c - Adam, SGD and RMSprop over one flat parameter array.
 *
 *   p (n)   g (n)   m (n)   v (n)     moments share the parameters' offsets
 *
 * Each update follows torch.optim (1.13, default flags) term by term, so a
 * run can be compared step for step with PyTorch.  Weight decay is the L2
 * form: g' = g + wd p, used in place of g everywhere below.
 */
#include "config.h"
#include <math.h>
#include <string.h>
#include "gan/optim.h"
#include "gan/par.h"

void gan_optim_conf_default(gan_optim_conf *c, gan_optim_kind kind)
{
    memset(c, 0, sizeof *c);
    c->kind = kind;
    switch (kind) {
    case GAN_OPTIM_ADAM:
        c->lr = 2e-4f; c->beta1 = 0.5f; c->beta2 = 0.999f; c->eps = 1e-8f;
        break;
    case GAN_OPTIM_SGD:
        c->lr = 0.01f;
        break;
    case GAN_OPTIM_RMSPROP:
        c->lr = 1e-3f; c->alpha = 0.99f; c->eps = 1e-8f;
        break;
    }
    c->step_every = 1000;
    c->gamma = 0.1f;
}

const char *gan_optim_name(gan_optim_kind k)
{
    switch (k) {
    case GAN_OPTIM_ADAM: return "adam";
    case GAN_OPTIM_SGD: return "sgd";
    case GAN_OPTIM_RMSPROP: return "rmsprop";
    }
    return "unknown";
}

/* A value in [lo, hi) (hi_open) or [lo, hi]; false for NaN. */
static int in_range(float x, float lo, float hi, int hi_open)
{
    return x >= lo && (hi_open ? x < hi : x <= hi);
}

static gan_status check_conf(const gan_optim_conf *c, gan_error *err)
{
    const float big = 1e30f;
    if (c->kind != GAN_OPTIM_ADAM && c->kind != GAN_OPTIM_SGD && c->kind != GAN_OPTIM_RMSPROP)
        return gan_error_set(err, GAN_ERR_INVALID, "unknown optimizer kind %d", (int)c->kind);
    if (!(c->lr > 0.0f && c->lr <= big))
        return gan_error_set(err, GAN_ERR_INVALID, "learning rate %g must be positive and finite",
                             (double)c->lr);
    if (!in_range(c->weight_decay, 0.0f, big, 0))
        return gan_error_set(err, GAN_ERR_INVALID, "weight_decay %g must be >= 0 and finite",
                             (double)c->weight_decay);
    if (c->kind == GAN_OPTIM_ADAM &&
        !(in_range(c->beta1, 0.0f, 1.0f, 1) && in_range(c->beta2, 0.0f, 1.0f, 1)))
        return gan_error_set(err, GAN_ERR_INVALID, "adam betas (%g, %g) must be in [0, 1)",
                             (double)c->beta1, (double)c->beta2);
    if (c->kind != GAN_OPTIM_SGD && !in_range(c->eps, 0.0f, big, 0))
        return gan_error_set(err, GAN_ERR_INVALID, "eps %g must be >= 0 and finite",
                             (double)c->eps);
    if (c->kind != GAN_OPTIM_ADAM && !in_range(c->momentum, 0.0f, 1.0f, 1))
        return gan_error_set(err, GAN_ERR_INVALID, "momentum %g must be in [0, 1)",
                             (double)c->momentum);
    if (c->kind == GAN_OPTIM_SGD && c->nesterov && c->momentum == 0.0f)
        return gan_error_set(err, GAN_ERR_INVALID, "nesterov needs a momentum > 0");
    if (c->kind == GAN_OPTIM_RMSPROP && !in_range(c->alpha, 0.0f, 1.0f, 0))
        return gan_error_set(err, GAN_ERR_INVALID, "rmsprop alpha %g must be in [0, 1]",
                             (double)c->alpha);
    if (c->schedule < GAN_LR_CONSTANT || c->schedule > GAN_LR_STEP)
        return gan_error_set(err, GAN_ERR_INVALID, "unknown learning-rate schedule %d", c->schedule);
    if (c->warmup < 0 || c->decay_steps < 0)
        return gan_error_set(err, GAN_ERR_INVALID, "warmup and decay_steps must be >= 0");
    if (!in_range(c->lr_end, 0.0f, 1.0f, 0))
        return gan_error_set(err, GAN_ERR_INVALID, "lr_end %g must be in [0, 1]", (double)c->lr_end);
    if (c->schedule == GAN_LR_STEP && (c->step_every < 1 || !(c->gamma > 0.0f && c->gamma <= 1.0f)))
        return gan_error_set(err, GAN_ERR_INVALID, "the step schedule needs step_every >= 1 and "
                             "gamma in (0, 1]");
    return GAN_OK;
}

gan_status gan_optim_init(gan_optim *o, const gan_optim_conf *c, size_t n, gan_error *err)
{
    memset(o, 0, sizeof *o);
    gan_status st = check_conf(c, err);
    if (st != GAN_OK) return st;
    o->c = *c;
    o->n = n;
    o->lr = c->lr;
    o->beta2 = c->beta2;
    /* Only the buffers the kind reads: adam m, v; sgd m when it has momentum;
     * rmsprop v, and m when it has momentum. */
    int need_m = c->kind == GAN_OPTIM_ADAM || c->momentum > 0.0f;
    int need_v = c->kind != GAN_OPTIM_SGD;
    if (need_m && !(o->m = gan_alloc_floats(n))) goto nomem;
    if (need_v && !(o->v = gan_alloc_floats(n))) goto nomem;
    return GAN_OK;
nomem:
    gan_optim_free(o);
    return gan_error_set(err, GAN_ERR_NOMEM, "cannot allocate optimizer state for %zu parameters",
                         n);
}

void gan_optim_free(gan_optim *o)
{
    if (!o) return;
    gan_free_floats(o->m);
    gan_free_floats(o->v);
    o->m = o->v = NULL;
}

/* Adam:  m = b1 m + (1-b1) g;   v = b2 v + (1-b2) g^2
 *        p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)
 * On step 1, m/(1-b1) = g and sqrt(v/(1-b2)) = |g|: every parameter moves by
 * about lr * sign(g). */
static void adam_step(float *restrict p, float *restrict m, float *restrict v,
                      const float *restrict g, size_t n, const gan_optim_conf *c, uint64_t t)
{
    const float b1 = c->beta1, b2 = c->beta2, eps = c->eps, wd = c->weight_decay;
    /* bias corrections in double, as torch computes them in Python floats */
    const double bc1 = 1.0 - pow((double)b1, (double)t);
    const double bc2 = 1.0 - pow((double)b2, (double)t);
    const float step = (float)((double)c->lr / bc1);
    const float inv_sqrt_bc2 = (float)(1.0 / sqrt(bc2));
    for (size_t i = 0; i < n; i++) {
        float gi = g[i] + wd * p[i];
        float mi = b1 * m[i] + (1.0f - b1) * gi;
        float vi = b2 * v[i] + (1.0f - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] -= step * mi / (sqrtf(vi) * inv_sqrt_bc2 + eps);
    }
}

/* SGD:  b = mu b + g  (b = g on step 1, as b starts at 0)
 *       p -= lr * (nesterov ? g + mu b : b)      plain p -= lr g when mu = 0 */
static void sgd_step(float *restrict p, float *restrict b, const float *restrict g, size_t n,
                     const gan_optim_conf *c)
{
    const float lr = c->lr, mu = c->momentum, wd = c->weight_decay;
    if (!b) {
        for (size_t i = 0; i < n; i++) p[i] -= lr * (g[i] + wd * p[i]);
        return;
    }
    if (c->nesterov) {
        for (size_t i = 0; i < n; i++) {
            float gi = g[i] + wd * p[i];
            float bi = mu * b[i] + gi;
            b[i] = bi;
            p[i] -= lr * (gi + mu * bi);
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        float gi = g[i] + wd * p[i];
        float bi = mu * b[i] + gi;
        b[i] = bi;
        p[i] -= lr * bi;
    }
}

/* RMSprop:  v = a v + (1-a) g^2;   u = g / (sqrt(v) + eps)
 *           with momentum: b = mu b + u, p -= lr b;  without: p -= lr u */
static void rmsprop_step(float *restrict p, float *restrict b, float *restrict v,
                         const float *restrict g, size_t n, const gan_optim_conf *c)
{
    const float lr = c->lr, a = c->alpha, eps = c->eps, mu = c->momentum, wd = c->weight_decay;
    if (!b) {
        for (size_t i = 0; i < n; i++) {
            float gi = g[i] + wd * p[i];
            float vi = a * v[i] + (1.0f - a) * gi * gi;
            v[i] = vi;
            p[i] -= lr * gi / (sqrtf(vi) + eps);
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        float gi = g[i] + wd * p[i];
        float vi = a * v[i] + (1.0f - a) * gi * gi;
        float bi = mu * b[i] + gi / (sqrtf(vi) + eps);
        v[i] = vi;
        b[i] = bi;
        p[i] -= lr * bi;
    }
}

double gan_optim_lr_factor(const gan_optim_conf *c, long step, long steps)
{
    if (step < 0) step = 0;
    if (step < c->warmup) return (double)(step + 1) / (double)c->warmup;
    double u = (double)(step - c->warmup);
    double L = c->decay_steps > 0 ? (double)c->decay_steps : (double)(steps - c->warmup);
    double x = L > 0 ? (u < L ? u / L : 1.0) : 1.0, e = c->lr_end;
    switch (c->schedule) {
    case GAN_LR_LINEAR: return 1.0 - (1.0 - e) * x;
    case GAN_LR_COSINE: return e + (1.0 - e) * 0.5 * (1.0 + cos(M_PI * x));
    case GAN_LR_STEP: return pow((double)c->gamma, floor(u / (double)c->step_every));
    default: return 1.0;
    }
}

double gan_schedule_progress(int schedule, long warmup, long decay_steps, long step, long steps)
{
    if (step < warmup || (schedule != GAN_LR_LINEAR && schedule != GAN_LR_COSINE)) return 0.0;
    double u = (double)(step - warmup);
    double L = decay_steps > 0 ? (double)decay_steps : (double)(steps - warmup);
    double x = L > 0 ? (u < L ? u / L : 1.0) : 1.0;
    return schedule == GAN_LR_LINEAR ? x : 0.5 * (1.0 - cos(M_PI * x));
}

void gan_optim_schedule(gan_optim *o, long step, long steps)
{
    if (o->c.kind == GAN_OPTIM_ADAM && o->c.beta2_end > 0.0f)
        o->beta2 = (float)((double)o->c.beta2 + ((double)o->c.beta2_end - (double)o->c.beta2) *
                           gan_schedule_progress(o->c.schedule, o->c.warmup, o->c.decay_steps, step, steps));
    else
        o->beta2 = o->c.beta2;
    /* constant without warm-up: exactly c.lr, as before schedules */
    o->lr = o->c.schedule == GAN_LR_CONSTANT && o->c.warmup == 0
                ? o->c.lr
                : (float)((double)o->c.lr * gan_optim_lr_factor(&o->c, step, steps));
}

typedef struct step_job {
    gan_optim *o;
    gan_optim_conf c;   /* o->c at the rate o->lr */
    float *p;
    const float *g;
} step_job;

/* parameters [lo, hi): element by element, so any split gives the same floats */
static void step_range(void *arg, size_t lo, size_t hi)
{
    const step_job *j = arg;
    gan_optim *o = j->o;
    float *m = o->m ? o->m + lo : NULL, *v = o->v ? o->v + lo : NULL;
    switch (o->c.kind) {
    case GAN_OPTIM_ADAM: adam_step(j->p + lo, m, v, j->g + lo, hi - lo, &j->c, o->t); break;
    case GAN_OPTIM_SGD: sgd_step(j->p + lo, m, j->g + lo, hi - lo, &j->c); break;
    case GAN_OPTIM_RMSPROP: rmsprop_step(j->p + lo, m, v, j->g + lo, hi - lo, &j->c); break;
    }
}

void gan_optim_step(gan_optim *o, float *params, const float *grads)
{
    o->t++;
    step_job j = { o, o->c, params, grads };
    j.c.lr = o->lr;
    j.c.beta2 = o->beta2;
    gan_par_range(o->n, (size_t)1 << 15, step_range, &j);
}
