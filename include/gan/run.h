/* gan/run.h - a training run: the loop `ganrun train`, `resume` and
 * `reproduce` drive, for any program using libgan.
 *
 * A gan_run trains a gan_trainer up to a target step under its model's
 * train.health (a step that meets NaN or infinity rolls back, see
 * gan/health.h) and, when it has a run directory, writes it:
 *   DIR/model.yaml              expanded model (every default filled in)
 *   DIR/log.csv                 one row every output.log_every steps
 *   DIR/events.csv              one row per rollback, or the error that stopped it
 *   DIR/samples/step-N.png      grids from a fixed noise batch
 *   DIR/ckpt/step-N.ckpt        checkpoints (output.keep bounds how many)
 *   DIR/latest.ckpt             the newest checkpoint
 *   DIR/.lock                   held (flock) while the run writes; holds its pid
 *
 * The directory belongs to one run at a time: gan_run_open takes an
 * exclusive lock and fails at once (GAN_ERR_BUSY, naming the pid) while
 * another process holds it; the kernel drops the lock when a process dies,
 * so a killed run leaves no stale lock.  A new run refuses a directory
 * that already holds one (GAN_ERR_EXISTS, naming it) unless opened with
 * GAN_RUN_FORCE, which first renames the old run to DIR.old-N (the
 * smallest N free): nothing of it is deleted.  GAN_RUN_RESUME continues
 * the directory's run from the trainer's step: rows of log.csv and
 * events.csv after that step (a later life of the run that was killed)
 * are removed first, so every step appears once, and that life's
 * checkpoints and sample grids after the step (with latest.ckpt when it is
 * one of them) move to DIR/superseded/step-S, kept but out of the way of
 * the new life's files and of output.keep's pruning.
 *
 * Use:
 *     gan_run *r;
 *     gan_run_opts o = { .dir = "runs/x", .target = t->cfg.spec->train.steps };
 *     st = gan_run_open(&r, t, &o, err);
 *     if (st == GAN_OK) st = gan_run_until(r, err);   (or gan_run_step in a loop)
 *     st2 = gan_run_close(r, st, err2);   final samples and checkpoint when st is GAN_OK
 *
 * Under mpirun every rank calls the same functions; only rank 0 writes the
 * directory, and the ranks agree on every outcome (gan/dist.h).  The
 * callbacks are called on rank 0 only.
 */
#ifndef GAN_RUN_H
#define GAN_RUN_H

#include "gan/api.h"

#include <signal.h>
#include "gan/train.h"
#include "gan/health.h"

typedef struct gan_run gan_run;

enum {
    GAN_RUN_NEW = 0,      /* a new run: refuse a directory holding one */
    GAN_RUN_FORCE = 1,    /* a new run: move an existing one aside to DIR.old-N */
    GAN_RUN_RESUME = 2,   /* continue the directory's run from t->state.step */
};

/* After each step that was not rolled back. */
typedef struct gan_run_progress {
    const gan_trainer *t;
    long step, target, start_step;
    double elapsed_s;      /* since gan_run_open */
    double images_per_s;   /* over the last log interval (logged steps only) */
    int logged;            /* 1: this step wrote a row of log.csv (or would have) */
} gan_run_progress;

typedef struct gan_run_opts {
    const char *dir;       /* run directory; NULL: write nothing (reproduce) */
    long target;           /* train until t->state.step reaches it */
    int mode;              /* GAN_RUN_NEW, GAN_RUN_FORCE or GAN_RUN_RESUME */
    /* the caller sets *stop non-zero (a signal handler) to end the run
     * after the current step, with samples and a checkpoint; may be NULL */
    volatile sig_atomic_t *stop;
    void (*on_progress)(const gan_run_progress *p, void *user);
    /* a rollback happened (health: the watcher, for its configuration) */
    void (*on_rollback)(const gan_health_event *ev, const gan_health *health, void *user);
    /* gan_run_open's warnings about the data, one line each, on rank 0:
     * bad files skipped (data.on_bad_file: skip; with a dir only) and the
     * decoded-image cache's note; NULL: none */
    void (*on_warning)(const char *line, void *user);
    void *user;
} gan_run_opts;

/* Lock and prepare the run directory (rank 0), write model.yaml, open
 * log.csv, start watching t's health.  t stays the caller's; o is copied
 * (dir included). */
GAN_API gan_status gan_run_open(gan_run **out, gan_trainer *t, const gan_run_opts *o, gan_error *err);
/* 1 once the target is reached or a stop was asked for (on every rank). */
GAN_API int gan_run_done(gan_run *r);
/* One training step with its outputs: a log row, sample grid and
 * checkpoint when their cadence (output.*_every) says so.  A rollback
 * counts as a step done (the trainer is back at an earlier step). */
GAN_API gan_status gan_run_step(gan_run *r, gan_error *err);
/* gan_run_step until gan_run_done. */
GAN_API gan_status gan_run_until(gan_run *r, gan_error *err);
/* 1 when the run ended on *stop (at any rank) rather than at its target. */
GAN_API int gan_run_stopped(const gan_run *r);
/* End the run: when st (the outcome of the steps) is GAN_OK, write the
 * last sample grid and checkpoint and, on several ranks, check that the
 * parameters stayed identical; then close the log, release the lock and
 * free r.  Returns the first failure (st's own when it failed: err is then
 * left as it was). */
GAN_API gan_status gan_run_close(gan_run *r, gan_status st, gan_error *err);

/* ---- the run's directory, resuming, the notes of a reload (resume.c) --
 * A new run's directory: output.dir of spec (what model.yaml and the
 * checkpoints record), set before gan_trainer_create; a name that does not
 * fit is an error. */
GAN_API gan_status gan_run_set_dir(gan_model_spec *spec, const char *dir, gan_error *err);
/* The run directory a checkpoint belongs to: RUN for RUN/latest.ckpt and
 * RUN/ckpt/step-N.ckpt, the checkpoint's folder otherwise, "." for a name
 * without a folder. */
GAN_API void gan_run_dir_of(const char *ckpt, char *buf, size_t n);
/* Load the checkpoint at path with its data to resume it: *out trains on
 * in the run directory the checkpoint belongs to (its output.dir set to
 * it), up to *target: the checkpoint's step + more when more > 0, else
 * train.steps.  With several ranks the caller then starts the job as
 * after gan_trainer_create (gan_dist_agree, gan_dist_start). */
GAN_API gan_status gan_run_resume_load(gan_trainer **out, const char *path, long more, long *target, gan_error *err);
/* What a trainer reloaded from the checkpoint at path deserves a word
 * about, each as one line to say(): with note 0, a warning ("DATA:
 * warning: the data differs from what PATH was trained on ...") when
 * fingerprint (the checkpoint's data fingerprint; 0: not recorded) is not
 * t's; with note 1, when nranks (the ranks that wrote it; 0: do not check)
 * is not t's and train.shards < 2, that the run goes on but not bit for
 * bit.  Rank 0 only; the caller prints, or not. */
GAN_API void gan_run_notes(const gan_trainer *t, const char *path, uint64_t fingerprint, int nranks,
                           void (*say)(int note, const char *line, void *user), void *user);
/* `ganrun reproduce`: a new trainer *out at step 0, with its data, from
 * the model text of ref (a trainer loaded from the checkpoint at path,
 * which messages name). */
GAN_API gan_status gan_run_reproduce_load(gan_trainer **out, const gan_trainer *ref, const char *path,
                                          gan_error *err);
/* Compare a's and b's generators and discriminators (same model) tensor by
 * tensor: each tensor whose bits differ goes to each() with its name
 * ("g.3.conv2d.weight", "d.0.dense.bias") and max |a - b| (a NaN on one
 * side counts as infinity).  Returns how many differ (0: bit for bit). */
GAN_API int gan_run_compare(const gan_trainer *a, const gan_trainer *b,
                            void (*each)(const char *name, double max_diff, void *user), void *user);

#endif
