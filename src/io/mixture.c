/* mixture.c - the built-in 2-D Gaussian mixtures and their metrics.
 *
 *   grid: 25 modes at (i, j), i, j in {-4, -2, 0, 2, 4}, sigma 0.05
 *   ring:  8 modes at (cos 2 pi k/8, sin 2 pi k/8),      sigma 0.01
 *
 * Each point picks a mode uniformly and adds isotropic N(0, sigma^2) noise,
 * drawn from stream GAN_STREAM_MIXTURE (gan/rng.h) of the seed, so one seed gives one
 * dataset.  The metrics are PacGAN's (Lin et al. 2018), see below.
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

/* PacGAN's mixture metrics over samples xy (n, 2):
 *   - each sample belongs to its nearest mode (Euclidean);
 *   - it is high quality when within 3 sigma of that mode;
 *   - a mode is captured when it is the nearest mode of at least one
 *     high-quality sample;
 *   - reverse KL = KL(p || u), p_k the fraction of the high-quality samples
 *     nearest to mode k, u uniform over the M modes:
 *         sum over k with p_k > 0 of  p_k log(p_k / (1/M)) = p_k log(p_k M).
 *     0 when the high-quality samples spread evenly over all modes, log M
 *     when they all sit on one mode.  With no high-quality sample p is
 *     undefined; we report log M, the value for a collapse onto one mode. */
void gan_mixture_evaluate(gan_data_format f, const float *xy, long n, gan_mixture_eval *out)
{
    float c[MAX_MODES][2], sigma;
    int m = gan_mixture_modes(f, c, MAX_MODES, &sigma);
    *out = (gan_mixture_eval){ m, 0, 0, 0 };
    if (m == 0) return;
    long count[MAX_MODES] = { 0 }, hq = 0;
    double r2 = 9.0 * (double)sigma * sigma;   /* (3 sigma)^2 */
    for (long i = 0; i < n; i++) {
        double best = INFINITY;
        int kb = -1;
        for (int k = 0; k < m; k++) {
            double dx = xy[2 * i] - c[k][0], dy = xy[2 * i + 1] - c[k][1];
            double d2 = dx * dx + dy * dy;
            if (d2 < best) { best = d2; kb = k; }
        }
        if (kb >= 0 && best <= r2) {   /* NaN samples have no nearest mode */
            count[kb]++;
            hq++;
        }
    }
    double kl = 0;
    for (int k = 0; k < m; k++) {
        if (!count[k]) continue;
        out->captured++;
        double p = (double)count[k] / (double)hq;
        kl += p * log(p * m);
    }
    out->high_quality = n > 0 ? (double)hq / (double)n : 0;
    out->reverse_kl = hq > 0 ? kl : log((double)m);
}
