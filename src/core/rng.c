/* rng.c - xoshiro256** seeded by splitmix64; Box-Muller normals. */
#include "config.h"
#include <math.h>
#include "gan/rng.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void gan_rng_seed(gan_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

void gan_rng_seed_stream(gan_rng *r, uint64_t seed, uint64_t stream)
{
    /* mix the stream id into the seed through one splitmix step */
    uint64_t x = stream * 0xd1342543de82ef95ULL + 1;
    gan_rng_seed(r, seed ^ splitmix64(&x));
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t gan_rng_next(gan_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double gan_rng_uniform(gan_rng *r)
{
    return (double)(gan_rng_next(r) >> 11) * 0x1.0p-53;
}

uint32_t gan_rng_below(gan_rng *r, uint32_t n)
{
    /* Lemire's multiply-shift with rejection: unbiased */
    uint64_t m = (uint64_t)(uint32_t)(gan_rng_next(r) >> 32) * n;
    uint32_t l = (uint32_t)m;
    if (l < n) {
        uint32_t t = -n % n;
        while (l < t) {
            m = (uint64_t)(uint32_t)(gan_rng_next(r) >> 32) * n;
            l = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

double gan_rng_normal(gan_rng *r)
{
    /* Box-Muller; u1 in (0, 1] so log is finite */
    double u1 = 1.0 - gan_rng_uniform(r);
    double u2 = gan_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

double gan_rng_truncnormal(gan_rng *r, double limit)
{
    for (;;) {
        double z = gan_rng_normal(r);
        if (fabs(z) <= limit) return z;
    }
}

void gan_rng_fill_normal(gan_rng *r, float *x, size_t n, float mean, float std)
{
    for (size_t i = 0; i < n; i++) x[i] = mean + std * (float)gan_rng_normal(r);
}

void gan_rng_fill_uniform(gan_rng *r, float *x, size_t n, float lo, float hi)
{
    for (size_t i = 0; i < n; i++) x[i] = lo + (hi - lo) * (float)gan_rng_uniform(r);
}

void gan_rng_fill_truncnormal(gan_rng *r, float *x, size_t n, float mean, float std, float limit)
{
    for (size_t i = 0; i < n; i++) x[i] = mean + std * (float)gan_rng_truncnormal(r, limit);
}

void gan_rng_shuffle(gan_rng *r, uint32_t *idx, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        uint32_t j = gan_rng_below(r, (uint32_t)i);
        uint32_t t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
}
