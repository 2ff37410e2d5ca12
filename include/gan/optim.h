/* gan/optim.h - optimizers over a flat parameter arena.
 * Moments have the same offsets as the parameters. */
#ifndef GAN_OPTIM_H
#define GAN_OPTIM_H

#include <stddef.h>
#include <stdint.h>
#include "gan/error.h"

typedef enum gan_optim_kind { GAN_OPTIM_ADAM, GAN_OPTIM_SGD, GAN_OPTIM_RMSPROP } gan_optim_kind;

typedef struct gan_optim_conf {
    gan_optim_kind kind;
    float lr;
    float beta1, beta2;    /* adam */
    float eps;             /* adam, rmsprop */
    float weight_decay;    /* L2 added to the gradient (all kinds) */
    float momentum;        /* sgd, rmsprop */
    int nesterov;          /* sgd */
    float alpha;           /* rmsprop smoothing */
} gan_optim_conf;

/* Defaults for a kind: adam lr 2e-4 betas (0.5, 0.999) eps 1e-8; sgd lr 0.01;
 * rmsprop lr 1e-3 alpha 0.99 eps 1e-8. */
void gan_optim_conf_default(gan_optim_conf *c, gan_optim_kind kind);

typedef struct gan_optim {
    gan_optim_conf c;
    size_t n;
    float *m;     /* adam first moment / sgd velocity / rmsprop momentum buffer (n) */
    float *v;     /* adam second moment / rmsprop square average (n) */
    uint64_t t;   /* steps taken */
} gan_optim;

gan_status gan_optim_init(gan_optim *o, const gan_optim_conf *c, size_t n, gan_error *err);
/* One step: params -= update(grads). */
void gan_optim_step(gan_optim *o, float *params, const float *grads);
void gan_optim_free(gan_optim *o);
const char *gan_optim_name(gan_optim_kind k);

#endif
