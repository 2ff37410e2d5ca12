/* health.c - roll a trainer back to its last healthy state on NaN or
 * infinity (the contract is in gan/health.h).
 *
 * The snapshot lists the trainer's state field by field: whatever
 * gan_trainer carries between steps (everything gan_ckpt_save writes but
 * the model text) must be copied here too, or a rollback would mix an old
 * state with a new one.
 */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "gan/health.h"

struct gan_health_snapshot {
    long step, epoch, pos;
    uint32_t *order;                 /* (norder) */
    size_t norder;
    gan_rng noise_rng, data_rng, net_rng, g_rng, d_rng;
    float *gparams, *gbufs;          /* (G->nparams), (G->nbufs) */
    float *dparams, *dbufs;          /* (D->nparams), (D->nbufs) */
    float *gm, *gv, *dm, *dv;        /* optimizer moments, NULL where the optimizer has none */
    float *ema;                      /* (G->nparams + G->nbufs) train.ema's average, or NULL */
    size_t nema;
    uint64_t gt, dt;                 /* optimizer steps taken */
    float aug_p;                     /* train.augment's p */
};

int gan_all_finite(const float *x, size_t n)
{
    /* sum of x * 0 is 0 for finite x and NaN as soon as one is not */
    float acc = 0.0f;
    for (size_t i = 0; i < n; i++) acc += x[i] * 0.0f;
    return acc == 0.0f;
}

static void snapshot_free(gan_health_snapshot *s)
{
    if (!s) return;
    free(s->order);
    gan_free_floats(s->gparams);
    gan_free_floats(s->gbufs);
    gan_free_floats(s->dparams);
    gan_free_floats(s->dbufs);
    gan_free_floats(s->gm);
    gan_free_floats(s->gv);
    gan_free_floats(s->dm);
    gan_free_floats(s->dv);
    gan_free_floats(s->ema);
    free(s);
}

/* buffers shaped like t's state */
static gan_health_snapshot *snapshot_new(const gan_trainer *t)
{
    gan_health_snapshot *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    int ok = 1;
    s->norder = t->data ? (size_t)t->data->n : 0;
    if (s->norder) ok &= (s->order = malloc(s->norder * sizeof *s->order)) != NULL;
    ok &= (s->gparams = gan_alloc_floats(t->G->nparams)) != NULL;
    ok &= (s->gbufs = gan_alloc_floats(t->G->nbufs)) != NULL;
    ok &= (s->dparams = gan_alloc_floats(t->D->nparams)) != NULL;
    ok &= (s->dbufs = gan_alloc_floats(t->D->nbufs)) != NULL;
    if (t->gopt.m) ok &= (s->gm = gan_alloc_floats(t->gopt.n)) != NULL;
    if (t->gopt.v) ok &= (s->gv = gan_alloc_floats(t->gopt.n)) != NULL;
    if (t->dopt.m) ok &= (s->dm = gan_alloc_floats(t->dopt.n)) != NULL;
    if (t->dopt.v) ok &= (s->dv = gan_alloc_floats(t->dopt.n)) != NULL;
    s->nema = t->ema ? t->G->nparams + t->G->nbufs : 0;
    if (s->nema) ok &= (s->ema = gan_alloc_floats(s->nema)) != NULL;
    if (!ok) {
        snapshot_free(s);
        return NULL;
    }
    return s;
}

static void copy(float *dst, const float *src, size_t n)
{
    if (dst && src && n) memcpy(dst, src, n * sizeof *dst);
}

static void snapshot_take(gan_health_snapshot *s, const gan_trainer *t)
{
    s->step = t->step;
    s->epoch = t->epoch;
    s->pos = t->pos;
    if (s->norder) memcpy(s->order, t->order, s->norder * sizeof *s->order);
    s->noise_rng = t->noise_rng;
    s->data_rng = t->data_rng;
    s->net_rng = t->net_rng;
    s->g_rng = t->G->rng;
    s->d_rng = t->D->rng;
    copy(s->gparams, t->G->params, t->G->nparams);
    copy(s->gbufs, t->G->bufs, t->G->nbufs);
    copy(s->dparams, t->D->params, t->D->nparams);
    copy(s->dbufs, t->D->bufs, t->D->nbufs);
    copy(s->gm, t->gopt.m, t->gopt.n);
    copy(s->gv, t->gopt.v, t->gopt.n);
    copy(s->dm, t->dopt.m, t->dopt.n);
    copy(s->dv, t->dopt.v, t->dopt.n);
    copy(s->ema, t->ema, s->nema);
    s->gt = t->gopt.t;
    s->dt = t->dopt.t;
    s->aug_p = t->aug_p;
}

static void snapshot_restore(const gan_health_snapshot *s, gan_trainer *t)
{
    t->step = s->step;
    t->epoch = s->epoch;
    t->pos = s->pos;
    if (s->norder) memcpy(t->order, s->order, s->norder * sizeof *s->order);
    t->noise_rng = s->noise_rng;
    t->data_rng = s->data_rng;
    t->net_rng = s->net_rng;
    t->G->rng = s->g_rng;
    t->D->rng = s->d_rng;
    copy(t->G->params, s->gparams, t->G->nparams);
    copy(t->G->bufs, s->gbufs, t->G->nbufs);
    copy(t->D->params, s->dparams, t->D->nparams);
    copy(t->D->bufs, s->dbufs, t->D->nbufs);
    copy(t->gopt.m, s->gm, t->gopt.n);
    copy(t->gopt.v, s->gv, t->gopt.n);
    copy(t->dopt.m, s->dm, t->dopt.n);
    copy(t->dopt.v, s->dv, t->dopt.n);
    copy(t->ema, s->ema, s->nema);
    t->gopt.t = s->gt;
    t->dopt.t = s->dt;
    t->aug_p = s->aug_p;
}

/* GAN_OK, or GAN_ERR_NUMERIC naming the first network with a non-finite
 * parameter or buffer */
static gan_status check_finite(const gan_trainer *t, gan_error *err)
{
    const gan_net *nets[2] = { t->G, t->D };
    for (int i = 0; i < 2; i++) {
        const char *what = i ? "discriminator" : "generator";
        if (!gan_all_finite(nets[i]->params, nets[i]->nparams))
            return gan_error_set(err, GAN_ERR_NUMERIC, "step %ld: %s parameters are not finite", t->step, what);
        if (!gan_all_finite(nets[i]->bufs, nets[i]->nbufs))
            return gan_error_set(err, GAN_ERR_NUMERIC, "step %ld: %s buffers (batchnorm statistics) are not finite",
                                 t->step, what);
    }
    return GAN_OK;
}

gan_status gan_health_init(gan_health *h, const gan_trainer *t, gan_error *err)
{
    memset(h, 0, sizeof *h);
    h->c = t->spec->train.health;
    if (h->c.on_nan != GAN_HEALTH_ROLLBACK) return GAN_OK;
    gan_status st = check_finite(t, err);
    if (st != GAN_OK) return st;
    h->snap = snapshot_new(t);
    if (!h->snap)
        return gan_error_set(err, GAN_ERR_NOMEM, "out of memory for the training-health snapshot "
                             "(train.health.on_nan: rollback keeps a copy of the training state)");
    snapshot_take(h->snap, t);
    return GAN_OK;
}

void gan_health_free(gan_health *h)
{
    if (!h) return;
    snapshot_free(h->snap);
    h->snap = NULL;
}

gan_status gan_health_check(gan_health *h, gan_trainer *t, int force, gan_error *err)
{
    if (!h->snap) return GAN_OK;
    if (!force && (h->c.snapshot_every <= 0 || t->step % h->c.snapshot_every != 0)) return GAN_OK;
    if (t->step == h->snap->step) return GAN_OK;   /* already there */
    gan_status st = check_finite(t, err);
    if (st != GAN_OK) {
        h->failed_at = t->step;
        return st;
    }
    if (t->step > h->snap->step) h->in_a_row = 0;   /* past the trouble */
    snapshot_take(h->snap, t);
    return GAN_OK;
}

gan_status gan_health_recover(gan_health *h, gan_trainer *t, gan_status st, gan_health_event *ev,
                              gan_error *err)
{
    memset(ev, 0, sizeof *ev);
    long failed = h->failed_at ? h->failed_at : t->step + 1;
    h->failed_at = 0;
    if (st != GAN_ERR_NUMERIC || !h->snap) return st;
    if (h->in_a_row >= h->c.retries) {
        if (err) {
            size_t n = strlen(err->msg);
            snprintf(err->msg + n, sizeof err->msg - n,
                     "; gave up after %d rollback%s in a row to step %ld (train.health.retries: %d)",
                     h->in_a_row, h->in_a_row == 1 ? "" : "s", h->snap->step, h->c.retries);
        }
        return st;
    }
    ev->step = failed;
    snprintf(ev->reason, sizeof ev->reason, "%s", err ? err->msg : "not finite");
    snapshot_restore(h->snap, t);
    t->gopt.c.lr *= h->c.lr_factor;
    t->dopt.c.lr *= h->c.lr_factor;
    h->in_a_row++;
    h->rollbacks++;
    ev->to_step = t->step;
    ev->retry = h->in_a_row;
    ev->lr_g = t->gopt.c.lr;
    ev->lr_d = t->dopt.c.lr;
    if (err) gan_error_clear(err);
    return GAN_OK;
}
