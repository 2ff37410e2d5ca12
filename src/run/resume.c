/* resume.c - what a run does with its directory around a reload (the
 * contract is in gan/run.h): a new run's directory in its spec, the run a
 * checkpoint belongs to, loading a checkpoint to resume it, and the notes
 * a reloaded checkpoint deserves (data changed, another rank count), and
 * reproducing a checkpoint (a fresh trainer of its model, the comparison). */
#include "config.h"
#include <math.h>
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

gan_status gan_run_reproduce_load(gan_trainer **out, const gan_trainer *ref, const char *path, gan_error *err)
{
    *out = NULL;
    gan_model_spec *spec;
    const char *text = ref->cfg.model_text;
    gan_status st = gan_model_load_string(&spec, text, strlen(text), path, NULL, 0, err);
    return st == GAN_OK ? gan_trainer_create(out, spec, 1, err) : st;
}

/* max |a - b| over n floats; a NaN mismatch counts as infinity */
static double max_diff(const float *a, const float *b, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - (double)b[i]);
        if (d != d) d = INFINITY;
        if (d > m) m = d;
    }
    return m;
}

static int compare_nets(const char *which, const gan_net *a, const gan_net *b,
                        void (*each)(const char *, double, void *), void *user)
{
    int differ = 0;
    for (int i = 0; i < a->n; i++) {
        const gan_layer *la = &a->layers[i], *lb = &b->layers[i];
        for (int k = 0; k < la->ntensors; k++) {
            const gan_tensor_info *ti = &la->tensors[k];
            const float *pa = (ti->is_buffer ? la->bufs : la->params) + ti->offset;
            const float *pb = (ti->is_buffer ? lb->bufs : lb->params) + ti->offset;
            if (memcmp(pa, pb, ti->size * sizeof(float)) == 0) continue;
            differ++;
            char name[256];
            snprintf(name, sizeof name, "%s.%d.%s.%s", which, i, la->type->name, ti->name);
            each(name, max_diff(pa, pb, ti->size), user);
        }
    }
    return differ;
}

int gan_run_compare(const gan_trainer *a, const gan_trainer *b,
                    void (*each)(const char *name, double max_diff, void *user), void *user)
{
    int differ = compare_nets("g", a->G, b->G, each, user);
    return differ + compare_nets("d", a->D, b->D, each, user);
}
