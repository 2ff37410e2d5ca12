/* testutil.h - helpers the Check programs share: a randomly initialised
 * one-layer net, normal random inputs, a gradient check printed, a trainer
 * from model text.  Each aborts the test (ck_abort) on a failure that is a
 * bug of the test. */
#ifndef GAN_TEST_TESTUTIL_H
#define GAN_TEST_TESTUTIL_H

#include <check.h>
#include "gan/gan.h"
#include "gradcheck.h"

#define R1(f) ((gan_shape){ 1, { (f), 0, 0 } })
#define R3(c, h, w) ((gan_shape){ 3, { (c), (h), (w) } })

/* A net of the one layer c for input `in`, batch B, initialised from seed,
 * with 0.1 N(0, 1) added to every parameter (non-trivial even where the
 * init is zero: biases, gamma). */
gan_net *tu_make_net(const gan_layer_conf *c, gan_shape in, int B, uint64_t seed);
/* n values N(0, 1) from seed (malloc'd) */
float *tu_randn(size_t n, uint64_t seed);
/* Gradient check of a one-layer net on given inputs (x away from kinks),
 * printed as gradcheck_layer prints. */
gradcheck_result tu_check_on(gan_net *net, const float *x, int B, int training);
/* Run every test of s; EXIT_SUCCESS when none failed (a Check program's
 * main returns it). */
int tu_run_suite(Suite *s);
/* A trainer from model text (its data loaded when load_data). */
gan_trainer *tu_trainer(const char *text, int load_data);
/* The tiny model of the trainer tests into buf: seed 11, the grid mixture
 * (2000 samples, 62 steps an epoch at batch 32), G and D of dense,
 * batchnorm, an activation and dropout, adam for G and rmsprop for D, bce,
 * 100 steps; train_extra: more keys under train: ("  key: value\n" lines,
 * or ""). */
void tu_tiny_model(char *buf, size_t n, const char *train_extra);

#endif
