/* health.c - roll a trainer back to its last healthy state on NaN or
 * infinity (the contract is in gan/health.h).
 *
 * The snapshot holds a copy of every row of the trainer's state table
 * (src/train/state.h) marked for it: whatever gan_trainer carries between
 * steps is listed there once, for the checkpoint and the snapshot alike.
 */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "gan/health.h"
#include "train/state.h"

struct gan_health_snapshot {
    long step;                  /* the trainer's step when it was taken */
    int n;                      /* rows of the table */
    unsigned char **copy;       /* (n) each snapshot row's bytes, NULL for other rows */
    size_t *bytes;              /* (n) their sizes */
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
    for (int i = 0; s->copy && i < s->n; i++) free(s->copy[i]);
    free(s->copy);
    free(s->bytes);
    free(s);
}

/* buffers shaped like t's state */
static gan_health_snapshot *snapshot_new(const gan_trainer *t)
{
    gan_health_snapshot *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->n = trainer_state_n;
    s->copy = calloc((size_t)s->n, sizeof *s->copy);
    s->bytes = calloc((size_t)s->n, sizeof *s->bytes);
    int ok = s->copy && s->bytes;
    for (int i = 0; ok && i < s->n; i++) {
        const state_field *f = &trainer_state[i];
        if (!f->snapshot || !(s->bytes[i] = f->bytes(t))) continue;
        ok = (s->copy[i] = malloc(s->bytes[i])) != NULL;
    }
    if (!ok) {
        snapshot_free(s);
        return NULL;
    }
    return s;
}

static void snapshot_take(gan_health_snapshot *s, const gan_trainer *t)
{
    s->step = t->state.step;
    for (int i = 0; i < s->n; i++)
        if (s->copy[i]) memcpy(s->copy[i], trainer_state[i].at(t), s->bytes[i]);
}

static void snapshot_restore(const gan_health_snapshot *s, gan_trainer *t)
{
    for (int i = 0; i < s->n; i++)
        if (s->copy[i]) memcpy(trainer_state[i].at(t), s->copy[i], s->bytes[i]);
}

/* GAN_OK, or GAN_ERR_NUMERIC naming the first network with a non-finite
 * parameter or buffer */
static gan_status check_finite(const gan_trainer *t, gan_error *err)
{
    const gan_net *nets[2] = { t->G, t->D };
    for (int i = 0; i < 2; i++) {
        const char *what = i ? "discriminator" : "generator";
        if (!gan_all_finite(nets[i]->params, nets[i]->nparams))
            return gan_error_set(err, GAN_ERR_NUMERIC, "step %ld: %s parameters are not finite", t->state.step, what);
        if (!gan_all_finite(nets[i]->bufs, nets[i]->nbufs))
            return gan_error_set(err, GAN_ERR_NUMERIC, "step %ld: %s buffers (batchnorm statistics) are not finite",
                                 t->state.step, what);
    }
    return GAN_OK;
}

gan_status gan_health_init(gan_health *h, const gan_trainer *t, gan_error *err)
{
    memset(h, 0, sizeof *h);
    h->c = t->cfg.spec->train.health;
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
    if (!force && (h->c.snapshot_every <= 0 || t->state.step % h->c.snapshot_every != 0)) return GAN_OK;
    if (t->state.step == h->snap->step) return GAN_OK;   /* already there */
    gan_status st = check_finite(t, err);
    if (st != GAN_OK) {
        h->failed_at = t->state.step;
        return st;
    }
    if (t->state.step > h->snap->step) h->in_a_row = 0;   /* past the trouble */
    snapshot_take(h->snap, t);
    return GAN_OK;
}

gan_status gan_health_recover(gan_health *h, gan_trainer *t, gan_status st, gan_health_event *ev,
                              gan_error *err)
{
    memset(ev, 0, sizeof *ev);
    long failed = h->failed_at ? h->failed_at : t->state.step + 1;
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
    ev->to_step = t->state.step;
    ev->retry = h->in_a_row;
    ev->lr_g = t->gopt.c.lr;
    ev->lr_d = t->dopt.c.lr;
    if (err) gan_error_clear(err);
    return GAN_OK;
}
