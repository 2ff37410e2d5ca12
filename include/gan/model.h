/* gan/model.h - model files: YAML -> validated spec -> networks.
 *
 * The spec is the whole experiment: data, noise, both layer stacks, loss,
 * schedule, optimizers and outputs.  Every optional key has a documented
 * default that gan_model_expand() writes out.
 */
#ifndef GAN_MODEL_H
#define GAN_MODEL_H

#include "gan/api.h"

#include <stdint.h>
#include <stdio.h>
#include "gan/layer.h"
#include "gan/optim.h"
#include "gan/loss.h"
#include "gan/data.h"
#include "gan/net.h"
#include "gan/par.h"

typedef enum gan_noise_dist { GAN_NOISE_NORMAL, GAN_NOISE_UNIFORM, GAN_NOISE_TRUNCNORMAL } gan_noise_dist;

typedef struct gan_noise_spec {
    gan_noise_dist dist;
    int dim;
    float mean, std;      /* normal, truncated (defaults 0, 1) */
    float low, high;      /* uniform (defaults -1, 1) */
    float limit;          /* truncated: |z - mean| <= limit * std (default 2) */
} gan_noise_spec;

typedef struct gan_stack_spec {
    int n;
    gan_layer_conf *layers;   /* (n) */
    int line, col;
} gan_stack_spec;

/* exponential moving average of G's weights (train.ema); decay 0: off */
typedef struct gan_ema_spec {
    float decay;              /* ema = decay * ema + (1 - decay) * params */
    long start;               /* steps before this one copy params instead */
    float rampup;             /* StyleGAN's ema_rampup: decay <= 0.5^(1/(rampup step)); 0: off */
    float half_life;          /* > 0: decay 0.5^(batch / half_life) instead, half_life in images */
} gan_ema_spec;
/* train.augment (src/train/augment.c): flip reals; DiffAugment on real and
 * fake images before D, each op applied with probability p (adaptive, as
 * ADA, when ada_target > 0). */
typedef struct gan_aug_spec {
    int flip;                 /* horizontal flip of half the real images */
    char policy[64];          /* "color,translation,cutout" or a subset; "" none */
    float p;                  /* probability of each op (start value with ADA) */
    float ada_target;         /* > 0: adapt p so that E[sign(D(real))] -> target */
    float ada_speed;          /* images over which p can move by 1 */
    float translation;        /* shift up to this fraction of the side */
    float cutout;             /* square of this fraction of the side set to 0 */
    int schedule;             /* gan_lr_schedule: linear, cosine move p to p_end */
    long warmup, decay_steps; /* as the learning rates' (gan_schedule_progress) */
    float p_end;
} gan_aug_spec;
/* train.health: what a step that meets NaN or infinity does (see
 * gan/health.h).  stop: the run ends with that error.  rollback: back to
 * the last healthy snapshot, learning rates times lr_factor, at most
 * `retries` times in a row. */
typedef enum gan_health_action { GAN_HEALTH_STOP, GAN_HEALTH_ROLLBACK } gan_health_action;
typedef struct gan_health_spec {
    gan_health_action on_nan;
    long snapshot_every;      /* steps between in-memory snapshots (default 100) */
    float lr_factor;          /* learning rates are multiplied by it on each rollback (default 0.5) */
    int retries;              /* rollbacks in a row before giving up (default 3) */
} gan_health_spec;

/* train.r1, train.r2: (gamma/2) E ||grad_x D(x)||^2 on real (r1) or
 * generated (r2) inputs of D, added to D's loss on every `every`-th D step
 * times `every` (lazy regularisation); gamma follows a schedule as the
 * learning rates do (gan/optim.h, with `end` for lr_end and `factor` for
 * the step schedule's gamma).  gamma 0: off. */
typedef struct gan_penalty_spec {
    float gamma;
    int every;                /* K >= 1 */
    int schedule;             /* gan_lr_schedule */
    long warmup, decay_steps;
    float end;                /* linear, cosine: final gamma, a fraction of gamma */
    long step_every;
    float factor;             /* step: gamma's factor every step_every steps */
} gan_penalty_spec;

typedef struct gan_train_spec {
    gan_loss_kind loss;
    float gp_lambda;          /* wgan-gp penalty weight (default 10) */
    gan_penalty_spec r1, r2;  /* train.r1, train.r2 (gamma 0: off) */
    int batch;                /* real samples per D step */
    int noise_batch;          /* fakes per D and G step (default = batch) */
    long steps;               /* training steps */
    int d_steps, g_steps;     /* schedule: D steps then G steps per training step */
    gan_optim_conf gopt, dopt;
    gan_ema_spec ema;         /* train.ema */
    gan_aug_spec augment;     /* train.augment */
    int pack;                 /* PacGAN: D judges pack samples at once (default 1) */
    int shards;               /* batches cut into shards (gan_net_set_shards; default 1) */
    gan_health_spec health;
    gan_gemm_engine gemm;     /* train.gemm: the GEMM engine (gan_gemm_set_engine) */
} gan_train_spec;

typedef struct gan_output_spec {
    char dir[1024];
    long checkpoint_every;    /* 0: only at the end */
    long sample_every;        /* 0: only at the end */
    long log_every;           /* CSV log row period (default 10) */
    int keep;                 /* step checkpoints kept (0 = all) */
    int samples;              /* images in a sample grid (default 64) */
} gan_output_spec;

typedef struct gan_model_spec {
    char name[128];
    uint64_t seed;
    gan_data_spec data;
    gan_noise_spec noise;
    gan_stack_spec gen, disc;
    gan_train_spec train;
    gan_output_spec output;
    char source[1024];        /* file it came from, for messages */
} gan_model_spec;

/* Parse and validate a model file.  overrides are "KEY=VALUE" strings
 * (dotted keys, e.g. "train.steps=200") applied with the same validation.
 * Errors: err->file/line/col point at the offending node. */
GAN_API gan_status gan_model_load(gan_model_spec **out, const char *path,
                          const char *const *overrides, int noverrides, gan_error *err);
/* Same from text in memory; `name` is used in messages. */
GAN_API gan_status gan_model_load_string(gan_model_spec **out, const char *text, size_t len,
                                 const char *name, const char *const *overrides,
                                 int noverrides, gan_error *err);
GAN_API void gan_model_free(gan_model_spec *m);

/* The expanded model (every default filled in) as YAML text that
 * gan_model_load_string() accepts and that gives the same spec. malloc'd. */
GAN_API char *gan_model_expand(const gan_model_spec *m);

/* Build G (noise -> data shape) and D (data shape -> output) for batch
 * (data_shape from gan_data_shape(&m->data, ...)),
 * Bmax, checking that G's output equals data_shape and D ends in one value
 * per sample.  Errors point at the offending layer in the model file. */
GAN_API gan_status gan_model_build(const gan_model_spec *m, gan_shape data_shape, int Bmax,
                           gan_net **G, gan_net **D, gan_error *err);

/* `ganrun check` table: one row per entry (type, output shape, params,
 * the entries it reads, its id) for G and D, with totals. */
GAN_API void gan_model_print_summary(FILE *f, const gan_model_spec *m,
                             const gan_net *G, const gan_net *D);
/* `ganrun check --dot`: both networks as a Graphviz digraph, one cluster
 * each, a node per entry (index, type, id, output shape, parameters) and
 * an edge per input. */
GAN_API void gan_model_print_dot(FILE *f, const gan_model_spec *m, const gan_net *G, const gan_net *D);

/* Every documented top-level/section key, for the docs test: calls fn with
 * dotted names ("train.batch", "layer.conv2d.kernel", ...). */
GAN_API void gan_model_each_key(void (*fn)(const char *key, void *ctx), void *ctx);

#endif
