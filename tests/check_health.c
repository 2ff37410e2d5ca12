/* check_health.c - training health (gan/health.h): a NaN rolls the trainer
 * back to its last snapshot, which holds the whole training state (a
 * replay from it repeats the original steps bit for bit); the learning
 * rates are lowered; the retry bound stops it; with no NaN nothing
 * changes; train.health's keys are validated. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gan/gan.h"
#include "testutil.h"

/* batchnorm buffers, dropout streams, adam and rmsprop moments, data order
 * (2000 samples / 32 = 62 steps an epoch): all state a snapshot must hold:
 * the tiny model of testutil.h */

static const char *rollback =
    "  health: {on_nan: rollback, snapshot_every: 20, lr_factor: 0.25, retries: 2}\n";

static gan_trainer *make(const char *health)
{
    char text[4096];
    tu_tiny_model(text, sizeof text, health);
    return tu_trainer(text, 1);
}

/* steps until t->state.step == to, with health checks (no failure expected) */
static void train_to(gan_trainer *t, gan_health *h, long to)
{
    gan_error err;
    while (t->state.step < to) {
        ck_assert_msg(gan_trainer_step(t, &err) == GAN_OK, "%s", err.msg);
        if (h) ck_assert_msg(gan_health_check(h, t, 0, &err) == GAN_OK, "%s", err.msg);
    }
}

static int same_state(const gan_trainer *a, const gan_trainer *b)
{
    return a->state.step == b->state.step && a->state.epoch == b->state.epoch && a->state.pos == b->state.pos &&
           !memcmp(a->G->params, b->G->params, a->G->nparams * sizeof(float)) &&
           !memcmp(a->D->params, b->D->params, a->D->nparams * sizeof(float)) &&
           !memcmp(a->G->bufs, b->G->bufs, a->G->nbufs * sizeof(float)) &&
           !memcmp(a->D->bufs, b->D->bufs, a->D->nbufs * sizeof(float)) &&
           !memcmp(a->gopt.m, b->gopt.m, a->gopt.n * sizeof(float)) &&
           !memcmp(a->dopt.v, b->dopt.v, a->dopt.n * sizeof(float)) &&
           a->gopt.t == b->gopt.t && a->dopt.t == b->dopt.t &&
           !memcmp(a->state.order, b->state.order, (size_t)a->data->n * sizeof *a->state.order) &&
           !memcmp(&a->state.noise_rng, &b->state.noise_rng, sizeof a->state.noise_rng) &&
           !memcmp(&a->G->rng, &b->G->rng, sizeof a->G->rng) &&
           !memcmp(&a->D->rng, &b->D->rng, sizeof a->D->rng) &&
           !a->state.ema == !b->state.ema &&
           (!a->state.ema || !memcmp(a->state.ema, b->state.ema, (a->G->nparams + a->G->nbufs) * sizeof(float)));
}

START_TEST(test_defaults_are_stop)
{
    gan_trainer *t = make("");
    const gan_health_spec *c = &t->cfg.spec->train.health;
    ck_assert_int_eq(c->on_nan, GAN_HEALTH_STOP);
    gan_health h;
    gan_error err;
    ck_assert_int_eq(gan_health_init(&h, t, &err), GAN_OK);
    ck_assert_ptr_null(h.snap);                  /* costs nothing */
    t->G->params[0] = NAN;
    gan_status st = gan_trainer_step(t, &err);
    ck_assert_int_eq(st, GAN_ERR_NUMERIC);
    gan_health_event ev;
    ck_assert_int_eq(gan_health_recover(&h, t, st, &ev, &err), GAN_ERR_NUMERIC);
    ck_assert_int_eq(ev.step, 0);
    ck_assert_msg(strstr(err.msg, "not finite") && !strstr(err.msg, "gave up"), "%s", err.msg);
    gan_health_free(&h);
    gan_trainer_free(t);

    t = make("  health: {on_nan: rollback}\n");
    c = &t->cfg.spec->train.health;
    ck_assert_int_eq(c->snapshot_every, 100);
    ck_assert_float_eq(c->lr_factor, 0.5f);
    ck_assert_int_eq(c->retries, 3);
    gan_trainer_free(t);
}
END_TEST

/* with no NaN, watching changes nothing: bit-identical to a plain run */
START_TEST(test_no_nan_is_bit_identical)
{
    gan_trainer *a = make(""), *b = make(rollback);
    gan_health h;
    gan_error err;
    ck_assert_int_eq(gan_health_init(&h, b, &err), GAN_OK);
    ck_assert_ptr_nonnull(h.snap);
    train_to(a, NULL, 70);
    train_to(b, &h, 70);
    ck_assert_int_eq(gan_health_check(&h, b, 1, &err), GAN_OK);   /* a forced one too */
    ck_assert(same_state(a, b));
    ck_assert_int_eq(h.rollbacks, 0);
    gan_health_free(&h);
    gan_trainer_free(a);
    gan_trainer_free(b);
}
END_TEST

/* poison a parameter at step 70: the failing step rolls back to step 60's
 * snapshot (across an epoch boundary at 62), lowers both learning rates,
 * and with the rates put back a replay reaches step 70's state bit for
 * bit: the snapshot held all of it */
/* rollback, with the generator's weight average on: part of the state */
static const char *rollback_ema =
    "  health: {on_nan: rollback, snapshot_every: 20, lr_factor: 0.25, retries: 2}\n"
    "  ema: {decay: 0.9, start: 5}\n";

START_TEST(test_rollback_restores_the_whole_state)
{
    gan_trainer *ref = make(rollback_ema), *t = make(rollback_ema);
    ck_assert_ptr_nonnull(t->state.ema);
    gan_health h;
    gan_error err;
    ck_assert_int_eq(gan_health_init(&h, t, &err), GAN_OK);
    train_to(ref, NULL, 70);
    train_to(t, &h, 70);
    ck_assert(same_state(ref, t));
    ck_assert_int_gt(t->state.epoch, 0);
    float lr_g = t->gopt.c.lr, lr_d = t->dopt.c.lr;

    t->G->params[3] = NAN;
    gan_status st = gan_trainer_step(t, &err);
    ck_assert_int_eq(st, GAN_ERR_NUMERIC);
    gan_health_event ev;
    ck_assert_int_eq(gan_health_recover(&h, t, st, &ev, &err), GAN_OK);
    ck_assert_int_eq(ev.step, 71);
    ck_assert_int_eq(ev.to_step, 60);
    ck_assert_int_eq(ev.retry, 1);
    ck_assert_msg(strstr(ev.reason, "not finite"), "%s", ev.reason);
    ck_assert_int_eq(t->state.step, 60);
    ck_assert_float_eq(t->gopt.c.lr, lr_g * 0.25f);
    ck_assert_float_eq(t->dopt.c.lr, lr_d * 0.25f);
    ck_assert_float_eq(ev.lr_g, t->gopt.c.lr);
    ck_assert(gan_all_finite(t->G->params, t->G->nparams));

    t->gopt.c.lr = lr_g;
    t->dopt.c.lr = lr_d;
    train_to(t, &h, 70);
    ck_assert(same_state(ref, t));
    gan_health_free(&h);
    gan_trainer_free(ref);
    gan_trainer_free(t);
}
END_TEST

/* a model that diverges at lr 10 trains on after rollbacks lower it */
START_TEST(test_rollback_lets_a_diverging_run_finish)
{
    const char *text =
        "name: diverge\n"
        "data: {format: ring, samples: 5000}\n"
        "noise: {dim: 2}\n"
        "generator: [dense: {units: 16}, relu, dense: {units: 2}]\n"
        "discriminator: [dense: {units: 16}, relu, dense: {units: 1}]\n"
        "train:\n"
        "  loss: lsgan\n"
        "  batch: 16\n"
        "  steps: 300\n"
        "  optimizer:\n"
        "    generator: {type: sgd, lr: 10}\n"
        "    discriminator: {type: sgd, lr: 10}\n"
        "  health: {on_nan: rollback, snapshot_every: 10, lr_factor: 0.1, retries: 5}\n";
    gan_error err;
    gan_model_spec *m;
    ck_assert_msg(gan_model_load_string(&m, text, strlen(text), "d.yaml", NULL, 0, &err) == GAN_OK, "%s", err.msg);
    gan_trainer *t;
    ck_assert_msg(gan_trainer_create(&t, m, 1, &err) == GAN_OK, "%s", err.msg);
    gan_health h;
    ck_assert_int_eq(gan_health_init(&h, t, &err), GAN_OK);
    long guard = 0;
    while (t->state.step < 300 && guard++ < 1000) {
        gan_status st = gan_trainer_step(t, &err);
        if (st == GAN_OK) st = gan_health_check(&h, t, t->state.step == 300, &err);
        gan_health_event ev;
        if (st != GAN_OK) ck_assert_msg(gan_health_recover(&h, t, st, &ev, &err) == GAN_OK, "%s", err.msg);
    }
    ck_assert_int_eq(t->state.step, 300);
    ck_assert_int_ge(h.rollbacks, 1);
    ck_assert_float_lt(t->gopt.c.lr, 10.0f);
    ck_assert_float_eq(t->gopt.c.lr, t->dopt.c.lr);
    ck_assert(gan_all_finite(t->G->params, t->G->nparams));
    ck_assert(gan_all_finite(t->D->params, t->D->nparams));
    gan_health_free(&h);
    gan_trainer_free(t);
}
END_TEST

/* retries: 2 allows two rollbacks in a row; the third failure gives up
 * with the error and the count */
START_TEST(test_retry_bound_gives_up)
{
    gan_trainer *t = make(rollback);
    gan_health h;
    gan_error err;
    ck_assert_int_eq(gan_health_init(&h, t, &err), GAN_OK);
    train_to(t, &h, 25);
    gan_health_event ev;
    for (int i = 1; i <= 3; i++) {
        train_to(t, &h, 23);
        t->D->params[0] = INFINITY;
        gan_status st = gan_trainer_step(t, &err);
        ck_assert_int_eq(st, GAN_ERR_NUMERIC);
        st = gan_health_recover(&h, t, st, &ev, &err);
        if (i <= 2) {
            ck_assert_int_eq(st, GAN_OK);
            ck_assert_int_eq(ev.retry, i);
            ck_assert_int_eq(t->state.step, 20);
        } else {
            ck_assert_int_eq(st, GAN_ERR_NUMERIC);
            ck_assert_int_eq(ev.step, 0);
            ck_assert_msg(strstr(err.msg, "gave up after 2 rollbacks in a row to step 20 (train.health.retries: 2)"),
                          "%s", err.msg);
        }
    }
    ck_assert_int_eq(h.rollbacks, 2);
    gan_health_free(&h);
    gan_trainer_free(t);
}
END_TEST

/* a new snapshot past the trouble starts the count again */
START_TEST(test_new_snapshot_resets_the_count)
{
    gan_trainer *t = make(rollback);
    gan_health h;
    gan_error err;
    ck_assert_int_eq(gan_health_init(&h, t, &err), GAN_OK);
    gan_health_event ev;
    for (int i = 0; i < 4; i++) {
        long base = 20 * i;
        train_to(t, &h, base + 5);
        t->G->params[1] = NAN;
        gan_status st = gan_trainer_step(t, &err);
        ck_assert_int_eq(gan_health_recover(&h, t, st, &ev, &err), GAN_OK);
        ck_assert_int_eq(ev.retry, 1);
        ck_assert_int_eq(ev.to_step, base);
        train_to(t, &h, base + 20);   /* takes the snapshot at base + 20 */
    }
    ck_assert_int_eq(h.rollbacks, 4);
    gan_health_free(&h);
    gan_trainer_free(t);
}
END_TEST

/* a non-finite parameter the loss did not notice is caught when a snapshot
 * is due, and the previous snapshot is used */
START_TEST(test_check_finds_non_finite_parameters)
{
    gan_trainer *t = make(rollback);
    gan_health h;
    gan_error err;
    ck_assert_int_eq(gan_health_init(&h, t, &err), GAN_OK);
    train_to(t, &h, 21);
    t->D->bufs[0] = NAN;    /* a batchnorm running mean: training mode ignores it */
    train_to(t, NULL, 39);
    ck_assert_int_eq(gan_trainer_step(t, &err), GAN_OK);
    gan_status st = gan_health_check(&h, t, 0, &err);
    ck_assert_int_eq(st, GAN_ERR_NUMERIC);
    ck_assert_msg(strstr(err.msg, "step 40: discriminator buffers"), "%s", err.msg);
    gan_health_event ev;
    ck_assert_int_eq(gan_health_recover(&h, t, st, &ev, &err), GAN_OK);
    ck_assert_int_eq(ev.step, 40);
    ck_assert_int_eq(ev.to_step, 20);
    ck_assert(gan_all_finite(t->D->bufs, t->D->nbufs));
    gan_health_free(&h);
    gan_trainer_free(t);
}
END_TEST

static gan_status load_health(const char *health, gan_error *err)
{
    char text[4096];
    tu_tiny_model(text, sizeof text, health);
    gan_model_spec *m;
    gan_status st = gan_model_load_string(&m, text, strlen(text), "h.yaml", NULL, 0, err);
    gan_model_free(m);
    return st;
}

START_TEST(test_health_keys_are_validated)
{
    gan_error err;
    ck_assert_int_eq(load_health("  health: {on_nan: stop, retries: 3}\n", &err), GAN_ERR_INVALID);
    ck_assert_msg(strstr(err.msg, "does not apply to on_nan stop"), "%s", err.msg);
    ck_assert_int_ne(load_health("  health: {on_nan: rollback, lr_factor: 0}\n", &err), GAN_OK);
    ck_assert_int_ne(load_health("  health: {on_nan: rollback, lr_factor: 1.5}\n", &err), GAN_OK);
    ck_assert_int_eq(load_health("  health: {on_nan: rollback, lr_factor: 1}\n", &err), GAN_OK);
    ck_assert_int_ne(load_health("  health: {on_nan: rollback, retries: 0}\n", &err), GAN_OK);
    ck_assert_int_ne(load_health("  health: {on_nan: rollback, snapshot_every: 0}\n", &err), GAN_OK);
    ck_assert_int_ne(load_health("  health: {on_nan: retry}\n", &err), GAN_OK);
    ck_assert_msg(strstr(err.msg, "rollback"), "%s", err.msg);
    /* the expansion writes the section out and loads back */
    char text[4096];
    tu_tiny_model(text, sizeof text, rollback);
    gan_model_spec *m, *m2;
    ck_assert_int_eq(gan_model_load_string(&m, text, strlen(text), "h.yaml", NULL, 0, &err), GAN_OK);
    char *x = gan_model_expand(m);
    ck_assert_msg(strstr(x, "health:\n    on_nan: rollback\n    snapshot_every: 20\n    lr_factor: 0.25\n"
                            "    retries: 2\n"), "%s", x);
    ck_assert_int_eq(gan_model_load_string(&m2, x, strlen(x), "x.yaml", NULL, 0, &err), GAN_OK);
    ck_assert(!memcmp(&m->train.health, &m2->train.health, sizeof m->train.health));
    free(x);
    gan_model_free(m);
    gan_model_free(m2);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("health");
    TCase *t = tcase_create("health");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, test_defaults_are_stop);
    tcase_add_test(t, test_no_nan_is_bit_identical);
    tcase_add_test(t, test_rollback_restores_the_whole_state);
    tcase_add_test(t, test_rollback_lets_a_diverging_run_finish);
    tcase_add_test(t, test_retry_bound_gives_up);
    tcase_add_test(t, test_new_snapshot_resets_the_count);
    tcase_add_test(t, test_check_finds_non_finite_parameters);
    tcase_add_test(t, test_health_keys_are_validated);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return tu_run_suite(suite());
}
