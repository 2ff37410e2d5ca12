/* interp.c - sampling tools: truncated noise, interpolation between noise
 * vectors, and G on given noise.
 *
 * Truncation trick (Brock et al. 2019, BigGAN): each noise component z_i
 * with |z_i - mean| > T * std is redrawn from the model's noise
 * distribution until it is not (std of uniform noise: (high - low)/sqrt 12).
 *
 * Interpolation between noise vectors a and b, t in [0, 1]:
 *   lerp   (1 - t) a + t b
 *   slerp  sin((1 - t) W)/sin W a + sin(t W)/sin W b,  cos W = a.b/(|a||b|)
 *          (Shoemake 1985; White 2016 for GANs), lerp when sin W ~ 0.
 * Both give a at t = 0 and b at t = 1 exactly.
 */
#include "config.h"
#include <math.h>
#include <string.h>
#include "gan/train.h"

static void noise_center(const gan_noise_spec *ns, double *mean, double *std)
{
    if (ns->dist == GAN_NOISE_UNIFORM) {
        *mean = 0.5 * ((double)ns->low + ns->high);
        *std = ((double)ns->high - ns->low) / sqrt(12.0);
    } else {
        *mean = ns->mean;
        *std = ns->std;
    }
}

void gan_noise_fill_trunc(const gan_noise_spec *ns, gan_rng *r, float *z, size_t n, float T)
{
    if (!(T > 0.0f)) {
        gan_noise_fill(ns, r, z, n);
        return;
    }
    double mean, std;
    noise_center(ns, &mean, &std);
    const double lim = (double)T * std;
    for (size_t i = 0; i < n; i++)
        do gan_noise_fill(ns, r, z + i, 1);
        while (fabs((double)z[i] - mean) > lim);
}

void gan_noise_lerp(float *z, const float *a, const float *b, int Z, double t)
{
    for (int i = 0; i < Z; i++) z[i] = (float)((1.0 - t) * a[i] + t * b[i]);
}

void gan_noise_slerp(float *z, const float *a, const float *b, int Z, double t)
{
    double ab = 0, aa = 0, bb = 0;
    for (int i = 0; i < Z; i++) {
        ab += (double)a[i] * b[i];
        aa += (double)a[i] * a[i];
        bb += (double)b[i] * b[i];
    }
    double c = aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : 1.0;
    if (c > 1) c = 1;
    if (c < -1) c = -1;
    double w = acos(c), s = sin(w);
    if (s < 1e-6) {
        gan_noise_lerp(z, a, b, Z, t);
        return;
    }
    double ka = sin((1.0 - t) * w) / s, kb = sin(t * w) / s;
    for (int i = 0; i < Z; i++) z[i] = (float)(ka * a[i] + kb * b[i]);
}

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
