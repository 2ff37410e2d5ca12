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
    const gan_model_spec *m = t->spec;
    int K = m->data.classes;
    t->classes = K;
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
    t->yreal = calloc((size_t)B, sizeof *t->yreal);
    t->yfake = calloc((size_t)B, sizeof *t->yfake);
    t->yfixed = calloc((size_t)ns, sizeof *t->yfixed);
    if (!t->yreal || !t->yfake || !t->yfixed) return gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    gan_cond_grid_labels(t->yfixed, ns, (int)ceil(sqrt((double)ns)), K);
    return GAN_OK;
}

void cond_free(gan_trainer *t)
{
    free(t->yreal);
    free(t->yfake);
    free(t->yfixed);
    t->yreal = t->yfake = t->yfixed = NULL;
}

void cond_real_labels(gan_trainer *t, int Br)
{
    if (!t->classes) return;
    /* this rank's rows of the global batch next_real_batch just took */
    const uint32_t *mine = t->order + t->pos - t->spec->train.batch + (long)t->rank * Br;
    for (int i = 0; i < Br; i++) t->yreal[i] = t->data->labels[mine[i]];
}

void cond_fake_labels(gan_trainer *t, int Bf)
{
    if (!t->classes) return;
    /* every rank draws the whole global batch's labels and keeps its rows */
    int lo = t->rank * Bf, N = t->spec->train.noise_batch;
    for (int i = 0; i < N; i++) {
        int y = (int)gan_rng_below(&t->noise_rng, (uint32_t)t->classes);
        if (i >= lo && i < lo + Bf) t->yfake[i - lo] = y;
    }
    t->G->labels = t->yfake;
}
