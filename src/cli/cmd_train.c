/* cmd_train.c - `ganrun train` and `ganrun resume`: thin callers of the
 * library's run (gan/run.h owns the loop, the cadence of logs, samples and
 * checkpoints, the run directory and its lock, health and rollback); here
 * are the options, the signal handler that sets the run's stop flag, and
 * what the terminal shows.
 */
#include "config.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli/cli.h"


static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    if (stop_signal && sig == SIGINT) _exit(130);   /* second ^C: at once */
    stop_signal = sig;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Data parallel: the ranks' outcomes of a step that only rank 0 did (or
 * that each did alone) become one; printed once, by rank 0. */
static int agreed(gan_status st, gan_error *err)
{
    st = gan_dist_agree(st, err);
    if (st != GAN_OK) cli_error(err);
    return st == GAN_OK;
}

/* what the terminal shows of a run (rank 0) */
typedef struct show {
    int tty, quiet;
    long plain_every;
} show;

static void on_progress(const gan_run_progress *p, void *user)
{
    const show *w = user;
    const gan_trainer *t = p->t;
    long s = p->step;
    if (w->tty && p->logged) {
        double rate = (double)(s - p->start_step) / (p->elapsed_s + 1e-12);
        fprintf(stderr, "\rstep %ld/%ld  d_loss %.4f  g_loss %.4f  D(x) %.3f  D(G(z)) %.3f  %.0f img/s  ETA %.0fs   ",
                s, p->target, t->metrics.d_loss, t->metrics.g_loss, t->metrics.d_real, t->metrics.d_fake,
                p->images_per_s,
                (double)(p->target - s) / (rate + 1e-12));
    }
    if (!w->tty && !w->quiet && (s % w->plain_every == 0 || s == p->target))
        fprintf(stderr, "step %ld/%ld d_loss %.4f g_loss %.4f D(x) %.3f D(G(z)) %.3f %.1fs\n", s,
                p->target, t->metrics.d_loss, t->metrics.g_loss, t->metrics.d_real, t->metrics.d_fake, p->elapsed_s);
}

/* a reloaded checkpoint's warnings and notes (gan_run_notes) */
void cli_say(int note, const char *line, void *user)
{
    const int *quiet = user;
    if (!note) fprintf(stderr, "%s\n", line);
    else if (!*quiet) fprintf(stderr, "ganrun: %s\n", line);
}

/* the one line a rollback gets (train, resume and reproduce alike) */
static void on_rollback(const gan_health_event *ev, const gan_health *h, void *user)
{
    const show *w = user;
    if (w && w->tty) fputc('\n', stderr);   /* off the progress line */
    fprintf(stderr, "ganrun: %s; rolled back to step %ld, learning rates G %.3g D %.3g "
            "(rollback %d of %d in a row)\n", ev->reason, ev->to_step, ev->lr_g, ev->lr_d,
            ev->retry, h->c.retries);
}

static void on_warning(const char *line, void *user)
{
    (void)user;
    fprintf(stderr, "%s\n", cli_esc(line));
}

int cli_run(gan_trainer *t, const char *dir, long target, int mode, int quiet)
{
    gan_error err;
    gan_error_clear(&err);
    int lead = t->job.rank == 0;   /* the one rank that writes */
    long total = target - t->state.step;
    show w = { lead && dir && isatty(2) && !quiet, quiet || !lead || !dir, 0 };
    w.plain_every = total / 20 > t->cfg.spec->output.log_every ? total / 20 : t->cfg.spec->output.log_every;
    if (w.plain_every < 1) w.plain_every = 1;
    gan_run_opts o = { .dir = dir, .target = target, .mode = mode, .stop = dir ? &stop_signal : NULL,
                       .on_progress = on_progress, .on_rollback = on_rollback, .on_warning = on_warning,
                       .user = &w };

    if (dir) {   /* ^C or SIGTERM: stop after this step, with a checkpoint */
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
    }

    long start_step = t->state.step;
    double t0 = now_s();
    gan_run *r;
    gan_status st = gan_run_open(&r, t, &o, &err);
    if (st == GAN_ERR_EXISTS && lead) {
        size_t n = strlen(err.msg);
        snprintf(err.msg + n, sizeof err.msg - n, "; train with --out OTHER_DIR, or with --force to move "
                 "the old run aside to %s.old-N", dir);
    }
    if (st != GAN_OK) {
        cli_error(&err);
        return EXIT_ERR;
    }
    st = gan_run_until(r, &err);
    if (w.tty) fprintf(stderr, "\n");
    int stopped = gan_run_stopped(r);
    if (gan_run_close(r, st, &err) != GAN_OK) {
        cli_error(&err);
        return EXIT_ERR;
    }
    if (t->job.nranks > 1 && !w.quiet)
        fprintf(stderr, "ganrun: %d ranks, parameters identical on every rank\n", t->job.nranks);
    if (stopped) {
        if (lead)
            fprintf(stderr, "ganrun: stopped by signal at step %ld; checkpoint %s/latest.ckpt\n", t->state.step, dir);
        return stop_signal == SIGINT ? 130 : 143;
    }
    if (!w.quiet)
        fprintf(stderr, "ganrun: trained %ld steps in %.1fs; run directory %s\n", t->state.step - start_step,
                now_s() - t0, dir);
    return EXIT_OK;
}

/* tests/mpi.sh: GANRUN_TEST_FAIL_RANK=K makes rank K fail as if it could
 * not read its data, to check that the whole job stops with one message. */
static gan_status test_fault(gan_status st, gan_error *err)
{
    const char *k = getenv("GANRUN_TEST_FAIL_RANK");
    if (st == GAN_OK && k && *k && atoi(k) == gan_dist_rank())
        st = gan_error_set(err, GAN_ERR_IO, "cannot read the data set (injected by GANRUN_TEST_FAIL_RANK=%s)", k);
    return st;
}

int cmd_train(int argc, char **argv)
{
    cli_model_args m = { .nsets = 0 };
    int quiet = 0, force = 0;
    const char *model = NULL, *outdir = NULL;
    const cli_opt opts[] = {
        { "--out", NULL, CLI_STR, &outdir, 0, 0, NULL },
        { "--quiet", "-q", CLI_FLAG, &quiet, 0, 0, NULL },
        { "--force", NULL, CLI_FLAG, &force, 0, 0, NULL },
        { NULL, NULL, CLI_FLAG, NULL, 0, 0, NULL },
    };
    int rc = cli_parse("train", argc, argv, opts, &m, &model, 1, NULL, "model file");
    if (rc != EXIT_OK) return rc;

    gan_error err;
    gan_error_clear(&err);
    gan_model_spec *spec = cli_model_load(model, &m);
    if (!spec) return EXIT_ERR;
    if (outdir && gan_run_set_dir(spec, outdir, &err) != GAN_OK) {
        cli_error(&err);
        gan_model_free(spec);
        return EXIT_ERR;
    }
    gan_trainer *t;
    gan_status st = gan_trainer_create(&t, spec, 1, &err);
    st = test_fault(st, &err);
    /* every rank loaded its data (or none goes on), then rank 0's
     * parameters to all */
    if (!agreed(st, &err) || !agreed(gan_dist_start(t, &err), &err)) {
        gan_trainer_free(t);
        return EXIT_ERR;
    }
    rc = cli_run(t, t->cfg.spec->output.dir, t->cfg.spec->train.steps, force ? GAN_RUN_FORCE : GAN_RUN_NEW, quiet);
    gan_trainer_free(t);
    return rc;
}

int cmd_resume(int argc, char **argv)
{
    long more = -1;
    int quiet = 0;
    const cli_opt opts[] = {
        { "--steps", NULL, CLI_LONG, &more, 1, 1e18, "a positive integer" },
        { "--quiet", "-q", CLI_FLAG, &quiet, 0, 0, NULL },
        { NULL, NULL, CLI_FLAG, NULL, 0, 0, NULL },
    };
    char path[1200];
    int rc = cli_parse_ckpt("resume", argc, argv, opts, path, sizeof path);
    if (rc != EXIT_OK) return rc;
    gan_error err;
    gan_error_clear(&err);
    gan_trainer *t;
    long target;
    gan_status st = gan_run_resume_load(&t, path, more, &target, &err);
    st = test_fault(st, &err);
    if (!agreed(st, &err) || !agreed(gan_dist_start(t, &err), &err)) {
        gan_trainer_free(t);
        return EXIT_ERR;
    }
    gan_run_notes(t, path, t->loaded.data_fingerprint, t->loaded.nranks ? t->loaded.nranks : 1, cli_say, &quiet);
    if (t->state.step >= target) {
        if (!quiet && t->job.rank == 0)
            fprintf(stderr, "ganrun: %s is at step %ld, nothing to do (train.steps %ld; use --steps N)\n",
                            path, t->state.step, t->cfg.spec->train.steps);
        rc = EXIT_OK;
    } else {
        rc = cli_run(t, t->cfg.spec->output.dir, target, GAN_RUN_RESUME, quiet);
    }
    gan_trainer_free(t);
    return rc;
}
