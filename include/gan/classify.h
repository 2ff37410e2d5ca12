/* gan/classify.h - a classifier that ganrun trains itself, and the
 * Frechet distance in its feature space.
 *
 * A classifier file (ganrun-model(5), CLASSIFIER FILES) names labelled
 * training data, a labelled test set and a layer stack from the data shape
 * to one logit per class, trained with softmax cross-entropy and Adam.  Its
 * features are the input of the last layer (the penultimate activation).
 * `ganrun eval --classifier` compares generated and real images there:
 *
 *   FD = |mu_1 - mu_2|^2 + tr(S_1) + tr(S_2) - 2 tr((S_1 S_2)^(1/2))
 *
 * This is NOT the Inception FID (another network, another feature space):
 * its values compare only runs scored with the same classifier checkpoint.
 */
#ifndef GAN_CLASSIFY_H
#define GAN_CLASSIFY_H

#include "gan/api.h"

#include <stdint.h>
#include <stdio.h>
#include "gan/model.h"
#include "gan/optim.h"
#include "gan/eval.h"

typedef struct gan_clf_train_spec {
    int batch;              /* samples per step (default 64) */
    long steps;             /* training steps */
    float lr;               /* Adam learning rate (default 1e-3), betas (0.9, 0.999) */
    float weight_decay;     /* L2 added to the gradient (default 0) */
} gan_clf_train_spec;

typedef struct gan_clf_spec {
    char name[128];
    uint64_t seed;
    gan_data_spec data;     /* labelled training data; data.classes > 0 */
    gan_data_spec test;     /* labelled test data (same shape) */
    gan_stack_spec layers;  /* data shape -> (classes) logits */
    gan_clf_train_spec train;
    char source[1024];
} gan_clf_spec;

/* Parse a classifier file (text: its contents; name for messages). */
GAN_API gan_status gan_clf_load_string(gan_clf_spec **out, const char *text, size_t len, const char *name,
                               gan_error *err);
GAN_API gan_status gan_clf_load(gan_clf_spec **out, const char *path, gan_error *err);
/* gan_clf_load that also hands back the file's text (*text, malloc'd; the
 * one read of the file), for gan_classifier_fit's checkpoint. */
GAN_API gan_status gan_clf_load_text(gan_clf_spec **out, char **text, const char *path, gan_error *err);
GAN_API void gan_clf_spec_free(gan_clf_spec *s);
/* Every documented key of a classifier file ("train.lr", "test.path"). */
GAN_API void gan_clf_each_key(void (*fn)(const char *key, void *ctx), void *ctx);

typedef struct gan_classifier {
    gan_clf_spec *spec;     /* owned */
    char *text;             /* the classifier file's text (owned), kept in checkpoints */
    gan_net *net;           /* owned */
    gan_optim opt;
    int classes;            /* K */
    int features;           /* F: size of the last layer's input */
    long step;
    float test_accuracy;    /* after training (or from the checkpoint); -1 unknown */
} gan_classifier;

/* Build the network for input shape *in (NULL: the data shape, read from
 * the data file's header) and initialise it from spec->seed.  Takes
 * ownership of spec; text is copied. */
GAN_API gan_status gan_classifier_create(gan_classifier **out, gan_clf_spec *spec, const char *text,
                                 const gan_shape *in, gan_error *err);
GAN_API void gan_classifier_free(gan_classifier *c);
/* steps training steps on d (labels in 0..K-1): shuffled batches (data
 * order from the seed), mean softmax cross-entropy, Adam.  Every
 * log_every steps (0: never) prints "step N loss L" to log. */
GAN_API gan_status gan_classifier_train(gan_classifier *c, const gan_dataset *d, long steps, long log_every,
                                FILE *log, gan_error *err);
/* A classifier trained as `ganrun classify train` does: built from spec
 * (owned) and text (its file, kept in checkpoints), spec->train.steps
 * steps on spec->data (log as gan_classifier_train; first, with log and
 * log_every > 0, one line "training classifier NAME: P parameters, F
 * features, S steps on N samples"), then c->test_accuracy measured on
 * spec->test (*acc, of *ntest samples). */
GAN_API gan_status gan_classifier_fit(gan_classifier **out, gan_clf_spec *spec, const char *text, long log_every,
                                      FILE *log, double *acc, long *ntest, gan_error *err);
/* Features (n, F) and class probabilities (n, K) of x (n, in) in eval
 * mode; either output may be NULL. */
GAN_API gan_status gan_classifier_run(gan_classifier *c, const float *x, long n, float *feat, float *prob,
                              gan_error *err);
/* Fraction of d classified as its label. */
GAN_API gan_status gan_classifier_accuracy(gan_classifier *c, const gan_dataset *d, double *acc, gan_error *err);
/* Checkpoint: the container of ganrun-checkpoint(5) with sections CLFM
 * (file text), CLFS (step, accuracy, shapes) and CLFT (parameters and
 * buffers). */
GAN_API gan_status gan_classifier_save(const gan_classifier *c, const char *path, gan_error *err);
GAN_API gan_status gan_classifier_load(gan_classifier **out, const char *path, gan_error *err);

/* Mean softmax cross-entropy of logits (B, K) against labels y (B):
 * returns L = -1/B sum_n log softmax(l_n)[y_n]; dlogits (B, K) = dL/dl =
 * (softmax(l_n) - onehot(y_n)) / B when not NULL. */
GAN_API float gan_softmax_xent(const float *logits, const int *y, int B, int K, float *dlogits);

/* The Frechet distance (gan_frechet_distance, gan_mean_cov) is in gan/eval.h. */

#endif
