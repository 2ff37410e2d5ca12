/* augment.h - private to src/train: train.augment (augment.c).
 *
 * Every op is affine in the image, so its backward pass needs only the
 * random draws, not the activations: dx = J^T dy, J the op's matrix.
 */
#ifndef GAN_TRAIN_AUGMENT_H
#define GAN_TRAIN_AUGMENT_H

#include "gan/train.h"

enum { AUG_COLOR = 1, AUG_TRANSLATION = 2, AUG_CUTOUT = 4 };

/* One image's random draws; an op is applied when its bit is in `on`. */
typedef struct aug_draw {
    unsigned on;
    float bright;     /* added: U(-0.5, 0.5) */
    float sat;        /* saturation factor U(0, 2) */
    float con;        /* contrast factor U(0.5, 1.5) */
    int tx, ty;       /* shift (x right, y down) in pixels */
    int cx0, cx1, cy0, cy1;   /* cutout rectangle [cx0, cx1) x [cy0, cy1) */
} aug_draw;

/* The policy string to AUG_* bits; -1 with the bad word copied to bad. */
int aug_parse_policy(const char *policy, char *bad, size_t n);
/* Draw one image's parameters (C, H, W) for ops with probability p. */
void aug_draw_one(aug_draw *d, gan_rng *r, unsigned ops, float p, const gan_aug_spec *a, int H, int W);
/* y (C, H, W) = aug(x); dx (C, H, W) = J^T dy.  y/x and dx/dy may not
 * alias; tmp (C, H, W) scratch. */
void aug_forward(float *y, const float *x, const aug_draw *d, int C, int H, int W, float *tmp);
void aug_backward(float *dx, const float *dy, const aug_draw *d, int C, int H, int W, float *tmp);
/* Mirror x (C, H, W) left-right in place. */
void aug_flip(float *x, int C, int H, int W);

/* The trainer's side (augment.c): set up from spec->train.augment (no-op
 * when off), free, and the hooks of the D and G steps. */
gan_status aug_init(gan_trainer *t, gan_error *err);
void aug_free(gan_trainer *t);
/* Flip this rank's real rows (t->scratch.real) when train.augment.flip. */
void aug_flip_reals(gan_trainer *t, int phase);
/* x (B, S) of this rank -> augmented copy in slot (0 real, 1 fake) of
 * t->scratch.aug, the draws of `phase` kept for aug_grad; returns x when off. */
const float *aug_apply(gan_trainer *t, const float *x, int B, int slot, int phase);
/* Where D's input gradient for augmented fakes goes ((Bmax, S)), or NULL
 * when no op is on. */
float *aug_grad_buffer(gan_trainer *t);
/* dx = J^T dy for the fake slot's draws (B rows); dy is overwritten. */
void aug_grad(gan_trainer *t, float *dx, const float *dy, int B);
/* train.augment.schedule linear or cosine: p of training step t->state.step,
 * from p to p_end with the schedule's progress (gan_schedule_progress);
 * no-op when constant. */
void aug_schedule(gan_trainer *t);
/* ADA: after a D step with real scores yr (P packs), move p. */
void aug_adapt(gan_trainer *t, float rt_mean);
/* mean over yr (n) of sign(yr) */
float aug_sign_mean(const float *yr, int n);
/* sum of the signs (an integer, exact in a float for n < 2^24) */
float aug_sign_sum(const float *yr, int n);

#endif
