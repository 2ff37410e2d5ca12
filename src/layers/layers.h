/* layers.h - private to src/layers: the layer types and shared pieces. */
#ifndef GAN_LAYERS_PRIV_H
#define GAN_LAYERS_PRIV_H

#include "gan/layer.h"

/* the keys every layer with weights accepts */
#define GAN_WEIGHT_KEYS \
    { "init", GAN_KEY_ENUM, 0, GAN_INIT_XAVIER, 0, 0, 0, 0, gan_init_choices, 0, 0, \
      "weight initialisation: xavier (glorot uniform), he (kaiming normal), normal, uniform, zeros" }, \
    { "init_mean", GAN_KEY_FLOAT, 0, 0.0, -1e3, 1e3, 0, 0, NULL, 0, 0, \
      "mean for init normal or uniform" }, \
    { "init_std", GAN_KEY_FLOAT, 0, 0.02, 0.0, 1e3, 0, 0, NULL, 0, 0, \
      "standard deviation (normal) or half-width (uniform)" }, \
    { "bias", GAN_KEY_BOOL, 0, 1, 0, 1, 0, 0, NULL, 0, 0, \
      "add a learned bias (initialised to zero)" }

#define GAN_NKEYS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Declare the layer's next tensor; adds its size to l->nparams (or
 * l->nbufs when is_buffer) and sets its offset. Call from setup(). */
void gan_layer_add_tensor(gan_layer *l, const char *name, int is_buffer, int rank,
                          int d0, int d1, int d2, int d3);

extern const gan_layer_type gan_layer_dense, gan_layer_relu, gan_layer_leaky_relu,
    gan_layer_elu, gan_layer_tanh, gan_layer_sigmoid, gan_layer_dropout, gan_layer_reshape,
    gan_layer_flatten, gan_layer_upsample, gan_layer_maxout, gan_layer_conv2d,
    gan_layer_deconv2d, gan_layer_batchnorm;

#endif
