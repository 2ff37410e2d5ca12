/* cond.c - class labels of a conditional GAN (data.classes > 0).
 *
 * The networks see labels through gan_net.labels (the embed and project
 * layers read them).  Per D step the real batch carries its data labels;
 * fakes get labels drawn uniformly from the noise stream, right after
 * their noise, so a resumed run draws the same labels (the noise stream is
 * checkpointed) and an unconditional run draws exactly what it drew
 * before.  Sample grids put class r mod K on row r.
 */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include "train/cond.h"

void gan_cond_grid_labels(int *y, int n, int cols, int K)
{
    if (cols < 1) cols = 1;
    for (int i = 0; i < n; i++) y[i] = K > 0 ? (i / cols) % K : 0;
}

gan_status cond_init(gan_trainer *t, int ns, gan_error *err)
{
    const gan_model_spec *m = t->cfg.spec;
    int K = m->data.classes;
    t->cfg.classes = K;
    if (K == 0) return GAN_OK;
    const gan_dataset *d = t->data;
    const char *where = m->data.labels[0] ? m->data.labels : m->data.path[0] ? m->data.path : m->source;
    if (d && !d->labels)
        return gan_error_at(err, GAN_ERR_INVALID, m->data.path[0] ? m->data.path : m->source, 0, 0,
                            "data.classes is %d but the data has no labels (expected data.labels for idx, "
                            "data.label_column for csv, or cifar10)", K);
    if (d)
        for (long i = 0; i < d->n; i++)
            if (d->labels[i] < 0 || d->labels[i] >= K)
                return gan_error_at(err, GAN_ERR_INVALID, where, 0, 0,
                                    "sample %ld has label %d, expected 0..%d (data.classes %d)",
                                    i + 1, d->labels[i], K - 1, K);
    int B = m->train.batch > m->train.noise_batch ? m->train.batch : m->train.noise_batch;
    t->scratch.yreal = calloc((size_t)B, sizeof *t->scratch.yreal);
    t->scratch.yfake = calloc((size_t)B, sizeof *t->scratch.yfake);
    t->cfg.yfixed = calloc((size_t)ns, sizeof *t->cfg.yfixed);
    if (!t->scratch.yreal || !t->scratch.yfake || !t->cfg.yfixed)
        return gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    gan_cond_grid_labels(t->cfg.yfixed, ns, (int)ceil(sqrt((double)ns)), K);
    return GAN_OK;
}

void cond_free(gan_trainer *t)
{
    free(t->scratch.yreal);
    free(t->scratch.yfake);
    free(t->cfg.yfixed);
    t->scratch.yreal = t->scratch.yfake = t->cfg.yfixed = NULL;
}

void cond_real_labels(gan_trainer *t, int Br)
{
    if (!t->cfg.classes) return;
    /* this rank's rows of the global batch next_real_batch just took */
    const uint32_t *mine = t->state.order + t->state.pos - t->cfg.spec->train.batch + (long)t->job.rank * Br;
    for (int i = 0; i < Br; i++) t->scratch.yreal[i] = t->data->labels[mine[i]];
}

void cond_fake_labels(gan_trainer *t, int Bf)
{
    if (!t->cfg.classes) return;
    /* every rank draws the whole global batch's labels and keeps its rows */
    int lo = t->job.rank * Bf, N = t->cfg.spec->train.noise_batch;
    for (int i = 0; i < N; i++) {
        int y = (int)gan_rng_below(&t->state.noise_rng, (uint32_t)t->cfg.classes);
        if (i >= lo && i < lo + Bf) t->scratch.yfake[i - lo] = y;
    }
    t->G->labels = t->scratch.yfake;
}
