/* cond.h - private to src/train: class labels of a conditional GAN. */
#ifndef GAN_TRAIN_COND_H
#define GAN_TRAIN_COND_H

#include "gan/train.h"

/* With data.classes K > 0: check the loaded data's labels (present, all
 * < K), allocate the label buffers and the sample grid's labels for ns
 * samples.  No-op (t->cfg.classes = 0) for unconditional models. */
gan_status cond_init(gan_trainer *t, int ns, gan_error *err);
void cond_free(gan_trainer *t);
/* Labels of the real batch just taken (the last Br of t->state.order). */
void cond_real_labels(gan_trainer *t, int Br);
/* Bf fake labels, uniform over the classes, drawn from the noise stream
 * after the noise itself; sets G's labels.  Draws nothing when
 * unconditional, so unconditional runs are unchanged. */
void cond_fake_labels(gan_trainer *t, int Bf);

#endif
