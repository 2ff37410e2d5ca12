/* check_augment.c - train.augment's ops (src/train/augment.c): gradients
 * by central differences for fixed draws, translation and cutout against
 * naive pixel rules, flip, the policy words, p, and ADA's update. */
#include "config.h"
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "gan/gan.h"
#include "train/augment.h"
#include "testutil.h"

static void fill(float *x, size_t n, uint64_t seed)
{
    gan_rng r;
    gan_rng_seed_stream(&r, seed, 1);
    for (size_t i = 0; i < n; i++) x[i] = (float)(2 * gan_rng_uniform(&r) - 1);
}

/* L = sum w . aug(x); compare aug_backward(w) with (L(x+h e_i) - L(x-h e_i)) / 2h
 * at every coordinate (the maps are affine: the difference is exact up to
 * rounding).  Returns the worst absolute error. */
static double gradcheck(const aug_draw *d, int C, int H, int W)
{
    size_t n = (size_t)C * H * W;
    float *x = malloc(n * 4), *w = malloc(n * 4), *y = malloc(n * 4), *dx = malloc(n * 4), *tmp = malloc(n * 4);
    fill(x, n, 3);
    fill(w, n, 4);
    aug_backward(dx, w, d, C, H, W, tmp);
    double worst = 0, h = 1e-2;
    for (size_t i = 0; i < n; i++) {
        double L[2];
        float keep = x[i];
        for (int s = 0; s < 2; s++) {
            x[i] = keep + (float)(s ? -h : h);
            aug_forward(y, x, d, C, H, W, tmp);
            double acc = 0;
            for (size_t k = 0; k < n; k++) acc += (double)w[k] * y[k];
            L[s] = acc;
        }
        x[i] = keep;
        double num = (L[0] - L[1]) / (2 * h), e = fabs(num - dx[i]);
        if (e > worst) worst = e;
    }
    free(x), free(w), free(y), free(dx), free(tmp);
    return worst;
}

static aug_draw draw_all(void)
{
    aug_draw d = { AUG_COLOR | AUG_TRANSLATION | AUG_CUTOUT, 0.3f, 1.7f, 0.6f, 2, -1, 1, 4, 3, 6 };
    return d;
}

START_TEST(test_each_op_gradient_matches_finite_differences)
{
    aug_draw all = draw_all();
    unsigned sets[] = { AUG_COLOR, AUG_TRANSLATION, AUG_CUTOUT, AUG_COLOR | AUG_TRANSLATION | AUG_CUTOUT };
    for (int C = 1; C <= 3; C += 2)
        for (size_t k = 0; k < sizeof sets / sizeof *sets; k++) {
            aug_draw d = all;
            d.on = sets[k];
            double e = gradcheck(&d, C, 7, 6);
            printf("augment gradcheck C=%d ops=%u: max abs error %.2e\n", C, d.on, e);
            ck_assert_msg(e < 2e-3, "ops %u, C %d: gradient off by %g", d.on, C, e);
        }
}
END_TEST

START_TEST(test_random_draws_gradient_matches_finite_differences)
{
    gan_aug_spec a = { 0, "", 1, 0, 1e5, 0.25f, 0.5f };
    gan_rng r;
    gan_rng_seed_stream(&r, 7, 9);
    for (int i = 0; i < 20; i++) {
        aug_draw d;
        aug_draw_one(&d, &r, AUG_COLOR | AUG_TRANSLATION | AUG_CUTOUT, 0.7f, &a, 8, 5);
        ck_assert_double_lt(gradcheck(&d, 3, 8, 5), 2e-3);
    }
}
END_TEST

START_TEST(test_translation_moves_pixels_and_fills_zeros)
{
    int C = 2, H = 5, W = 6;
    float x[60], y[60], tmp[60];
    fill(x, 60, 1);
    aug_draw d = { AUG_TRANSLATION, 0, 0, 0, -2, 1, 0, 0, 0, 0 };
    aug_forward(y, x, &d, C, H, W, tmp);
    for (int c = 0; c < C; c++)
        for (int h = 0; h < H; h++)
            for (int w = 0; w < W; w++) {
                int hs = h - 1, ws = w + 2;   /* y[h][w] = x[h - ty][w - tx] */
                float want = hs >= 0 && hs < H && ws >= 0 && ws < W ? x[(c * H + hs) * W + ws] : 0.0f;
                ck_assert_float_eq(y[(c * H + h) * W + w], want);
            }
}
END_TEST

START_TEST(test_cutout_zeroes_its_rectangle_only)
{
    int C = 3, H = 6, W = 6;
    float x[108], y[108], tmp[108];
    fill(x, 108, 2);
    aug_draw d = { AUG_CUTOUT, 0, 0, 0, 0, 0, 1, 4, 0, 2 };
    aug_forward(y, x, &d, C, H, W, tmp);
    for (int c = 0; c < C; c++)
        for (int h = 0; h < H; h++)
            for (int w = 0; w < W; w++) {
                int in = w >= 1 && w < 4 && h < 2;
                ck_assert_float_eq(y[(c * H + h) * W + w], in ? 0.0f : x[(c * H + h) * W + w]);
            }
}
END_TEST

START_TEST(test_color_keeps_the_mean_shift_of_brightness)
{
    /* saturation and contrast keep the image mean; brightness adds b */
    int C = 3, H = 4, W = 4;
    float x[48], y[48], tmp[48];
    fill(x, 48, 5);
    aug_draw d = { AUG_COLOR, 0.25f, 0.3f, 1.4f, 0, 0, 0, 0, 0, 0 };
    aug_forward(y, x, &d, C, H, W, tmp);
    double mx = 0, my = 0;
    for (int i = 0; i < 48; i++) mx += x[i], my += y[i];
    ck_assert_double_eq_tol(my / 48, mx / 48 + 0.25, 1e-5);
}
END_TEST

START_TEST(test_flip_mirrors_rows)
{
    float x[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }, want[12] = { 3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10 };
    aug_flip(x, 2, 2, 3);
    for (int i = 0; i < 12; i++) ck_assert_float_eq(x[i], want[i]);
}
END_TEST

START_TEST(test_policy_words)
{
    char bad[32];
    ck_assert_int_eq(aug_parse_policy("color,translation,cutout", bad, sizeof bad), 7);
    ck_assert_int_eq(aug_parse_policy("translation", bad, sizeof bad), AUG_TRANSLATION);
    ck_assert_int_eq(aug_parse_policy(" cutout , color", bad, sizeof bad), AUG_CUTOUT | AUG_COLOR);
    ck_assert_int_eq(aug_parse_policy("", bad, sizeof bad), 0);
    ck_assert_int_eq(aug_parse_policy("color,colour", bad, sizeof bad), -1);
    ck_assert_str_eq(bad, "colour");
}
END_TEST

START_TEST(test_p_zero_draws_nothing_and_one_everything)
{
    gan_aug_spec a = { 0, "", 1, 0, 1e5, 0.125f, 0.5f };
    gan_rng r;
    gan_rng_seed_stream(&r, 1, 9);
    int on = 0;
    for (int i = 0; i < 100; i++) {
        aug_draw d;
        aug_draw_one(&d, &r, 7, 0.0f, &a, 28, 28);
        ck_assert_uint_eq(d.on, 0);
        aug_draw_one(&d, &r, 7, 1.0f, &a, 28, 28);
        ck_assert_uint_eq(d.on, 7);
        ck_assert(abs(d.tx) <= 4 && abs(d.ty) <= 4);   /* round(0.125 * 28) = 4 (3.5 rounds up) */
        ck_assert(d.cx1 - d.cx0 <= 14 && d.cx0 >= 0 && d.cx1 <= 28);
        aug_draw_one(&d, &r, 7, 0.5f, &a, 28, 28);
        on += __builtin_popcount(d.on);
    }
    ck_assert(on > 100 && on < 200);   /* 150 expected */
}
END_TEST

START_TEST(test_ada_moves_p_towards_the_target)
{
    gan_model_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.train.batch = 64;
    spec.train.augment.ada_target = 0.6f;
    spec.train.augment.ada_speed = 640;
    gan_trainer t;
    memset(&t, 0, sizeof t);
    t.cfg.spec = &spec;
    t.scratch.aug = (struct gan_aug_state *)&t;   /* only tested for non-NULL */
    t.state.aug_p = 0.5f;
    aug_adapt(&t, 0.9f);                  /* D too sure of reals: more augmentation */
    ck_assert_float_eq_tol(t.state.aug_p, 0.6f, 1e-6);
    aug_adapt(&t, 0.1f);
    aug_adapt(&t, 0.1f);
    ck_assert_float_eq_tol(t.state.aug_p, 0.4f, 1e-6);
    for (int i = 0; i < 10; i++) aug_adapt(&t, -1.0f);
    ck_assert_float_eq(t.state.aug_p, 0.0f);
    for (int i = 0; i < 20; i++) aug_adapt(&t, 1.0f);
    ck_assert_float_eq(t.state.aug_p, 1.0f);
    float yr[4] = { 1.5f, -0.5f, 2.0f, 0.0f };
    ck_assert_float_eq(aug_sign_mean(yr, 4), 0.25f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("augment");
    TCase *t = tcase_create("ops");
    tcase_add_test(t, test_each_op_gradient_matches_finite_differences);
    tcase_add_test(t, test_random_draws_gradient_matches_finite_differences);
    tcase_add_test(t, test_translation_moves_pixels_and_fills_zeros);
    tcase_add_test(t, test_cutout_zeroes_its_rectangle_only);
    tcase_add_test(t, test_color_keeps_the_mean_shift_of_brightness);
    tcase_add_test(t, test_flip_mirrors_rows);
    tcase_add_test(t, test_policy_words);
    tcase_add_test(t, test_p_zero_draws_nothing_and_one_everything);
    tcase_add_test(t, test_ada_moves_p_towards_the_target);
    suite_add_tcase(s, t);
    return tu_run_suite(s);
}
