/* schema.c - the model file's keys, their types, ranges and defaults.
 *
 * This is the one place the schema is written down; ganrun-model(5)
 * documents the same keys (a test compares them through
 * gan_model_each_key).  Layer options live in each layer's key table.
 */
#include "config.h"
#include <stddef.h>
#include "model/schema.h"

#define NONE 1e18   /* no upper bound */
#define SZ(T, m) sizeof(((T *)0)->m)

const char *const gan_model_loss_names[] = { "bce", "minimax", "lsgan", "hinge", "wgan-gp", "rpgan", NULL };
const char *const gan_model_optim_names[] = { "adam", "sgd", "rmsprop", NULL };
const char *const gan_model_lr_schedule_names[] = { "constant", "linear", "cosine", "step", NULL };
const char *const gan_model_format_names[] = { "idx", "cifar10", "pngdir", "csv", "grid", "ring", "images", NULL };
const char *const gan_model_crop_names[] = { "center", "random", NULL };
const char *const gan_model_bad_file_names[] = { "error", "skip", NULL };
const char *const gan_model_noise_names[] = { "normal", "uniform", "truncated_normal", NULL };
/* in the order of gan_gemm_engine */
const char *const gan_model_gemm_names[] = { "openblas", "onednn", "onednn-bf16", NULL };

/* ---- data --------------------------------------------------------------- */
#define IMAGES (1u << GAN_DATA_IMAGES)
#define FILES (1u << GAN_DATA_IDX | 1u << GAN_DATA_CIFAR10 | 1u << GAN_DATA_PNGDIR | 1u << GAN_DATA_CSV | IMAGES)
#define MIXTURES (1u << GAN_DATA_GRID | 1u << GAN_DATA_RING)
#define D(m) .off = offsetof(gan_data_spec, m), .size = SZ(gan_data_spec, m)
static const field data_f[] = {
    { .key = "format", .kind = F_ENUM, .required = 1, .choices = gan_model_format_names, D(format),
      .doc = "idx, cifar10, pngdir, csv, images, or the built-in 2-D mixtures grid and ring" },
    { .key = "path", .kind = F_STR, .when = FILES, .required = 1, .min = 1, D(path),
      .doc = "data file or folder (not for grid, ring)" },
    { .key = "labels", .kind = F_STR, .when = FILES, D(labels),
      .doc = "IDX label file matching the images; images: folders (each subfolder a class); empty for none" },
    { .key = "limit", .kind = F_LONG, .max = NONE, D(limit),
      .doc = "use at most this many samples; 0 = all" },
    { .key = "samples", .kind = F_LONG, .when = MIXTURES, .def = 100000, .min = 1, .max = 100000000,
      D(samples),
      .doc = "points drawn from a built-in mixture" },
    { .key = "classes", .kind = F_INT, .max = 65536, D(classes),
      .doc = "number of classes of a conditional model (labels needed); 0 = unconditional" },
    { .key = "label_column", .kind = F_INT, .when = 1u << GAN_DATA_CSV, .max = 65536, D(label_column),
      .doc = "1-based CSV column holding integer class labels (removed from the samples); 0 = none" },
    /* images: 0 stands for the generator's output, resolved by the trainer */
    { .key = "height", .kind = F_INT, .when = IMAGES, .max = 4096, D(height),
      .doc = "images are resized to this height; default: the generator's output" },
    { .key = "width", .kind = F_INT, .when = IMAGES, .max = 4096, D(width),
      .doc = "images are resized to this width; default: the generator's output" },
    { .key = "channels", .kind = F_INT, .when = IMAGES, .max = 3, D(channels),
      .doc = "1 (gray) or 3 (RGB); default: the generator's output" },
    { .key = "crop", .kind = F_ENUM, .when = IMAGES, .def = GAN_CROP_CENTER, .choices = gan_model_crop_names,
      D(crop),
      .doc = "center, or random (an offset drawn once per file from the seed) after the shorter side is scaled" },
    { .key = "background", .kind = F_INT, .when = IMAGES, .def = 255, .max = 255, D(background),
      .doc = "gray level 0..255 that transparent pixels are composited over" },
    { .key = "on_bad_file", .kind = F_ENUM, .when = IMAGES, .def = GAN_BAD_ERROR,
      .choices = gan_model_bad_file_names, D(on_bad_file),
      .doc = "error, or skip (files that cannot be decoded are counted and left out)" },
    { .key = "cache", .kind = F_BOOL, .when = IMAGES, .def = 1, .max = 1, D(cache),
      .doc = "keep the decoded images in $GANRUN_CACHE_DIR, $XDG_CACHE_HOME/ganrun or ~/.cache/ganrun" },
};
static const section data_s = { .path = "data", .f = data_f, .n = NFIELDS(data_f),
                                .has_variant = 1, .variant_noun = "data format" };

/* ---- noise -------------------------------------------------------------- */
#define NORMALS (1u << GAN_NOISE_NORMAL | 1u << GAN_NOISE_TRUNCNORMAL)
#define N(m) .off = offsetof(gan_noise_spec, m), .size = SZ(gan_noise_spec, m)
static const field noise_f[] = {
    { .key = "distribution", .kind = F_ENUM, .def = GAN_NOISE_NORMAL, .choices = gan_model_noise_names,
      N(dist),
      .doc = "normal, uniform or truncated_normal" },
    { .key = "dim", .kind = F_INT, .required = 1, .min = 1, .max = 65536, N(dim),
      .doc = "length of a noise vector, the generator's input" },
    { .key = "mean", .kind = F_FLOAT, .when = NORMALS, .min = -1e6, .max = 1e6, N(mean),
      .doc = "mean (normal, truncated_normal)" },
    { .key = "std", .kind = F_FLOAT, .when = NORMALS, .def = 1, .max = 1e6, .min_open = 1, N(std),
      .doc = "standard deviation (normal, truncated_normal)" },
    { .key = "low", .kind = F_FLOAT, .when = 1u << GAN_NOISE_UNIFORM, .def = -1, .min = -1e6, .max = 1e6,
      N(low),
      .doc = "lower end (uniform)" },
    { .key = "high", .kind = F_FLOAT, .when = 1u << GAN_NOISE_UNIFORM, .def = 1, .min = -1e6, .max = 1e6,
      N(high),
      .doc = "upper end, > low (uniform)" },
    { .key = "limit", .kind = F_FLOAT, .when = 1u << GAN_NOISE_TRUNCNORMAL, .def = 2, .min = 0.5, .max = 100,
      N(limit),
      .doc = "samples beyond limit * std from the mean are redrawn (truncated_normal)" },
};
static const section noise_s = { .path = "noise", .f = noise_f, .n = NFIELDS(noise_f),
                                 .has_variant = 1, .variant_noun = "distribution" };

/* ---- train.optimizer.{generator,discriminator} ------------------------- */
#define ADAM (1u << GAN_OPTIM_ADAM)
#define SGD (1u << GAN_OPTIM_SGD)
#define RMSPROP (1u << GAN_OPTIM_RMSPROP)
#define O(m) .off = offsetof(gan_optim_conf, m), .size = SZ(gan_optim_conf, m)
#define OPTIM_FIELDS(who)                                                                                      \
    static const field who##_f[] = {                                                                           \
        { .key = "type", .kind = F_ENUM, .def = GAN_OPTIM_ADAM, .choices = gan_model_optim_names, O(kind),     \
          .doc = "adam, sgd or rmsprop" },                                                                     \
        { .key = "lr", .kind = F_FLOAT, .when = ADAM, .def = 2e-4, .max = 10, .min_open = 1, O(lr),            \
          .doc = "learning rate" },                                                                            \
        { .key = "lr", .kind = F_FLOAT, .when = SGD, .def = 0.01, .max = 10, .min_open = 1, O(lr),             \
          .doc = "learning rate" },                                                                            \
        { .key = "lr", .kind = F_FLOAT, .when = RMSPROP, .def = 1e-3, .max = 10, .min_open = 1, O(lr),         \
          .doc = "learning rate" },                                                                            \
        { .key = "betas", .kind = F_FLOAT2, .when = ADAM, .def = 0.5, .def2 = 0.999, .max = 1, .max_open = 1,  \
          .off = offsetof(gan_optim_conf, beta1), .size = 2 * sizeof(float),                                   \
          .doc = "[beta1, beta2], moment decay rates in [0, 1)" },                                             \
        { .key = "eps", .kind = F_FLOAT, .when = ADAM | RMSPROP, .def = 1e-8, .max = 1, .min_open = 1, O(eps), \
          .doc = "added to the root of the second moment" },                                                   \
        { .key = "alpha", .kind = F_FLOAT, .when = RMSPROP, .def = 0.99, .max = 1, .max_open = 1, O(alpha),    \
          .doc = "smoothing of the squared gradient" },                                                        \
        { .key = "momentum", .kind = F_FLOAT, .when = SGD | RMSPROP, .max = 1, .max_open = 1, O(momentum),     \
          .doc = "momentum in [0, 1)" },                                                                       \
        { .key = "nesterov", .kind = F_BOOL, .when = SGD, .max = 1, O(nesterov),                               \
          .doc = "Nesterov momentum (needs momentum > 0)" },                                                   \
        { .key = "weight_decay", .kind = F_FLOAT, .max = 10, O(weight_decay),                                  \
          .doc = "L2 penalty added to the gradient" },                                                         \
        { .key = "schedule", .kind = F_ENUM, .def = GAN_LR_CONSTANT, .choices = gan_model_lr_schedule_names,   \
          O(schedule),                                                                                         \
          .doc = "learning-rate schedule: constant, linear, cosine or step" },                                 \
        { .key = "warmup", .kind = F_LONG, .max = 1e12, O(warmup),                                             \
          .doc = "training steps of linear warm-up to lr (any schedule)" },                                    \
        { .key = "decay_steps", .kind = F_LONG, .max = 1e12, O(decay_steps),                                   \
          .doc = "linear, cosine: steps of the decay after the warm-up; 0: to train.steps" },                  \
        { .key = "lr_end", .kind = F_FLOAT, .max = 1, O(lr_end),                                               \
          .doc = "linear, cosine: the final rate as a fraction of lr" },                                       \
        { .key = "step_every", .kind = F_LONG, .def = 1000, .min = 1, .max = 1e12, O(step_every),              \
          .doc = "step: training steps between two multiplications by gamma" },                                \
        { .key = "gamma", .kind = F_FLOAT, .def = 0.1, .max = 1, .min_open = 1, O(gamma),                      \
          .doc = "step: the factor applied every step_every steps" },                                          \
        { .key = "beta2_end", .kind = F_FLOAT, .when = ADAM, .max = 1, .max_open = 1, O(beta2_end),            \
          .doc = "linear, cosine: beta2 moves to it as lr decays (R3GAN: 0.9 to 0.99); 0: beta2 fixed" },    \
    };                                                                                                         \
    static const section who##_s = { .path = "train.optimizer." #who, .f = who##_f, .n = NFIELDS(who##_f),     \
                                     .has_variant = 1, .variant_noun = "optimizer", .keys_prefix = "optimizer" };
OPTIM_FIELDS(generator)
OPTIM_FIELDS(discriminator)

static const field optimizer_f[] = {
    { .key = "generator", .kind = F_SECTION, .off = offsetof(gan_train_spec, gopt), .sub = &generator_s,
      .doc = "the generator's optimizer" },
    { .key = "discriminator", .kind = F_SECTION, .off = offsetof(gan_train_spec, dopt),
      .sub = &discriminator_s,
      .doc = "the discriminator's optimizer" },
};
static const section optimizer_s = { .path = "train.optimizer", .f = optimizer_f, .n = NFIELDS(optimizer_f) };

/* ---- train -------------------------------------------------------------- */
#define T(m) .off = offsetof(gan_train_spec, m), .size = SZ(gan_train_spec, m)
static const field schedule_f[] = {
    { .key = "d_steps", .kind = F_INT, .def = 1, .min = 1, .max = 100, T(d_steps),
      .doc = "discriminator steps per training step" },
    { .key = "g_steps", .kind = F_INT, .def = 1, .min = 1, .max = 100, T(g_steps),
      .doc = "generator steps per training step" },
};
static const section schedule_s = { .path = "train.schedule", .f = schedule_f, .n = NFIELDS(schedule_f) };

#define E(m) .off = offsetof(gan_ema_spec, m), .size = SZ(gan_ema_spec, m)
static const field ema_f[] = {
    { .key = "decay", .kind = F_FLOAT, .max = 1, .max_open = 1, E(decay),
      .doc = "generator weight average ema = decay * ema + (1 - decay) * weights after each G step; 0: off" },
    { .key = "start", .kind = F_LONG, .max = 1e12, E(start),
      .doc = "training steps before which the average is a plain copy of the weights" },
    { .key = "rampup", .kind = F_FLOAT, .max = 100, E(rampup),
      .doc = "warm-up ramp (StyleGAN's ema_rampup): at step s the decay is at most 0.5^(1/(rampup s)); 0: off" },
    { .key = "half_life", .kind = F_FLOAT, .max = 1e12, E(half_life),
      .doc = "the average's half-life in images (StyleGAN's ema_kimg * 1000), instead of decay; 0: off" },
};
static const section ema_s = { .path = "train.ema", .f = ema_f, .n = NFIELDS(ema_f) };
#define A(m) .off = offsetof(gan_aug_spec, m), .size = SZ(gan_aug_spec, m)
static const field augment_f[] = {
    { .key = "flip", .kind = F_BOOL, .max = 1, A(flip),
      .doc = "mirror each real image left-right with probability 1/2" },
    { .key = "policy", .kind = F_STR, A(policy),
      .doc = "DiffAugment ops applied to real and fake images before D: color, translation, cutout, comma-separated" },
    { .key = "p", .kind = F_FLOAT, .def = 1, .max = 1, A(p),
      .doc = "probability of each op per image; with ada_target its start value" },
    { .key = "ada_target", .kind = F_FLOAT, .max = 1, .max_open = 1, A(ada_target),
      .doc = "ADA: > 0 adapts p after each D step so that E[sign(D(real))] approaches this; 0: p fixed" },
    { .key = "ada_speed", .kind = F_FLOAT, .def = 100000, .min = 1, .max = 1e12, A(ada_speed),
      .doc = "ADA: real images over which p can rise or fall by 1" },
    { .key = "translation", .kind = F_FLOAT, .def = 0.125, .max = 1, A(translation),
      .doc = "translation shifts by up to this fraction of the height and width (zeros fill)" },
    { .key = "cutout", .kind = F_FLOAT, .def = 0.5, .max = 1, A(cutout),
      .doc = "cutout zeroes a rectangle of this fraction of the height and width" },
    { .key = "schedule", .kind = F_ENUM, .def = GAN_LR_CONSTANT, .choices = gan_model_lr_schedule_names,
      A(schedule), .doc = "constant, or linear or cosine: p moves from p to p_end (not with ada_target)" },
    { .key = "warmup", .kind = F_LONG, .max = 1e12, A(warmup),
      .doc = "linear, cosine: training steps at p before the move" },
    { .key = "decay_steps", .kind = F_LONG, .max = 1e12, A(decay_steps),
      .doc = "linear, cosine: steps of the move; 0: to train.steps" },
    { .key = "p_end", .kind = F_FLOAT, .max = 1, A(p_end), .doc = "linear, cosine: the final p" },
};
static const section augment_s = { .path = "train.augment", .f = augment_f, .n = NFIELDS(augment_f) };
#define P(m) .off = offsetof(gan_penalty_spec, m), .size = SZ(gan_penalty_spec, m)
#define PENALTY_FIELDS(pen, what)                                                                      \
    static const field pen##_f[] = {                                                                   \
        { .key = "gamma", .kind = F_FLOAT, .max = 1e6, P(gamma),                                          \
          .doc = "weight gamma of (gamma/2) E ||grad_x D(x)||^2 on " what " inputs of D; 0: off" },       \
        { .key = "every", .kind = F_INT, .def = 1, .min = 1, .max = 1000000, P(every),                   \
          .doc = "lazy regularisation: on every K-th D step, the penalty times K" },                    \
        { .key = "schedule", .kind = F_ENUM, .def = GAN_LR_CONSTANT, .choices = gan_model_lr_schedule_names, \
          P(schedule), .doc = "gamma's schedule: constant, linear, cosine or step (as lr's)" },         \
        { .key = "warmup", .kind = F_LONG, .max = 1e12, P(warmup),                                       \
          .doc = "training steps of linear warm-up to gamma" },                                         \
        { .key = "decay_steps", .kind = F_LONG, .max = 1e12, P(decay_steps),                             \
          .doc = "linear, cosine: steps of the decay after the warm-up; 0: to train.steps" },           \
        { .key = "end", .kind = F_FLOAT, .max = 1, P(end),                                               \
          .doc = "linear, cosine: the final gamma as a fraction of gamma" },                            \
        { .key = "step_every", .kind = F_LONG, .def = 1000, .min = 1, .max = 1e12, P(step_every),        \
          .doc = "step: training steps between two multiplications by factor" },                        \
        { .key = "factor", .kind = F_FLOAT, .def = 0.1, .max = 1, .min_open = 1, P(factor),              \
          .doc = "step: the factor applied every step_every steps" },                                   \
    };                                                                                                  \
    static const section pen##_s = { .path = "train." #pen, .f = pen##_f, .n = NFIELDS(pen##_f) };
PENALTY_FIELDS(r1, "real")
PENALTY_FIELDS(r2, "generated")

const char *const gan_model_health_names[] = { "stop", "rollback", NULL };
#define ROLLBACK (1u << GAN_HEALTH_ROLLBACK)
#define H(m) .off = offsetof(gan_health_spec, m), .size = SZ(gan_health_spec, m)
static const field health_f[] = {
    { .key = "on_nan", .kind = F_ENUM, .def = GAN_HEALTH_STOP, .choices = gan_model_health_names, H(on_nan),
      .doc = "stop, or rollback to the last healthy snapshot" },
    { .key = "snapshot_every", .kind = F_LONG, .when = ROLLBACK, .def = 100, .min = 1, .max = NONE,
      H(snapshot_every),
      .doc = "steps between in-memory snapshots of the training state" },
    { .key = "lr_factor", .kind = F_FLOAT, .when = ROLLBACK, .def = 0.5, .max = 1, .min_open = 1,
      H(lr_factor),
      .doc = "learning rates are multiplied by it on each rollback" },
    { .key = "retries", .kind = F_INT, .when = ROLLBACK, .def = 3, .min = 1, .max = 1000, H(retries),
      .doc = "rollbacks in a row before the run stops" },
};
static const section health_s = { .path = "train.health", .f = health_f, .n = NFIELDS(health_f),
                                  .has_variant = 1, .variant_noun = "on_nan" };

static const field train_f[] = {
    { .key = "loss", .kind = F_ENUM, .def = GAN_LOSS_BCE, .choices = gan_model_loss_names, T(loss),
      .doc = "bce, minimax, lsgan, hinge, wgan-gp or rpgan" },
    { .key = "gp_lambda", .kind = F_FLOAT, .when = 1u << GAN_LOSS_WGAN_GP, .def = 10, .max = 1e6,
      T(gp_lambda),
      .doc = "weight of the gradient penalty (wgan-gp)" },
    { .key = "batch", .kind = F_INT, .required = 1, .min = 1, .max = 65536, T(batch),
      .doc = "real samples per D step" },
    /* default 0 stands for "= batch", resolved after parsing */
    { .key = "noise_batch", .kind = F_INT, .min = 1, .max = 65536, T(noise_batch),
      .doc = "fake samples per D and G step; default: batch" },
    { .key = "steps", .kind = F_LONG, .required = 1, .min = 1, .max = 1e12, T(steps),
      .doc = "training steps" },
    { .key = "schedule", .kind = F_SECTION, .sub = &schedule_s,
      .doc = "d_steps D steps then g_steps G steps per training step" },
    { .key = "optimizer", .kind = F_SECTION, .sub = &optimizer_s,
      .doc = "optimizers of the generator and the discriminator" },
    { .key = "ema", .kind = F_SECTION, .off = offsetof(gan_train_spec, ema), .sub = &ema_s,
      .doc = "exponential moving average of the generator's weights, used for sampling" },
    { .key = "pack", .kind = F_INT, .def = 1, .min = 1, .max = 64, T(pack),
      .doc = "PacGAN: D judges this many samples at once, concatenated along channels or features" },
    { .key = "shards", .kind = F_INT, .def = 1, .min = 1, .max = 4096, T(shards),
      .doc = "cut each batch into this many shards whose gradients add in a fixed tree: the same bits on "
             "any number of ranks that divides it" },
    { .key = "health", .kind = F_SECTION, .off = offsetof(gan_train_spec, health), .sub = &health_s,
      .doc = "what a step that meets NaN or infinity does" },
    { .key = "augment", .kind = F_SECTION, .off = offsetof(gan_train_spec, augment), .sub = &augment_s,
      .doc = "augmentation of the images D sees (flip, DiffAugment, ADA's adaptive p)" },
    { .key = "r1", .kind = F_SECTION, .off = offsetof(gan_train_spec, r1), .sub = &r1_s,
      .doc = "R1 penalty: (gamma/2) E ||grad_x D(x)||^2 on real images, any loss" },
    { .key = "r2", .kind = F_SECTION, .off = offsetof(gan_train_spec, r2), .sub = &r2_s,
      .doc = "R2 penalty: the same on generated images" },
    { .key = "gemm", .kind = F_ENUM, .def = GAN_GEMM_OPENBLAS, .choices = gan_model_gemm_names, T(gemm),
      .doc = "the GEMM engine: openblas, onednn (oneDNN's sgemm, fp32: other last bits, the same on any "
             "thread count; builds with oneDNN) or onednn-bf16 (bf16 operands, fp32 sums; AVX512_BF16)" },
};
static const section train_s = { .path = "train", .f = train_f, .n = NFIELDS(train_f),
                                 .has_variant = 1, .variant_noun = "loss" };

/* ---- output ------------------------------------------------------------- */
#define U(m) .off = offsetof(gan_output_spec, m), .size = SZ(gan_output_spec, m)
static const field output_f[] = {
    /* default "" stands for runs/NAME, resolved after parsing */
    { .key = "dir", .kind = F_STR, .min = 1, U(dir), .doc = "run directory; default runs/NAME" },
    { .key = "checkpoint_every", .kind = F_LONG, .def = 1000, .max = NONE, U(checkpoint_every),
      .doc = "steps between checkpoints; 0: at the end only" },
    { .key = "sample_every", .kind = F_LONG, .def = 500, .max = NONE, U(sample_every),
      .doc = "steps between sample grids; 0: at the end only" },
    { .key = "log_every", .kind = F_LONG, .def = 10, .min = 1, .max = NONE, U(log_every),
      .doc = "steps between rows of log.csv" },
    { .key = "keep", .kind = F_INT, .max = 1000000, U(keep), .doc = "step checkpoints kept; 0 = all" },
    { .key = "samples", .kind = F_INT, .def = 64, .min = 1, .max = 1024, U(samples),
      .doc = "images in a sample grid" },
};
static const section output_s = { .path = "output", .f = output_f, .n = NFIELDS(output_f) };

/* ---- top level ---------------------------------------------------------- */
#define M(m) .off = offsetof(gan_model_spec, m), .size = SZ(gan_model_spec, m)
static const field top_f[] = {
    { .key = "name", .kind = F_STR, .required = 1, .min = 1, M(name), .doc = "name of the experiment" },
    { .key = "seed", .kind = F_U64, .def = 1, .max = NONE, M(seed), .doc = "seeds every random stream" },
    { .key = "data", .kind = F_SECTION, .required = 1, .off = offsetof(gan_model_spec, data), .sub = &data_s,
      .doc = "the training data" },
    { .key = "noise", .kind = F_SECTION, .required = 1, .off = offsetof(gan_model_spec, noise),
      .sub = &noise_s,
      .doc = "the generator's input" },
    { .key = "generator", .kind = F_STACK, .required = 1, M(gen), .doc = "layers from noise to a sample" },
    { .key = "discriminator", .kind = F_STACK, .required = 1, M(disc),
      .doc = "layers from a sample to one score" },
    { .key = "train", .kind = F_SECTION, .required = 1, .off = offsetof(gan_model_spec, train),
      .sub = &train_s,
      .doc = "loss, batch sizes, schedule, optimizers" },
    { .key = "output", .kind = F_SECTION, .off = offsetof(gan_model_spec, output), .sub = &output_s,
      .doc = "run directory and how often to write" },
};
const section gan_model_top = { .path = "", .f = top_f, .n = NFIELDS(top_f) };
