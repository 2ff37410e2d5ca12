/* testutil.c - helpers the Check programs share (testutil.h). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

gan_net *tu_make_net(const gan_layer_conf *c, gan_shape in, int B, uint64_t seed)
{
    gan_net *net;
    gan_error err;
    gan_status st = gan_net_create(&net, c, 1, in, B, &err);
    ck_assert_msg(st == GAN_OK, "net: %s", err.msg);
    gan_rng r;
    gan_rng_seed(&r, seed);
    gan_net_init(net, &r);
    for (size_t i = 0; i < net->nparams; i++) net->params[i] += 0.1f * (float)gan_rng_normal(&r);
    return net;
}

float *tu_randn(size_t n, uint64_t seed)
{
    float *x = malloc(n * sizeof *x);
    ck_assert_ptr_nonnull(x);
    gan_rng r;
    gan_rng_seed(&r, seed);
    gan_rng_fill_normal(&r, x, n, 0, 1);
    return x;
}

gradcheck_result tu_check_on(gan_net *net, const float *x, int B, int training)
{
    gradcheck_result res = gradcheck_net(net, x, B, training, 1e-2, 1e-2, 300);
    char s[64];
    gan_shape_str(net->in, s, sizeof s);
    printf("gradcheck %-16s in %-14s B=%d: dx rel err %.2e (%d), dparam rel err %.2e (%d)%s\n",
           net->layers[0].type->name, s, B, res.max_rel_dx, res.checked_dx, res.max_rel_dp,
           res.checked_dp, training ? "" : " (eval)");
    return res;
}

gan_trainer *tu_trainer(const char *text, int load_data)
{
    gan_model_spec *spec;
    gan_error err;
    gan_error_clear(&err);
    if (gan_model_load_string(&spec, text, strlen(text), "test.yaml", NULL, 0, &err) != GAN_OK) {
        char b[1024];
        gan_error_format(&err, b, sizeof b);
        ck_abort_msg("model: %s", b);
    }
    gan_trainer *t;
    if (gan_trainer_create(&t, spec, load_data, &err) != GAN_OK) ck_abort_msg("trainer: %s", err.msg);
    return t;
}

void tu_tiny_model(char *buf, size_t n, const char *train_extra)
{
    int len = snprintf(buf, n,
                       "name: tiny\n"
                       "seed: 11\n"
                       "data: {format: grid, samples: 2000}\n"
                       "noise: {distribution: uniform, dim: 3}\n"
                       "generator:\n"
                       "  - dense: {units: 16}\n"
                       "  - batchnorm: {}\n"
                       "  - relu: {}\n"
                       "  - dropout: {p: 0.2}\n"
                       "  - dense: {units: 2}\n"
                       "discriminator:\n"
                       "  - dense: {units: 16}\n"
                       "  - batchnorm: {}\n"
                       "  - leaky_relu: {slope: 0.2}\n"
                       "  - dropout: {p: 0.3}\n"
                       "  - dense: {units: 1}\n"
                       "train:\n"
                       "  loss: bce\n"
                       "  batch: 32\n"
                       "  steps: 100\n"
                       "  optimizer:\n"
                       "    generator: {type: adam, lr: 1.0e-3, betas: [0.5, 0.999]}\n"
                       "    discriminator: {type: rmsprop, lr: 1.0e-3}\n"
                       "%s"
                       "output: {dir: /tmp/ganrun-check-tiny}\n",
                       train_extra);
    ck_assert_msg(len > 0 && (size_t)len < n, "tiny model: buffer of %zu bytes too small", n);
}

int tu_run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
