/* gan/rng.h - the project's own seedable random generator.
 *
 * xoshiro256** (Blackman & Vigna) seeded through splitmix64.  The whole
 * state is the plain struct below: copy it, write it to a checkpoint, restore
 * it, and the stream continues bit for bit.  Normal samples use the
 * Box-Muller transform on two uniforms and return one value per call (no
 * hidden spare), so the state stays exactly these four words.
 */
#ifndef GAN_RNG_H
#define GAN_RNG_H

#include "gan/api.h"

#include <stdint.h>
#include <stddef.h>

typedef struct gan_rng {
    uint64_t s[4];
} gan_rng;

GAN_API void gan_rng_seed(gan_rng *r, uint64_t seed);
/* Independent stream `stream` of `seed` (for ranks, data order, dropout). */
GAN_API void gan_rng_seed_stream(gan_rng *r, uint64_t seed, uint64_t stream);
GAN_API uint64_t gan_rng_next(gan_rng *r);
GAN_API double gan_rng_uniform(gan_rng *r);                 /* [0, 1) with 53 bits */
GAN_API uint32_t gan_rng_below(gan_rng *r, uint32_t n);     /* uniform in [0, n), unbiased */
GAN_API double gan_rng_normal(gan_rng *r);                  /* N(0, 1) */
/* N(0,1) conditioned on |z| <= limit (resampling); limit > 0. */
GAN_API double gan_rng_truncnormal(gan_rng *r, double limit);

GAN_API void gan_rng_fill_normal(gan_rng *r, float *x, size_t n, float mean, float std);
GAN_API void gan_rng_fill_uniform(gan_rng *r, float *x, size_t n, float lo, float hi);
GAN_API void gan_rng_fill_truncnormal(gan_rng *r, float *x, size_t n, float mean, float std, float limit);
/* Fisher-Yates shuffle of idx[0..n). */
GAN_API void gan_rng_shuffle(gan_rng *r, uint32_t *idx, size_t n);

#endif
