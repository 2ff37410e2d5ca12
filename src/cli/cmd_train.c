/* cmd_train.c - `ganrun train` and `ganrun resume`: the run loop around
 * gan_trainer_step with logs, sample grids, checkpoints and signals.
 *
 * Run directory layout:
 *   RUN/model.yaml              expanded model (every default filled in)
 *   RUN/log.csv                 one row every output.log_every steps
 *   RUN/samples/step-N.png      grids from a fixed noise batch
 *   RUN/ckpt/step-N.ckpt        checkpoints (output.keep bounds how many)
 *   RUN/latest.ckpt             the newest checkpoint
 *
 * Under mpirun (gan/dist.h) every rank trains and only rank 0 writes the
 * run directory; the ranks agree on the outcome of each write, on data
 * loading and on signals, so an error or ^C stops all of them at one step.
 */
#include "config.h"
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "cli/cli.h"

#define MAX_SETS 64

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

static gan_status make_dir(const char *path, gan_error *err)
{
    char tmp[1200];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
            return gan_error_at(err, GAN_ERR_IO, tmp, 0, 0, "cannot create directory: %s", strerror(errno));
        *p = '/';
    }
    if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
        return gan_error_at(err, GAN_ERR_IO, tmp, 0, 0, "cannot create directory: %s", strerror(errno));
    return GAN_OK;
}

static gan_status write_text_atomic(const char *path, const char *text, gan_error *err)
{
    char tmp[1300];
    snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) return gan_error_at(err, GAN_ERR_IO, path, 0, 0, "cannot write: %s", strerror(errno));
    fchmod(fd, 0644);   /* mkstemp makes 0600; the run's files are for reading */
    FILE *f = fdopen(fd, "w");
    int ok = f && fputs(text, f) >= 0;
    ok = f && fclose(f) == 0 && ok;
    if (!f) close(fd);
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return gan_error_at(err, GAN_ERR_IO, path, 0, 0, "cannot write: %s", strerror(e));
    }
    return GAN_OK;
}

/* newest-first removal of step checkpoints beyond `keep` */
static void prune_checkpoints(const char *dir, int keep)
{
    if (keep <= 0) return;
    DIR *d = opendir(dir);
    if (!d) return;
    long steps[4096];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 4096) {
        /* only our own names: step-NNNNNNNN.ckpt */
        char *end;
        size_t len = strlen(e->d_name);
        if (len < 10 || strncmp(e->d_name, "step-", 5) || strcmp(e->d_name + len - 5, ".ckpt")) continue;
        long s = strtol(e->d_name + 5, &end, 10);
        if (end == e->d_name + len - 5 && s >= 0) steps[n++] = s;
    }
    closedir(d);
    for (int i = 0; i < n; i++)          /* sort descending */
        for (int j = i + 1; j < n; j++)
            if (steps[j] > steps[i]) { long t = steps[i]; steps[i] = steps[j]; steps[j] = t; }
    for (int i = keep; i < n; i++) {
        char p[1300];
        snprintf(p, sizeof p, "%s/step-%08ld.ckpt", dir, steps[i]);
        unlink(p);
    }
}

typedef struct run_opts {
    const char *dir;
    long target;        /* stop when t->step reaches it */
    int quiet;
    int resumed;
} run_opts;

static gan_status write_checkpoint(gan_trainer *t, const char *dir, gan_error *err)
{
    char p[1300], latest[1300], tmp[1400];
    snprintf(p, sizeof p, "%s/ckpt/step-%08ld.ckpt", dir, t->step);
    snprintf(latest, sizeof latest, "%s/latest.ckpt", dir);
    gan_status st = gan_ckpt_save(t, p, err);
    if (st != GAN_OK) return st;
    /* latest.ckpt: a hard link to the step file, swapped in atomically */
    snprintf(tmp, sizeof tmp, "%s.tmp.link", latest);
    unlink(tmp);
    if (link(p, tmp) != 0 || rename(tmp, latest) != 0) {
        unlink(tmp);
        st = gan_ckpt_save(t, latest, err);
        if (st != GAN_OK) return st;
    }
    snprintf(tmp, sizeof tmp, "%s/ckpt", dir);
    prune_checkpoints(tmp, t->spec->output.keep);
    return GAN_OK;
}

static gan_status write_samples(gan_trainer *t, const char *dir, gan_error *err)
{
    int n = t->spec->output.samples;
    size_t S = gan_shape_size(t->data_shape);
    float *x = gan_alloc_floats((size_t)n * S);
    if (!x) return gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    gan_status st = gan_net_reserve(t->G, n, err);
    if (st == GAN_OK) {
        t->G->labels = t->yfixed;   /* conditional: class r mod K on row r */
        int swapped = gan_trainer_ema_swap(t);   /* grids of the averaged G (train.ema) */
        const float *y = gan_net_forward(t->G, t->fixed_z, n, 0);
        memcpy(x, y, (size_t)n * S * sizeof(float));
        if (swapped) gan_trainer_ema_swap(t);
        char p[1300];
        snprintf(p, sizeof p, "%s/samples/step-%08ld.png", dir, t->step);
        int cols = (int)ceil(sqrt((double)n));
        st = gan_png_write_grid(p, x, n, t->data_shape, cols, err);
    }
    gan_free_floats(x);
    return st;
}

/* Data parallel: the ranks' outcomes of a step that only rank 0 did (or
 * that each did alone) become one; printed once, by rank 0. */
static int agreed(gan_status st, gan_error *err)
{
    st = gan_dist_agree(st, err);
    if (st != GAN_OK) cli_error(err);
    return st == GAN_OK;
}

/* ^C or SIGTERM at any rank stops every rank after the same step. */
static int stopping(const gan_trainer *t)
{
    if (t->nranks == 1) return stop_signal != 0;
    int any = gan_dist_any(stop_signal);
    if (any && !stop_signal) stop_signal = SIGTERM;
    return any;
}

/* rank 0: the run directory, model.yaml and the log, opened */
static gan_status open_run_dir(gan_trainer *t, const run_opts *o, FILE **logp, gan_error *err)
{
    char p[1300];
    gan_status st;
    if ((st = make_dir(o->dir, err)) || (snprintf(p, sizeof p, "%s/samples", o->dir), st = make_dir(p, err)) ||
        (snprintf(p, sizeof p, "%s/ckpt", o->dir), st = make_dir(p, err)))
        return st;
    snprintf(p, sizeof p, "%s/model.yaml", o->dir);
    if ((st = write_text_atomic(p, t->model_text, err)) != GAN_OK) return st;
    snprintf(p, sizeof p, "%s/log.csv", o->dir);
    FILE *log = fopen(p, o->resumed ? "a" : "w");
    if (!log) return gan_error_at(err, GAN_ERR_IO, p, 0, 0, "cannot open log: %s", strerror(errno));
    setvbuf(log, NULL, _IOLBF, 0);   /* rows appear as they are written (tail -f) */
    if (!o->resumed || ftell(log) == 0)
        fprintf(log, "step,epoch,d_loss,g_loss,d_real,d_fake,lr_g,lr_d,seconds,images_per_s,"
                     "gap,d_grad_norm,g_grad_norm,diversity%s\n", t->aug ? ",aug_p,aug_rt" : "");
    *logp = log;
    return GAN_OK;
}

/* RUN/events.csv: one row per training-health event (a rollback, or the
 * error that stopped the run), created on the first */
static void log_event(const char *dir, long step, const char *event, const gan_health_event *ev,
                      const gan_trainer *t, const char *reason)
{
    char p[1300], why[800];
    snprintf(p, sizeof p, "%s/events.csv", dir);
    FILE *f = fopen(p, "a");
    if (!f) return;   /* the line on stderr says it all the same */
    if (ftell(f) == 0) fprintf(f, "step,event,to_step,retry,lr_g,lr_d,reason\n");
    snprintf(why, sizeof why, "%s", reason);
    for (char *q = why; *q; q++)
        if (*q == '"' || *q == '\n') *q = '\'';
    if (ev) fprintf(f, "%ld,%s,%ld,%d,%.6g,%.6g,\"%s\"\n", step, event, ev->to_step, ev->retry,
                    t->gopt.c.lr, t->dopt.c.lr, why);
    else fprintf(f, "%ld,%s,,,%.6g,%.6g,\"%s\"\n", step, event, t->gopt.c.lr, t->dopt.c.lr, why);
    fclose(f);
}

/* One training step under train.health: a numeric failure rolls back (one
 * line on stderr, a row in events.csv; *rolled set); any other failure, or
 * a give-up, is returned. */
static gan_status health_step(gan_trainer *t, gan_health *h, const run_opts *o, int *rolled,
                              gan_error *err)
{
    *rolled = 0;
    const gan_output_spec *out = &t->spec->output;
    gan_status st = gan_trainer_step(t, err);
    /* checkpoints and the end of the run take a snapshot: never save a
     * non-finite state, and never roll back behind a checkpoint */
    int force = t->step >= o->target || (out->checkpoint_every && t->step % out->checkpoint_every == 0);
    if (st == GAN_OK) st = gan_health_check(h, t, force, err);
    if (st == GAN_OK) return GAN_OK;
    long failed = h->failed_at ? h->failed_at : t->step + 1;
    gan_health_event ev;
    st = gan_health_recover(h, t, st, &ev, err);
    if (st != GAN_OK) {
        if (st == GAN_ERR_NUMERIC) {
            if (t->rank == 0) log_event(o->dir, failed, "stop", NULL, t, err->msg);
            if (h->rollbacks) {   /* say what is left to resume from */
                char p[1300];
                size_t n = strlen(err->msg);
                snprintf(p, sizeof p, "%s/latest.ckpt", o->dir);
                snprintf(err->msg + n, sizeof err->msg - n, access(p, F_OK) == 0 ?
                         "; the last checkpoint is %s" : "; no checkpoint was written", p);
            }
        }
        return st;
    }
    *rolled = 1;
    if (t->rank > 0) return GAN_OK;   /* every rank rolled back alike; rank 0 says so */
    if (isatty(2) && !o->quiet) fputc('\n', stderr);   /* off the progress line */
    fprintf(stderr, "ganrun: %s; rolled back to step %ld, learning rates G %.3g D %.3g "
            "(rollback %d of %d in a row)\n", ev.reason, ev.to_step, ev.lr_g, ev.lr_d,
            ev.retry, h->c.retries);
    log_event(o->dir, ev.step, "rollback", &ev, t, ev.reason);
    return GAN_OK;
}

static int run(gan_trainer *t, const run_opts *o)
{
    gan_error err;
    gan_error_clear(&err);
    const gan_output_spec *out = &t->spec->output;
    FILE *log = NULL;
    int lead = t->rank == 0;   /* the one rank that writes */
    if (!agreed(lead ? open_run_dir(t, o, &log, &err) : GAN_OK, &err)) {
        if (log) fclose(log);
        return EXIT_ERR;
    }

    if (lead && t->data && t->data->skipped > 0)
        fprintf(stderr, "%s: warning: skipped %ld bad file%s (data.on_bad_file: skip); the first: %s\n",
                t->spec->data.path, t->data->skipped, t->data->skipped > 1 ? "s" : "", t->data->skip_note);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    int tty = lead && isatty(2) && !o->quiet;
    int quiet = o->quiet || !lead;
    long start_step = t->step, total = o->target - start_step;
    long plain_every = total / 20 > out->log_every ? total / 20 : out->log_every;
    double t0 = now_s(), tlast = t0;
    long last_step = t->step;
    int rc = EXIT_OK;
    int batch = t->spec->train.batch;

    gan_health health;
    if (!agreed(gan_health_init(&health, t, &err), &err)) {
        if (log) fclose(log);
        return EXIT_ERR;
    }
    while (t->step < o->target && !stopping(t)) {
        int rolled;
        if (health_step(t, &health, o, &rolled, &err) != GAN_OK) {
            cli_error(&err);
            rc = EXIT_ERR;
            break;
        }
        if (rolled) continue;   /* back at a step already logged and saved */
        long s = t->step;
        double tn = now_s();
        if (lead && out->log_every && s % out->log_every == 0) {
            double ips = (double)(s - last_step) * batch / (tn - tlast + 1e-12);
            fprintf(log, "%ld,%ld,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.3f,%.1f,%.6g,%.6g,%.6g,%.6g", s,
                    t->epoch, t->d_loss, t->g_loss, t->d_real, t->d_fake, t->gopt.lr, t->dopt.lr,
                    tn - t0, ips, t->d_real - t->d_fake, t->d_grad_norm, t->g_grad_norm,
                    gan_trainer_diversity(t));
            /* train.augment: its probability p and ADA's rt = E[sign(D(real))] */
            if (t->aug) fprintf(log, ",%.6g,%.6g", t->aug_p, t->aug_rt);
            fputc('\n', log);
            if (tty) {
                double rate = (double)(s - start_step) / (tn - t0 + 1e-12);
                fprintf(stderr, "\rstep %ld/%ld  d_loss %.4f  g_loss %.4f  D(x) %.3f  D(G(z)) %.3f  %.0f img/s  ETA %.0fs   ",
                        s, o->target, t->d_loss, t->g_loss, t->d_real, t->d_fake, ips,
                        (double)(o->target - s) / (rate + 1e-12));
            }
            last_step = s;
            tlast = tn;
        }
        if (!tty && !quiet && (s % plain_every == 0 || s == o->target))
            fprintf(stderr, "step %ld/%ld d_loss %.4f g_loss %.4f D(x) %.3f D(G(z)) %.3f %.1fs\n", s,
                    o->target, t->d_loss, t->g_loss, t->d_real, t->d_fake, tn - t0);
        if (out->sample_every && s % out->sample_every == 0 && s < o->target &&
            !agreed(lead ? write_samples(t, o->dir, &err) : GAN_OK, &err)) {
            rc = EXIT_ERR;
            break;
        }
        if (out->checkpoint_every && s % out->checkpoint_every == 0 && s < o->target &&
            !agreed(lead ? write_checkpoint(t, o->dir, &err) : GAN_OK, &err)) {
            rc = EXIT_ERR;
            break;
        }
    }
    gan_health_free(&health);
    if (tty) fprintf(stderr, "\n");
    gan_status st = GAN_OK;
    if (log && fclose(log) != 0)
        st = gan_error_at(&err, GAN_ERR_IO, o->dir, 0, 0, "log.csv: write failed: %s", strerror(errno));
    if (!agreed(st, &err)) rc = EXIT_ERR;
    if (rc != EXIT_OK) return rc;
    /* the end of the run, or a signal: samples and a checkpoint */
    if (lead && (st = write_samples(t, o->dir, &err)) == GAN_OK) st = write_checkpoint(t, o->dir, &err);
    if (!agreed(st, &err)) return EXIT_ERR;
    /* data parallel: the ranks' parameters must have stayed byte-identical */
    if (t->nranks > 1) {
        int g = gan_dist_first_different(t->G->params, t->G->nparams * sizeof(float));
        int d = gan_dist_first_different(t->D->params, t->D->nparams * sizeof(float));
        if (g >= 0 || d >= 0) {
            if (lead) fprintf(stderr, "ganrun: error: rank %d's %s parameters differ from rank 0's\n",
                              g >= 0 ? g : d, g >= 0 ? "generator" : "discriminator");
            return EXIT_ERR;
        }
        if (!quiet) fprintf(stderr, "ganrun: %d ranks, parameters identical on every rank\n", t->nranks);
    }
    if (stop_signal) {
        if (lead) fprintf(stderr, "ganrun: stopped by signal at step %ld; checkpoint %s/latest.ckpt\n", t->step, o->dir);
        return stop_signal == SIGINT ? 130 : 143;
    }
    if (!quiet)
        fprintf(stderr, "ganrun: trained %ld steps in %.1fs; run directory %s\n", t->step - start_step,
                now_s() - t0, o->dir);
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
    const char *sets[MAX_SETS + 1];
    char steps_set[64];
    int nsets = 0, quiet = 0;
    const char *model = NULL, *outdir = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--set") || !strcmp(a, "--steps") || !strcmp(a, "--out")) {
            if (i + 1 >= argc) return cli_usage("train", "option '%s' needs a value", a);
            const char *v = argv[++i];
            if (!strcmp(a, "--out")) outdir = v;
            else if (nsets >= MAX_SETS) return cli_usage("train", "too many --set options");
            else if (!strcmp(a, "--set")) sets[nsets++] = v;
            else {
                if (cli_parse_long(v) < 1) return cli_usage("train", "--steps needs a positive integer, not '%s'", v);
                snprintf(steps_set, sizeof steps_set, "train.steps=%s", v);
                sets[nsets++] = steps_set;
            }
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            quiet = 1;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage("train", "unknown option '%s'", a);
        } else if (model) {
            return cli_usage("train", "more than one model file ('%s' and '%s')", model, a);
        } else {
            model = a;
        }
    }
    if (!model) return cli_usage("train", "missing model file");

    gan_error err;
    gan_error_clear(&err);
    gan_model_spec *spec;
    if (gan_model_load(&spec, model, sets, nsets, &err) != GAN_OK) {
        cli_error(&err);
        return EXIT_ERR;
    }
    if (outdir) snprintf(spec->output.dir, sizeof spec->output.dir, "%s", outdir);
    gan_trainer *t;
    gan_status st = gan_trainer_create(&t, spec, 1, &err);
    st = test_fault(st, &err);
    /* every rank loaded its data (or none goes on), then rank 0's
     * parameters to all */
    if (!agreed(st, &err) || !agreed(gan_dist_start(t, &err), &err)) {
        gan_trainer_free(t);
        return EXIT_ERR;
    }
    run_opts o = { t->spec->output.dir, t->spec->train.steps, quiet, 0 };
    int rc = run(t, &o);
    gan_trainer_free(t);
    return rc;
}

/* RUN/ckpt/step-N.ckpt and RUN/latest.ckpt both belong to RUN */
static void run_dir_of(const char *ckpt, char *buf, size_t n)
{
    snprintf(buf, n, "%s", ckpt);
    char *s = strrchr(buf, '/');
    if (!s) {
        snprintf(buf, n, ".");
        return;
    }
    *s = 0;
    s = strrchr(buf, '/');
    const char *base = s ? s + 1 : buf;
    if (!strcmp(base, "ckpt")) {
        if (s) *s = 0;
        else snprintf(buf, n, ".");
    }
}

int cmd_resume(int argc, char **argv)
{
    const char *ckpt = NULL;
    long more = -1;
    int quiet = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--steps")) {
            if (i + 1 >= argc || (more = cli_parse_long(argv[++i])) < 1)
                return cli_usage("resume", "--steps needs a positive integer");
        } else if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q")) {
            quiet = 1;
        } else if (argv[i][0] == '-') {
            return cli_usage("resume", "unknown option '%s'", argv[i]);
        } else if (ckpt) {
            return cli_usage("resume", "more than one checkpoint");
        } else {
            ckpt = argv[i];
        }
    }
    if (!ckpt) return cli_usage("resume", "missing checkpoint");
    char path[1200], dir[1200];
    cli_ckpt_path(ckpt, path, sizeof path);
    gan_error err;
    gan_error_clear(&err);
    gan_trainer *t;
    gan_status st = gan_ckpt_load(&t, path, 1, &err);
    st = test_fault(st, &err);
    if (!agreed(st, &err) || !agreed(gan_dist_start(t, &err), &err)) {
        gan_trainer_free(t);
        return EXIT_ERR;
    }
    if (t->rank == 0 && t->ckpt_data_fingerprint && t->data_fingerprint != t->ckpt_data_fingerprint)
        fprintf(stderr, "%s: warning: the data differs from what %s was trained on (files, sizes or times "
                        "changed: fingerprint %016llx, the checkpoint's %016llx)\n", t->spec->data.path, path,
                (unsigned long long)t->data_fingerprint, (unsigned long long)t->ckpt_data_fingerprint);
    int was = t->ckpt_nranks ? t->ckpt_nranks : 1;
    if (was != t->nranks && !quiet && t->rank == 0)
        fprintf(stderr, "ganrun: note: %s was written by %d rank%s and resumes on %d: the run goes on, "
                        "but not bit for bit as it would on %d\n", path, was, was > 1 ? "s" : "", t->nranks, was);
    run_dir_of(path, dir, sizeof dir);
    long target = more > 0 ? t->step + more : t->spec->train.steps;
    snprintf(t->spec->output.dir, sizeof t->spec->output.dir, "%s", dir);
    run_opts o = { dir, target, quiet, 1 };
    int rc;
    if (t->step >= target) {
        if (!quiet && t->rank == 0) fprintf(stderr, "ganrun: %s is at step %ld, nothing to do (train.steps %ld; use --steps N)\n",
                            path, t->step, t->spec->train.steps);
        rc = EXIT_OK;
    } else {
        rc = run(t, &o);
    }
    gan_trainer_free(t);
    return rc;
}
