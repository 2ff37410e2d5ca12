/* noise.c - the generator's input: noise of the model's distribution,
 * truncated noise, interpolation between noise vectors.
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

void gan_noise_fill(const gan_noise_spec *ns, gan_rng *r, float *z, size_t n)
{
    switch (ns->dist) {
    case GAN_NOISE_UNIFORM:
        gan_rng_fill_uniform(r, z, n, ns->low, ns->high);
        break;
    case GAN_NOISE_TRUNCNORMAL:
        gan_rng_fill_truncnormal(r, z, n, ns->mean, ns->std, ns->limit);
        break;
    default:
        gan_rng_fill_normal(r, z, n, ns->mean, ns->std);
    }
}

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
