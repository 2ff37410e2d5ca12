/* gan/train.h - the training loop: D steps and G steps against each other.
 *
 * One training step: d_steps times { fresh noise -> G -> fakes; a real batch
 * and the fakes, labelled real and fake, train D }, then g_steps times
 * { fresh noise, labelled real, train G through D with D's parameters
 * frozen }.  Everything the loop carries between steps is in gan_trainer
 * and is saved by gan_ckpt_save(), so a resumed run continues bit for bit.
 */
#ifndef GAN_TRAIN_H
#define GAN_TRAIN_H

#include "gan/api.h"

#include <stdint.h>
#include "gan/model.h"
#include "gan/net.h"
#include "gan/optim.h"
#include "gan/data.h"

/* A trainer is its parts (the two networks, their optimizers, the data)
 * and five groups of its own fields, one per lifetime (src/train/state.c's
 * table has a row for each field and says what checkpoints hold):
 *   cfg      born with the model in gan_trainer_create, read-only after
 *            (the sampling options no_ema and truncation are set by callers)
 *   state    carried from step to step: checkpointed and in the health
 *            snapshot (the parts' own state, weights, buffers, dropout
 *            streams and moments, is checkpointed through them)
 *   scratch  sized once at create, holds nothing from one step to the next
 *   job      this process as a rank of a data-parallel job (gan/dist.h)
 *   loaded   what the checkpoint the trainer was restored from recorded
 *   metrics  the last step's measurements, for the log */
typedef struct gan_trainer_cfg {
    gan_model_spec *spec;      /* owned */
    char *model_text;          /* expanded model YAML (owned); checkpointed */
    float *fixed_z;            /* (samples, dim) fixed noise for sample grids */
    int *yfixed;               /* (samples) sample-grid labels, row r = class r mod K */
    uint64_t data_fingerprint; /* the loaded data's (images), 0 unknown; checkpointed */
    gan_shape data_shape;      /* of a sample, from the data or the generator */
    int classes;               /* K of a conditional model (data.classes), 0 otherwise */
    int no_ema;                /* 1: sampling uses G's raw weights even with ema */
    float truncation;          /* > 0: gan_trainer_sample redraws noise beyond this many std */
} gan_trainer_cfg;

typedef struct gan_trainer_state {
    long step;                 /* training steps done */
    long epoch;                /* passes over the data order */
    long pos;                  /* next index into order */
    uint32_t *order;           /* (data->n) current epoch's permutation */
    gan_rng noise_rng;         /* noise for D and G steps */
    gan_rng data_rng;          /* epoch shuffles */
    float *ema;                /* (G->nparams + G->nbufs) G's averaged weights then its
                                * buffers (train.ema), NULL when off */
    float aug_p;               /* train.augment's probability (ADA adapts it) */
} gan_trainer_state;

typedef struct gan_trainer_scratch {
    float *z;                  /* (noise_batch, dim) */
    float *real;               /* (batch, data) */
    float *fake_grad;          /* (noise_batch, data) dL/dfake from D */
    float *dout;               /* D output gradients, max(batch, noise_batch) */
    float *gp_buf;             /* wgan-gp interpolates, R1/R2 gradients and perturbations */
    void *rp_keep;             /* rpgan: D's buffers (2 copies) and dropout streams */
    struct gan_aug_state *aug; /* train.augment's scratch (augment.c), NULL when off */
    int *yreal;                /* (batch) labels of the last real batch (conditional) */
    int *yfake;                /* (max(batch, noise_batch)) labels of the last fakes */
} gan_trainer_scratch;

/* this process is rank `rank` of `nranks` and trains on Br of train.batch
 * and Bf of train.noise_batch rows (1, 0 and the whole batches outside an
 * MPI job); nranks is checkpointed */
typedef struct gan_trainer_job {
    int rank, nranks, Br, Bf;
} gan_trainer_job;

/* what a restored checkpoint's 'DATA' and 'DIST' said (0: none) */
typedef struct gan_trainer_loaded {
    uint64_t data_fingerprint;
    int nranks;
} gan_trainer_loaded;

typedef struct gan_trainer_metrics {
    float d_loss, g_loss, d_real, d_fake;
    float d_grad_norm, g_grad_norm;   /* L2 norms of the last D and G gradients */
    float aug_rt;                     /* last E[sign(D(real))] seen by ADA */
} gan_trainer_metrics;

typedef struct gan_trainer {
    gan_net *G, *D;            /* owned */
    gan_optim gopt, dopt;
    gan_dataset *data;         /* owned; NULL in sample-only use */
    gan_trainer_cfg cfg;
    gan_trainer_state state;
    gan_trainer_scratch scratch;
    gan_trainer_job job;
    gan_trainer_loaded loaded;
    gan_trainer_metrics metrics;
} gan_trainer;

/* Build everything from a spec (takes ownership of spec): data (unless
 * load_data is 0), networks, optimizers, initial parameters from the seed. */
GAN_API gan_status gan_trainer_create(gan_trainer **out, gan_model_spec *spec, int load_data, gan_error *err);
GAN_API void gan_trainer_free(gan_trainer *t);
/* A trainer built without its data (load_data 0) took its sample shape
 * from the generator: when the data's header is readable (gan_data_shape)
 * and says another shape, GAN_ERR_SHAPE at the generator's last entry
 * ("generator output (1, 28, 28) does not match the data shape ..."); else
 * GAN_OK (data not there yet is no error here). */
GAN_API gan_status gan_trainer_check_data_shape(const gan_trainer *t, gan_error *err);
/* Collective (gan/dist.h): make t a data-parallel trainer of this job:
 * check that train.batch and train.noise_batch divide by the number of
 * ranks, set t->job.rank, t->job.nranks and the shares t->job.Br, t->job.Bf, and broadcast
 * rank 0's parameters and buffers.  On one rank it changes nothing. */
GAN_API gan_status gan_dist_start(gan_trainer *t, gan_error *err);
/* One training step (d_steps D updates, g_steps G updates). */
GAN_API gan_status gan_trainer_step(gan_trainer *t, gan_error *err);
/* n samples from G (eval mode) with noise from a stream of `seed`:
 * out (n, data_shape).  With train.ema, G's averaged weights (unless
 * t->cfg.no_ema). */
GAN_API gan_status gan_trainer_sample(gan_trainer *t, uint64_t seed, int n, float *out, gan_error *err);
/* Same with class labels (n) for a conditional model; labels NULL: class
 * r mod K on row r of a ceil(sqrt(n))-column grid (gan_trainer_sample). */
GAN_API gan_status gan_trainer_sample_labels(gan_trainer *t, uint64_t seed, int n, const int *labels,
                                     float *out, gan_error *err);
/* y (n) = class (i / cols) mod K of sample i: one class per grid row. */
GAN_API void gan_cond_grid_labels(int *y, int n, int cols, int K);
/* WGAN-GP: interpolates of real and fake (B each, of D's input size: B
 * packs of train.pack samples) with weights from
 * t->state.noise_rng, penalty lambda * mean (||dD/dx|| - 1)^2 returned, its
 * parameter gradient accumulated into t->D->grads. */
GAN_API float gan_trainer_gradient_penalty(gan_trainer *t, const float *real, const float *fake, int B);
/* R1/R2 (penalty.c): P = w mean_i ||dD/dx_i||^2 over x (B, D's input size),
 * returned, its parameter gradient accumulated into t->D->grads (central
 * differences of D along g_i/|g_i|: exact for piecewise linear D up to
 * rounding; see penalty.c for the bound). */
GAN_API float gan_trainer_grad_penalty_sq(gan_trainer *t, const float *x, int B, float w);
/* gamma of training step `step` of `steps` under p's schedule (0: off). */
GAN_API double gan_penalty_gamma(const gan_penalty_spec *p, long step, long steps);
/* D step k of this training step: train.r1 on real (Br) and train.r2 on
 * fake (Bf) where their gamma is on and the D step count is a multiple of
 * `every`, each with w = gamma/2 * every; returns their sum. */
GAN_API float gan_trainer_penalties(gan_trainer *t, const float *real, int Br, const float *fake, int Bf,
                                    int k);
/* Collapse signal: mean pairwise L2 distance between G's outputs (eval
 * mode) for the first min(n, 64) fixed sample-grid noise vectors; 0 when G
 * maps them all to one point.  Touches no training state. */
GAN_API float gan_trainer_diversity(gan_trainer *t);
/* ---- weight averaging (ema.c) ---------------------------------------
 * ema (n) = decay * ema + (1 - decay) * x, element by element in float. */
GAN_API void gan_ema_update(float *ema, const float *x, size_t n, float decay);
/* The decay of training step `step`: e->decay, or less during the ramp. */
GAN_API float gan_ema_decay(const gan_ema_spec *e, long step);
/* The decay of training step `step` at `batch` images a step: with
 * e->half_life > 0, 0.5^(batch / h), h = min(half_life, rampup * step *
 * batch) with a ramp; else gan_ema_decay(e, step). */
GAN_API float gan_ema_beta(const gan_ema_spec *e, long step, int batch);
/* Allocate t->state.ema as a copy of G's weights and buffers when the model asks
 * for train.ema (decay > 0); no-op otherwise. */
GAN_API gan_status gan_trainer_ema_init(gan_trainer *t, gan_error *err);
/* After a G update: before train.ema.start steps a copy, from then on the
 * average; G's buffers (batchnorm running statistics, spectral-norm
 * vectors) are copied, never averaged. */
GAN_API void gan_trainer_ema_after_g(gan_trainer *t);
/* Exchange G's weights and buffers with the averaged ones when t->state.ema is
 * set and t->cfg.no_ema is 0; returns 1 when it did (call again to undo,
 * bit for bit), 0 otherwise. */
GAN_API int gan_trainer_ema_swap(gan_trainer *t);

/* ---- sampling tools (noise.c, sample.c) ----------------------------
 * gan_trainer_sample draws a seed's noise from GAN_STREAM_FIXED (gan/rng.h). */
/* As gan_noise_fill, but with T > 0 each component farther than T std
 * from the distribution's mean is redrawn until it is not (truncation
 * trick); T <= 0: exactly gan_noise_fill. */
GAN_API void gan_noise_fill_trunc(const gan_noise_spec *ns, gan_rng *r, float *z, size_t n, float T);
/* z (Z) between a (t = 0) and b (t = 1): linear, spherical */
GAN_API void gan_noise_lerp(float *z, const float *a, const float *b, int Z, double t);
GAN_API void gan_noise_slerp(float *z, const float *a, const float *b, int Z, double t);
/* z (n, dim): the noise gan_trainer_sample uses for seed (with truncation T) */
GAN_API void gan_trainer_seed_noise(const gan_trainer *t, uint64_t seed, int n, float T, float *z);
/* out (n, data_shape) = G(z (n, dim)) in eval mode (averaged weights as
 * gan_trainer_sample), sample i of class labels[i] (labels NULL: class 0,
 * which unconditional models ignore) */
GAN_API gan_status gan_trainer_generate(gan_trainer *t, const float *z, const int *labels, int n, float *out,
                                gan_error *err);
/* The class of each of n samples of t into *yp (malloc'd; NULL for an
 * unconditional model): the labels of file (one per sample, each below
 * data.classes), class cls (>= 0), or class r mod K on grid row r (file
 * NULL, cls -1).  Errors name src (the run) or file. */
GAN_API gan_status gan_sample_labels(const gan_trainer *t, const char *src, const char *file, long cls, long n,
                                     int **yp, gan_error *err);
/* The noise *zp (*n, noise.dim) (gan_alloc_floats): the rows of file
 * (.npy or .csv; *n becomes their count, which must be *n when n_set, at
 * most 1000000), or (file NULL) gan_trainer_seed_noise of seed with t's
 * truncation. */
GAN_API gan_status gan_sample_latents(const gan_trainer *t, const char *file, long *n, int n_set, uint64_t seed,
                                      float **zp, gan_error *err);
/* `ganrun interpolate`'s strip: *xp (2, cols, data_shape) (gan_alloc_floats),
 * cols = (nseeds - 1) * (steps - 1) + 1, G's samples of the noise walked
 * between the first noise vectors of seeds (gan_trainer_seed_noise, no
 * truncation): row 0 linearly (gan_noise_lerp), row 1 spherically
 * (gan_noise_slerp), steps points per pair of seeds, their shared ends
 * once.  nseeds >= 2, steps >= 2. */
GAN_API gan_status gan_trainer_interpolate(gan_trainer *t, const long *seeds, int nseeds, int steps, float **xp,
                                           gan_error *err);

/* Fill z (n, dim) from the spec's noise distribution. */
GAN_API void gan_noise_fill(const gan_noise_spec *ns, gan_rng *r, float *z, size_t n);

#endif
