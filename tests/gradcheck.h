/* gradcheck.h - central finite differences against backward(). */
#ifndef GAN_TEST_GRADCHECK_H
#define GAN_TEST_GRADCHECK_H

#include "gan/gan.h"

typedef struct gradcheck_result {
    double max_rel_dx;   /* worst relative error of input gradients */
    double max_rel_dp;   /* worst relative error of parameter gradients */
    int checked_dx, checked_dp;
} gradcheck_result;

/* Loss L = sum_i r_i * y_i (r fixed random weights) through net at x (B, in).
 * Compares backward's dL/dx and dL/dparams with (L(v+h) - L(v-h)) / 2h at up
 * to max_checks coordinates each (spread over the tensors).  The net's
 * random stream is restored before every pass, so dropout masks repeat.
 * Relative error: |a - n| / max(|a|, |n|, floor). */
gradcheck_result gradcheck_net(gan_net *net, const float *x, int B, int training,
                               double h, double floor, int max_checks);

/* Build a one-layer net from a type name and "key=value" pairs, e.g.
 * layer_conf("conv2d", &c, "filters=3", "kernel=3", NULL).  Aborts on
 * unknown keys (test bug). */
void layer_conf(const char *type, gan_layer_conf *c, ...);

/* Print and return the result of gradchecking a single-layer net. */
gradcheck_result gradcheck_layer(const gan_layer_conf *c, gan_shape in, int B, int training,
                                 uint64_t seed);

/* sigma_max of W (R, K) (row-major), by power iteration on W^T W in double
 * run to convergence: the reference for spectral normalisation. */
double gradcheck_sigma_max(const float *W, int R, int K);

#endif
