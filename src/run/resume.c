/* resume.c - what a run does with its directory around a reload (the
 * contract is in gan/run.h): a new run's directory in its spec, the run a
 * checkpoint belongs to, loading a checkpoint to resume it, and the notes
 * a reloaded checkpoint deserves (data changed, another rank count). */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include "gan/run.h"
#include "gan/ckpt.h"
#include "gan/dist.h"

gan_status gan_run_set_dir(gan_model_spec *spec, const char *dir, gan_error *err)
{
    if (strlen(dir) >= sizeof spec->output.dir)
        return gan_error_set(err, GAN_ERR_INVALID, "run directory name too long (%zu bytes, at most %zu)",
                             strlen(dir), sizeof spec->output.dir - 1);
    snprintf(spec->output.dir, sizeof spec->output.dir, "%s", dir);
    return GAN_OK;
}

void gan_run_dir_of(const char *ckpt, char *buf, size_t n)
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

gan_status gan_run_resume_load(gan_trainer **out, const char *path, long more, long *target, gan_error *err)
{
    *out = NULL;
    gan_trainer *t;
    gan_status st = gan_ckpt_load(&t, path, 1, err);
    if (st != GAN_OK) return st;
    char dir[sizeof t->cfg.spec->output.dir];
    gan_run_dir_of(path, dir, sizeof dir);
    if ((st = gan_run_set_dir(t->cfg.spec, dir, err)) != GAN_OK) {
        gan_trainer_free(t);
        return st;
    }
    *target = more > 0 ? t->state.step + more : t->cfg.spec->train.steps;
    *out = t;
    return GAN_OK;
}

void gan_run_notes(const gan_trainer *t, const char *path, uint64_t fingerprint, int nranks,
                   void (*say)(int note, const char *line, void *user), void *user)
{
    char line[3000];
    if (t->job.rank != 0) return;
    if (fingerprint && t->cfg.data_fingerprint != fingerprint) {
        snprintf(line, sizeof line, "%s: warning: the data differs from what %s was trained on (files, sizes or "
                 "times changed: fingerprint %016llx, the checkpoint's %016llx)", t->cfg.spec->data.path, path,
                 (unsigned long long)t->cfg.data_fingerprint, (unsigned long long)fingerprint);
        say(0, line, user);
    }
    /* train.shards > 1: the same bits on any rank count that divides it */
    if (nranks && nranks != t->job.nranks && t->cfg.spec->train.shards < 2) {
        snprintf(line, sizeof line, "note: %s was written by %d rank%s and resumes on %d: the run goes on, "
                 "but not bit for bit as it would on %d", path, nranks, nranks > 1 ? "s" : "", t->job.nranks, nranks);
        say(1, line, user);
    }
}
