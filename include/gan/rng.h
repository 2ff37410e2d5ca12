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
/* Independent stream `stream` of `seed` (for ranks, data order, dropout);
 * the ids are the registry below. */
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
/* ---- the registry of random streams --------------------------------------
 * Every id the library and ganrun seed a stream with, in one list: a new
 * stream takes a new id here, so no two draw the same numbers.  The values
 * are part of every recorded result (samples.sh, checkpoints): never change
 * one.  Of a model's seed (model.seed): */
enum {
    GAN_STREAM_G_INIT = 1,     /* G's initial weights */
    GAN_STREAM_D_INIT = 2,     /* D's initial weights */
    GAN_STREAM_NOISE = 3,      /* the noise of the D and G steps */
    GAN_STREAM_DATA = 4,       /* the order of the real samples */
    GAN_STREAM_G_NET = 5,      /* G's dropout (rank 0, no shards) */
    GAN_STREAM_D_NET = 6,      /* D's dropout (rank 0, no shards) */
    GAN_STREAM_FIXED = 7,      /* the sample grids' noise; gan_trainer_sample's, of its seed */
    GAN_STREAM_RESERVED = 8,   /* drawn by nothing: checkpoints hold its seeded state ('STAT') */
    GAN_STREAM_EVAL_REAL = 9,  /* ganrun eval: which real images are compared (of --seed) */
    GAN_STREAM_EVAL_KID = 10,  /* ganrun eval: KID's subsets (gan_kid, of --seed) */
    GAN_STREAM_EVAL_NN = 11,   /* ganrun eval: the training images of nn_train_ref_median (of --seed) */
};
/* Streams of one step: (step << GAN_STREAM_STEP_SHIFT) | sub-id << 8 | low,
 * with low one of the ids above (G_NET, D_NET: dropout of rank > 0 with
 * sub-id the rank; with GAN_STREAM_SHARDED set, of shard k with sub-id k;
 * 9 with GAN_STREAM_SHARDED set: train.augment's draws, sub-id the phase).
 * An id >= 256 never meets the plain ids 1..9. */
#define GAN_STREAM_STEP_SHIFT 24
#define GAN_STREAM_SHARDED ((uint64_t)1 << 23)
#define GAN_STREAM_AUGMENT 9u
/* Of a classifier's seed (a classifier model file): */
enum {
    GAN_STREAM_CLF_INIT = 1,   /* initial weights */
    GAN_STREAM_CLF_ORDER = 2,  /* the order of the training samples */
    GAN_STREAM_CLF_NET = 3,    /* dropout */
};
/* The label-free feature extractor's weights (gan/eval.h): this seed
 * ("ganeval"), stream = the network entry's index. */
#define GAN_STREAM_FEATURES_SEED 0x67616e6576616cULL
/* The built-in 2-D mixtures' points, of the data seed ("mixt"). */
#define GAN_STREAM_MIXTURE 0x6d697874ULL

GAN_API void gan_rng_shuffle(gan_rng *r, uint32_t *idx, size_t n);

#endif
