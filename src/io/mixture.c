/* mixture.c - the built-in 2-D Gaussian mixtures.
 *
 *   grid: 25 modes at (i, j), i, j in {-4, -2, 0, 2, 4}, sigma 0.05
 *   ring:  8 modes at (cos 2 pi k/8, sin 2 pi k/8),      sigma 0.01
 *
 * Each point picks a mode uniformly and adds isotropic N(0, sigma^2) noise,
 * drawn from stream GAN_STREAM_MIXTURE (gan/rng.h) of the seed, so one seed gives one
 * dataset.  Their metrics (PacGAN's) are src/eval/mixture_metrics.c's.
 */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include "io/io.h"

#define MAX_MODES 25

int gan_mixture_modes(gan_data_format f, float (*centres)[2], int max, float *sigma)
{
    int m = 0;
    float c[MAX_MODES][2];   // (m, 2)
    if (f == GAN_DATA_GRID) {
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 5; j++) {
                c[m][0] = (float)(2 * i - 4);
                c[m][1] = (float)(2 * j - 4);
                m++;
            }
        if (sigma) *sigma = 0.05f;
    } else if (f == GAN_DATA_RING) {
        for (int k = 0; k < 8; k++) {
            double a = 6.283185307179586 * k / 8;   /* 2 pi k / 8 */
            c[m][0] = (float)cos(a);
            c[m][1] = (float)sin(a);
            m++;
        }
        if (sigma) *sigma = 0.01f;
    } else {
        if (sigma) *sigma = 0;
        return 0;
    }
    for (int k = 0; centres && k < m && k < max; k++) {
        centres[k][0] = c[k][0];
        centres[k][1] = c[k][1];
    }
    return m;
}

gan_status io_mixture_load(gan_dataset *d, const gan_data_spec *spec, uint64_t seed, gan_error *err)
{
    float c[MAX_MODES][2], sigma;
    int m = gan_mixture_modes(spec->format, c, MAX_MODES, &sigma);
    long n = spec->samples > 0 ? spec->samples : 100000;
    if (spec->limit > 0 && spec->limit < n) n = spec->limit;
    if (!(d->x = gan_alloc_floats((size_t)n * 2)))   // (n, 2)
        return gan_error_set(err, GAN_ERR_NOMEM, "out of memory for %ld points", n);
    gan_rng r;
    gan_rng_seed_stream(&r, seed, GAN_STREAM_MIXTURE);
    for (long i = 0; i < n; i++) {
        uint32_t k = gan_rng_below(&r, (uint32_t)m);
        d->x[2 * i] = c[k][0] + sigma * (float)gan_rng_normal(&r);
        d->x[2 * i + 1] = c[k][1] + sigma * (float)gan_rng_normal(&r);
    }
    d->n = n;
    d->shape = (gan_shape){ 1, { 2, 0, 0 } };
    return GAN_OK;
}
