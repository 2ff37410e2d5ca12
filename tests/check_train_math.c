/* check_train_math.c - optimizers and GAN losses against hand formulas.
 *
 * Optimizers: a 3-parameter quadratic f(p) = 1/2 sum w_i (p_i - c_i)^2, whose
 * gradient g_i = w_i (p_i - c_i) is fed to gan_optim_step and to a double
 * re-statement of the torch.optim update written out below.
 * Losses: closed forms at hand-picked logits, central finite differences of
 * the loss functions themselves, and logits of +-100.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "gan/gan.h"
#include "testutil.h"

enum { N = 3, STEPS = 3 };
static const double P0[N] = { 1.0, -2.0, 0.5 };
static const double W[N] = { 1.0, 0.5, 2.0 };
static const double C[N] = { 0.25, 1.0, -1.0 };

static void quad_grad(double *g, const double *p)
{
    for (int i = 0; i < N; i++) g[i] = W[i] * (p[i] - C[i]);
}

static void quad_gradf(float *g, const float *p)
{
    for (int i = 0; i < N; i++) g[i] = (float)(W[i] * ((double)p[i] - C[i]));
}

/* Runs STEPS steps of o on the quadratic from P0, and after every step checks
 * the parameters against ref (the same run in double, step by step). */
typedef void (*ref_step_fn)(double *p, double *m, double *v, const double *g,
                            const gan_optim_conf *c, int t);

static void check_against_ref(const gan_optim_conf *c, ref_step_fn ref)
{
    gan_optim o;
    gan_error err;
    ck_assert_int_eq(gan_optim_init(&o, c, N, &err), GAN_OK);
    float p[N], g[N];
    double pd[N], gd[N], m[N] = { 0 }, v[N] = { 0 };
    for (int i = 0; i < N; i++) p[i] = (float)(pd[i] = P0[i]);
    for (int t = 1; t <= STEPS; t++) {
        quad_gradf(g, p);
        gan_optim_step(&o, p, g);
        quad_grad(gd, pd);
        ref(pd, m, v, gd, c, t);
        for (int i = 0; i < N; i++)
            ck_assert_msg(fabs(p[i] - pd[i]) < 1e-6, "%s step %d p[%d] = %.9g, expected %.9g",
                          gan_optim_name(c->kind), t, i, (double)p[i], pd[i]);
    }
    ck_assert_uint_eq(o.t, STEPS);
    gan_optim_free(&o);
}

/* torch.optim.Adam: g += wd p; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 * p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps) */
static void ref_adam(double *p, double *m, double *v, const double *g0,
                     const gan_optim_conf *c, int t)
{
    double b1 = c->beta1, b2 = c->beta2;
    for (int i = 0; i < N; i++) {
        double g = g0[i] + (double)c->weight_decay * p[i];
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        double mhat = m[i] / (1 - pow(b1, t)), den = sqrt(v[i]) / sqrt(1 - pow(b2, t)) + c->eps;
        p[i] -= (double)c->lr * mhat / den;
    }
}

/* torch.optim.SGD (dampening 0): g += wd p; b = mu b + g (b = g at t = 1);
 * p -= lr (nesterov ? g + mu b : b) */
static void ref_sgd(double *p, double *b, double *unused, const double *g0,
                    const gan_optim_conf *c, int t)
{
    (void)unused;
    for (int i = 0; i < N; i++) {
        double g = g0[i] + (double)c->weight_decay * p[i];
        b[i] = t == 1 ? g : c->momentum * b[i] + g;
        double d = c->momentum == 0 ? g : c->nesterov ? g + c->momentum * b[i] : b[i];
        p[i] -= (double)c->lr * d;
    }
}

/* torch.optim.RMSprop (not centered): g += wd p; v = a v + (1-a) g^2;
 * u = g / (sqrt(v) + eps); momentum: b = mu b + u, p -= lr b; else p -= lr u */
static void ref_rmsprop(double *p, double *b, double *v, const double *g0,
                        const gan_optim_conf *c, int t)
{
    (void)t;
    double a = c->alpha;
    for (int i = 0; i < N; i++) {
        double g = g0[i] + (double)c->weight_decay * p[i];
        v[i] = a * v[i] + (1 - a) * g * g;
        double u = g / (sqrt(v[i]) + c->eps);
        if (c->momentum > 0) {
            b[i] = c->momentum * b[i] + u;
            u = b[i];
        }
        p[i] -= (double)c->lr * u;
    }
}

START_TEST(test_optim_defaults_and_names)
{
    gan_optim_conf c;
    gan_optim_conf_default(&c, GAN_OPTIM_ADAM);
    ck_assert_float_eq(c.lr, 2e-4f);
    ck_assert_float_eq(c.beta1, 0.5f);
    ck_assert_float_eq(c.beta2, 0.999f);
    ck_assert_float_eq(c.eps, 1e-8f);
    ck_assert_float_eq(c.weight_decay, 0.0f);
    gan_optim_conf_default(&c, GAN_OPTIM_SGD);
    ck_assert_float_eq(c.lr, 0.01f);
    ck_assert_float_eq(c.momentum, 0.0f);
    ck_assert_int_eq(c.nesterov, 0);
    gan_optim_conf_default(&c, GAN_OPTIM_RMSPROP);
    ck_assert_float_eq(c.lr, 1e-3f);
    ck_assert_float_eq(c.alpha, 0.99f);
    ck_assert_float_eq(c.eps, 1e-8f);
    ck_assert_str_eq(gan_optim_name(GAN_OPTIM_ADAM), "adam");
    ck_assert_str_eq(gan_optim_name(GAN_OPTIM_SGD), "sgd");
    ck_assert_str_eq(gan_optim_name(GAN_OPTIM_RMSPROP), "rmsprop");
}
END_TEST

START_TEST(test_optim_init_allocates_only_needed_state)
{
    gan_optim_conf c;
    gan_optim o;
    gan_error err;
    gan_optim_conf_default(&c, GAN_OPTIM_SGD);
    ck_assert_int_eq(gan_optim_init(&o, &c, 10, &err), GAN_OK);
    ck_assert_ptr_null(o.m);
    ck_assert_ptr_null(o.v);
    gan_optim_free(&o);
    c.momentum = 0.9f;
    ck_assert_int_eq(gan_optim_init(&o, &c, 10, &err), GAN_OK);
    ck_assert_ptr_nonnull(o.m);
    ck_assert_ptr_null(o.v);
    gan_optim_free(&o);
    gan_optim_conf_default(&c, GAN_OPTIM_RMSPROP);
    ck_assert_int_eq(gan_optim_init(&o, &c, 10, &err), GAN_OK);
    ck_assert_ptr_null(o.m);
    ck_assert_ptr_nonnull(o.v);
    gan_optim_free(&o);
    gan_optim_conf_default(&c, GAN_OPTIM_ADAM);
    ck_assert_int_eq(gan_optim_init(&o, &c, 10, &err), GAN_OK);
    ck_assert_ptr_nonnull(o.m);
    ck_assert_ptr_nonnull(o.v);
    for (int i = 0; i < 10; i++) ck_assert_float_eq(o.m[i] + o.v[i], 0.0f);
    ck_assert_uint_eq(o.t, 0);
    gan_optim_free(&o);
    ck_assert_ptr_null(o.m);
    gan_optim_free(&o); /* twice is harmless */
}
END_TEST

START_TEST(test_optim_init_rejects_bad_conf)
{
    gan_optim_conf c;
    gan_optim o;
    gan_error err;
    gan_optim_conf_default(&c, GAN_OPTIM_ADAM);
    c.lr = -1.0f;
    ck_assert_int_eq(gan_optim_init(&o, &c, 4, &err), GAN_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(err.msg, "learning rate"));
    c.lr = NAN;
    ck_assert_int_eq(gan_optim_init(&o, &c, 4, &err), GAN_ERR_INVALID);
    gan_optim_conf_default(&c, GAN_OPTIM_ADAM);
    c.beta2 = 1.0f;
    ck_assert_int_eq(gan_optim_init(&o, &c, 4, &err), GAN_ERR_INVALID);
    gan_optim_conf_default(&c, GAN_OPTIM_SGD);
    c.nesterov = 1;
    ck_assert_int_eq(gan_optim_init(&o, &c, 4, &err), GAN_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(err.msg, "nesterov"));
    gan_optim_conf_default(&c, GAN_OPTIM_RMSPROP);
    c.weight_decay = -0.1f;
    ck_assert_int_eq(gan_optim_init(&o, &c, 4, &err), GAN_ERR_INVALID);
    ck_assert_ptr_null(o.m);
    ck_assert_ptr_null(o.v);
}
END_TEST

START_TEST(test_optim_init_reports_out_of_memory)
{
    gan_optim_conf c;
    gan_optim o;
    gan_error err;
    gan_optim_conf_default(&c, GAN_OPTIM_ADAM);
    ck_assert_int_eq(gan_optim_init(&o, &c, SIZE_MAX / 2, &err), GAN_ERR_NOMEM);
    ck_assert_ptr_null(o.m);
    ck_assert_ptr_null(o.v);
}
END_TEST

START_TEST(test_lr_schedules_by_hand)
{
    gan_optim_conf c;
    gan_optim_conf_default(&c, GAN_OPTIM_SGD);
    /* constant: 1 everywhere */
    ck_assert_double_eq(gan_optim_lr_factor(&c, 0, 100), 1.0);
    ck_assert_double_eq(gan_optim_lr_factor(&c, 500, 100), 1.0);
    /* warm-up of 10 steps, then linear to 0.1 over the remaining 90 */
    c.schedule = GAN_LR_LINEAR;
    c.warmup = 10;
    c.lr_end = 0.1f;
    ck_assert_double_eq_tol(gan_optim_lr_factor(&c, 0, 100), 0.1, 1e-12);
    ck_assert_double_eq_tol(gan_optim_lr_factor(&c, 4, 100), 0.5, 1e-12);
    ck_assert_double_eq_tol(gan_optim_lr_factor(&c, 9, 100), 1.0, 1e-12);
    ck_assert_double_eq_tol(gan_optim_lr_factor(&c, 10, 100), 1.0, 1e-12);
    ck_assert_double_eq_tol(gan_optim_lr_factor(&c, 55, 100), 1.0 - 0.9 * 0.5, 1e-6);
    ck_assert_double_eq_tol(gan_optim_lr_factor(&c, 100, 100), 0.1, 1e-6);
    ck_assert_double_eq_tol(gan_optim_lr_factor(&c, 1000, 100), 0.1, 1e-6);   /* held past the end */
    /* cosine without warm-up, explicit length 40: half-way is the mean */
    c.schedule = GAN_LR_COSINE;
    c.warmup = 0;
    c.decay_steps = 40;
    c.lr_end = 0.0f;
    ck_assert_double_eq_tol(gan_optim_lr_factor(&c, 0, 1000), 1.0, 1e-12);
    ck_assert_double_eq_tol(gan_optim_lr_factor(&c, 20, 1000), 0.5, 1e-12);
    ck_assert_double_eq_tol(gan_optim_lr_factor(&c, 10, 1000), (1 + cos(M_PI / 4)) / 2, 1e-12);
    ck_assert_double_eq_tol(gan_optim_lr_factor(&c, 40, 1000), 0.0, 1e-12);
    /* step: gamma every 30 steps after a warm-up of 5 */
    c.schedule = GAN_LR_STEP;
    c.warmup = 5;
    c.step_every = 30;
    c.gamma = 0.5f;
    ck_assert_double_eq_tol(gan_optim_lr_factor(&c, 2, 1000), 0.6, 1e-12);
    ck_assert_double_eq_tol(gan_optim_lr_factor(&c, 34, 1000), 1.0, 1e-12);
    ck_assert_double_eq_tol(gan_optim_lr_factor(&c, 35, 1000), 0.5, 1e-12);
    ck_assert_double_eq_tol(gan_optim_lr_factor(&c, 95, 1000), 0.125, 1e-12);
    /* the optimizer steps at the scheduled rate: SGD moves p by lr f g */
    gan_optim o;
    gan_error err;
    c.lr = 0.5f;
    ck_assert_int_eq(gan_optim_init(&o, &c, 1, &err), GAN_OK);
    float p = 1.0f, g = 2.0f;
    gan_optim_schedule(&o, 35, 1000);
    ck_assert_float_eq(o.lr, 0.25f);
    gan_optim_step(&o, &p, &g);
    ck_assert_float_eq(p, 1.0f - 0.25f * 2.0f);
    gan_optim_free(&o);
    /* bad schedules are refused */
    c.gamma = 0.0f;
    ck_assert_int_ne(gan_optim_init(&o, &c, 1, &err), GAN_OK);
    c.gamma = 0.5f;
    c.lr_end = 2.0f;
    ck_assert_int_ne(gan_optim_init(&o, &c, 1, &err), GAN_OK);
}
END_TEST

START_TEST(test_ema_rampup_decay)
{
    gan_ema_spec e = { 0.999f, 0, 0.0f };
    ck_assert_float_eq(gan_ema_decay(&e, 0), 0.999f);   /* no ramp */
    e.rampup = 0.05f;
    ck_assert_float_eq(gan_ema_decay(&e, 0), 0.0f);     /* step 0: a copy */
    /* step 100, ramp 0.05: half-life 5 steps, 0.5^(1/5) */
    ck_assert_float_eq_tol(gan_ema_decay(&e, 100), (float)pow(0.5, 0.2), 1e-7);
    /* late: the decay itself (0.5^(1/(0.05 s)) > 0.999 once s > 13852) */
    ck_assert_float_eq(gan_ema_decay(&e, 20000), 0.999f);
}
END_TEST

START_TEST(test_adam_first_step_moves_lr_times_sign)
{
    /* step 1: m/(1-b1) = g and sqrt(v/(1-b2)) = |g|, so dp = -lr g/(|g| + eps) */
    gan_optim_conf c;
    gan_optim o;
    gan_error err;
    gan_optim_conf_default(&c, GAN_OPTIM_ADAM);
    c.lr = 0.01f;
    ck_assert_int_eq(gan_optim_init(&o, &c, 4, &err), GAN_OK);
    float p[4] = { 0, 0, 0, 0 }, g[4] = { 3.0f, -1e-3f, 250.0f, -0.5f };
    gan_optim_step(&o, p, g);
    ck_assert_float_eq_tol(p[0], -0.01f, 1e-7f);
    ck_assert_float_eq_tol(p[1], 0.01f, 1e-6f);    /* eps/|g| = 1e-5 relative */
    ck_assert_float_eq_tol(p[2], -0.01f, 1e-7f);
    ck_assert_float_eq_tol(p[3], 0.01f, 1e-7f);
    gan_optim_free(&o);
}
END_TEST

START_TEST(test_adam_matches_torch_formula)
{
    gan_optim_conf c;
    gan_optim_conf_default(&c, GAN_OPTIM_ADAM);
    c.lr = 0.1f;
    check_against_ref(&c, ref_adam);
    c.beta1 = 0.9f;
    c.weight_decay = 0.3f;
    c.eps = 0.05f;    /* large enough that its place in the formula shows */
    check_against_ref(&c, ref_adam);
}
END_TEST

START_TEST(test_sgd_plain_and_momentum_by_hand)
{
    /* g fixed at (0.5, -1, 2), lr 0.1, mu 0.9:
     * step 1: b = g, p -= 0.1 g;  step 2: b = 1.9 g, p -= 0.19 g */
    gan_optim_conf c;
    gan_optim o;
    gan_error err;
    gan_optim_conf_default(&c, GAN_OPTIM_SGD);
    c.lr = 0.1f;
    c.momentum = 0.9f;
    ck_assert_int_eq(gan_optim_init(&o, &c, N, &err), GAN_OK);
    float p[N] = { 1.0f, -2.0f, 0.5f }, g[N] = { 0.5f, -1.0f, 2.0f };
    gan_optim_step(&o, p, g);
    ck_assert_float_eq_tol(p[0], 0.95f, 1e-6f);
    ck_assert_float_eq_tol(p[1], -1.9f, 1e-6f);
    ck_assert_float_eq_tol(p[2], 0.3f, 1e-6f);
    gan_optim_step(&o, p, g);
    ck_assert_float_eq_tol(p[0], 0.855f, 1e-6f);
    ck_assert_float_eq_tol(p[1], -1.71f, 1e-6f);
    ck_assert_float_eq_tol(p[2], -0.08f, 1e-6f);
    gan_optim_free(&o);
}
END_TEST

START_TEST(test_sgd_matches_torch_formula)
{
    gan_optim_conf c;
    gan_optim_conf_default(&c, GAN_OPTIM_SGD);
    c.lr = 0.1f;
    check_against_ref(&c, ref_sgd);              /* plain */
    c.weight_decay = 0.2f;
    check_against_ref(&c, ref_sgd);              /* plain + L2 */
    c.momentum = 0.9f;
    check_against_ref(&c, ref_sgd);              /* heavy ball + L2 */
}
END_TEST

START_TEST(test_sgd_nesterov_matches_torch_formula)
{
    gan_optim_conf c;
    gan_optim_conf_default(&c, GAN_OPTIM_SGD);
    c.lr = 0.1f;
    c.momentum = 0.8f;
    c.nesterov = 1;
    check_against_ref(&c, ref_sgd);
    c.weight_decay = 0.05f;
    check_against_ref(&c, ref_sgd);
}
END_TEST

START_TEST(test_rmsprop_matches_torch_formula)
{
    gan_optim_conf c;
    gan_optim_conf_default(&c, GAN_OPTIM_RMSPROP);
    c.lr = 0.01f;
    check_against_ref(&c, ref_rmsprop);
    c.momentum = 0.9f;
    c.weight_decay = 0.1f;
    c.eps = 0.05f;
    check_against_ref(&c, ref_rmsprop);
}
END_TEST

/* Least squares: min 1/2 |A x - b|^2 / M over x (3) with b = A x*, from x = 0. */
enum { LM = 6, LN = 3 };
static const float LA[LM][LN] = {
    { 1.0f, 0.5f, -0.2f }, { 0.3f, -1.0f, 0.8f }, { -0.7f, 0.2f, 1.1f },
    { 0.9f, 0.9f, 0.1f }, { -0.4f, 0.6f, -0.5f }, { 0.2f, -0.3f, 0.7f },
};
static const float LX[LN] = { 0.7f, -1.3f, 0.4f };

static float lsq_loss_grad(const float *x, float *g)
{
    double loss = 0.0;
    memset(g, 0, LN * sizeof *g);
    for (int r = 0; r < LM; r++) {
        double e = 0.0;
        for (int j = 0; j < LN; j++) e += LA[r][j] * (double)(x[j] - LX[j]);
        loss += 0.5 * e * e / LM;
        for (int j = 0; j < LN; j++) g[j] += (float)(e * LA[r][j] / LM);
    }
    return (float)loss;
}

static float lsq_train(const gan_optim_conf *c, int steps)
{
    gan_optim o;
    gan_error err;
    ck_assert_int_eq(gan_optim_init(&o, c, LN, &err), GAN_OK);
    float x[LN] = { 0 }, g[LN];
    for (int s = 0; s < steps; s++) {
        lsq_loss_grad(x, g);
        gan_optim_step(&o, x, g);
    }
    gan_optim_free(&o);
    return lsq_loss_grad(x, g);
}

START_TEST(test_least_squares_converges_with_each_optimizer)
{
    gan_optim_conf c;
    float x0[LN] = { 0 }, g[LN];
    float start = lsq_loss_grad(x0, g);
    ck_assert_float_gt(start, 0.1f);
    gan_optim_conf_default(&c, GAN_OPTIM_ADAM);
    c.lr = 0.02f;
    c.beta1 = 0.9f;
    ck_assert_float_lt(lsq_train(&c, 2000), 1e-8f);
    gan_optim_conf_default(&c, GAN_OPTIM_SGD);
    c.lr = 0.5f;
    ck_assert_float_lt(lsq_train(&c, 2000), 1e-8f);
    c.momentum = 0.9f;
    c.lr = 0.1f;
    ck_assert_float_lt(lsq_train(&c, 2000), 1e-8f);
    c.nesterov = 1;
    ck_assert_float_lt(lsq_train(&c, 2000), 1e-8f);
    gan_optim_conf_default(&c, GAN_OPTIM_RMSPROP);
    c.lr = 0.001f;
    ck_assert_float_lt(lsq_train(&c, 3000), 1e-6f);
    c.momentum = 0.5f;
    ck_assert_float_lt(lsq_train(&c, 3000), 1e-6f);
}
END_TEST

/* ---- losses ---- */

static const gan_loss_kind KINDS[] = { GAN_LOSS_BCE, GAN_LOSS_MINIMAX, GAN_LOSS_LSGAN,
                                       GAN_LOSS_HINGE, GAN_LOSS_WGAN_GP };
enum { NKINDS = sizeof KINDS / sizeof KINDS[0] };

static double sp(double x) { return log1p(exp(x)); }  /* fine for x < 700 */

/* Closed forms of the per-sample D halves and the G loss, written from loss.h. */
static double d_real_ref(gan_loss_kind k, double r)
{
    switch (k) {
    case GAN_LOSS_LSGAN: return 0.5 * (r - 1) * (r - 1);
    case GAN_LOSS_HINGE: return fmax(0.0, 1 - r);
    case GAN_LOSS_WGAN_GP: return -r;
    default: return -log(1.0 / (1.0 + exp(-r)));
    }
}

static double d_fake_ref(gan_loss_kind k, double f)
{
    switch (k) {
    case GAN_LOSS_LSGAN: return 0.5 * f * f;
    case GAN_LOSS_HINGE: return fmax(0.0, 1 + f);
    case GAN_LOSS_WGAN_GP: return f;
    default: return -log(1.0 - 1.0 / (1.0 + exp(-f)));
    }
}

static double g_ref(gan_loss_kind k, double f)
{
    switch (k) {
    case GAN_LOSS_BCE: return -log(1.0 / (1.0 + exp(-f)));
    case GAN_LOSS_MINIMAX: return log(1.0 - 1.0 / (1.0 + exp(-f)));
    case GAN_LOSS_LSGAN: return 0.5 * (f - 1) * (f - 1);
    default: return -f;
    }
}

/* Logits away from the hinge kinks at +-1. */
static const float REAL[] = { 2.5f, -0.75f, 0.25f, 1.5f };
static const float FAKE[] = { -1.5f, 0.5f, -0.25f };
enum { BR = 4, BF = 3 };

START_TEST(test_loss_values_match_closed_forms)
{
    for (int q = 0; q < NKINDS; q++) {
        gan_loss_kind k = KINDS[q];
        double er = 0, ef = 0, eg = 0;
        for (int i = 0; i < BR; i++) er += d_real_ref(k, REAL[i]) / BR;
        for (int i = 0; i < BF; i++) ef += d_fake_ref(k, FAKE[i]) / BF;
        for (int i = 0; i < BF; i++) eg += g_ref(k, FAKE[i]) / BF;
        float lr, lf, dr[BR], df[BF];
        gan_loss_d(k, REAL, BR, FAKE, BF, dr, df, &lr, &lf);
        ck_assert_msg(fabs(lr - er) < 1e-6 && fabs(lf - ef) < 1e-6,
                      "%s d: %g %g, expected %g %g", gan_loss_name(k), (double)lr, (double)lf,
                      er, ef);
        float lg = gan_loss_g(k, FAKE, BF, df);
        ck_assert_msg(fabs(lg - eg) < 1e-6, "%s g: %g, expected %g", gan_loss_name(k),
                      (double)lg, eg);
    }
    /* one by hand: bce D at r = f = 0 is 2 log 2; lsgan G at f = 3 is 2 */
    float z = 0.0f, three = 3.0f, lr, lf;
    gan_loss_d(GAN_LOSS_BCE, &z, 1, &z, 1, NULL, NULL, &lr, &lf);
    ck_assert_float_eq_tol(lr + lf, 2.0f * logf(2.0f), 1e-6f);
    ck_assert_float_eq_tol(gan_loss_g(GAN_LOSS_LSGAN, &three, 1, NULL), 2.0f, 1e-6f);
}
END_TEST

/* The loss as a function of one logit vector: part 0 real, 1 fake (D), 2 G. */
static double loss_of(gan_loss_kind k, const float *x, int part)
{
    float lr, lf;
    if (part == 0) { gan_loss_d(k, x, BR, FAKE, BF, NULL, NULL, &lr, &lf); return lr + lf; }
    if (part == 1) { gan_loss_d(k, REAL, BR, x, BF, NULL, NULL, &lr, &lf); return lr + lf; }
    return gan_loss_g(k, x, BF, NULL);
}

START_TEST(test_loss_gradients_match_finite_differences)
{
    const float h = 1.0f / 128;    /* exact in float, so x +- h is exact */
    for (int q = 0; q < NKINDS; q++) {
        gan_loss_kind k = KINDS[q];
        float dr[BR], df[BF], dg[BF];
        gan_loss_d(k, REAL, BR, FAKE, BF, dr, df, NULL, NULL);
        gan_loss_g(k, FAKE, BF, dg);
        for (int part = 0; part < 3; part++) {
            int B = part == 0 ? BR : BF;
            const float *an = part == 0 ? dr : part == 1 ? df : dg;
            float x[BR];
            memcpy(x, part == 0 ? REAL : FAKE, (size_t)B * sizeof *x);
            for (int i = 0; i < B; i++) {
                float x0 = x[i];
                x[i] = x0 + h;
                double up = loss_of(k, x, part);
                x[i] = x0 - h;
                double dn = loss_of(k, x, part);
                x[i] = x0;
                double num = (up - dn) / (2.0 * h);
                ck_assert_msg(fabs(num - an[i]) < 2e-4 + 1e-3 * fabs(num),
                              "%s part %d [%d]: analytic %g, numeric %g", gan_loss_name(k),
                              part, i, (double)an[i], num);
            }
        }
    }
}
END_TEST

START_TEST(test_loss_stable_at_logits_of_100)
{
    float big[2] = { 100.0f, -100.0f }, dr[2], df[2], dg[2], lr, lf;
    for (int q = 0; q < NKINDS; q++) {
        gan_loss_kind k = KINDS[q];
        gan_loss_d(k, big, 2, big, 2, dr, df, &lr, &lf);
        float lg = gan_loss_g(k, big, 2, dg);
        ck_assert(isfinite(lr) && isfinite(lf) && isfinite(lg));
        for (int i = 0; i < 2; i++)
            ck_assert(isfinite(dr[i]) && isfinite(df[i]) && isfinite(dg[i]));
        ck_assert(isfinite(gan_loss_score(k, big, 2)));
    }
    /* bce: a confident wrong answer costs |logit| with gradient of magnitude 1/B */
    gan_loss_d(GAN_LOSS_BCE, big, 2, big, 2, dr, df, &lr, &lf);
    ck_assert_float_eq_tol(lr, 50.0f, 1e-4f);      /* (sp(-100) + sp(100)) / 2 */
    ck_assert_float_eq_tol(lf, 50.0f, 1e-4f);
    ck_assert_float_eq_tol(dr[0], 0.0f, 1e-30f);
    ck_assert_float_eq_tol(dr[1], -0.5f, 1e-7f);
    ck_assert_float_eq_tol(df[0], 0.5f, 1e-7f);
    ck_assert_float_eq_tol(df[1], 0.0f, 1e-30f);
    float lg = gan_loss_g(GAN_LOSS_BCE, &big[1], 1, dg);
    ck_assert_float_eq_tol(lg, 100.0f, 1e-4f);
    ck_assert_float_eq_tol(dg[0], -1.0f, 1e-7f);
    lg = gan_loss_g(GAN_LOSS_MINIMAX, &big[0], 1, dg);
    ck_assert_float_eq_tol(lg, -100.0f, 1e-4f);
    ck_assert_float_eq_tol(dg[0], -1.0f, 1e-7f);
    /* small-loss end keeps its precision: sp(-30) = 9.36e-14, not 0 */
    float thirty = 30.0f;
    lg = gan_loss_g(GAN_LOSS_BCE, &thirty, 1, NULL);
    ck_assert_float_eq_tol(lg, (float)sp(-30.0), 1e-18f);
    ck_assert_float_gt(lg, 0.0f);
}
END_TEST

START_TEST(test_loss_score_and_names)
{
    float x[3] = { 0.0f, 100.0f, -100.0f }, y[3] = { 1.0f, -2.0f, 4.0f };
    ck_assert_float_eq_tol(gan_loss_score(GAN_LOSS_BCE, x, 3), 0.5f, 1e-7f);
    ck_assert_float_eq_tol(gan_loss_score(GAN_LOSS_MINIMAX, y, 1), 1.0f / (1.0f + expf(-1.0f)),
                           1e-7f);
    ck_assert_float_eq_tol(gan_loss_score(GAN_LOSS_LSGAN, y, 3), 1.0f, 1e-7f);
    ck_assert_float_eq_tol(gan_loss_score(GAN_LOSS_HINGE, y, 3), 1.0f, 1e-7f);
    ck_assert_float_eq_tol(gan_loss_score(GAN_LOSS_WGAN_GP, y, 2), -0.5f, 1e-7f);
    ck_assert_float_eq(gan_loss_score(GAN_LOSS_BCE, x, 0), 0.0f);
    ck_assert_str_eq(gan_loss_name(GAN_LOSS_BCE), "bce");
    ck_assert_str_eq(gan_loss_name(GAN_LOSS_MINIMAX), "minimax");
    ck_assert_str_eq(gan_loss_name(GAN_LOSS_LSGAN), "lsgan");
    ck_assert_str_eq(gan_loss_name(GAN_LOSS_HINGE), "hinge");
    ck_assert_str_eq(gan_loss_name(GAN_LOSS_WGAN_GP), "wgan-gp");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("train_math");
    TCase *t = tcase_create("optim");
    tcase_add_test(t, test_optim_defaults_and_names);
    tcase_add_test(t, test_optim_init_allocates_only_needed_state);
    tcase_add_test(t, test_optim_init_rejects_bad_conf);
    tcase_add_test(t, test_optim_init_reports_out_of_memory);
    tcase_add_test(t, test_lr_schedules_by_hand);
    tcase_add_test(t, test_ema_rampup_decay);
    tcase_add_test(t, test_adam_first_step_moves_lr_times_sign);
    tcase_add_test(t, test_adam_matches_torch_formula);
    tcase_add_test(t, test_sgd_plain_and_momentum_by_hand);
    tcase_add_test(t, test_sgd_matches_torch_formula);
    tcase_add_test(t, test_sgd_nesterov_matches_torch_formula);
    tcase_add_test(t, test_rmsprop_matches_torch_formula);
    tcase_add_test(t, test_least_squares_converges_with_each_optimizer);
    suite_add_tcase(s, t);
    t = tcase_create("loss");
    tcase_add_test(t, test_loss_values_match_closed_forms);
    tcase_add_test(t, test_loss_gradients_match_finite_differences);
    tcase_add_test(t, test_loss_stable_at_logits_of_100);
    tcase_add_test(t, test_loss_score_and_names);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return tu_run_suite(suite());
}
