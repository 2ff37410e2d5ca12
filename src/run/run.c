/* run.c - a training run (the contract is in gan/run.h): the loop of
 * steps under train.health, the output cadence, and the run directory
 * (lock, existing runs, log.csv / events.csv history, checkpoints and
 * their pruning).
 *
 * Under mpirun every rank trains and only rank 0 writes the run directory;
 * the ranks agree on the outcome of each write and on the stop flag, so an
 * error or a signal stops all of them at one step.
 */
#include "config.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "gan/run.h"
#include "gan/ckpt.h"
#include "gan/dist.h"
#include "io/io.h"

#define PATH_N 1300

struct gan_run {
    gan_trainer *t;
    gan_run_opts o;
    char dir[1024];
    int lead;            /* rank 0 with a directory: writes it */
    FILE *log;
    int lockfd;          /* -1: none */
    gan_health health;
    double t0, tlast;
    long start_step, last_step;
    int stopped;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static gan_status make_dir(const char *path, gan_error *err)
{
    char tmp[PATH_N];
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

/* model.yaml: a temporary file beside it, renamed (io/io.h) */
static gan_status write_text_atomic(const char *path, const char *text, gan_error *err)
{
    io_out o;
    gan_status st = io_out_open(&o, path, err);
    if (st != GAN_OK) return st;
    io_out_write(&o, text, strlen(text));
    return io_out_commit(&o, err);
}

/* ---- the run directory: lock, an existing run, history ------------- */

/* An exclusive flock on DIR/.lock with our pid in it.  A lock file that
 * its owner unlinked between our open and our flock is not the directory's
 * lock any more: try again with the one at the path. */
static gan_status lock_dir(const char *dir, int *fdp, gan_error *err)
{
    char p[PATH_N];
    snprintf(p, sizeof p, "%s/.lock", dir);
    for (int tries = 0; tries < 100; tries++) {
        /* never through a symbolic link, never a FIFO or a device */
        int fd = io_open_regular(p, O_RDWR | O_CREAT, err);
        if (fd < 0) return GAN_ERR_IO;
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            int e = errno;
            char buf[32] = "";
            ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
            buf[n > 0 ? n : 0] = 0;
            long pid = atol(buf);
            close(fd);
            if (e != EWOULDBLOCK)
                return gan_error_at(err, GAN_ERR_IO, p, 0, 0, "cannot lock: %s", strerror(e));
            if (pid > 0)
                return gan_error_at(err, GAN_ERR_BUSY, dir, 0, 0, "the run directory is in use by process %ld "
                                    "(it holds %s); wait for it to end or use another directory", pid, p);
            return gan_error_at(err, GAN_ERR_BUSY, dir, 0, 0, "the run directory is in use by another process "
                                "(it holds %s); wait for it to end or use another directory", p);
        }
        struct stat a, b;
        if (fstat(fd, &a) != 0 || stat(p, &b) != 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev) {
            close(fd);
            continue;
        }
        char buf[32];
        int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
        if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)n, 0) != n) {
            int e = errno;
            close(fd);
            return gan_error_at(err, GAN_ERR_IO, p, 0, 0, "cannot write the lock file: %s", strerror(e));
        }
        *fdp = fd;
        return GAN_OK;
    }
    return gan_error_at(err, GAN_ERR_IO, p, 0, 0, "cannot lock: the lock file keeps being replaced");
}

/* unlink before close: whoever opened the file meanwhile finds it gone
 * once it gets the lock, and retries */
static void unlock_dir(const char *dir, int fd)
{
    if (fd < 0) return;
    char p[PATH_N];
    snprintf(p, sizeof p, "%s/.lock", dir);
    unlink(p);
    close(fd);
}

/* the last step of a log.csv (0 when it has no row) */
static long last_logged_step(const char *path)
{
    gan_error e;
    FILE *f = io_fopen_regular(path, "r", &e);
    if (!f) return 0;
    char line[4096];
    long last = 0;
    while (fgets(line, sizeof line, f))
        if (line[0] >= '0' && line[0] <= '9') last = atol(line);
    fclose(f);
    return last;
}

/* The files that make DIR a run; *what describes the run for a message.
 * 0 when it holds none of them. */
static int holds_run(const char *dir, char *what, size_t n)
{
    static const char *const names[] = { "log.csv", "latest.ckpt", "model.yaml", "events.csv", "ckpt", "samples" };
    char p[PATH_N];
    int found = -1;
    for (int i = 0; i < 6 && found < 0; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        if (access(p, F_OK) == 0) found = i;
    }
    if (found < 0) return 0;
    char name[128] = "", line[256];
    snprintf(p, sizeof p, "%s/model.yaml", dir);
    gan_error e;
    FILE *f = io_fopen_regular(p, "r", &e);
    while (f && !name[0] && fgets(line, sizeof line, f))
        if (sscanf(line, "name: \"%127[^\"]\"", name) != 1) name[0] = 0;
    if (f) fclose(f);
    snprintf(p, sizeof p, "%s/log.csv", dir);
    long last = last_logged_step(p);
    snprintf(p, sizeof p, "%s/latest.ckpt", dir);
    int latest = access(p, F_OK) == 0;
    char where[128];
    if (last > 0) snprintf(where, sizeof where, "log.csv up to step %ld%s", last, latest ? ", latest.ckpt" : "");
    else snprintf(where, sizeof where, "%s", latest ? "latest.ckpt" : names[found]);
    if (name[0]) snprintf(what, n, "the run of model '%s' (%s)", name, where);
    else snprintf(what, n, "a run (%s)", where);
    return 1;
}

/* DIR -> DIR.old-N, the smallest N not taken; *to names it */
static gan_status move_aside(const char *dir, char *to, size_t n, gan_error *err)
{
    for (int i = 1; i < 100000; i++) {
        snprintf(to, n, "%s.old-%d", dir, i);
        struct stat ts;
        if (lstat(to, &ts) == 0) continue;   /* taken, even by a dangling symbolic link */
        if (rename(dir, to) == 0) return GAN_OK;
        if (errno == EEXIST || errno == ENOTEMPTY) continue;
        return gan_error_at(err, GAN_ERR_IO, dir, 0, 0, "cannot move the old run to %s: %s", to, strerror(errno));
    }
    return gan_error_at(err, GAN_ERR_IO, dir, 0, 0, "cannot move the old run aside: every %s.old-N is taken", dir);
}

/* Keep the header and the rows of a CSV whose first column (the step) is
 * at most `step`: a resumed run's history ends at its checkpoint.  A row
 * cut short (a killed process) goes too. */
static gan_status truncate_history(const char *path, long step, gan_error *err)
{
    /* through a descriptor of the file itself: never a link's target */
    FILE *f = io_fopen_regular(path, "r+", err);
    if (!f) return errno == ENOENT ? GAN_OK : GAN_ERR_IO;   /* none yet, or a link, a FIFO, ... */
    char line[16384];   /* rows are far shorter: a longer one counts as cut short */
    long keep = 0, off = 0;
    int header = 1;
    while (fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        int whole = len > 0 && line[len - 1] == '\n';
        if (!whole) break;
        if (header) header = 0;
        else if (atol(line) > step) break;
        off += (long)len;
        keep = off;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    int bad = keep < size && ftruncate(fileno(f), keep) != 0;
    int e = errno;
    fclose(f);
    if (bad) return gan_error_at(err, GAN_ERR_IO, path, 0, 0, "cannot truncate to step %ld: %s", step, strerror(e));
    return GAN_OK;
}

/* N of a file named step-N.EXT (the run's own names), or -1 */
static long step_of_name(const char *name, const char *ext)
{
    size_t len = strlen(name), le = strlen(ext);
    if (len < 6 + le || strncmp(name, "step-", 5) || strcmp(name + len - le, ext)) return -1;
    char *end;
    long s = strtol(name + 5, &end, 10);
    return end == name + len - le && s >= 0 ? s : -1;
}

/* the steps of DIR's files step-N.EXT, at most max of them */
static int list_steps(const char *dir, const char *ext, long *steps, int max)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < max) {
        long s = step_of_name(e->d_name, ext);
        if (s >= 0) steps[n++] = s;
    }
    closedir(d);
    return n;
}

/* newest-first removal of step checkpoints beyond `keep` */
static void prune_checkpoints(const char *dir, int keep)
{
    if (keep <= 0) return;
    long steps[4096];
    int n = list_steps(dir, ".ckpt", steps, 4096);
    for (int i = 0; i < n; i++)          /* sort descending */
        for (int j = i + 1; j < n; j++)
            if (steps[j] > steps[i]) { long t = steps[i]; steps[i] = steps[j]; steps[j] = t; }
    for (int i = keep; i < n; i++) {
        char p[PATH_N];
        snprintf(p, sizeof p, "%s/step-%08ld.ckpt", dir, steps[i]);
        unlink(p);
    }
}

/* A resume from `step` supersedes what a later life of the run wrote: its
 * checkpoints and sample grids after that step (and latest.ckpt when it is
 * one of those checkpoints) move to DIR/superseded/step-S (or step-S-K),
 * kept as they were, so that the new life's files neither overwrite them
 * nor are pruned in their place. */
static gan_status supersede_later(const char *dir, long step, gan_error *err)
{
    static const char *const sub[2] = { "ckpt", "samples" }, *const ext[2] = { ".ckpt", ".png" };
    char dest[PATH_N] = "", latest[PATH_N];
    snprintf(latest, sizeof latest, "%s/latest.ckpt", dir);
    struct stat ls;
    int have_latest = stat(latest, &ls) == 0, latest_later = 0;
    for (int k = 0; k < 2; k++) {
        char from_dir[PATH_N], to_dir[PATH_N], from[PATH_N + 32], to[PATH_N + 32];
        long steps[4096];
        snprintf(from_dir, sizeof from_dir, "%s/%s", dir, sub[k]);
        int n = list_steps(from_dir, ext[k], steps, 4096);
        for (int i = 0; i < n; i++) {
            if (steps[i] <= step) continue;
            if (!dest[0]) {   /* the first file to move: a folder no resume used yet */
                struct stat ds;
                for (int v = 1; v < 10000; v++) {
                    if (v == 1) snprintf(dest, sizeof dest, "%s/superseded/step-%08ld", dir, step);
                    else snprintf(dest, sizeof dest, "%s/superseded/step-%08ld-%d", dir, step, v);
                    if (stat(dest, &ds) != 0) break;
                }
            }
            snprintf(to_dir, sizeof to_dir, "%s/%s", dest, sub[k]);
            gan_status st = make_dir(to_dir, err);
            if (st != GAN_OK) return st;
            snprintf(from, sizeof from, "%s/step-%08ld%s", from_dir, steps[i], ext[k]);
            snprintf(to, sizeof to, "%s/step-%08ld%s", to_dir, steps[i], ext[k]);
            struct stat fs;
            if (k == 0 && have_latest && stat(from, &fs) == 0 && fs.st_ino == ls.st_ino && fs.st_dev == ls.st_dev)
                latest_later = 1;   /* latest.ckpt is a hard link to it */
            if (rename(from, to) != 0)
                return gan_error_at(err, GAN_ERR_IO, from, 0, 0, "cannot move this later checkpoint or grid "
                                    "aside to %s: %s", to_dir, strerror(errno));
        }
    }
    if (latest_later) {
        char to[PATH_N + 32];
        snprintf(to, sizeof to, "%s/latest.ckpt", dest);
        if (rename(latest, to) != 0)
            return gan_error_at(err, GAN_ERR_IO, latest, 0, 0, "cannot move aside to %s: %s", dest, strerror(errno));
    }
    return GAN_OK;
}

static gan_status write_checkpoint(gan_trainer *t, const char *dir, gan_error *err)
{
    char p[PATH_N], latest[PATH_N], tmp[PATH_N + 16];
    snprintf(p, sizeof p, "%s/ckpt/step-%08ld.ckpt", dir, t->state.step);
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
    prune_checkpoints(tmp, t->cfg.spec->output.keep);
    return GAN_OK;
}

static gan_status write_samples(gan_trainer *t, const char *dir, gan_error *err)
{
    int n = t->cfg.spec->output.samples;
    size_t S = gan_shape_size(t->cfg.data_shape);
    float *x = gan_alloc_floats((size_t)n * S);
    if (!x) return gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    gan_status st = gan_net_reserve(t->G, n, err);
    if (st == GAN_OK) {
        t->G->labels = t->cfg.yfixed;   /* conditional: class r mod K on row r */
        int swapped = gan_trainer_ema_swap(t);   /* grids of the averaged G (train.ema) */
        const float *y = gan_net_forward(t->G, t->cfg.fixed_z, n, 0);
        memcpy(x, y, (size_t)n * S * sizeof(float));
        if (swapped) gan_trainer_ema_swap(t);
        char p[PATH_N];
        snprintf(p, sizeof p, "%s/samples/step-%08ld.png", dir, t->state.step);
        int cols = (int)ceil(sqrt((double)n));
        st = gan_png_write_grid(p, x, n, t->cfg.data_shape, cols, err);
    }
    gan_free_floats(x);
    return st;
}

/* rank 0: lock the directory, deal with a run it holds, create its
 * layout, model.yaml and the log */
static gan_status open_dir(gan_run *r, gan_error *err)
{
    const char *dir = r->dir;
    gan_trainer *t = r->t;
    char p[PATH_N], what[400];
    gan_status st;
    if ((st = make_dir(dir, err)) != GAN_OK || (st = lock_dir(dir, &r->lockfd, err)) != GAN_OK) return st;
    if (r->o.mode != GAN_RUN_RESUME && holds_run(dir, what, sizeof what)) {
        if (r->o.mode != GAN_RUN_FORCE)
            return gan_error_at(err, GAN_ERR_EXISTS, dir, 0, 0, "holds %s already; a new run would "
                                "overwrite it", what);
        char to[PATH_N];
        if ((st = move_aside(dir, to, sizeof to, err)) != GAN_OK) return st;
        unlock_dir(to, r->lockfd);   /* the old run, moved with its lock file */
        r->lockfd = -1;
        if ((st = make_dir(dir, err)) != GAN_OK || (st = lock_dir(dir, &r->lockfd, err)) != GAN_OK) return st;
        if (holds_run(dir, what, sizeof what))   /* another process started one meanwhile */
            return gan_error_at(err, GAN_ERR_EXISTS, dir, 0, 0, "holds %s already", what);
    }
    if ((snprintf(p, sizeof p, "%s/samples", dir), st = make_dir(p, err)) ||
        (snprintf(p, sizeof p, "%s/ckpt", dir), st = make_dir(p, err)))
        return st;
    if (r->o.mode == GAN_RUN_RESUME) {
        if ((st = supersede_later(dir, t->state.step, err)) != GAN_OK) return st;
        snprintf(p, sizeof p, "%s/log.csv", dir);
        if ((st = truncate_history(p, t->state.step, err)) != GAN_OK) return st;
        snprintf(p, sizeof p, "%s/events.csv", dir);
        if ((st = truncate_history(p, t->state.step, err)) != GAN_OK) return st;
    }
    snprintf(p, sizeof p, "%s/model.yaml", dir);
    if ((st = write_text_atomic(p, t->cfg.model_text, err)) != GAN_OK) return st;
    snprintf(p, sizeof p, "%s/log.csv", dir);
    /* appended to, never through a symbolic link (io_fopen_regular) */
    FILE *log = io_fopen_regular(p, r->o.mode == GAN_RUN_RESUME ? "a" : "w", err);
    if (!log) return GAN_ERR_IO;
    setvbuf(log, NULL, _IOLBF, 0);   /* rows appear as they are written (tail -f) */
    struct stat ls;
    if (fstat(fileno(log), &ls) == 0 && ls.st_size == 0)
        fprintf(log, "step,epoch,d_loss,g_loss,d_real,d_fake,lr_g,lr_d,seconds,images_per_s,"
                     "gap,d_grad_norm,g_grad_norm,diversity%s\n", t->scratch.aug ? ",aug_p,aug_rt" : "");
    r->log = log;
    return GAN_OK;
}

/* DIR/events.csv: one row per training-health event (a rollback, or the
 * error that stopped the run), created on the first */
static void log_event(const gan_run *r, long step, const char *event, const gan_health_event *ev,
                      const char *reason)
{
    const gan_trainer *t = r->t;
    char p[PATH_N], why[800];
    snprintf(p, sizeof p, "%s/events.csv", r->dir);
    gan_error e;
    FILE *f = io_fopen_regular(p, "a", &e);
    if (!f) return;   /* the error or the callback says it all the same */
    struct stat es;
    if (fstat(fileno(f), &es) == 0 && es.st_size == 0) fprintf(f, "step,event,to_step,retry,lr_g,lr_d,reason\n");
    snprintf(why, sizeof why, "%s", reason);
    for (char *q = why; *q; q++)
        if (*q == '"' || *q == '\n') *q = '\'';
    if (ev) fprintf(f, "%ld,%s,%ld,%d,%.6g,%.6g,\"%s\"\n", step, event, ev->to_step, ev->retry,
                    t->gopt.c.lr, t->dopt.c.lr, why);
    else fprintf(f, "%ld,%s,,,%.6g,%.6g,\"%s\"\n", step, event, t->gopt.c.lr, t->dopt.c.lr, why);
    fclose(f);
}

/* ---- the loop ------------------------------------------------------- */

/* the data's warnings (gan_run_opts.on_warning) */
static void data_warnings(const gan_trainer *t, const gan_run_opts *o)
{
    const gan_dataset *d = t->data;
    char line[4096];
    if (!o->on_warning || t->job.rank != 0 || !d) return;
    if (o->dir && d->skipped > 0) {
        snprintf(line, sizeof line, "%s: warning: skipped %ld bad file%s (data.on_bad_file: skip); the first: %s",
                 t->cfg.spec->data.path, d->skipped, d->skipped > 1 ? "s" : "", d->skip_note);
        o->on_warning(line, o->user);
    }
    if (d->cache_note[0]) {
        snprintf(line, sizeof line, "%s: warning: decoded-image cache %s", t->cfg.spec->data.path, d->cache_note);
        o->on_warning(line, o->user);
    }
}

gan_status gan_run_open(gan_run **out, gan_trainer *t, const gan_run_opts *o, gan_error *err)
{
    data_warnings(t, o);
    *out = NULL;
    gan_run *r = calloc(1, sizeof *r);
    if (!r) return gan_dist_agree(gan_error_set(err, GAN_ERR_NOMEM, "out of memory"), err);
    r->t = t;
    r->o = *o;
    r->lockfd = -1;
    if (o->dir) {
        snprintf(r->dir, sizeof r->dir, "%s", o->dir);
        r->o.dir = r->dir;
    }
    r->lead = o->dir && t->job.rank == 0;
    gan_status st = gan_dist_agree(r->lead ? open_dir(r, err) : GAN_OK, err);
    if (st == GAN_OK) st = gan_dist_agree(gan_health_init(&r->health, t, err), err);
    else memset(&r->health, 0, sizeof r->health);
    if (st != GAN_OK) {
        if (r->log) fclose(r->log);
        unlock_dir(r->dir, r->lockfd);
        gan_health_free(&r->health);
        free(r);
        return st;
    }
    r->t0 = r->tlast = now_s();
    r->start_step = r->last_step = t->state.step;
    *out = r;
    return GAN_OK;
}

/* the caller's flag at any rank stops every rank after the same step */
int gan_run_done(gan_run *r)
{
    if (r->stopped || r->t->state.step >= r->o.target) return 1;
    int flag = r->o.stop && *r->o.stop;
    if (r->t->job.nranks > 1) flag = gan_dist_any(flag);
    r->stopped = flag;
    return flag;
}

int gan_run_stopped(const gan_run *r)
{
    return r->stopped;
}

/* One step under train.health: a numeric failure rolls back (*rolled
 * set; a row in events.csv, the callback); any other failure, or a
 * give-up, is returned. */
static gan_status health_step(gan_run *r, int *rolled, gan_error *err)
{
    gan_trainer *t = r->t;
    gan_health *h = &r->health;
    const gan_output_spec *out = &t->cfg.spec->output;
    *rolled = 0;
    gan_status st = gan_trainer_step(t, err);
    /* checkpoints and the end of the run take a snapshot: never save a
     * non-finite state, and never roll back behind a checkpoint */
    int force = t->state.step >= r->o.target || (out->checkpoint_every && t->state.step % out->checkpoint_every == 0);
    if (st == GAN_OK) st = gan_health_check(h, t, force, err);
    if (st == GAN_OK) return GAN_OK;
    long failed = h->failed_at ? h->failed_at : t->state.step + 1;
    gan_health_event ev;
    st = gan_health_recover(h, t, st, &ev, err);
    if (st != GAN_OK) {
        if (st == GAN_ERR_NUMERIC && r->lead) {
            log_event(r, failed, "stop", NULL, err->msg);
            if (h->rollbacks) {   /* say what is left to resume from */
                char p[PATH_N];
                size_t n = strlen(err->msg);
                snprintf(p, sizeof p, "%s/latest.ckpt", r->dir);
                snprintf(err->msg + n, sizeof err->msg - n, access(p, F_OK) == 0 ?
                         "; the last checkpoint is %s" : "; no checkpoint was written", p);
            }
        }
        return st;
    }
    *rolled = 1;
    if (t->job.rank > 0) return GAN_OK;   /* every rank rolled back alike; rank 0 says so */
    if (r->lead) log_event(r, ev.step, "rollback", &ev, ev.reason);
    if (r->o.on_rollback) r->o.on_rollback(&ev, h, r->o.user);
    return GAN_OK;
}

gan_status gan_run_step(gan_run *r, gan_error *err)
{
    gan_trainer *t = r->t;
    const gan_output_spec *out = &t->cfg.spec->output;
    int rolled;
    gan_status st = health_step(r, &rolled, err);
    if (st != GAN_OK || rolled) return st;   /* rolled: back at a step already logged and saved */
    long s = t->state.step;
    double tn = now_s();
    gan_run_progress p = { t, s, r->o.target, r->start_step, tn - r->t0, 0, 0 };
    if (out->log_every && s % out->log_every == 0) {
        p.logged = 1;
        p.images_per_s = (double)(s - r->last_step) * t->cfg.spec->train.batch / (tn - r->tlast + 1e-12);
        if (r->lead) {
            fprintf(r->log, "%ld,%ld,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.3f,%.1f,%.6g,%.6g,%.6g,%.6g", s,
                    t->state.epoch, t->metrics.d_loss, t->metrics.g_loss, t->metrics.d_real, t->metrics.d_fake,
                    t->gopt.lr, t->dopt.lr, tn - r->t0, p.images_per_s, t->metrics.d_real - t->metrics.d_fake,
                    t->metrics.d_grad_norm, t->metrics.g_grad_norm,
                    gan_trainer_diversity(t));
            /* train.augment: its probability p and ADA's rt = E[sign(D(real))] */
            if (t->scratch.aug) fprintf(r->log, ",%.6g,%.6g", t->state.aug_p, t->metrics.aug_rt);
            fputc('\n', r->log);
        }
        r->last_step = s;
        r->tlast = tn;
    }
    if (t->job.rank == 0 && r->o.on_progress) r->o.on_progress(&p, r->o.user);
    if (out->sample_every && s % out->sample_every == 0 && s < r->o.target &&
        (st = gan_dist_agree(r->lead ? write_samples(t, r->dir, err) : GAN_OK, err)) != GAN_OK)
        return st;
    if (out->checkpoint_every && s % out->checkpoint_every == 0 && s < r->o.target &&
        (st = gan_dist_agree(r->lead ? write_checkpoint(t, r->dir, err) : GAN_OK, err)) != GAN_OK)
        return st;
    return GAN_OK;
}

gan_status gan_run_until(gan_run *r, gan_error *err)
{
    gan_status st = GAN_OK;
    while (st == GAN_OK && !gan_run_done(r)) st = gan_run_step(r, err);
    return st;
}

gan_status gan_run_close(gan_run *r, gan_status st, gan_error *err)
{
    if (!r) return st;
    gan_trainer *t = r->t;
    gan_health_free(&r->health);
    gan_status cst = GAN_OK;
    if (r->log && fclose(r->log) != 0)
        cst = gan_error_at(err, GAN_ERR_IO, r->dir, 0, 0, "log.csv: write failed: %s", strerror(errno));
    r->log = NULL;
    if (st == GAN_OK) st = gan_dist_agree(cst, err);
    /* the end of the run, or a stop: samples and a checkpoint */
    if (st == GAN_OK && r->o.dir) {
        cst = GAN_OK;
        if (r->lead && (cst = write_samples(t, r->dir, err)) == GAN_OK) cst = write_checkpoint(t, r->dir, err);
        st = gan_dist_agree(cst, err);
    }
    /* data parallel: the ranks' parameters must have stayed byte-identical */
    if (st == GAN_OK && t->job.nranks > 1) {
        int g = gan_dist_first_different(t->G->params, t->G->nparams * sizeof(float));
        int d = gan_dist_first_different(t->D->params, t->D->nparams * sizeof(float));
        if (g >= 0 || d >= 0)
            st = gan_error_set(err, GAN_ERR_INVALID, "rank %d's %s parameters differ from rank 0's",
                               g >= 0 ? g : d, g >= 0 ? "generator" : "discriminator");
    }
    unlock_dir(r->dir, r->lockfd);
    free(r);
    return st;
}
