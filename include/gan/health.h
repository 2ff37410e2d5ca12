/* gan/health.h - training health: survive a step that meets NaN or
 * infinity.
 *
 * A gan_health watches one trainer.  With train.health.on_nan: rollback it
 * keeps a snapshot of everything the trainer carries between steps (G's
 * and D's parameters and buffers, both optimizers' moments and step
 * counts, the step, epoch, data position and order, every random stream),
 * taken every snapshot_every steps once the parameters are checked finite.
 * When a step fails with GAN_ERR_NUMERIC (a non-finite loss or gradient,
 * see gan_trainer_step) or a snapshot finds a non-finite parameter, it
 * restores the snapshot and multiplies both learning rates by lr_factor;
 * after `retries` rollbacks in a row (no new snapshot between them) it gives
 * up.  With on_nan: stop (the default) it does nothing and costs nothing:
 * the error ends the run as before.
 *
 * The snapshot holds a copy of the state (parameters, buffers, moments,
 * data order); it is never written to disk, and the rollback count starts
 * from zero on resume.  With no NaN, training is bit-identical with and
 * without it: taking a snapshot reads the state and changes nothing.
 *
 * Use (what gan_run_step does, gan/run.h):
 *     st = gan_trainer_step(t, err);
 *     if (st == GAN_OK) st = gan_health_check(h, t, checkpoint_due, err);
 *     if (st != GAN_OK) st = gan_health_recover(h, t, st, &ev, err);
 *     if (st == GAN_OK && ev.step) report the rollback and go on;
 *     if (st != GAN_OK) stop with err.
 */
#ifndef GAN_HEALTH_H
#define GAN_HEALTH_H

#include "gan/api.h"
#include "gan/train.h"

typedef struct gan_health_snapshot gan_health_snapshot;

typedef struct gan_health {
    gan_health_spec c;
    gan_health_snapshot *snap;   /* NULL with on_nan: stop */
    int in_a_row;                /* rollbacks since the last new snapshot */
    long rollbacks;              /* rollbacks in all */
    long failed_at;              /* step whose check failed, 0 if none */
} gan_health;

/* What a rollback did. */
typedef struct gan_health_event {
    long step;           /* the step that failed (1-based); 0: no rollback */
    long to_step;        /* the step the trainer is back at */
    int retry;           /* 1..retries: rollbacks in a row, this one included */
    float lr_g, lr_d;    /* learning rates from now on */
    char reason[768];    /* the error that caused it */
} gan_health_event;

/* Watch t with the configuration of its model (t->cfg.spec->train.health);
 * with rollback, take the first snapshot of t's current state (its
 * parameters must be finite). */
GAN_API gan_status gan_health_init(gan_health *h, const gan_trainer *t, gan_error *err);
GAN_API void gan_health_free(gan_health *h);

/* After a step that succeeded: take a snapshot when t->state.step is a multiple
 * of snapshot_every, or when force is set (before a checkpoint, at the end
 * of a run).  A snapshot first checks every parameter and buffer of G and
 * D: a non-finite value is GAN_ERR_NUMERIC (then call gan_health_recover),
 * and the previous snapshot is kept.  No-op with on_nan: stop. */
GAN_API gan_status gan_health_check(gan_health *h, gan_trainer *t, int force, gan_error *err);

/* After a step or a check that failed with st: when st is GAN_ERR_NUMERIC,
 * on_nan is rollback and fewer than `retries` rollbacks happened in a row,
 * restore the snapshot, scale both learning rates by lr_factor, describe it
 * in *ev and return GAN_OK.  Otherwise ev->step = 0 and st is returned with
 * err (a give-up adds the number of rollbacks to the message). */
GAN_API gan_status gan_health_recover(gan_health *h, gan_trainer *t, gan_status st, gan_health_event *ev,
                              gan_error *err);

/* 1 when every one of the n values is finite. */
GAN_API int gan_all_finite(const float *x, size_t n);
#endif
