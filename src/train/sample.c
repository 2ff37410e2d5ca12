/* sample.c - a trainer's samples: the noise of a seed (the sample grids'
 * stream, gan/rng.h), G on given noise, with the averaged weights when the
 * model keeps them, samples of a seed (a class grid for conditional
 * models), and the spread of the fixed batch's samples (diversity). */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "gan/train.h"

void gan_trainer_seed_noise(const gan_trainer *t, uint64_t seed, int n, float T, float *z)
{
    gan_rng r;
    gan_rng_seed_stream(&r, seed, GAN_STREAM_FIXED);
    gan_noise_fill_trunc(&t->spec->noise, &r, z, (size_t)n * t->spec->noise.dim, T);
}

gan_status gan_trainer_generate(gan_trainer *t, const float *z, const int *labels, int n, float *out,
                                gan_error *err)
{
    int Z = t->spec->noise.dim, chunk = n < 256 ? n : 256;
    size_t S = gan_shape_size(t->data_shape);
    gan_status st = gan_net_reserve(t->G, chunk, err);
    int swapped = gan_trainer_ema_swap(t);
    for (int i = 0; st == GAN_OK && i < n; i += chunk) {
        int b = n - i < chunk ? n - i : chunk;
        t->G->labels = labels ? labels + i : NULL;
        const float *y = gan_net_forward(t->G, z + (size_t)i * Z, b, 0);
        memcpy(out + (size_t)i * S, y, (size_t)b * S * sizeof(float));
    }
    t->G->labels = NULL;   /* never left pointing at the caller's array */
    if (swapped) gan_trainer_ema_swap(t);
    return st;
}

gan_status gan_trainer_sample(gan_trainer *t, uint64_t seed, int n, float *out, gan_error *err)
{
    return gan_trainer_sample_labels(t, seed, n, NULL, out, err);
}

gan_status gan_trainer_sample_labels(gan_trainer *t, uint64_t seed, int n, const int *labels,
                                     float *out, gan_error *err)
{
    const int *y = labels;
    int *grid = NULL;
    if (t->classes && !labels && (grid = malloc((size_t)n * sizeof *grid))) {
        gan_cond_grid_labels(grid, n, (int)ceil(sqrt((double)n)), t->classes);
        y = grid;
    }
    float *z = gan_alloc_floats((size_t)n * t->spec->noise.dim);   /* (n, dim) */
    gan_status st;
    if (!z || (t->classes && !y)) {
        st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    } else {
        gan_trainer_seed_noise(t, seed, n, t->truncation, z);
        st = gan_trainer_generate(t, z, y, n, out, err);
    }
    gan_free_floats(z);
    free(grid);
    return st;
}

float gan_trainer_diversity(gan_trainer *t)
{
    int n = t->spec->output.samples < 64 ? t->spec->output.samples : 64;
    if (n > t->G->Bmax) n = t->G->Bmax;
    size_t S = gan_shape_size(t->data_shape);
    if (n < 2) return 0.0f;
    t->G->labels = t->yfixed;
    const float *y = gan_net_forward(t->G, t->fixed_z, n, 0);   /* (n, S) */
    double sum = 0;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            double d = 0;
            for (size_t k = 0; k < S; k++) {
                double e = (double)y[i * S + k] - y[j * S + k];
                d += e * e;
            }
            sum += sqrt(d);
        }
    return (float)(sum / ((double)n * (n - 1) / 2));
}
