/* check_cond.c - conditional GANs: the label layers' gradients (embedding
 * table, projection term), labels from CSV, the model checks that tie
 * label layers to data.classes, bit-exact resume of a conditional run, and
 * a tiny cGAN that draws the class it is asked for. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "gan/gan.h"
#include "gradcheck.h"
#include "testutil.h"

static gan_net *one_layer(const gan_layer_conf *c, gan_shape in, int B)
{
    gan_net *net;
    gan_error err;
    ck_assert_msg(gan_net_create(&net, c, 1, in, B, &err) == GAN_OK, "create: %s", err.msg);
    gan_rng r;
    gan_rng_seed(&r, 7);
    gan_net_init(net, &r);
    for (size_t i = 0; i < net->nparams; i++) net->params[i] += 0.1f * (float)gan_rng_normal(&r);
    return net;
}

static float *normal_input(size_t n, uint64_t seed)
{
    float *x = malloc(n * sizeof *x);
    gan_rng r;
    gan_rng_seed(&r, seed);
    gan_rng_fill_normal(&r, x, n, 0, 1);
    return x;
}

static const int labels6[6] = { 0, 1, 4, 1, 3, 0 };

START_TEST(test_embed_gradcheck_vector)
{
    gan_layer_conf c;
    layer_conf("embed", &c, "classes=5", "dim=3", NULL);
    gan_shape in = { 1, { 4, 0, 0 } };
    gan_net *net = one_layer(&c, in, 6);
    net->labels = labels6;
    float *x = normal_input(6 * 4, 3);
    gradcheck_result r = gradcheck_net(net, x, 6, 1, 1e-2, 1e-2, 300);
    ck_assert_double_lt(r.max_rel_dx, 1e-3);
    ck_assert_double_lt(r.max_rel_dp, 1e-3);
    ck_assert_int_eq(r.checked_dp, 15);   /* the whole (5, 3) table */
    /* class 2 is in no sample: its row gets no gradient */
    for (int d = 0; d < 3; d++) ck_assert_float_eq(net->grads[2 * 3 + d], 0.0f);
    ck_assert_float_ne(net->grads[4 * 3], 0.0f);
    free(x);
    gan_net_free(net);
}
END_TEST

START_TEST(test_embed_gradcheck_image_channels)
{
    gan_layer_conf c;
    layer_conf("embed", &c, "classes=5", "dim=2", NULL);
    gan_shape in = { 3, { 2, 3, 3 } };
    gan_net *net = one_layer(&c, in, 6);
    ck_assert_int_eq(net->out.rank, 3);
    ck_assert_int_eq(net->out.d[0], 4);
    net->labels = labels6;
    float *x = normal_input(6 * 18, 4);
    gradcheck_result r = gradcheck_net(net, x, 6, 1, 1e-2, 1e-2, 300);
    ck_assert_double_lt(r.max_rel_dx, 1e-3);
    ck_assert_double_lt(r.max_rel_dp, 1e-3);
    free(x);
    gan_net_free(net);
}
END_TEST

START_TEST(test_embed_appends_the_label_row)
{
    gan_layer_conf c;
    layer_conf("embed", &c, "classes=3", "dim=2", NULL);
    gan_shape in = { 1, { 2, 0, 0 } };
    gan_net *net = one_layer(&c, in, 2);
    int y[2] = { 2, 0 };
    net->labels = y;
    float x[4] = { 1, 2, 3, 4 };
    const float *o = gan_net_forward(net, x, 2, 0);
    const float *E = net->params;   /* (3, 2) */
    float want[8] = { 1, 2, E[4], E[5], 3, 4, E[0], E[1] };
    ck_assert_mem_eq(o, want, sizeof want);
    gan_net_free(net);
}
END_TEST

/* project alone, and behind dense + tanh so its input gradient is
 * checked through a layer with parameters of its own */
START_TEST(test_project_gradcheck)
{
    gan_layer_conf c[3];
    layer_conf("dense", &c[0], "units=7", NULL);
    layer_conf("tanh", &c[1], NULL);
    layer_conf("project", &c[2], "classes=5", NULL);
    gan_shape in = { 1, { 4, 0, 0 } };
    gan_net *net;
    gan_error err;
    ck_assert_msg(gan_net_create(&net, c, 3, in, 6, &err) == GAN_OK, "%s", err.msg);
    gan_rng r;
    gan_rng_seed(&r, 9);
    gan_net_init(net, &r);
    for (size_t i = 0; i < net->nparams; i++) net->params[i] += 0.1f * (float)gan_rng_normal(&r);
    net->labels = labels6;
    float *x = normal_input(6 * 4, 5);
    gradcheck_result g = gradcheck_net(net, x, 6, 1, 1e-2, 1e-2, 400);
    ck_assert_double_lt(g.max_rel_dx, 1e-2);
    ck_assert_double_lt(g.max_rel_dp, 1e-2);
    free(x);
    gan_net_free(net);

    gan_layer_conf p;
    layer_conf("project", &p, "classes=5", NULL);
    net = one_layer(&p, (gan_shape){ 1, { 7, 0, 0 } }, 6);
    net->labels = labels6;
    x = normal_input(6 * 7, 6);
    g = gradcheck_net(net, x, 6, 1, 1e-2, 1e-2, 400);
    ck_assert_double_lt(g.max_rel_dx, 1e-3);
    ck_assert_double_lt(g.max_rel_dp, 1e-3);
    ck_assert_int_eq(g.checked_dp, 7 + 35 + 1);   /* w, the (5, 7) table, b */
    free(x);
    gan_net_free(net);
}
END_TEST

/* y = w . h + b + V[label] . h, computed by hand */
START_TEST(test_project_adds_the_label_inner_product)
{
    gan_layer_conf c;
    layer_conf("project", &c, "classes=3", NULL);
    gan_net *net = one_layer(&c, (gan_shape){ 1, { 2, 0, 0 } }, 2);
    const float *w = net->params, *V = net->params + 2, b = net->params[8];
    int y[2] = { 1, 2 };
    net->labels = y;
    float x[4] = { 0.5f, -1.0f, 2.0f, 0.25f };
    const float *o = gan_net_forward(net, x, 2, 0);
    for (int n = 0; n < 2; n++) {
        double want = b;
        for (int f = 0; f < 2; f++) want += ((double)w[f] + V[y[n] * 2 + f]) * x[n * 2 + f];
        ck_assert_double_eq_tol(o[n], want, 1e-6);
    }
    gan_net_free(net);
}
END_TEST

/* ---- data and model files ------------------------------------------- */

static char csv_path[64];

/* 4 classes: tight blobs at (+-2, +-2); class k at centre k */
static const float centres[4][2] = { { -2, -2 }, { 2, -2 }, { -2, 2 }, { 2, 2 } };

static void write_blobs(int n)
{
    strcpy(csv_path, "/tmp/ganrun-cond-XXXXXX");
    int fd = mkstemp(csv_path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    gan_rng r;
    gan_rng_seed(&r, 42);
    fprintf(f, "x,label,y\n");
    for (int i = 0; i < n; i++) {
        int k = i % 4;
        fprintf(f, "%.5f,%d,%.5f\n", centres[k][0] + 0.1 * gan_rng_normal(&r), k,
                centres[k][1] + 0.1 * gan_rng_normal(&r));
    }
    fclose(f);
}

static const char *cgan_model =
    "name: tiny-cgan\n"
    "seed: 4\n"
    "data: {format: csv, path: %s, label_column: 2, classes: 4}\n"
    "noise: {distribution: normal, dim: 2}\n"
    "generator:\n"
    "  - embed: {dim: 4}\n"
    "  - dense: {units: 32}\n"
    "  - relu: {}\n"
    "  - dense: {units: 32}\n"
    "  - relu: {}\n"
    "  - dense: {units: 2}\n"
    "discriminator:\n"
    "%s"
    "  - dense: {units: 32}\n"
    "  - leaky_relu: {slope: 0.2}\n"
    "  - dense: {units: 32}\n"
    "  - leaky_relu: {slope: 0.2}\n"
    "  - %s\n"
    "train:\n"
    "  loss: bce\n"
    "  batch: 64\n"
    "  steps: 100\n"
    "  optimizer:\n"
    "    generator: {type: adam, lr: 2.0e-3, betas: [0.5, 0.999]}\n"
    "    discriminator: {type: adam, lr: 2.0e-3, betas: [0.5, 0.999]}\n"
    "output: {dir: /tmp/ganrun-check-cond}\n";

static gan_status load_model(const char *text, gan_model_spec **m, gan_error *err)
{
    gan_error_clear(err);
    return gan_model_load_string(m, text, strlen(text), "c.yaml", NULL, 0, err);
}

static gan_trainer *make_cgan(const char *first, const char *head)
{
    char text[4096];
    snprintf(text, sizeof text, cgan_model, csv_path, first, head);
    gan_model_spec *m;
    gan_error err;
    ck_assert_msg(load_model(text, &m, &err) == GAN_OK, "model: %s", err.msg);
    gan_trainer *t;
    ck_assert_msg(gan_trainer_create(&t, m, 1, &err) == GAN_OK, "trainer: %s", err.msg);
    return t;
}

START_TEST(test_csv_label_column)
{
    write_blobs(40);
    gan_data_spec s;
    memset(&s, 0, sizeof s);
    s.format = GAN_DATA_CSV;
    snprintf(s.path, sizeof s.path, "%s", csv_path);
    s.label_column = 2;
    gan_dataset *d;
    gan_error err;
    ck_assert_msg(gan_data_load(&d, &s, 1, &err) == GAN_OK, "%s", err.msg);
    ck_assert_int_eq(d->n, 40);
    ck_assert_int_eq(d->shape.d[0], 2);
    ck_assert_int_eq(d->nclasses, 4);
    for (long i = 0; i < d->n; i++) {
        ck_assert_int_eq(d->labels[i], (int)(i % 4));
        ck_assert_float_eq_tol(d->x[i * 2], centres[i % 4][0], 0.6f);
        ck_assert_float_eq_tol(d->x[i * 2 + 1], centres[i % 4][1], 0.6f);
    }
    gan_shape sh;
    ck_assert_int_eq(gan_data_shape(&s, &sh, &err), GAN_OK);
    ck_assert_int_eq(sh.d[0], 2);
    gan_data_free(d);
    s.label_column = 1;   /* x values are not whole numbers */
    ck_assert_int_eq(gan_data_load(&d, &s, 1, &err), GAN_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "not a whole number"));
    s.label_column = 4;
    ck_assert_int_eq(gan_data_load(&d, &s, 1, &err), GAN_ERR_SHAPE);
    unlink(csv_path);
}
END_TEST

START_TEST(test_label_layers_take_data_classes)
{
    write_blobs(40);
    char text[4096];
    gan_model_spec *m;
    gan_error err;
    snprintf(text, sizeof text, cgan_model, csv_path, "", "project: {}");
    ck_assert_int_eq(load_model(text, &m, &err), GAN_OK);
    ck_assert_int_eq((int)gan_conf_num(&m->gen.layers[0], "classes"), 4);
    ck_assert_int_eq((int)gan_conf_num(&m->disc.layers[4], "classes"), 4);
    char *x = gan_model_expand(m);
    ck_assert_ptr_nonnull(strstr(x, "embed: {classes: 4, dim: 4"));
    free(x);
    gan_model_free(m);

    snprintf(text, sizeof text, cgan_model, csv_path, "", "project: {classes: 3}");
    ck_assert_int_eq(load_model(text, &m, &err), GAN_ERR_INVALID);
    ck_assert_str_eq(err.msg, "project classes 3 differs from data.classes 4");
    ck_assert_int_eq(err.line, 17);

    snprintf(text, sizeof text, cgan_model, csv_path, "", "dense: {units: 1}");
    ck_assert_int_eq(load_model(text, &m, &err), GAN_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(err.msg, "the discriminator has no label layer"));

    /* a label layer without data.classes */
    char *p = strstr(text, ", classes: 4");
    memmove(p, p + 12, strlen(p + 12) + 1);
    ck_assert_int_eq(load_model(text, &m, &err), GAN_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(err.msg, "embed layer in the generator of an unconditional model"));
    ck_assert_int_eq(err.line, 6);
    unlink(csv_path);
}
END_TEST

START_TEST(test_conditional_data_needs_labels)
{
    write_blobs(400);
    char text[4096];
    snprintf(text, sizeof text, cgan_model, csv_path, "", "project: {}");
    char *p = strstr(text, "label_column: 2, ");
    memmove(p, p + 17, strlen(p + 17) + 1);
    p = strstr(text, "dense: {units: 2}");   /* the label column is data now */
    p[15] = '3';
    gan_model_spec *m;
    gan_error err;
    ck_assert_msg(load_model(text, &m, &err) == GAN_OK, "%s", err.msg);
    gan_trainer *t;
    ck_assert_int_eq(gan_trainer_create(&t, m, 1, &err), GAN_ERR_INVALID);
    ck_assert_msg(strstr(err.msg, "data has no labels") != NULL, "%s", err.msg);
    unlink(csv_path);
}
END_TEST

static void train(gan_trainer *t, long steps)
{
    gan_error err;
    for (long i = 0; i < steps; i++)
        ck_assert_msg(gan_trainer_step(t, &err) == GAN_OK, "step: %s", err.msg);
}

START_TEST(test_conditional_resume_is_bit_exact)
{
    write_blobs(400);
    char path[] = "/tmp/ganrun-cond-ckpt-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    gan_trainer *a = make_cgan("", "project: {}"), *b = make_cgan("", "project: {}"), *c;
    gan_error err;
    train(a, 30);
    train(b, 15);
    ck_assert_int_eq(gan_ckpt_save(b, path, &err), GAN_OK);
    gan_trainer_free(b);
    ck_assert_msg(gan_ckpt_load(&c, path, 1, &err) == GAN_OK, "load: %s", err.msg);
    train(c, 15);
    ck_assert_mem_eq(a->G->params, c->G->params, a->G->nparams * sizeof(float));
    ck_assert_mem_eq(a->D->params, c->D->params, a->D->nparams * sizeof(float));
    ck_assert_mem_eq(a->scratch.yfake, c->scratch.yfake, 64 * sizeof(int));
    unlink(path);
    unlink(csv_path);
    gan_trainer_free(a);
    gan_trainer_free(c);
}
END_TEST

static int nearest_centre(const float *p)
{
    int best = 0;
    double bd = 1e30;
    for (int k = 0; k < 4; k++) {
        double dx = p[0] - centres[k][0], dy = p[1] - centres[k][1], d = dx * dx + dy * dy;
        if (d < bd) { bd = d; best = k; }
    }
    return best;
}

/* A tiny cGAN on 4 labelled blobs: asked for class k, G draws near centre
 * k.  Before training it does not (the same bar fails), with either
 * discriminator head: projection or an embedding concatenated to the input. */
static void check_cgan_draws_classes(const char *first, const char *head, int steps)
{
    write_blobs(4000);
    gan_trainer *t = make_cgan(first, head);
    float *x = malloc(200 * 2 * sizeof *x);
    int y[200];
    gan_error err;
    double before = 0, after = 0;
    for (int pass = 0; pass < 2; pass++) {
        if (pass) train(t, steps);
        int hit = 0;
        for (int k = 0; k < 4; k++) {
            for (int i = 0; i < 200; i++) y[i] = k;
            ck_assert_int_eq(gan_trainer_sample_labels(t, 9, 200, y, x, &err), GAN_OK);
            for (int i = 0; i < 200; i++) hit += nearest_centre(x + 2 * i) == k;
        }
        *(pass ? &after : &before) = hit / 800.0;
    }
    printf("cgan (%s): right class %.1f%% before, %.1f%% after %d steps\n", first[0] ? "concat" : head, 100 * before,
           100 * after, steps);
    ck_assert_double_lt(before, 0.6);
    ck_assert_double_gt(after, 0.95);
    free(x);
    unlink(csv_path);
    gan_trainer_free(t);
}

START_TEST(test_cgan_projection_draws_the_asked_class)
{
    check_cgan_draws_classes("", "project: {}", 600);
}
END_TEST

START_TEST(test_cgan_concat_draws_the_asked_class)
{
    check_cgan_draws_classes("  - embed: {dim: 4}\n", "dense: {units: 1}", 600);
}
END_TEST

/* default sample labels: class r mod K on row r of the square grid */
START_TEST(test_grid_labels_one_class_per_row)
{
    int y[20];
    gan_cond_grid_labels(y, 20, 5, 3);
    for (int i = 0; i < 20; i++) ck_assert_int_eq(y[i], (i / 5) % 3);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cond");
    TCase *t = tcase_create("cond");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, test_embed_gradcheck_vector);
    tcase_add_test(t, test_embed_gradcheck_image_channels);
    tcase_add_test(t, test_embed_appends_the_label_row);
    tcase_add_test(t, test_project_gradcheck);
    tcase_add_test(t, test_project_adds_the_label_inner_product);
    tcase_add_test(t, test_csv_label_column);
    tcase_add_test(t, test_label_layers_take_data_classes);
    tcase_add_test(t, test_conditional_data_needs_labels);
    tcase_add_test(t, test_conditional_resume_is_bit_exact);
    tcase_add_test(t, test_grid_labels_one_class_per_row);
    tcase_add_test(t, test_cgan_projection_draws_the_asked_class);
    tcase_add_test(t, test_cgan_concat_draws_the_asked_class);
    suite_add_tcase(s, t);
    return tu_run_suite(s);
}
