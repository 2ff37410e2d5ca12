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
    gan_noise_fill_trunc(&t->cfg.spec->noise, &r, z, (size_t)n * t->cfg.spec->noise.dim, T);
}

gan_status gan_trainer_generate(gan_trainer *t, const float *z, const int *labels, int n, float *out,
                                gan_error *err)
{
    int Z = t->cfg.spec->noise.dim, chunk = n < 256 ? n : 256;
    size_t S = gan_shape_size(t->cfg.data_shape);
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
    if (t->cfg.classes && !labels && (grid = malloc((size_t)n * sizeof *grid))) {
        gan_cond_grid_labels(grid, n, (int)ceil(sqrt((double)n)), t->cfg.classes);
        y = grid;
    }
    float *z = gan_alloc_floats((size_t)n * t->cfg.spec->noise.dim);   /* (n, dim) */
    gan_status st;
    if (!z || (t->cfg.classes && !y)) {
        st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    } else {
        gan_trainer_seed_noise(t, seed, n, t->cfg.truncation, z);
        st = gan_trainer_generate(t, z, y, n, out, err);
    }
    gan_free_floats(z);
    free(grid);
    return st;
}

float gan_trainer_diversity(gan_trainer *t)
{
    int n = t->cfg.spec->output.samples < 64 ? t->cfg.spec->output.samples : 64;
    if (n > t->G->Bmax) n = t->G->Bmax;
    size_t S = gan_shape_size(t->cfg.data_shape);
    if (n < 2) return 0.0f;
    t->G->labels = t->cfg.yfixed;
    const float *y = gan_net_forward(t->G, t->cfg.fixed_z, n, 0);   /* (n, S) */
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

gan_status gan_sample_labels(const gan_trainer *t, const char *src, const char *file, long cls, long n, int **yp,
                             gan_error *err)
{
    *yp = NULL;
    if (!t->cfg.classes) {
        if (!file && cls < 0) return GAN_OK;
        return gan_error_at(err, GAN_ERR_INVALID, src, 0, 0, "%s but the model has no classes (data.classes is 0)",
                            file ? "--labels" : "--class");
    }
    int *y = NULL;
    if (file) {
        long m;
        gan_status st = gan_labels_read(file, &y, &m, err);
        if (st != GAN_OK) return st;
        for (long i = 0; i < m && m == n; i++)
            if (y[i] >= t->cfg.classes) {
                int bad = y[i];
                free(y);
                return gan_error_at(err, GAN_ERR_INVALID, file, 0, 0, "label %ld is %d but the model has %d classes "
                                    "(expected 0..%d)", i + 1, bad, t->cfg.classes, t->cfg.classes - 1);
            }
        if (m != n) {
            free(y);
            return gan_error_at(err, GAN_ERR_INVALID, file, 0, 0, "%ld labels for %ld samples (expected one per "
                                "sample)", m, n);
        }
    } else if (cls >= t->cfg.classes) {
        return gan_error_at(err, GAN_ERR_INVALID, src, 0, 0, "--class %ld but the model has fewer classes (expected "
                            "0..%d)", cls, t->cfg.classes - 1);
    } else if ((y = malloc((size_t)n * sizeof *y))) {
        if (cls >= 0)
            for (long i = 0; i < n; i++) y[i] = (int)cls;
        else gan_cond_grid_labels(y, (int)n, (int)ceil(sqrt((double)n)), t->cfg.classes);
    }
    if (!y) return gan_error_set(err, GAN_ERR_NOMEM, "out of memory for %ld labels", n);
    *yp = y;
    return GAN_OK;
}

gan_status gan_sample_latents(const gan_trainer *t, const char *file, long *n, int n_set, uint64_t seed, float **zp,
                              gan_error *err)
{
    int Z = t->cfg.spec->noise.dim;
    *zp = NULL;
    if (!file) {
        if (!(*zp = gan_alloc_floats((size_t)*n * Z)))
            return gan_error_set(err, GAN_ERR_NOMEM, "out of memory for %ld samples", *n);
        gan_trainer_seed_noise(t, seed, (int)*n, t->cfg.truncation, *zp);
        return GAN_OK;
    }
    long rows, cols;
    gan_status st = gan_matrix_read(file, zp, &rows, &cols, err);
    if (st != GAN_OK) return st;
    if (cols != Z)
        st = gan_error_at(err, GAN_ERR_SHAPE, file, 0, 0, "latent vectors of %ld values but the model's noise.dim is "
                          "%d", cols, Z);
    else if (rows > 1000000)
        st = gan_error_at(err, GAN_ERR_INVALID, file, 0, 0, "%ld latent vectors (at most 1000000)", rows);
    else if (n_set && rows != *n)
        st = gan_error_at(err, GAN_ERR_INVALID, file, 0, 0, "%ld latent vectors but -n %ld", rows, *n);
    if (st != GAN_OK) {
        gan_free_floats(*zp);
        *zp = NULL;
        return st;
    }
    *n = rows;
    return GAN_OK;
}

gan_status gan_trainer_interpolate(gan_trainer *t, const long *seeds, int nseeds, int steps, float **xp,
                                   gan_error *err)
{
    int Z = t->cfg.spec->noise.dim, cols = (nseeds - 1) * (steps - 1) + 1, n = 2 * cols;
    size_t S = gan_shape_size(t->cfg.data_shape);
    float *ends = gan_alloc_floats((size_t)nseeds * Z);   /* (nseeds, Z) */
    float *z = gan_alloc_floats((size_t)n * Z);           /* (2, cols, Z) */
    float *x = gan_alloc_floats((size_t)n * S);           /* (2, cols, S) */
    gan_status st = GAN_OK;
    if (!ends || !z || !x) {
        st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    } else {
        for (int k = 0; k < nseeds; k++) gan_trainer_seed_noise(t, (uint64_t)seeds[k], 1, 0.0f, ends + (size_t)k * Z);
        for (int c = 0; c < cols; c++) {
            /* column c: pair k, position j of steps - 1 (the last column is the last seed) */
            int k = c / (steps - 1), j = c % (steps - 1);
            if (k == nseeds - 1) k--, j = steps - 1;
            double u = (double)j / (double)(steps - 1);
            const float *a = ends + (size_t)k * Z, *b = a + Z;
            gan_noise_lerp(z + (size_t)c * Z, a, b, Z, u);
            gan_noise_slerp(z + ((size_t)cols + c) * Z, a, b, Z, u);
        }
        st = gan_trainer_generate(t, z, NULL, n, x, err);
    }
    gan_free_floats(ends);
    gan_free_floats(z);
    if (st != GAN_OK) {
        gan_free_floats(x);
        x = NULL;
    }
    *xp = x;
    return st;
}
