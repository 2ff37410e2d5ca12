/* check_ext.c - training extensions: the generator's weight average
 * (train.ema), spectral normalisation, PacGAN packing and the sampling
 * tools (truncation, interpolation). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "gan/gan.h"
#include "testutil.h"
#include "gradcheck.h"

/* a scratch folder per run (main makes it); "@/x" names x in it */
static char scratch[64] = "/tmp/ganrun-ext-XXXXXX";
static const char *at(const char *tmpl)
{
    static char buf[8][1024];
    static int k;
    char *b = buf[k++ % 8], *o = b;
    for (const char *p = tmpl; *p && o < b + 1000; p++) {
        if (*p == '@') o += snprintf(o, 64, "%s", scratch);
        else *o++ = *p;
    }
    *o = 0;
    return b;
}


/* batchnorm in G so that buffers are part of the average's state */
static const char *ema_model =
    "name: tiny-ema\n"
    "seed: 7\n"
    "data: {format: grid, samples: 2000}\n"
    "noise: {distribution: normal, dim: 3}\n"
    "generator:\n"
    "  - dense: {units: 16}\n"
    "  - batchnorm: {}\n"
    "  - relu: {}\n"
    "  - dense: {units: 2}\n"
    "discriminator:\n"
    "  - dense: {units: 16}\n"
    "  - leaky_relu: {slope: 0.2}\n"
    "  - dense: {units: 1}\n"
    "train:\n"
    "  loss: bce\n"
    "  batch: 32\n"
    "  steps: 100\n"
    "  schedule: {d_steps: 1, g_steps: %d}\n"
    "  ema: {decay: %g, start: %d}\n"
    "output: {dir: runs/ext-test}\n";


static gan_trainer *ema_trainer(int g_steps, double decay, int start, int load_data)
{
    char text[4096];
    snprintf(text, sizeof text, ema_model, g_steps, decay, start);
    return tu_trainer(text, load_data);
}

static void train(gan_trainer *t, long steps)
{
    gan_error err;
    for (long i = 0; i < steps; i++)
        ck_assert_msg(gan_trainer_step(t, &err) == GAN_OK, "step: %s", err.msg);
}

/* ---- ema ---------------------------------------------------------------- */

START_TEST(test_ema_update_by_hand)
{
    float e[3] = { 1.0f, 2.0f, -4.0f };
    const float x1[3] = { 3.0f, -1.0f, 0.0f }, x2[3] = { 0.0f, 0.0f, 8.0f };
    gan_ema_update(e, x1, 3, 0.5f);   /* (1+3)/2, (2-1)/2, -4/2 */
    ck_assert_float_eq(e[0], 2.0f);
    ck_assert_float_eq(e[1], 0.5f);
    ck_assert_float_eq(e[2], -2.0f);
    gan_ema_update(e, x2, 3, 0.75f);  /* 0.75 e + 0.25 x */
    ck_assert_float_eq(e[0], 1.5f);
    ck_assert_float_eq(e[1], 0.375f);
    ck_assert_float_eq(e[2], 0.5f);
    gan_ema_update(e, x1, 3, 0.0f);   /* decay 0: the weights themselves */
    ck_assert_mem_eq(e, x1, sizeof x1);
}
END_TEST

/* Over training (one G update per step): a copy of the weights before
 * `start`, then ema = d ema + (1 - d) weights, against a reference kept
 * in double from the weights after each step; buffers copied. */
START_TEST(test_ema_tracks_reference_over_steps)
{
    const float decay = 0.9f;
    const int start = 3;
    gan_trainer *t = ema_trainer(1, decay, start, 1);
    ck_assert_ptr_nonnull(t->state.ema);
    gan_net *G = t->G;
    size_t n = G->nparams;
    ck_assert_mem_eq(t->state.ema, G->params, n * sizeof(float));   /* starts as the init */
    double *ref = malloc(n * sizeof *ref);
    for (size_t i = 0; i < n; i++) ref[i] = G->params[i];
    double worst = 0;
    for (int s = 0; s < 10; s++) {
        train(t, 1);
        for (size_t i = 0; i < n; i++)
            ref[i] = s >= start ? decay * ref[i] + (1.0 - decay) * G->params[i] : G->params[i];
        if (s < start) ck_assert_mem_eq(t->state.ema, G->params, n * sizeof(float));
        for (size_t i = 0; i < n; i++) {
            double e = fabs(t->state.ema[i] - ref[i]);
            if (e > worst) worst = e;
        }
        ck_assert_mem_eq(t->state.ema + n, G->bufs, G->nbufs * sizeof(float));
    }
    ck_assert_msg(worst < 1e-6, "ema differs from the reference by %g", worst);
    /* and it is an average, not the weights */
    ck_assert(memcmp(t->state.ema, G->params, n * sizeof(float)) != 0);
    free(ref);
    gan_trainer_free(t);
}
END_TEST

START_TEST(test_no_ema_by_default)
{
    gan_trainer *t = ema_trainer(1, 0.0, 0, 0);
    ck_assert_ptr_null(t->state.ema);
    ck_assert_int_eq(gan_trainer_ema_swap(t), 0);
    gan_trainer_free(t);
}
END_TEST

START_TEST(test_ema_checkpoint_round_trip_and_resume)
{
    const char *p = at("@/ema.ckpt");
    gan_trainer *a = ema_trainer(2, 0.95, 5, 1), *b = ema_trainer(2, 0.95, 5, 1), *c;
    gan_error err;
    train(a, 30);
    train(b, 12);
    ck_assert_int_eq(gan_ckpt_save(b, p, &err), GAN_OK);
    ck_assert_msg(gan_ckpt_load(&c, p, 1, &err) == GAN_OK, "load: %s", err.msg);
    size_t n = b->G->nparams + b->G->nbufs;
    ck_assert_mem_eq(b->state.ema, c->state.ema, n * sizeof(float));
    gan_trainer_free(b);
    train(c, 18);
    ck_assert_mem_eq(a->G->params, c->G->params, a->G->nparams * sizeof(float));
    ck_assert_mem_eq(a->D->params, c->D->params, a->D->nparams * sizeof(float));
    ck_assert_mem_eq(a->state.ema, c->state.ema, n * sizeof(float));
    unlink(p);
    gan_trainer_free(a);
    gan_trainer_free(c);
}
END_TEST

/* a run without ema saved, then loaded by a model with ema: refused */
START_TEST(test_ema_section_must_match_the_model)
{
    const char *p = at("@/ema2.ckpt");
    gan_trainer *a = ema_trainer(1, 0.9, 0, 1), *c = NULL;
    gan_error err;
    train(a, 2);
    gan_free_floats(a->state.ema);   /* as if saved by a run without train.ema */
    a->state.ema = NULL;
    ck_assert_int_eq(gan_ckpt_save(a, p, &err), GAN_OK);
    ck_assert_int_ne(gan_ckpt_load(&c, p, 1, &err), GAN_OK);
    ck_assert_msg(strstr(err.msg, "EMAG") != NULL, "%s", err.msg);
    ck_assert_ptr_null(c);
    unlink(p);
    gan_trainer_free(a);
}
END_TEST

/* sample: the averaged generator, unlike the raw one, and the same floats
 * as a forward pass of a generator holding the average */
START_TEST(test_sample_uses_the_average)
{
    gan_trainer *t = ema_trainer(1, 0.9, 0, 1), *u = ema_trainer(1, 0.9, 0, 0);
    train(t, 25);
    size_t S = gan_shape_size(t->cfg.data_shape);
    int n = 40;
    float *xe = malloc(n * S * sizeof(float)), *xr = malloc(n * S * sizeof(float));
    float *xd = malloc(n * S * sizeof(float));
    gan_error err;
    float *before = malloc(t->G->nparams * sizeof(float));
    memcpy(before, t->G->params, t->G->nparams * sizeof(float));
    ck_assert_int_eq(gan_trainer_sample(t, 9, n, xe, &err), GAN_OK);
    ck_assert_mem_eq(before, t->G->params, t->G->nparams * sizeof(float));   /* swapped back */
    t->cfg.no_ema = 1;
    ck_assert_int_eq(gan_trainer_sample(t, 9, n, xr, &err), GAN_OK);
    ck_assert(memcmp(xe, xr, n * S * sizeof(float)) != 0);
    /* u's generator gets the average by hand; sampled raw */
    memcpy(u->G->params, t->state.ema, t->G->nparams * sizeof(float));
    memcpy(u->G->bufs, t->state.ema + t->G->nparams, t->G->nbufs * sizeof(float));
    u->cfg.no_ema = 1;
    ck_assert_int_eq(gan_trainer_sample(u, 9, n, xd, &err), GAN_OK);
    ck_assert_mem_eq(xe, xd, n * S * sizeof(float));
    free(before);
    free(xe);
    free(xr);
    free(xd);
    gan_trainer_free(t);
    gan_trainer_free(u);
}
END_TEST

/* ---- spectral normalisation ------------------------------------------- */

static void assert_grads_ok(gradcheck_result r)
{
    ck_assert_int_gt(r.checked_dx, 0);
    ck_assert_int_gt(r.checked_dp, 0);
    ck_assert_double_lt(r.max_rel_dx, 1e-2);
    ck_assert_double_lt(r.max_rel_dp, 1e-2);
}

/* Eval mode keeps u and v fixed, so the layer computes exactly
 * y = f(W / (u^T W v)) and finite differences check the backward's
 * (G - (sum G W_sn) u v^T) / sigma term. */
START_TEST(test_sn_gradients_with_u_fixed)
{
    gan_layer_conf c;
    layer_conf("dense", &c, "units=6", "spectral_norm=1", NULL);
    assert_grads_ok(gradcheck_layer(&c, R1(5), 3, 0, 21));
    layer_conf("dense", &c, "units=4", "spectral_norm=1", "bias=0", NULL);
    assert_grads_ok(gradcheck_layer(&c, R3(2, 2, 2), 2, 0, 22));
    layer_conf("conv2d", &c, "filters=3", "kernel=3", "stride=2", "pad=1", "spectral_norm=1", NULL);
    assert_grads_ok(gradcheck_layer(&c, R3(2, 5, 5), 3, 0, 23));
    layer_conf("deconv2d", &c, "filters=2", "kernel=4", "stride=2", "pad=1", "spectral_norm=1", NULL);
    assert_grads_ok(gradcheck_layer(&c, R3(3, 3, 3), 2, 0, 24));
    /* three weights, each over its own sigma; gamma (not normalised) non-zero */
    layer_conf("attention", &c, "reduce=2", "spectral_norm=1", NULL);
    assert_grads_ok(gradcheck_layer(&c, R3(4, 2, 3), 3, 0, 25));
}
END_TEST

static void check_sigma_converges(gan_layer_conf *c, gan_shape in, int R, int K)
{
    gan_net *net;
    gan_error err;
    ck_assert_int_eq(gan_net_create(&net, c, 1, in, 2, &err), GAN_OK);
    gan_rng r;
    gan_rng_seed(&r, 5);
    gan_net_init(net, &r);
    size_t nin = 2 * gan_shape_size(in);
    float *x = calloc(nin, sizeof *x);
    double want = gradcheck_sigma_max(net->params, R, K);
    gan_net_forward(net, x, 2, 0);
    float first = gan_layer_sn_sigma(&net->layers[0]);
    for (int i = 0; i < 300; i++) gan_net_forward(net, x, 2, 1);
    float got = gan_layer_sn_sigma(&net->layers[0]);
    printf("sigma: init estimate %.6f, after 300 training passes %.6f, reference %.6f\n", first, got, want);
    ck_assert_msg(fabs(got - want) < 1e-4 * want, "sigma %g, reference %g", got, want);
    ck_assert(first < got + 1e-6);   /* u^T W v never exceeds sigma_max */
    /* eval passes leave u, v alone: same sigma */
    gan_net_forward(net, x, 2, 0);
    ck_assert_float_eq(gan_layer_sn_sigma(&net->layers[0]), got);
    free(x);
    gan_net_free(net);
}

START_TEST(test_sn_sigma_converges_to_largest_singular_value)
{
    gan_layer_conf c;
    layer_conf("dense", &c, "units=7", "spectral_norm=1", NULL);
    check_sigma_converges(&c, R1(5), 7, 5);
    layer_conf("conv2d", &c, "filters=4", "kernel=3", "spectral_norm=1", "power_iterations=2", NULL);
    check_sigma_converges(&c, R3(2, 4, 4), 4, 18);
    layer_conf("deconv2d", &c, "filters=3", "kernel=2", "stride=2", "spectral_norm=1", NULL);
    check_sigma_converges(&c, R3(2, 3, 3), 2, 12);
}
END_TEST

/* sn_u and sn_v are buffers: named tensors in the checkpoint; a resumed run
 * with SN in D (and ema on) is bit-exact */
static const char *sn_model =
    "name: tiny-sn\n"
    "seed: 9\n"
    "data: {format: grid, samples: 2000}\n"
    "noise: {distribution: normal, dim: 3}\n"
    "generator:\n"
    "  - dense: {units: 16}\n"
    "  - relu: {}\n"
    "  - dense: {units: 2}\n"
    "discriminator:\n"
    "  - dense: {units: 16, spectral_norm: true}\n"
    "  - leaky_relu: {slope: 0.2}\n"
    "  - dense: {units: 1, spectral_norm: true, power_iterations: 2}\n"
    "train:\n"
    "  loss: hinge\n"
    "  batch: 32\n"
    "  steps: 100\n"
    "  ema: {decay: 0.99}\n"
    "output: {dir: runs/ext-test}\n";

START_TEST(test_sn_state_is_checkpointed_and_resume_is_bit_exact)
{
    const char *p = at("@/sn.ckpt");
    gan_trainer *a = tu_trainer(sn_model, 1), *b = tu_trainer(sn_model, 1), *c;
    ck_assert_uint_eq(a->D->nbufs, (16 + 2) + (1 + 16));   /* u, v of each layer */
    gan_error err;
    train(a, 30);
    train(b, 11);
    ck_assert_int_eq(gan_ckpt_save(b, p, &err), GAN_OK);
    ck_assert_msg(gan_ckpt_load(&c, p, 1, &err) == GAN_OK, "load: %s", err.msg);
    ck_assert_mem_eq(b->D->bufs, c->D->bufs, b->D->nbufs * sizeof(float));
    gan_trainer_free(b);
    train(c, 19);
    ck_assert_mem_eq(a->D->params, c->D->params, a->D->nparams * sizeof(float));
    ck_assert_mem_eq(a->D->bufs, c->D->bufs, a->D->nbufs * sizeof(float));
    ck_assert_mem_eq(a->G->params, c->G->params, a->G->nparams * sizeof(float));
    ck_assert_mem_eq(a->state.ema, c->state.ema, a->G->nparams * sizeof(float));
    unlink(p);
    gan_trainer_free(a);
    gan_trainer_free(c);
}
END_TEST

/* ---- truncation and interpolation ------------------------------------- */

START_TEST(test_truncation_bounds_hold)
{
    gan_noise_spec ns = { .dist = GAN_NOISE_NORMAL, .dim = 4, .mean = 0.5f, .std = 2.0f };
    enum { N = 20000 };
    float *z = malloc(N * sizeof *z), *w = malloc(N * sizeof *w);
    gan_rng r;
    gan_rng_seed(&r, 3);
    gan_noise_fill_trunc(&ns, &r, z, N, 0.7f);
    float worst = 0;
    for (int i = 0; i < N; i++) worst = fmaxf(worst, fabsf(z[i] - 0.5f));
    ck_assert_msg(worst <= 0.7f * 2.0f, "component %g std from the mean", worst / 2.0f);
    ck_assert(worst > 0.9f * 0.7f * 2.0f);   /* and it fills the allowed range */
    /* a bound nothing reaches: the plain stream, float for float */
    gan_rng_seed(&r, 3);
    gan_noise_fill_trunc(&ns, &r, z, N, 100.0f);
    gan_rng_seed(&r, 3);
    gan_noise_fill(&ns, &r, w, N);
    ck_assert_mem_eq(z, w, N * sizeof *z);
    /* uniform noise: std = (high - low) / sqrt 12 */
    gan_noise_spec nu = { .dist = GAN_NOISE_UNIFORM, .dim = 4, .low = -1.0f, .high = 3.0f };
    gan_rng_seed(&r, 4);
    gan_noise_fill_trunc(&nu, &r, z, N, 0.5f);
    for (int i = 0; i < N; i++) ck_assert(fabsf(z[i] - 1.0f) <= 0.5f * 4.0f / sqrtf(12.0f) + 1e-6f);
    free(z);
    free(w);
}
END_TEST

/* ganrun sample --truncation: the same noise stream, truncated */
START_TEST(test_sample_with_truncation)
{
    gan_trainer *t = ema_trainer(1, 0.9, 0, 1);
    train(t, 5);
    int n = 50, Z = t->cfg.spec->noise.dim;
    size_t S = gan_shape_size(t->cfg.data_shape);
    float *a = malloc(n * S * sizeof(float)), *b = malloc(n * S * sizeof(float));
    float *c = malloc(n * S * sizeof(float)), *z = malloc(n * Z * sizeof(float));
    gan_error err;
    ck_assert_int_eq(gan_trainer_sample(t, 6, n, a, &err), GAN_OK);
    t->cfg.truncation = 0.5f;
    ck_assert_int_eq(gan_trainer_sample(t, 6, n, b, &err), GAN_OK);
    ck_assert(memcmp(a, b, n * S * sizeof(float)) != 0);
    gan_trainer_seed_noise(t, 6, n, 0.5f, z);
    for (int i = 0; i < n * Z; i++) ck_assert(fabsf(z[i]) <= 0.5f);
    ck_assert_int_eq(gan_trainer_generate(t, z, NULL, n, c, &err), GAN_OK);
    ck_assert_mem_eq(b, c, n * S * sizeof(float));
    free(a);
    free(b);
    free(c);
    free(z);
    gan_trainer_free(t);
}
END_TEST

START_TEST(test_interpolation_ends_are_the_seed_samples)
{
    gan_trainer *t = ema_trainer(1, 0.9, 0, 1);
    train(t, 5);
    int Z = t->cfg.spec->noise.dim;
    size_t S = gan_shape_size(t->cfg.data_shape);
    float za[8], zb[8], z[4 * 8], x[4 * 8], xa[8], xb[8];
    ck_assert_int_le(Z, 8);
    ck_assert_uint_le(S, 8);
    gan_trainer_seed_noise(t, 4, 1, 0.0f, za);
    gan_trainer_seed_noise(t, 5, 1, 0.0f, zb);
    gan_noise_lerp(z, za, zb, Z, 0.0);
    gan_noise_slerp(z + Z, za, zb, Z, 0.0);
    gan_noise_lerp(z + 2 * Z, za, zb, Z, 1.0);
    gan_noise_slerp(z + 3 * Z, za, zb, Z, 1.0);
    ck_assert_mem_eq(z, za, Z * sizeof(float));
    ck_assert_mem_eq(z + Z, za, Z * sizeof(float));
    ck_assert_mem_eq(z + 2 * Z, zb, Z * sizeof(float));
    ck_assert_mem_eq(z + 3 * Z, zb, Z * sizeof(float));
    gan_error err;
    ck_assert_int_eq(gan_trainer_generate(t, z, NULL, 4, x, &err), GAN_OK);
    ck_assert_int_eq(gan_trainer_sample(t, 4, 1, xa, &err), GAN_OK);
    ck_assert_int_eq(gan_trainer_sample(t, 5, 1, xb, &err), GAN_OK);
    for (size_t k = 0; k < S; k++) {
        ck_assert_float_eq_tol(x[k], xa[k], 1e-6f);
        ck_assert_float_eq_tol(x[S + k], xa[k], 1e-6f);
        ck_assert_float_eq_tol(x[2 * S + k], xb[k], 1e-6f);
        ck_assert_float_eq_tol(x[3 * S + k], xb[k], 1e-6f);
    }
    /* midpoints: lerp halves, slerp keeps the norm of equal-norm ends */
    float a[3] = { 1, 0, 0 }, b[3] = { 0, 1, 0 }, m[3];
    gan_noise_lerp(m, a, b, 3, 0.5);
    ck_assert_float_eq(m[0], 0.5f);
    ck_assert_float_eq(m[1], 0.5f);
    gan_noise_slerp(m, a, b, 3, 0.5);
    ck_assert_float_eq_tol(m[0], sqrtf(0.5f), 1e-6f);
    ck_assert_float_eq_tol(m[1], sqrtf(0.5f), 1e-6f);
    ck_assert_float_eq(m[2], 0.0f);
    gan_trainer_free(t);
}
END_TEST

/* ganrun interpolate on a (1, 4, 4) generator: PNG of (nseeds - 1) *
 * (steps - 1) + 1 tiles by 2 rows, 2 pixels apart; bad arguments exit 2 */
static const char *img_model =
    "name: tiny-img\n"
    "seed: 2\n"
    "data: {format: idx, path: /nonexistent/images-idx3-ubyte}\n"
    "noise: {distribution: normal, dim: 5}\n"
    "generator:\n"
    "  - dense: {units: 16}\n"
    "  - tanh\n"
    "  - reshape: {shape: [1, 4, 4]}\n"
    "discriminator:\n"
    "  - flatten\n"
    "  - dense: {units: 1}\n"
    "train: {loss: bce, batch: 4, steps: 1}\n"
    "output: {dir: runs/ext-test}\n";

static int run_ganrun(const char *args, char *first_err, size_t n)
{
    const char *b = getenv("top_builddir");
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s/ganrun %s 2>%s >/dev/null", b ? b : ".", at(args), at("@/err.txt"));
    int st = system(cmd);
    first_err[0] = 0;
    FILE *f = fopen(at("@/err.txt"), "r");
    if (f) {
        if (!fgets(first_err, (int)n, f)) first_err[0] = 0;
        fclose(f);
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void png_size(const char *path, unsigned *w, unsigned *h)
{
    unsigned char hd[24];
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fread(hd, 1, 24, f), 24);
    fclose(f);
    ck_assert(!memcmp(hd + 12, "IHDR", 4));
    *w = (unsigned)hd[16] << 24 | (unsigned)hd[17] << 16 | (unsigned)hd[18] << 8 | hd[19];
    *h = (unsigned)hd[20] << 24 | (unsigned)hd[21] << 16 | (unsigned)hd[22] << 8 | hd[23];
}

START_TEST(test_interpolate_command)
{
    gan_trainer *t = tu_trainer(img_model, 0);
    gan_error err;
    ck_assert_int_eq(gan_ckpt_save(t, at("@/img.ckpt"), &err), GAN_OK);
    gan_trainer_free(t);
    char e[512];
    unsigned w, h;
    ck_assert_int_eq(run_ganrun("interpolate @/img.ckpt -o @/i.png "
                                "--seeds 1,2,3 --steps 5", e, sizeof e), 0);
    png_size(at("@/i.png"), &w, &h);
    ck_assert_uint_eq(w, 9 * 4 + 8 * 2);   /* (3 - 1) * (5 - 1) + 1 = 9 columns */
    ck_assert_uint_eq(h, 2 * 4 + 2);
    ck_assert_int_eq(run_ganrun("interpolate @/img.ckpt -o @/j.png "
                                "--seeds 7,0 --steps 2", e, sizeof e), 0);
    png_size(at("@/j.png"), &w, &h);
    ck_assert_uint_eq(w, 2 * 4 + 2);
    const char *bad[] = {
        "interpolate @/img.ckpt --steps 1",
        "interpolate @/img.ckpt --steps x",
        "interpolate @/img.ckpt --seeds 5",
        "interpolate @/img.ckpt --seeds 1,,2",
        "interpolate @/img.ckpt --seeds 1,-2",
        "interpolate @/img.ckpt --seeds",
        "interpolate @/img.ckpt -o x.jpg",
        "interpolate @/img.ckpt --bogus",
        "interpolate",
        "sample @/img.ckpt --truncation 0",
        "sample @/img.ckpt --truncation abc",
        "eval @/img.ckpt --truncation 1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ck_assert_msg(run_ganrun(bad[i], e, sizeof e) == 2, "%s: not a usage error", bad[i]);
        ck_assert_msg(!strncmp(e, "ganrun: ", 8) && strchr(e, '\n'), "%s: %s", bad[i], e);
    }
    ck_assert_int_eq(run_ganrun("interpolate @/none.ckpt", e, sizeof e), 1);
    ck_assert_int_eq(run_ganrun("sample @/img.ckpt --truncation 1.5 -o @/t.png",
                                e, sizeof e), 0);
    unlink(at("@/img.ckpt"));
    unlink(at("@/i.png"));
    unlink(at("@/j.png"));
    unlink(at("@/t.png"));
}
END_TEST

/* ---- PacGAN packing ------------------------------------------------------ */

static const char *pack_model =
    "name: tiny-pack\n"
    "seed: 4\n"
    "data: {format: grid, samples: 2000}\n"
    "noise: {distribution: normal, dim: 3}\n"
    "generator:\n"
    "  - dense: {units: 8}\n"
    "  - tanh\n"
    "  - dense: {units: 2}\n"
    "discriminator:\n"
    "  - dense: {units: 8}\n"
    "  - tanh\n"
    "  - dense: {units: 1}\n"
    "train: {loss: %s, batch: 12, noise_batch: 6, steps: 10, pack: %d}\n"
    "output: {dir: runs/ext-test}\n";

static gan_trainer *pack_trainer(const char *loss, int pack, int load_data)
{
    char text[2048];
    snprintf(text, sizeof text, pack_model, loss, pack);
    return tu_trainer(text, load_data);
}

START_TEST(test_pack_widens_the_discriminator_input)
{
    gan_trainer *t = pack_trainer("bce", 3, 0);
    ck_assert_int_eq(t->D->in.rank, 1);
    ck_assert_int_eq(t->D->in.d[0], 3 * 2);
    ck_assert_int_eq(t->G->out.d[0], 2);
    gan_trainer_free(t);
    /* images: channels times pack */
    char text[2048];
    const char *tr = strstr(img_model, "train: {");
    snprintf(text, sizeof text, "%.*strain: {pack: 2, %s", (int)(tr - img_model), img_model, tr + 8);
    t = tu_trainer(text, 0);
    ck_assert_int_eq(t->D->in.rank, 3);
    ck_assert_int_eq(t->D->in.d[0], 2);
    ck_assert_int_eq(t->D->in.d[1], 4);
    gan_trainer_free(t);
}
END_TEST

START_TEST(test_pack_must_divide_the_batches)
{
    char text[2048];
    snprintf(text, sizeof text, pack_model, "bce", 4);   /* 12 but not 6 */
    gan_model_spec *spec;
    gan_error err;
    gan_error_clear(&err);
    ck_assert_int_ne(gan_model_load_string(&spec, text, strlen(text), "p.yaml", NULL, 0, &err), GAN_OK);
    ck_assert_int_eq(err.line, 13);   /* the train: line, at pack's value */
    ck_assert_int_eq(err.col, 64);
    ck_assert_msg(strstr(err.msg, "train.pack 4 does not divide"), "%s", err.msg);
}
END_TEST

/* dL/dfake through a packed D against central differences of the G loss;
 * and one pack's score depends on its own samples only */
static double g_loss_of(gan_trainer *t, const float *fake, int P)
{
    const float *y = gan_net_forward(t->D, fake, P, 1);
    float *d = malloc(P * sizeof *d);
    double L = gan_loss_g(t->cfg.spec->train.loss, y, P, d);
    free(d);
    return L;
}

START_TEST(test_pack_gradients_reach_the_right_samples)
{
    gan_trainer *t = pack_trainer("lsgan", 2, 0);
    const int B = 6, P = 3, S = 2;
    float x[12], dx[12], dout[3];
    gan_rng r;
    gan_rng_seed(&r, 8);
    gan_rng_fill_normal(&r, x, B * S, 0, 1);
    const float *y = gan_net_forward(t->D, x, P, 1);
    gan_loss_g(t->cfg.spec->train.loss, y, P, dout);
    gan_net_backward(t->D, dout, dx, 0);
    for (int i = 0; i < B * S; i++) {
        float keep = x[i];
        const float h = 1e-2f;
        x[i] = keep + h;
        double lp = g_loss_of(t, x, P);
        x[i] = keep - h;
        double lm = g_loss_of(t, x, P);
        x[i] = keep;
        double fd = (lp - lm) / (2 * h);
        ck_assert_msg(fabs(fd - dx[i]) <= 1e-3 * fmax(1.0, fabs(fd)), "dL/dfake[%d]: %g, differences %g", i,
                      dx[i], fd);
    }
    /* a one-hot output gradient on pack p reaches samples 2p and 2p + 1 only */
    for (int p = 0; p < P; p++) {
        float e[3] = { 0, 0, 0 };
        e[p] = 1;
        gan_net_forward(t->D, x, P, 1);
        gan_net_backward(t->D, e, dx, 0);
        for (int j = 0; j < B; j++) {
            double g = fabs(dx[j * S]) + fabs(dx[j * S + 1]);
            if (j / 2 == p) ck_assert_msg(g > 0, "pack %d, sample %d: no gradient", p, j);
            else ck_assert_msg(g == 0, "pack %d, sample %d: gradient %g", p, j, g);
        }
    }
    gan_trainer_free(t);
}
END_TEST

/* training with packs runs, resumes bit for bit, and pack 1 is the default */
START_TEST(test_pack_trains_and_resumes)
{
    const char *p = at("@/pack.ckpt");
    gan_trainer *a = pack_trainer("bce", 2, 1), *b = pack_trainer("bce", 2, 1), *c;
    gan_error err;
    train(a, 16);
    train(b, 7);
    ck_assert(isfinite(a->metrics.d_loss) && isfinite(a->metrics.g_loss));
    ck_assert_int_eq(gan_ckpt_save(b, p, &err), GAN_OK);
    gan_trainer_free(b);
    ck_assert_msg(gan_ckpt_load(&c, p, 1, &err) == GAN_OK, "load: %s", err.msg);
    train(c, 9);
    ck_assert_mem_eq(a->G->params, c->G->params, a->G->nparams * sizeof(float));
    ck_assert_mem_eq(a->D->params, c->D->params, a->D->nparams * sizeof(float));
    unlink(p);
    gan_trainer_free(a);
    gan_trainer_free(c);
    gan_trainer *d = ema_trainer(1, 0, 0, 0);
    ck_assert_int_eq(d->cfg.spec->train.pack, 1);
    gan_trainer_free(d);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("ext");
    TCase *e = tcase_create("ema");
    tcase_set_timeout(e, 60);
    tcase_add_test(e, test_ema_update_by_hand);
    tcase_add_test(e, test_ema_tracks_reference_over_steps);
    tcase_add_test(e, test_no_ema_by_default);
    tcase_add_test(e, test_ema_checkpoint_round_trip_and_resume);
    tcase_add_test(e, test_ema_section_must_match_the_model);
    tcase_add_test(e, test_sample_uses_the_average);
    suite_add_tcase(s, e);
    TCase *sn = tcase_create("specnorm");
    tcase_set_timeout(sn, 60);
    tcase_add_test(sn, test_sn_gradients_with_u_fixed);
    tcase_add_test(sn, test_sn_sigma_converges_to_largest_singular_value);
    tcase_add_test(sn, test_sn_state_is_checkpointed_and_resume_is_bit_exact);
    suite_add_tcase(s, sn);
    TCase *sm = tcase_create("sampling");
    tcase_set_timeout(sm, 60);
    tcase_add_test(sm, test_truncation_bounds_hold);
    tcase_add_test(sm, test_sample_with_truncation);
    tcase_add_test(sm, test_interpolation_ends_are_the_seed_samples);
    tcase_add_test(sm, test_interpolate_command);
    suite_add_tcase(s, sm);
    TCase *pk = tcase_create("pack");
    tcase_set_timeout(pk, 60);
    tcase_add_test(pk, test_pack_widens_the_discriminator_input);
    tcase_add_test(pk, test_pack_must_divide_the_batches);
    tcase_add_test(pk, test_pack_gradients_reach_the_right_samples);
    tcase_add_test(pk, test_pack_trains_and_resumes);
    suite_add_tcase(s, pk);
    return s;
}

int main(void)
{
    if (!mkdtemp(scratch)) {
        perror("mkdtemp");
        return EXIT_FAILURE;
    }
    SRunner *r = srunner_create(suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    unlink(at("@/err.txt"));
    rmdir(scratch);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
