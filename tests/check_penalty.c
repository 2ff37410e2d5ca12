/* check_penalty.c - R3GAN's pieces in the trainer: the rpgan loss, the R1
 * and R2 penalties (their parameter gradients against finite differences
 * of the penalties themselves, with and without lazy K), gamma schedules,
 * and training with them (finite, resumed bit for bit). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "gan/gan.h"
#include "testutil.h"

/* A conv critic on (2, 6, 6) images: conv, leaky ReLU, dense, and the
 * extra layers the caller passes (grouped conv, resamplers) before the
 * flatten.  The generator only gives the data shape. */
static void conv_model(char *buf, size_t n, const char *d_extra, const char *train_extra)
{
    snprintf(buf, n,
             "name: pen\n"
             "seed: 4\n"
             "data: {format: idx, path: /nonexistent}\n"
             "noise: {distribution: normal, dim: 3}\n"
             "generator:\n"
             "  - dense: {units: 72}\n"
             "  - reshape: {shape: [2, 6, 6]}\n"
             "discriminator:\n"
             "  - conv2d: {filters: 4, kernel: 3, stride: 1, pad: 1}\n"
             "  - leaky_relu: {slope: 0.2}\n"
             "%s"
             "  - flatten: {}\n"
             "  - dense: {units: 5}\n"
             "  - leaky_relu: {slope: 0.2}\n"
             "  - dense: {units: 1}\n"
             "train:\n"
             "  loss: rpgan\n"
             "  batch: 3\n"
             "  steps: 10\n"
             "%s"
             "output: {dir: /tmp/ganrun-check-penalty}\n",
             d_extra, train_extra);
}

static void randomise(gan_net *D, float scale, uint64_t seed)
{
    gan_rng r;
    gan_rng_seed(&r, seed);
    for (size_t i = 0; i < D->nparams; i++) D->params[i] = scale * (float)gan_rng_normal(&r);
}

/* worst relative error of t's penalties' parameter gradient (D step k)
 * against central differences of the penalties' value */
static double penalty_grad_error(gan_trainer *t, int k, float *P_out, int *kinks_out)
{
    gan_net *D = t->D;
    size_t S = gan_shape_size(D->in);
    int B = 3;
    float *real = malloc((size_t)B * S * sizeof *real), *fake = malloc((size_t)B * S * sizeof *fake);
    gan_rng r;
    gan_rng_seed(&r, 77);
    gan_rng_fill_normal(&r, real, (size_t)B * S, 0, 1);
    gan_rng_fill_normal(&r, fake, (size_t)B * S, 0, 1);
    gan_net_zero_grad(D);
    float P = gan_trainer_penalties(t, real, B, fake, B, k);
    *P_out = P;
    float *g = malloc(D->nparams * sizeof *g);
    memcpy(g, D->grads, D->nparams * sizeof *g);
    double worst = 0;
    int kinks = 0;
    /* P = sum ||g_i||^2 jumps where a leaky ReLU's input crosses 0 (g is
     * piecewise constant in the biases of a piecewise linear D): a
     * coordinate whose differences at h and h/2 disagree straddles such a
     * jump and is counted, not compared */
    const float hs[2] = { 1e-3f, 5e-4f };
    for (size_t i = 0; i < D->nparams; i++) {
        float v = D->params[i];
        double num[2];
        for (int j = 0; j < 2; j++) {
            D->params[i] = v + hs[j];
            double pp = gan_trainer_penalties(t, real, B, fake, B, k);
            D->params[i] = v - hs[j];
            double pm = gan_trainer_penalties(t, real, B, fake, B, k);
            D->params[i] = v;
            num[j] = (pp - pm) / (2 * hs[j]);
        }
        double fl = 1e-1 * fabs(P) + 1e-3;
        if (fabs(num[0] - num[1]) > 0.1 * fmax(fmax(fabs(num[0]), fabs(num[1])), fl)) {
            kinks++;
            continue;
        }
        double e = fabs(num[0] - g[i]) / fmax(fmax(fabs(num[0]), fabs(g[i])), fl);
        if (e > worst) worst = e;
        if (e > 2e-2 && getenv("PDBG")) printf("  param %zu: analytic %g numeric %g\n", i, g[i], num[0]);
    }
    *kinks_out = kinks;
    free(g);
    free(real);
    free(fake);
    return worst;
}

static void check_penalty_gradient(const char *d_extra, const char *pen, const char *what)
{
    char text[4096];
    conv_model(text, sizeof text, d_extra, pen);
    gan_trainer *t = tu_trainer(text, 0);
    randomise(t->D, 0.5f, 9);
    float P;
    int kinks;
    double e = penalty_grad_error(t, 0, &P, &kinks);
    printf("%s: penalty %.5f, parameter gradient rel err %.2e over %zu parameters (%d at a jump of P)\n",
           what, P, e, t->D->nparams - (size_t)kinks, kinks);
    ck_assert(P > 0);
    ck_assert_double_lt(e, 2e-2);
    ck_assert_int_le(kinks, (int)(t->D->nparams / 20));
    gan_trainer_free(t);
}

START_TEST(test_r1_gradient_matches_finite_differences)
{
    check_penalty_gradient("", "  r1: {gamma: 2.0}\n", "r1 conv");
}
END_TEST

START_TEST(test_r2_gradient_matches_finite_differences)
{
    check_penalty_gradient("", "  r2: {gamma: 3.0}\n", "r2 conv");
}
END_TEST

START_TEST(test_r1_r2_lazy_gradient_matches_finite_differences)
{
    check_penalty_gradient("", "  r1: {gamma: 2.0, every: 4}\n  r2: {gamma: 1.0, every: 2}\n", "r1+r2 lazy");
}
END_TEST

/* lazy: every K-th D step, K times the penalty; other D steps nothing */
/* the same through grouped convolutions and the resampler (the R3GAN layers) */
static const char *r3_extra =
    "  - conv2d: {filters: 4, kernel: 3, pad: 1, groups: 2}\n"
    "  - leaky_relu: {slope: 0.2}\n"
    "  - conv2d: {filters: 4, kernel: 3, pad: 1, groups: 4, init_scale: 0.7}\n"
    "  - resample: {op: down}\n"
    "  - leaky_relu: {slope: 0.2}\n";

START_TEST(test_r1_r2_gradient_through_grouped_conv_and_resample)
{
    check_penalty_gradient(r3_extra, "  r1: {gamma: 2.0}\n", "r1 grouped+resample");
    check_penalty_gradient(r3_extra, "  r2: {gamma: 1.0, every: 3}\n", "r2 lazy grouped+resample");
}
END_TEST

START_TEST(test_lazy_penalty_is_k_times_on_every_kth_d_step)
{
    char text[4096];
    conv_model(text, sizeof text, "", "  r1: {gamma: 2.0}\n  schedule: {d_steps: 2, g_steps: 1}\n");
    gan_trainer *a = tu_trainer(text, 0);
    conv_model(text, sizeof text, "", "  r1: {gamma: 2.0, every: 3}\n  schedule: {d_steps: 2, g_steps: 1}\n");
    gan_trainer *b = tu_trainer(text, 0);
    randomise(a->D, 0.5f, 3);
    memcpy(b->D->params, a->D->params, a->D->nparams * sizeof(float));
    size_t S = gan_shape_size(a->D->in);
    float x[3 * 72];
    gan_rng r;
    gan_rng_seed(&r, 5);
    gan_rng_fill_normal(&r, x, 3 * S, 0, 1);
    float Pa = gan_trainer_penalties(a, x, 3, x, 3, 0);
    /* D steps 0..5 are (step, k) = (0,0) (0,1) (1,0) (1,1) (2,0) (2,1) */
    int on[6] = { 1, 0, 0, 1, 0, 0 };
    for (int ds = 0; ds < 6; ds++) {
        b->state.step = ds / 2;
        gan_net_zero_grad(b->D);
        float Pb = gan_trainer_penalties(b, x, 3, x, 3, ds % 2);
        if (on[ds]) {
            ck_assert_float_eq_tol(Pb, 3 * Pa, 1e-5f * Pa);
        } else {
            ck_assert_float_eq(Pb, 0.0f);
            for (size_t i = 0; i < b->D->nparams; i++) ck_assert_float_eq(b->D->grads[i], 0.0f);
        }
    }
    gan_trainer_free(a);
    gan_trainer_free(b);
}
END_TEST

START_TEST(test_gamma_schedules)
{
    gan_penalty_spec p = { .gamma = 0.5f, .every = 1, .schedule = GAN_LR_COSINE, .end = 0.1f };
    ck_assert_double_eq_tol(gan_penalty_gamma(&p, 0, 101), 0.5, 1e-9);
    ck_assert_double_eq_tol(gan_penalty_gamma(&p, 50, 100), 0.5 * (0.1 + 0.9 * 0.5), 1e-7);
    ck_assert_double_eq_tol(gan_penalty_gamma(&p, 100, 100), 0.05, 1e-7);
    p.schedule = GAN_LR_LINEAR;
    ck_assert_double_eq_tol(gan_penalty_gamma(&p, 25, 100), 0.5 * (1 - 0.9 * 0.25), 1e-7);
    p.schedule = GAN_LR_STEP, p.step_every = 10, p.factor = 0.5f;
    ck_assert_double_eq_tol(gan_penalty_gamma(&p, 25, 100), 0.125, 1e-7);
    p.schedule = GAN_LR_CONSTANT, p.warmup = 4;
    ck_assert_double_eq_tol(gan_penalty_gamma(&p, 1, 100), 0.25, 1e-7);
    ck_assert_double_eq_tol(gan_penalty_gamma(&p, 9, 100), 0.5, 1e-7);
    p.gamma = 0;
    ck_assert_double_eq(gan_penalty_gamma(&p, 9, 100), 0.0);
}
END_TEST

/* ---- the rpgan loss ---------------------------------------------------- */

static double sp(double x) { return log1p(exp(x)); }

START_TEST(test_rpgan_values_and_gradients)
{
    const float r[3] = { 0.3f, -1.2f, 2.0f }, f[3] = { -0.4f, 0.9f, 1.5f };
    float dr[3], df[3], dg[3];
    /* a share of 3 pairs of a batch of 4 */
    float Ld = gan_loss_rp_d(r, f, 3, 4, dr, df), Lg = gan_loss_rp_g(r, f, 3, 4, dg);
    double wd = 0, wg = 0;
    for (int i = 0; i < 3; i++) wd += sp(f[i] - r[i]), wg += sp(r[i] - f[i]);
    ck_assert_double_eq_tol(Ld, wd / 4, 1e-6);
    ck_assert_double_eq_tol(Lg, wg / 4, 1e-6);
    const float h = 1e-3f;
    for (int i = 0; i < 3; i++) {
        float a[3], b[3];
        memcpy(a, r, sizeof a), memcpy(b, r, sizeof b);
        a[i] += h, b[i] -= h;
        double n = (gan_loss_rp_d(a, f, 3, 4, NULL, NULL) - gan_loss_rp_d(b, f, 3, 4, NULL, NULL)) / (2 * h);
        ck_assert_double_eq_tol(dr[i], n, 1e-4);
        memcpy(a, f, sizeof a), memcpy(b, f, sizeof b);
        a[i] += h, b[i] -= h;
        n = (gan_loss_rp_d(r, a, 3, 4, NULL, NULL) - gan_loss_rp_d(r, b, 3, 4, NULL, NULL)) / (2 * h);
        ck_assert_double_eq_tol(df[i], n, 1e-4);
        n = (gan_loss_rp_g(r, a, 3, 4, NULL) - gan_loss_rp_g(r, b, 3, 4, NULL)) / (2 * h);
        ck_assert_double_eq_tol(dg[i], n, 1e-4);
    }
    /* stable far out: sp(200) = 200, gradient 1/N */
    float big_r = -100, big_f = 100;
    ck_assert_float_eq_tol(gan_loss_rp_d(&big_r, &big_f, 1, 1, dr, df), 200.0f, 1e-3f);
    ck_assert_float_eq_tol(df[0], 1.0f, 1e-6f);
    ck_assert_str_eq(gan_loss_name(GAN_LOSS_RPGAN), "rpgan");
}
END_TEST

/* ---- training with them ------------------------------------------------- */

static const char *ring_rp =
    "name: ring-rp\n"
    "seed: 3\n"
    "data: {format: ring, samples: 4000}\n"
    "noise: {distribution: normal, dim: 4}\n"
    "generator:\n"
    "  - dense: {units: 32}\n"
    "  - relu: {}\n"
    "  - dense: {units: 2}\n"
    "discriminator:\n"
    "  - dense: {units: 32}\n"
    "  - leaky_relu: {slope: 0.2}\n"
    "  - dropout: {p: 0.1}\n"
    "  - dense: {units: 1}\n"
    "train:\n"
    "  loss: rpgan\n"
    "  batch: 16\n"
    "  steps: 40\n"
    "  r1: {gamma: 1.0, every: 2, schedule: cosine, end: 0.1}\n"
    "  r2: {gamma: 1.0, every: 3}\n"
    "  schedule: {d_steps: 2, g_steps: 1}\n"
    "output: {dir: /tmp/ganrun-check-penalty}\n";

static void train(gan_trainer *t, long steps)
{
    gan_error err;
    for (long i = 0; i < steps; i++)
        ck_assert_msg(gan_trainer_step(t, &err) == GAN_OK, "step: %s", err.msg);
}

START_TEST(test_rpgan_r1_r2_resume_bit_exact)
{
    char path[] = "/tmp/ganrun-penalty-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    gan_trainer *a = tu_trainer(ring_rp, 1), *b = tu_trainer(ring_rp, 1), *c;
    gan_error err;
    train(a, 21);
    train(b, 10);
    ck_assert(isfinite(a->metrics.d_loss) && isfinite(a->metrics.g_loss));
    ck_assert_int_eq(gan_ckpt_save(b, path, &err), GAN_OK);
    gan_trainer_free(b);
    ck_assert_msg(gan_ckpt_load(&c, path, 1, &err) == GAN_OK, "load: %s", err.msg);
    train(c, 11);
    ck_assert_mem_eq(a->G->params, c->G->params, a->G->nparams * sizeof(float));
    ck_assert_mem_eq(a->D->params, c->D->params, a->D->nparams * sizeof(float));
    ck_assert_mem_eq(a->dopt.v, c->dopt.v, a->D->nparams * sizeof(float));
    unlink(path);
    gan_trainer_free(a);
    gan_trainer_free(c);
}
END_TEST

/* the penalties take part in training: without r1 and r2 the same run
 * ends with other D parameters */
START_TEST(test_penalties_change_training)
{
    char text[4096];
    snprintf(text, sizeof text, "%s", ring_rp);
    gan_trainer *a = tu_trainer(text, 1);
    char *p = strstr(text, "  r1:");
    char *q = strstr(text, "  schedule:");
    memmove(p, q, strlen(q) + 1);
    gan_trainer *b = tu_trainer(text, 1);
    train(a, 3);
    train(b, 3);
    ck_assert(memcmp(a->D->params, b->D->params, a->D->nparams * sizeof(float)) != 0);
    gan_trainer_free(a);
    gan_trainer_free(b);
}
END_TEST

/* ---- schedules of beta2, the augmentation probability; EMA by half-life -- */

START_TEST(test_schedule_progress)
{
    ck_assert_double_eq(gan_schedule_progress(GAN_LR_CONSTANT, 0, 0, 50, 100), 0.0);
    ck_assert_double_eq(gan_schedule_progress(GAN_LR_STEP, 0, 0, 50, 100), 0.0);
    ck_assert_double_eq_tol(gan_schedule_progress(GAN_LR_LINEAR, 10, 0, 55, 100), 0.5, 1e-12);
    ck_assert_double_eq(gan_schedule_progress(GAN_LR_LINEAR, 10, 0, 5, 100), 0.0);
    ck_assert_double_eq_tol(gan_schedule_progress(GAN_LR_COSINE, 0, 40, 20, 100), 0.5, 1e-12);
    ck_assert_double_eq_tol(gan_schedule_progress(GAN_LR_COSINE, 0, 40, 90, 100), 1.0, 1e-12);
    ck_assert_double_eq_tol(gan_schedule_progress(GAN_LR_COSINE, 0, 0, 25, 100), 0.5 * (1 - cos(M_PI / 4)),
                            1e-12);
}
END_TEST

/* adam with beta2 0.9 -> 0.99 (cosine over 10 steps): each step's update is
 * torch's with that step's beta2, bias correction 1 - beta2^t included */
START_TEST(test_adam_beta2_schedule)
{
    gan_optim_conf c;
    gan_optim_conf_default(&c, GAN_OPTIM_ADAM);
    c.lr = 1e-2f, c.beta1 = 0.0f, c.beta2 = 0.9f, c.beta2_end = 0.99f, c.schedule = GAN_LR_COSINE;
    gan_optim o;
    gan_error err;
    ck_assert_int_eq(gan_optim_init(&o, &c, 1, &err), GAN_OK);
    float p = 1.0f;
    double pr = 1.0, v = 0.0;
    for (long s = 0; s < 12; s++) {
        gan_optim_schedule(&o, s, 10);
        double b2 = 0.9 + 0.09 * gan_schedule_progress(GAN_LR_COSINE, 0, 0, s, 10);
        ck_assert_double_eq_tol(o.beta2, b2, 1e-7);
        double lr = 1e-2 * gan_optim_lr_factor(&c, s, 10);
        float g = (float)(2 * pr);
        gan_optim_step(&o, &p, &g);
        v = b2 * v + (1 - b2) * (double)g * g;
        double vh = v / (1 - pow(b2, (double)(s + 1)));
        pr -= lr * g / (sqrt(vh) + 1e-8);
        ck_assert_double_eq_tol(p, pr, 1e-5);
    }
    ck_assert_double_eq_tol(o.beta2, 0.99, 1e-7);
    gan_optim_free(&o);
}
END_TEST

START_TEST(test_ema_half_life)
{
    gan_ema_spec e = { .half_life = 10000 };
    /* 0.5^(32 / 10000) per step of 32 images: after 10000 images, 1/2 */
    ck_assert_double_eq_tol(gan_ema_beta(&e, 5, 32), pow(0.5, 32.0 / 10000), 1e-7);
    ck_assert_double_eq_tol(pow(gan_ema_beta(&e, 5, 32), 10000.0 / 32), 0.5, 1e-4);
    e.rampup = 0.05f;   /* h = min(10000, 0.05 * step * 32) */
    ck_assert_double_eq(gan_ema_beta(&e, 0, 32), 0.0);
    ck_assert_double_eq_tol(gan_ema_beta(&e, 100, 32), pow(0.5, 32.0 / 160), 1e-7);
    ck_assert_double_eq_tol(gan_ema_beta(&e, 100000, 32), pow(0.5, 32.0 / 10000), 1e-7);
    gan_ema_spec d = { .decay = 0.999f };   /* without half_life: the decay, as before */
    ck_assert_float_eq(gan_ema_beta(&d, 7, 32), 0.999f);
}
END_TEST

/* train.augment.schedule: p of each step is p + (p_end - p) * progress,
 * and checkpoints carry it (the resume test above has no augmentation) */
START_TEST(test_augment_p_schedule)
{
    char text[4096];
    conv_model(text, sizeof text, "",
               "  augment: {policy: translation, p: 0.0, p_end: 0.6, schedule: linear}\n");
    gan_trainer *t = tu_trainer(text, 0);
    ck_assert_ptr_nonnull(t->scratch.aug);
    ck_assert_float_eq(t->state.aug_p, 0.0f);
    gan_trainer_free(t);
    const char *ok = "name: ring-aug\nseed: 3\ndata: {format: idx, path: "
                     "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz, limit: 256}\n"
                     "noise: {dim: 4}\n"
                     "generator: [dense: {units: 784}, reshape: {shape: [1, 28, 28]}, tanh]\n"
                     "discriminator: [flatten, dense: {units: 1}]\n"
                     "train: {loss: rpgan, batch: 8, steps: 10, augment: {policy: 'translation,cutout', p: 0.2, "
                     "p_end: 0.7, schedule: linear}}\n"
                     "output: {dir: /tmp/ganrun-check-penalty}\n";
    t = tu_trainer(ok, 1);
    gan_error err;
    for (int s = 0; s < 6; s++) {
        ck_assert_msg(gan_trainer_step(t, &err) == GAN_OK, "step: %s", err.msg);
        ck_assert_float_eq_tol(t->state.aug_p, 0.2f + 0.5f * (float)s / 10.0f, 1e-6f);
    }
    gan_trainer_free(t);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("penalty");
    TCase *t = tcase_create("penalty");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, test_r1_gradient_matches_finite_differences);
    tcase_add_test(t, test_r2_gradient_matches_finite_differences);
    tcase_add_test(t, test_r1_r2_lazy_gradient_matches_finite_differences);
    tcase_add_test(t, test_r1_r2_gradient_through_grouped_conv_and_resample);
    tcase_add_test(t, test_lazy_penalty_is_k_times_on_every_kth_d_step);
    tcase_add_test(t, test_gamma_schedules);
    tcase_add_test(t, test_rpgan_values_and_gradients);
    tcase_add_test(t, test_rpgan_r1_r2_resume_bit_exact);
    tcase_add_test(t, test_penalties_change_training);
    tcase_add_test(t, test_schedule_progress);
    tcase_add_test(t, test_adam_beta2_schedule);
    tcase_add_test(t, test_ema_half_life);
    tcase_add_test(t, test_augment_p_schedule);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return tu_run_suite(suite());
}
