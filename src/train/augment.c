/* augment.c - train.augment: what D sees of real and generated images.
 *
 *   flip: each real image is mirrored left-right with probability 1/2
 *   (reals only: no gradient needs to pass).
 *
 *   policy (DiffAugment, Zhao et al. 2020): the same random ops on real
 *   AND fake images before every D pass, in the D steps and the G steps,
 *   with G's gradient taken through them.  Per image, each op group is
 *   applied with probability p (ADA, Karras et al. 2020; p = 1 is
 *   DiffAugment's "always"):
 *     color        x += b, b ~ U(-0.5, 0.5)                      (brightness)
 *                  x_c = s (x_c - m) + m, m the pixel's channel mean,
 *                  s ~ U(0, 2)                                   (saturation)
 *                  x = c (x - M) + M, M the image's mean, c ~ U(0.5, 1.5)
 *                                                                (contrast)
 *     translation  shift by (tx, ty), each uniform in [-r, r] pixels with
 *                  r = round(translation * side); uncovered pixels are 0
 *     cutout       a rectangle of round(cutout * side) pixels, its centre
 *                  uniform over the image, is set to 0
 *   Every op is affine in x, so the backward pass applies the transposed
 *   maps in reverse order and needs only the draws (aug_backward).
 *
 *   ADA's adaptive p: with ada_target > 0, after each D step
 *   rt = E[sign(D(augmented real))] over the global batch, and
 *   p += sign(rt - target) * batch / ada_speed, clamped to [0, 1].  p is
 *   written to log.csv (aug_p) and checkpointed (section 'AUGP').
 *
 * Randomness: the draws of a pass come from a stream derived from (seed,
 * step, phase) (the stream id's low byte 9 is no other stream's), drawn for
 * the whole global batch so that every rank count sees the same images;
 * a resumed run needs no state but p.
 */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "train/augment.h"

struct gan_aug_state {
    unsigned ops;
    int C, H, W;
    size_t S;
    float *buf[2];        /* (Bmax, S) augmented reals, fakes */
    float *gbuf;          /* (Bmax, S) dL/d(augmented fake) */
    aug_draw *draw[2];    /* (Bmax) this rank's draws per slot */
    float *tmp;           /* (S) */
};

int aug_parse_policy(const char *policy, char *bad, size_t n)
{
    int ops = 0;
    const char *p = policy;
    while (*p) {
        while (*p == ' ' || *p == ',') p++;
        if (!*p) break;
        size_t len = strcspn(p, ", ");
        if (len == 5 && !strncmp(p, "color", 5)) ops |= AUG_COLOR;
        else if (len == 11 && !strncmp(p, "translation", 11)) ops |= AUG_TRANSLATION;
        else if (len == 6 && !strncmp(p, "cutout", 6)) ops |= AUG_CUTOUT;
        else {
            snprintf(bad, n, "%.*s", (int)len, p);
            return -1;
        }
        p += len;
    }
    return ops;
}

void aug_draw_one(aug_draw *d, gan_rng *r, unsigned ops, float p, const gan_aug_spec *a, int H, int W)
{
    memset(d, 0, sizeof *d);
    /* the same number of draws whatever p and ops: later images do not
     * shift when p changes */
    double u[10];
    for (int i = 0; i < 10; i++) u[i] = gan_rng_uniform(r);
    if ((ops & AUG_COLOR) && u[0] < p) {
        d->on |= AUG_COLOR;
        d->bright = (float)(u[1] - 0.5);
        d->sat = (float)(u[2] * 2.0);
        d->con = (float)(u[3] + 0.5);
    }
    if ((ops & AUG_TRANSLATION) && u[4] < p) {
        int rx = (int)lround(a->translation * W), ry = (int)lround(a->translation * H);
        d->on |= AUG_TRANSLATION;
        d->tx = (int)floor(u[5] * (2 * rx + 1)) - rx;
        d->ty = (int)floor(u[6] * (2 * ry + 1)) - ry;
    }
    if ((ops & AUG_CUTOUT) && u[7] < p) {
        int cw = (int)lround(a->cutout * W), ch = (int)lround(a->cutout * H);
        int x = (int)floor(u[8] * W), y = (int)floor(u[9] * H);   /* centre */
        d->on |= AUG_CUTOUT;
        d->cx0 = x - cw / 2, d->cx1 = d->cx0 + cw;
        d->cy0 = y - ch / 2, d->cy1 = d->cy0 + ch;
        if (d->cx0 < 0) d->cx0 = 0;
        if (d->cy0 < 0) d->cy0 = 0;
        if (d->cx1 > W) d->cx1 = W;
        if (d->cy1 > H) d->cy1 = H;
    }
}

/* ---- the ops and their transposes, on one image (C, H, W) ---------------- */
/* x_c = s (x_c - m) + m = s x_c + (1 - s) m: symmetric in the channels, so
 * the same map is its own transpose */
static void saturation(float *x, float s, int C, size_t HW)
{
    if (C < 2) return;
    for (size_t i = 0; i < HW; i++) {
        float m = 0;
        for (int c = 0; c < C; c++) m += x[c * HW + i];
        m /= (float)C;
        for (int c = 0; c < C; c++) x[c * HW + i] = s * x[c * HW + i] + (1.0f - s) * m;
    }
}

/* x = c (x - M) + M = c x + (1 - c) M over all n values: also symmetric */
static void contrast(float *x, float c, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) m += x[i];
    float M = (float)(m / (double)n);
    for (size_t i = 0; i < n; i++) x[i] = c * x[i] + (1.0f - c) * M;
}

/* y[h][w] = x[h - sy][w - sx] (0 outside); the transpose shifts by -sx, -sy */
static void shift(float *y, const float *x, int sx, int sy, int C, int H, int W)
{
    for (int c = 0; c < C; c++)
        for (int h = 0; h < H; h++) {
            float *yr = y + ((size_t)c * H + h) * W;
            int hs = h - sy;
            if (hs < 0 || hs >= H) {
                memset(yr, 0, (size_t)W * sizeof *yr);
                continue;
            }
            const float *xr = x + ((size_t)c * H + hs) * W;
            for (int w = 0; w < W; w++) {
                int ws = w - sx;
                yr[w] = ws >= 0 && ws < W ? xr[ws] : 0.0f;
            }
        }
}

/* a 0/1 mask: its own transpose */
static void cutout(float *x, const aug_draw *d, int C, int H, int W)
{
    for (int c = 0; c < C; c++)
        for (int h = d->cy0; h < d->cy1; h++)
            for (int w = d->cx0; w < d->cx1; w++) x[((size_t)c * H + h) * W + w] = 0.0f;
}

void aug_forward(float *y, const float *x, const aug_draw *d, int C, int H, int W, float *tmp)
{
    size_t HW = (size_t)H * W, n = (size_t)C * HW;
    memcpy(tmp, x, n * sizeof *tmp);
    if (d->on & AUG_COLOR) {
        for (size_t i = 0; i < n; i++) tmp[i] += d->bright;
        saturation(tmp, d->sat, C, HW);
        contrast(tmp, d->con, n);
    }
    if (d->on & AUG_TRANSLATION) shift(y, tmp, d->tx, d->ty, C, H, W);
    else memcpy(y, tmp, n * sizeof *y);
    if (d->on & AUG_CUTOUT) cutout(y, d, C, H, W);
}

void aug_backward(float *dx, const float *dy, const aug_draw *d, int C, int H, int W, float *tmp)
{
    size_t HW = (size_t)H * W, n = (size_t)C * HW;
    memcpy(tmp, dy, n * sizeof *tmp);
    if (d->on & AUG_CUTOUT) cutout(tmp, d, C, H, W);
    if (d->on & AUG_TRANSLATION) shift(dx, tmp, -d->tx, -d->ty, C, H, W);
    else memcpy(dx, tmp, n * sizeof *dx);
    if (d->on & AUG_COLOR) {
        contrast(dx, d->con, n);
        saturation(dx, d->sat, C, HW);
        /* brightness adds a constant: its transpose is the identity */
    }
}

void aug_flip(float *x, int C, int H, int W)
{
    for (int r = 0; r < C * H; r++) {
        float *row = x + (size_t)r * W;
        for (int a = 0, b = W - 1; a < b; a++, b--) {
            float v = row[a];
            row[a] = row[b];
            row[b] = v;
        }
    }
}

/* ---- the trainer's side --------------------------------------------------- */
static int aug_on(const gan_aug_spec *a)
{
    return a->flip || a->policy[0];
}

gan_status aug_init(gan_trainer *t, gan_error *err)
{
    const gan_aug_spec *a = &t->cfg.spec->train.augment;
    t->state.aug_p = a->p;
    if (!aug_on(a)) return GAN_OK;
    char bad[64];
    int ops = aug_parse_policy(a->policy, bad, sizeof bad);
    if (ops < 0)
        return gan_error_at(err, GAN_ERR_INVALID, t->cfg.spec->source, 0, 0,
                            "train.augment.policy: unknown op '%s' (expected color, translation, cutout)", bad);
    const gan_shape s = t->cfg.data_shape;
    if (s.rank != 3)
        return gan_error_at(err, GAN_ERR_SHAPE, t->cfg.spec->source, 0, 0,
                            "train.augment needs images (C, H, W), the data is %d-D", s.rank);
    struct gan_aug_state *g = calloc(1, sizeof *g);
    if (!g) return gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    t->scratch.aug = g;
    g->ops = (unsigned)ops;
    g->C = s.d[0], g->H = s.d[1], g->W = s.d[2];
    g->S = gan_shape_size(s);
    const gan_train_spec *ts = &t->cfg.spec->train;
    int B = ts->batch > ts->noise_batch ? ts->batch : ts->noise_batch;
    for (int k = 0; k < 2; k++) {
        g->buf[k] = gan_alloc_floats((size_t)B * g->S);
        g->draw[k] = calloc((size_t)B, sizeof *g->draw[k]);
    }
    g->gbuf = gan_alloc_floats((size_t)B * g->S);
    g->tmp = gan_alloc_floats(g->S);
    if (!g->buf[0] || !g->buf[1] || !g->draw[0] || !g->draw[1] || !g->gbuf || !g->tmp)
        return gan_error_set(err, GAN_ERR_NOMEM, "out of memory for train.augment's buffers");
    return GAN_OK;
}

void aug_free(gan_trainer *t)
{
    struct gan_aug_state *g = t->scratch.aug;
    if (!g) return;
    for (int k = 0; k < 2; k++) {
        gan_free_floats(g->buf[k]);
        free(g->draw[k]);
    }
    gan_free_floats(g->gbuf);
    gan_free_floats(g->tmp);
    free(g);
    t->scratch.aug = NULL;
}

/* the stream of (seed, step, phase) (the registry in gan/rng.h) */
static void pass_rng(const gan_trainer *t, int phase, gan_rng *r)
{
    uint64_t id = (uint64_t)t->state.step << GAN_STREAM_STEP_SHIFT | GAN_STREAM_SHARDED |
                  (uint64_t)(phase & 0x7fff) << 8 | GAN_STREAM_AUGMENT;
    gan_rng_seed_stream(r, t->cfg.spec->seed, id);
}

void aug_flip_reals(gan_trainer *t, int phase)
{
    if (!t->scratch.aug || !t->cfg.spec->train.augment.flip) return;
    struct gan_aug_state *g = t->scratch.aug;
    gan_rng r;
    pass_rng(t, phase, &r);
    int B = t->job.Br;
    for (int i = 0; i < t->job.nranks * B; i++) {
        int f = gan_rng_uniform(&r) < 0.5;
        int row = i - t->job.rank * B;
        if (f && row >= 0 && row < B) aug_flip(t->scratch.real + (size_t)row * g->S, g->C, g->H, g->W);
    }
}

const float *aug_apply(gan_trainer *t, const float *x, int B, int slot, int phase)
{
    struct gan_aug_state *g = t->scratch.aug;
    if (!g || !g->ops) return x;
    const gan_aug_spec *a = &t->cfg.spec->train.augment;
    gan_rng r;
    pass_rng(t, phase, &r);
    aug_draw d;
    for (int i = 0; i < t->job.nranks * B; i++) {
        aug_draw_one(&d, &r, g->ops, t->state.aug_p, a, g->H, g->W);
        int row = i - t->job.rank * B;
        if (row >= 0 && row < B) g->draw[slot][row] = d;
    }
    for (int i = 0; i < B; i++)
        aug_forward(g->buf[slot] + (size_t)i * g->S, x + (size_t)i * g->S, &g->draw[slot][i], g->C, g->H, g->W,
                    g->tmp);
    return g->buf[slot];
}

float *aug_grad_buffer(gan_trainer *t)
{
    return t->scratch.aug && t->scratch.aug->ops ? t->scratch.aug->gbuf : NULL;
}

void aug_grad(gan_trainer *t, float *dx, const float *dy, int B)
{
    struct gan_aug_state *g = t->scratch.aug;
    for (int i = 0; i < B; i++)
        aug_backward(dx + (size_t)i * g->S, dy + (size_t)i * g->S, &g->draw[1][i], g->C, g->H, g->W, g->tmp);
}

float aug_sign_sum(const float *yr, int n)
{
    int s = 0;
    for (int i = 0; i < n; i++) s += (yr[i] > 0) - (yr[i] < 0);
    return (float)s;
}

float aug_sign_mean(const float *yr, int n)
{
    return n > 0 ? (float)((double)aug_sign_sum(yr, n) / n) : 0.0f;
}

void aug_schedule(gan_trainer *t)
{
    const gan_aug_spec *a = &t->cfg.spec->train.augment;
    if (!t->scratch.aug || a->schedule == GAN_LR_CONSTANT) return;
    double x = gan_schedule_progress(a->schedule, a->warmup, a->decay_steps, t->state.step, t->cfg.spec->train.steps);
    t->state.aug_p = (float)((double)a->p + ((double)a->p_end - (double)a->p) * x);
}

void aug_adapt(gan_trainer *t, float rt)
{
    const gan_aug_spec *a = &t->cfg.spec->train.augment;
    t->metrics.aug_rt = rt;
    if (!t->scratch.aug || a->ada_target <= 0) return;
    float step = (float)t->cfg.spec->train.batch / a->ada_speed;
    float p = t->state.aug_p + (rt > a->ada_target ? step : rt < a->ada_target ? -step : 0.0f);
    t->state.aug_p = p < 0 ? 0.0f : p > 1 ? 1.0f : p;
}
