/* gan/optim.h - optimizers over a flat parameter arena.
 * Moments have the same offsets as the parameters. */
#ifndef GAN_OPTIM_H
#define GAN_OPTIM_H

#include "gan/api.h"

#include <stddef.h>
#include <stdint.h>
#include "gan/error.h"

typedef enum gan_optim_kind { GAN_OPTIM_ADAM, GAN_OPTIM_SGD, GAN_OPTIM_RMSPROP } gan_optim_kind;

/* Learning-rate schedules: the rate of training step s (counted from 0)
 * is lr * f(s), with W = warmup, u = s - W, L = decay_steps (0: the run's
 * train.steps - W) and e = lr_end:
 *   s < W:     f = (s + 1) / W                      (linear warm-up)
 *   constant:  f = 1
 *   linear:    f = 1 - (1 - e) min(u / L, 1)
 *   cosine:    f = e + (1 - e) (1 + cos(pi min(u / L, 1))) / 2
 *   step:      f = gamma ^ floor(u / step_every)
 * The position is the training step, which checkpoints hold, so a resumed
 * run continues the schedule where it stopped. */
typedef enum gan_lr_schedule { GAN_LR_CONSTANT, GAN_LR_LINEAR, GAN_LR_COSINE, GAN_LR_STEP } gan_lr_schedule;

typedef struct gan_optim_conf {
    gan_optim_kind kind;
    float lr;
    float beta1, beta2;    /* adam */
    float eps;             /* adam, rmsprop */
    float weight_decay;    /* L2 added to the gradient (all kinds) */
    float momentum;        /* sgd, rmsprop */
    int nesterov;          /* sgd */
    float alpha;           /* rmsprop smoothing */
    int schedule;          /* gan_lr_schedule */
    long warmup;           /* steps of linear warm-up */
    long decay_steps;      /* linear, cosine: length of the decay (0: steps - warmup) */
    float lr_end;          /* linear, cosine: final rate, a fraction of lr */
    long step_every;       /* step: steps between two multiplications by gamma */
    float gamma;           /* step: the factor */
    float beta2_end;       /* adam, linear and cosine: beta2 moves to it with the
                            * schedule's progress (R3GAN); 0: fixed */
} gan_optim_conf;

/* Defaults for a kind: adam lr 2e-4 betas (0.5, 0.999) eps 1e-8; sgd lr 0.01;
 * rmsprop lr 1e-3 alpha 0.99 eps 1e-8; a constant rate (step_every 1000,
 * gamma 0.1 for the step schedule). */
GAN_API void gan_optim_conf_default(gan_optim_conf *c, gan_optim_kind kind);

typedef struct gan_optim {
    gan_optim_conf c;
    size_t n;
    float *m;     /* adam first moment / sgd velocity / rmsprop momentum buffer (n) */
    float *v;     /* adam second moment / rmsprop square average (n) */
    uint64_t t;   /* steps taken */
    float lr;     /* the rate of the next steps: c.lr times the schedule's factor */
    float beta2;  /* adam's beta2 of the next steps: c.beta2, or on its way to c.beta2_end */
} gan_optim;

GAN_API gan_status gan_optim_init(gan_optim *o, const gan_optim_conf *c, size_t n, gan_error *err);
/* The schedule's factor f(step) for a run of `steps` training steps. */
GAN_API double gan_optim_lr_factor(const gan_optim_conf *c, long step, long steps);
/* How far a linear or cosine schedule has come at training step `step`
 * of `steps`, in [0, 1]: 0 during the warm-up, then with x = min(u / L, 1)
 * as in the rates above, x (linear) or (1 - cos(pi x)) / 2 (cosine); 0
 * for constant and step.  lr's factor is 1 - (1 - e) * progress. */
GAN_API double gan_schedule_progress(int schedule, long warmup, long decay_steps, long step, long steps);
/* Set o->lr (and adam's o->beta2 when c.beta2_end > 0: beta2 + (beta2_end -
 * beta2) * progress) for training step `step` of a run of `steps`. */
GAN_API void gan_optim_schedule(gan_optim *o, long step, long steps);
/* One step at rate o->lr: params -= update(grads). */
GAN_API void gan_optim_step(gan_optim *o, float *params, const float *grads);
GAN_API void gan_optim_free(gan_optim *o);
GAN_API const char *gan_optim_name(gan_optim_kind k);

#endif
