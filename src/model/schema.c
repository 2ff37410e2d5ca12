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

/* ---- data --------------------------------------------------------------- */
#define IMAGES (1u << GAN_DATA_IMAGES)
#define FILES (1u << GAN_DATA_IDX | 1u << GAN_DATA_CIFAR10 | 1u << GAN_DATA_PNGDIR | 1u << GAN_DATA_CSV | IMAGES)
#define MIXTURES (1u << GAN_DATA_GRID | 1u << GAN_DATA_RING)
#define D(m) offsetof(gan_data_spec, m), SZ(gan_data_spec, m)
static const field data_f[] = {
    { "format", F_ENUM, 0, 1, 0, 0, 0, 0, 0, 0, gan_model_format_names, D(format), NULL,
      "idx, cifar10, pngdir, csv, images, or the built-in 2-D mixtures grid and ring" },
    { "path", F_STR, FILES, 1, 0, 0, 1, 0, 0, 0, NULL, D(path), NULL,
      "data file or folder (not for grid, ring)" },
    { "labels", F_STR, FILES, 0, 0, 0, 0, 0, 0, 0, NULL, D(labels), NULL,
      "IDX label file matching the images; images: folders (each subfolder a class); empty for none" },
    { "limit", F_LONG, 0, 0, 0, 0, 0, NONE, 0, 0, NULL, D(limit), NULL,
      "use at most this many samples; 0 = all" },
    { "samples", F_LONG, MIXTURES, 0, 100000, 0, 1, 100000000, 0, 0, NULL, D(samples), NULL,
      "points drawn from a built-in mixture" },
    { "classes", F_INT, 0, 0, 0, 0, 0, 65536, 0, 0, NULL, D(classes), NULL,
      "number of classes of a conditional model (labels needed); 0 = unconditional" },
    { "label_column", F_INT, 1u << GAN_DATA_CSV, 0, 0, 0, 0, 65536, 0, 0, NULL, D(label_column), NULL,
      "1-based CSV column holding integer class labels (removed from the samples); 0 = none" },
    /* images: 0 stands for the generator's output, resolved by the trainer */
    { "height", F_INT, IMAGES, 0, 0, 0, 0, 4096, 0, 0, NULL, D(height), NULL,
      "images are resized to this height; default: the generator's output" },
    { "width", F_INT, IMAGES, 0, 0, 0, 0, 4096, 0, 0, NULL, D(width), NULL,
      "images are resized to this width; default: the generator's output" },
    { "channels", F_INT, IMAGES, 0, 0, 0, 0, 3, 0, 0, NULL, D(channels), NULL,
      "1 (gray) or 3 (RGB); default: the generator's output" },
    { "crop", F_ENUM, IMAGES, 0, GAN_CROP_CENTER, 0, 0, 0, 0, 0, gan_model_crop_names, D(crop), NULL,
      "center, or random (an offset drawn once per file from the seed) after the shorter side is scaled" },
    { "background", F_INT, IMAGES, 0, 255, 0, 0, 255, 0, 0, NULL, D(background), NULL,
      "gray level 0..255 that transparent pixels are composited over" },
    { "on_bad_file", F_ENUM, IMAGES, 0, GAN_BAD_ERROR, 0, 0, 0, 0, 0, gan_model_bad_file_names, D(on_bad_file), NULL,
      "error, or skip (files that cannot be decoded are counted and left out)" },
    { "cache", F_BOOL, IMAGES, 0, 1, 0, 0, 1, 0, 0, NULL, D(cache), NULL,
      "keep the decoded images in $GANRUN_CACHE_DIR, $XDG_CACHE_HOME/ganrun or ~/.cache/ganrun" },
};
static const section data_s = { "data", data_f, 14, 1, "data format", NULL };

/* ---- noise -------------------------------------------------------------- */
#define NORMALS (1u << GAN_NOISE_NORMAL | 1u << GAN_NOISE_TRUNCNORMAL)
#define N(m) offsetof(gan_noise_spec, m), SZ(gan_noise_spec, m)
static const field noise_f[] = {
    { "distribution", F_ENUM, 0, 0, GAN_NOISE_NORMAL, 0, 0, 0, 0, 0, gan_model_noise_names, N(dist),
      NULL, "normal, uniform or truncated_normal" },
    { "dim", F_INT, 0, 1, 0, 0, 1, 65536, 0, 0, NULL, N(dim), NULL,
      "length of a noise vector, the generator's input" },
    { "mean", F_FLOAT, NORMALS, 0, 0, 0, -1e6, 1e6, 0, 0, NULL, N(mean), NULL, "mean (normal, truncated_normal)" },
    { "std", F_FLOAT, NORMALS, 0, 1, 0, 0, 1e6, 1, 0, NULL, N(std), NULL,
      "standard deviation (normal, truncated_normal)" },
    { "low", F_FLOAT, 1u << GAN_NOISE_UNIFORM, 0, -1, 0, -1e6, 1e6, 0, 0, NULL, N(low), NULL,
      "lower end (uniform)" },
    { "high", F_FLOAT, 1u << GAN_NOISE_UNIFORM, 0, 1, 0, -1e6, 1e6, 0, 0, NULL, N(high), NULL,
      "upper end, > low (uniform)" },
    { "limit", F_FLOAT, 1u << GAN_NOISE_TRUNCNORMAL, 0, 2, 0, 0.5, 100, 0, 0, NULL, N(limit), NULL,
      "samples beyond limit * std from the mean are redrawn (truncated_normal)" },
};
static const section noise_s = { "noise", noise_f, 7, 1, "distribution", NULL };

/* ---- train.optimizer.{generator,discriminator} ------------------------- */
#define ADAM (1u << GAN_OPTIM_ADAM)
#define SGD (1u << GAN_OPTIM_SGD)
#define RMSPROP (1u << GAN_OPTIM_RMSPROP)
#define O(m) offsetof(gan_optim_conf, m), SZ(gan_optim_conf, m)
#define OPTIM_FIELDS(path)                                                                         \
    static const field path##_f[] = {                                                              \
        { "type", F_ENUM, 0, 0, GAN_OPTIM_ADAM, 0, 0, 0, 0, 0, gan_model_optim_names, O(kind), NULL,  \
          "adam, sgd or rmsprop" },                                                                \
        { "lr", F_FLOAT, ADAM, 0, 2e-4, 0, 0, 10, 1, 0, NULL, O(lr), NULL, "learning rate" },       \
        { "lr", F_FLOAT, SGD, 0, 0.01, 0, 0, 10, 1, 0, NULL, O(lr), NULL, "learning rate" },        \
        { "lr", F_FLOAT, RMSPROP, 0, 1e-3, 0, 0, 10, 1, 0, NULL, O(lr), NULL, "learning rate" },    \
        { "betas", F_FLOAT2, ADAM, 0, 0.5, 0.999, 0, 1, 0, 1, NULL, offsetof(gan_optim_conf, beta1), \
          2 * sizeof(float), NULL, "[beta1, beta2], moment decay rates in [0, 1)" },               \
        { "eps", F_FLOAT, ADAM | RMSPROP, 0, 1e-8, 0, 0, 1, 1, 0, NULL, O(eps), NULL,               \
          "added to the root of the second moment" },                                               \
        { "alpha", F_FLOAT, RMSPROP, 0, 0.99, 0, 0, 1, 0, 1, NULL, O(alpha), NULL,                 \
          "smoothing of the squared gradient" },                                                    \
        { "momentum", F_FLOAT, SGD | RMSPROP, 0, 0, 0, 0, 1, 0, 1, NULL, O(momentum), NULL,        \
          "momentum in [0, 1)" },                                                                   \
        { "nesterov", F_BOOL, SGD, 0, 0, 0, 0, 1, 0, 0, NULL, O(nesterov), NULL,                   \
          "Nesterov momentum (needs momentum > 0)" },                                               \
        { "weight_decay", F_FLOAT, 0, 0, 0, 0, 0, 10, 0, 0, NULL, O(weight_decay), NULL,            \
          "L2 penalty added to the gradient" },                                                     \
        { "schedule", F_ENUM, 0, 0, GAN_LR_CONSTANT, 0, 0, 0, 0, 0, gan_model_lr_schedule_names,   \
          O(schedule), NULL, "learning-rate schedule: constant, linear, cosine or step" },        \
        { "warmup", F_LONG, 0, 0, 0, 0, 0, 1e12, 0, 0, NULL, O(warmup), NULL,                      \
          "training steps of linear warm-up to lr (any schedule)" },                               \
        { "decay_steps", F_LONG, 0, 0, 0, 0, 0, 1e12, 0, 0, NULL, O(decay_steps), NULL,            \
          "linear, cosine: steps of the decay after the warm-up; 0: to train.steps" },            \
        { "lr_end", F_FLOAT, 0, 0, 0, 0, 0, 1, 0, 0, NULL, O(lr_end), NULL,                         \
          "linear, cosine: the final rate as a fraction of lr" },                                  \
        { "step_every", F_LONG, 0, 0, 1000, 0, 1, 1e12, 0, 0, NULL, O(step_every), NULL,           \
          "step: training steps between two multiplications by gamma" },                           \
        { "gamma", F_FLOAT, 0, 0, 0.1, 0, 0, 1, 1, 0, NULL, O(gamma), NULL,                         \
          "step: the factor applied every step_every steps" },                                     \
    };                                                                                             \
    static const section path##_s = { "train.optimizer." #path, path##_f, 16, 1, "optimizer", "optimizer" };
OPTIM_FIELDS(generator)
OPTIM_FIELDS(discriminator)

static const field optimizer_f[] = {
    { "generator", F_SECTION, 0, 0, 0, 0, 0, 0, 0, 0, NULL, offsetof(gan_train_spec, gopt), 0,
      &generator_s, "the generator's optimizer" },
    { "discriminator", F_SECTION, 0, 0, 0, 0, 0, 0, 0, 0, NULL, offsetof(gan_train_spec, dopt), 0,
      &discriminator_s, "the discriminator's optimizer" },
};
static const section optimizer_s = { "train.optimizer", optimizer_f, 2, 0, NULL, NULL };

/* ---- train -------------------------------------------------------------- */
#define T(m) offsetof(gan_train_spec, m), SZ(gan_train_spec, m)
static const field schedule_f[] = {
    { "d_steps", F_INT, 0, 0, 1, 0, 1, 100, 0, 0, NULL, T(d_steps), NULL,
      "discriminator steps per training step" },
    { "g_steps", F_INT, 0, 0, 1, 0, 1, 100, 0, 0, NULL, T(g_steps), NULL,
      "generator steps per training step" },
};
static const section schedule_s = { "train.schedule", schedule_f, 2, 0, NULL, NULL };

#define E(m) offsetof(gan_ema_spec, m), SZ(gan_ema_spec, m)
static const field ema_f[] = {
    { "decay", F_FLOAT, 0, 0, 0, 0, 0, 1, 0, 1, NULL, E(decay), NULL,
      "generator weight average ema = decay * ema + (1 - decay) * weights after each G step; 0: off" },
    { "start", F_LONG, 0, 0, 0, 0, 0, 1e12, 0, 0, NULL, E(start), NULL,
      "training steps before which the average is a plain copy of the weights" },
    { "rampup", F_FLOAT, 0, 0, 0, 0, 0, 100, 0, 0, NULL, E(rampup), NULL,
      "warm-up ramp (StyleGAN's ema_rampup): at step s the decay is at most 0.5^(1/(rampup s)); 0: off" },
};
static const section ema_s = { "train.ema", ema_f, 3, 0, NULL, NULL };
#define A(m) offsetof(gan_aug_spec, m), SZ(gan_aug_spec, m)
static const field augment_f[] = {
    { "flip", F_BOOL, 0, 0, 0, 0, 0, 1, 0, 0, NULL, A(flip), NULL,
      "mirror each real image left-right with probability 1/2" },
    { "policy", F_STR, 0, 0, 0, 0, 0, 0, 0, 0, NULL, A(policy), NULL,
      "DiffAugment ops applied to real and fake images before D: color, translation, cutout, comma-separated" },
    { "p", F_FLOAT, 0, 0, 1, 0, 0, 1, 0, 0, NULL, A(p), NULL,
      "probability of each op per image; with ada_target its start value" },
    { "ada_target", F_FLOAT, 0, 0, 0, 0, 0, 1, 0, 1, NULL, A(ada_target), NULL,
      "ADA: > 0 adapts p after each D step so that E[sign(D(real))] approaches this; 0: p fixed" },
    { "ada_speed", F_FLOAT, 0, 0, 100000, 0, 1, 1e12, 0, 0, NULL, A(ada_speed), NULL,
      "ADA: real images over which p can rise or fall by 1" },
    { "translation", F_FLOAT, 0, 0, 0.125, 0, 0, 1, 0, 0, NULL, A(translation), NULL,
      "translation shifts by up to this fraction of the height and width (zeros fill)" },
    { "cutout", F_FLOAT, 0, 0, 0.5, 0, 0, 1, 0, 0, NULL, A(cutout), NULL,
      "cutout zeroes a rectangle of this fraction of the height and width" },
};
static const section augment_s = { "train.augment", augment_f, 7, 0, NULL, NULL };
#define P(m) offsetof(gan_penalty_spec, m), SZ(gan_penalty_spec, m)
#define PENALTY_FIELDS(path, what)                                                                 \
    static const field path##_f[] = {                                                              \
        { "gamma", F_FLOAT, 0, 0, 0, 0, 0, 1e6, 0, 0, NULL, P(gamma), NULL,                         \
          "weight gamma of (gamma/2) E ||grad_x D(x)||^2 on " what " inputs of D; 0: off" },       \
        { "every", F_INT, 0, 0, 1, 0, 1, 1000000, 0, 0, NULL, P(every), NULL,                       \
          "lazy regularisation: on every K-th D step, the penalty times K" },                      \
        { "schedule", F_ENUM, 0, 0, GAN_LR_CONSTANT, 0, 0, 0, 0, 0, gan_model_lr_schedule_names,   \
          P(schedule), NULL, "gamma's schedule: constant, linear, cosine or step (as lr's)" },     \
        { "warmup", F_LONG, 0, 0, 0, 0, 0, 1e12, 0, 0, NULL, P(warmup), NULL,                      \
          "training steps of linear warm-up to gamma" },                                           \
        { "decay_steps", F_LONG, 0, 0, 0, 0, 0, 1e12, 0, 0, NULL, P(decay_steps), NULL,            \
          "linear, cosine: steps of the decay after the warm-up; 0: to train.steps" },             \
        { "end", F_FLOAT, 0, 0, 0, 0, 0, 1, 0, 0, NULL, P(end), NULL,                               \
          "linear, cosine: the final gamma as a fraction of gamma" },                              \
        { "step_every", F_LONG, 0, 0, 1000, 0, 1, 1e12, 0, 0, NULL, P(step_every), NULL,           \
          "step: training steps between two multiplications by factor" },                          \
        { "factor", F_FLOAT, 0, 0, 0.1, 0, 0, 1, 1, 0, NULL, P(factor), NULL,                       \
          "step: the factor applied every step_every steps" },                                     \
    };                                                                                             \
    static const section path##_s = { "train." #path, path##_f, 8, 0, NULL, NULL };
PENALTY_FIELDS(r1, "real")
PENALTY_FIELDS(r2, "generated")

const char *const gan_model_health_names[] = { "stop", "rollback", NULL };
#define ROLLBACK (1u << GAN_HEALTH_ROLLBACK)
#define H(m) offsetof(gan_health_spec, m), SZ(gan_health_spec, m)
static const field health_f[] = {
    { "on_nan", F_ENUM, 0, 0, GAN_HEALTH_STOP, 0, 0, 0, 0, 0, gan_model_health_names, H(on_nan), NULL,
      "stop, or rollback to the last healthy snapshot" },
    { "snapshot_every", F_LONG, ROLLBACK, 0, 100, 0, 1, NONE, 0, 0, NULL, H(snapshot_every), NULL,
      "steps between in-memory snapshots of the training state" },
    { "lr_factor", F_FLOAT, ROLLBACK, 0, 0.5, 0, 0, 1, 1, 0, NULL, H(lr_factor), NULL,
      "learning rates are multiplied by it on each rollback" },
    { "retries", F_INT, ROLLBACK, 0, 3, 0, 1, 1000, 0, 0, NULL, H(retries), NULL,
      "rollbacks in a row before the run stops" },
};
static const section health_s = { "train.health", health_f, 4, 1, "on_nan", NULL };

static const field train_f[] = {
    { "loss", F_ENUM, 0, 0, GAN_LOSS_BCE, 0, 0, 0, 0, 0, gan_model_loss_names, T(loss), NULL,
      "bce, minimax, lsgan, hinge, wgan-gp or rpgan" },
    { "gp_lambda", F_FLOAT, 1u << GAN_LOSS_WGAN_GP, 0, 10, 0, 0, 1e6, 0, 0, NULL, T(gp_lambda), NULL,
      "weight of the gradient penalty (wgan-gp)" },
    { "batch", F_INT, 0, 1, 0, 0, 1, 65536, 0, 0, NULL, T(batch), NULL, "real samples per D step" },
    /* default 0 stands for "= batch", resolved after parsing */
    { "noise_batch", F_INT, 0, 0, 0, 0, 1, 65536, 0, 0, NULL, T(noise_batch), NULL,
      "fake samples per D and G step; default: batch" },
    { "steps", F_LONG, 0, 1, 0, 0, 1, 1e12, 0, 0, NULL, T(steps), NULL, "training steps" },
    { "schedule", F_SECTION, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, &schedule_s,
      "d_steps D steps then g_steps G steps per training step" },
    { "optimizer", F_SECTION, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, &optimizer_s,
      "optimizers of the generator and the discriminator" },
    { "ema", F_SECTION, 0, 0, 0, 0, 0, 0, 0, 0, NULL, offsetof(gan_train_spec, ema), 0, &ema_s,
      "exponential moving average of the generator's weights, used for sampling" },
    { "pack", F_INT, 0, 0, 1, 0, 1, 64, 0, 0, NULL, T(pack), NULL,
      "PacGAN: D judges this many samples at once, concatenated along channels or features" },
    { "shards", F_INT, 0, 0, 1, 0, 1, 4096, 0, 0, NULL, T(shards), NULL,
      "cut each batch into this many shards whose gradients add in a fixed tree: the same bits on "
      "any number of ranks that divides it" },
    { "health", F_SECTION, 0, 0, 0, 0, 0, 0, 0, 0, NULL, offsetof(gan_train_spec, health), 0, &health_s,
      "what a step that meets NaN or infinity does" },
    { "augment", F_SECTION, 0, 0, 0, 0, 0, 0, 0, 0, NULL, offsetof(gan_train_spec, augment), 0, &augment_s,
      "augmentation of the images D sees (flip, DiffAugment, ADA's adaptive p)" },
    { "r1", F_SECTION, 0, 0, 0, 0, 0, 0, 0, 0, NULL, offsetof(gan_train_spec, r1), 0, &r1_s,
      "R1 penalty: (gamma/2) E ||grad_x D(x)||^2 on real images, any loss" },
    { "r2", F_SECTION, 0, 0, 0, 0, 0, 0, 0, 0, NULL, offsetof(gan_train_spec, r2), 0, &r2_s,
      "R2 penalty: the same on generated images" },
};
static const section train_s = { "train", train_f, 14, 1, "loss", NULL };

/* ---- output ------------------------------------------------------------- */
#define U(m) offsetof(gan_output_spec, m), SZ(gan_output_spec, m)
static const field output_f[] = {
    /* default "" stands for runs/NAME, resolved after parsing */
    { "dir", F_STR, 0, 0, 0, 0, 1, 0, 0, 0, NULL, U(dir), NULL, "run directory; default runs/NAME" },
    { "checkpoint_every", F_LONG, 0, 0, 1000, 0, 0, NONE, 0, 0, NULL, U(checkpoint_every), NULL,
      "steps between checkpoints; 0: at the end only" },
    { "sample_every", F_LONG, 0, 0, 500, 0, 0, NONE, 0, 0, NULL, U(sample_every), NULL,
      "steps between sample grids; 0: at the end only" },
    { "log_every", F_LONG, 0, 0, 10, 0, 1, NONE, 0, 0, NULL, U(log_every), NULL,
      "steps between rows of log.csv" },
    { "keep", F_INT, 0, 0, 0, 0, 0, 1000000, 0, 0, NULL, U(keep), NULL,
      "step checkpoints kept; 0 = all" },
    { "samples", F_INT, 0, 0, 64, 0, 1, 1024, 0, 0, NULL, U(samples), NULL, "images in a sample grid" },
};
static const section output_s = { "output", output_f, 6, 0, NULL, NULL };

/* ---- top level ---------------------------------------------------------- */
#define M(m) offsetof(gan_model_spec, m), SZ(gan_model_spec, m)
static const field top_f[] = {
    { "name", F_STR, 0, 1, 0, 0, 1, 0, 0, 0, NULL, M(name), NULL, "name of the experiment" },
    { "seed", F_U64, 0, 0, 1, 0, 0, NONE, 0, 0, NULL, M(seed), NULL, "seeds every random stream" },
    { "data", F_SECTION, 0, 1, 0, 0, 0, 0, 0, 0, NULL, offsetof(gan_model_spec, data), 0, &data_s,
      "the training data" },
    { "noise", F_SECTION, 0, 1, 0, 0, 0, 0, 0, 0, NULL, offsetof(gan_model_spec, noise), 0, &noise_s,
      "the generator's input" },
    { "generator", F_STACK, 0, 1, 0, 0, 0, 0, 0, 0, NULL, M(gen), NULL, "layers from noise to a sample" },
    { "discriminator", F_STACK, 0, 1, 0, 0, 0, 0, 0, 0, NULL, M(disc), NULL,
      "layers from a sample to one score" },
    { "train", F_SECTION, 0, 1, 0, 0, 0, 0, 0, 0, NULL, offsetof(gan_model_spec, train), 0, &train_s,
      "loss, batch sizes, schedule, optimizers" },
    { "output", F_SECTION, 0, 0, 0, 0, 0, 0, 0, 0, NULL, offsetof(gan_model_spec, output), 0, &output_s,
      "run directory and how often to write" },
};
const section gan_model_top = { "", top_f, 8, 0, NULL, NULL };
