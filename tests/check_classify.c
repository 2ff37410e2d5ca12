/* check_classify.c - ganrun's own classifier and the Frechet distance:
 * softmax cross-entropy and its gradient, the Jacobi eigen solver and the
 * PSD square root against known matrices, the Frechet distance against
 * closed forms, a classifier trained on labelled 2-D blobs (and its
 * checkpoint), and a tiny cGAN whose samples that classifier assigns to
 * the class they were drawn for. */
#include <check.h>
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "gan/gan.h"
#include "testutil.h"

START_TEST(test_softmax_xent_value_and_gradient)
{
    float l[6] = { 0, 0, 0, 1.0f, -2.0f, 0.5f };
    int y[2] = { 1, 2 };
    float d[6];
    float L = gan_softmax_xent(l, y, 2, 3, d);
    double e0 = log(3.0);
    double lse = log(exp(1.0) + exp(-2.0) + exp(0.5)), e1 = lse - 0.5;
    ck_assert_double_eq_tol(L, (e0 + e1) / 2, 1e-6);
    /* central differences of L in each logit */
    for (int i = 0; i < 6; i++) {
        float s = l[i], h = 1e-2f;
        l[i] = s + h;
        double lp = gan_softmax_xent(l, y, 2, 3, NULL);
        l[i] = s - h;
        double lm = gan_softmax_xent(l, y, 2, 3, NULL);
        l[i] = s;
        ck_assert_double_eq_tol(d[i], (lp - lm) / (2 * h), 1e-4);
    }
    /* rows of the gradient sum to 0; large logits do not overflow */
    ck_assert_double_eq_tol(d[0] + d[1] + d[2], 0, 1e-7);
    float big[3] = { 1000, 0, -1000 };
    int y0 = 0;
    ck_assert_double_eq_tol(gan_softmax_xent(big, &y0, 1, 3, NULL), 0, 1e-6);
}
END_TEST

static void random_spd(double *S, int n, uint64_t seed)
{
    gan_rng r;
    gan_rng_seed(&r, seed);
    double *B = malloc((size_t)n * n * sizeof *B);
    for (int i = 0; i < n * n; i++) B[i] = gan_rng_normal(&r);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int k = 0; k < n; k++) s += B[i * n + k] * B[j * n + k];
            S[i * n + j] = s / n;
        }
    free(B);
}

START_TEST(test_jacobi_eigen_known_matrices)
{
    double A[4] = { 2, 1, 1, 2 }, w[2], V[4];
    ck_assert_int_ge(gan_sym_eigen(A, 2, w, V), 1);
    ck_assert_double_eq_tol(w[0], 1, 1e-12);
    ck_assert_double_eq_tol(w[1], 3, 1e-12);
    ck_assert_double_eq_tol(fabs(V[0 * 2 + 1]), sqrt(0.5), 1e-12);   /* (1, 1)/sqrt 2 for 3 */
    ck_assert_double_eq_tol(V[0 * 2 + 1], V[1 * 2 + 1], 1e-12);
    /* 3x3 with eigenvalues 2 - sqrt 2, 2, 2 + sqrt 2 */
    double T[9] = { 2, -1, 0, -1, 2, -1, 0, -1, 2 }, w3[3], V3[9];
    ck_assert_int_ge(gan_sym_eigen(T, 3, w3, V3), 1);
    ck_assert_double_eq_tol(w3[0], 2 - sqrt(2), 1e-12);
    ck_assert_double_eq_tol(w3[1], 2, 1e-12);
    ck_assert_double_eq_tol(w3[2], 2 + sqrt(2), 1e-12);
    /* random 12x12: A V = V diag(w), V^T V = I */
    enum { N = 12 };
    double S[N * N], W[N], Q[N * N];
    random_spd(S, N, 3);
    S[5] += 0.7;
    S[5 * N] += 0.7;   /* still symmetric */
    ck_assert_int_ge(gan_sym_eigen(S, N, W, Q), 1);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double av = 0, vv = 0;
            for (int k = 0; k < N; k++) {
                av += S[i * N + k] * Q[k * N + j];
                vv += Q[k * N + i] * Q[k * N + j];
            }
            ck_assert_double_eq_tol(av, Q[i * N + j] * W[j], 1e-10);
            ck_assert_double_eq_tol(vv, i == j, 1e-12);
        }
    for (int i = 1; i < N; i++) ck_assert_double_le(W[i - 1], W[i]);
}
END_TEST

START_TEST(test_sqrtm_against_reference)
{
    /* sqrt [[2, 1], [1, 2]] = 1/2 [[r3 + 1, r3 - 1], [r3 - 1, r3 + 1]] */
    double A[4] = { 2, 1, 1, 2 }, R[4];
    ck_assert_int_eq(gan_sqrtm_psd(A, 2, R), 0);
    double r3 = sqrt(3);
    ck_assert_double_eq_tol(R[0], (r3 + 1) / 2, 1e-12);
    ck_assert_double_eq_tol(R[1], (r3 - 1) / 2, 1e-12);
    ck_assert_double_eq_tol(R[2], (r3 - 1) / 2, 1e-12);
    ck_assert_double_eq_tol(R[3], (r3 + 1) / 2, 1e-12);
    /* random SPD 16x16: R R = S; a rank-deficient PSD matrix too */
    enum { N = 16 };
    double S[N * N], Q[N * N];
    random_spd(S, N, 5);
    for (int pass = 0; pass < 2; pass++) {
        if (pass)   /* rank 1: v v^T */
            for (int i = 0; i < N; i++)
                for (int j = 0; j < N; j++) S[i * N + j] = (i + 1.0) * (j + 1.0) / N;
        ck_assert_int_eq(gan_sqrtm_psd(S, N, Q), 0);
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                double s = 0;
                for (int k = 0; k < N; k++) s += Q[i * N + k] * Q[k * N + j];
                ck_assert_double_eq_tol(s, S[i * N + j], 1e-9);
            }
    }
}
END_TEST

START_TEST(test_frechet_identical_is_zero)
{
    enum { N = 20 };
    double S[N * N], mu[N];
    random_spd(S, N, 7);
    for (int i = 0; i < N; i++) mu[i] = i * 0.3 - 1;
    double fd = gan_frechet_distance(mu, S, mu, S, N);
    ck_assert_double_eq_tol(fd, 0, 1e-9);
}
END_TEST

START_TEST(test_frechet_closed_forms)
{
    /* diagonal: |mu1 - mu2|^2 + sum (sqrt a_i - sqrt b_i)^2 */
    enum { N = 5 };
    double a[N] = { 1, 4, 0.25, 2, 9 }, b[N] = { 4, 1, 1, 2, 0.01 };
    double S1[N * N] = { 0 }, S2[N * N] = { 0 }, m1[N] = { 0, 1, 2, 3, 4 }, m2[N] = { 1, 1, 2, 3, 2 };
    double want = 1 + 4;
    for (int i = 0; i < N; i++) {
        S1[i * N + i] = a[i];
        S2[i * N + i] = b[i];
        want += (sqrt(a[i]) - sqrt(b[i])) * (sqrt(a[i]) - sqrt(b[i]));
    }
    ck_assert_double_eq_tol(gan_frechet_distance(m1, S1, m2, S2, N), want, 1e-10);
    /* 2x2, not commuting: tr sqrt(S1 S2) = sqrt(tr(S1 S2) + 2 sqrt(det S1 det S2)) */
    double P[4] = { 2, 0.5, 0.5, 1 }, Q[4] = { 1, -0.3, -0.3, 3 }, z[2] = { 0, 0 };
    double tr12 = P[0] * Q[0] + P[1] * Q[2] + P[2] * Q[1] + P[3] * Q[3];
    double det = (P[0] * P[3] - P[1] * P[2]) * (Q[0] * Q[3] - Q[1] * Q[2]);
    double want2 = P[0] + P[3] + Q[0] + Q[3] - 2 * sqrt(tr12 + 2 * sqrt(det));
    ck_assert_double_eq_tol(gan_frechet_distance(z, P, z, Q, 2), want2, 1e-10);
}
END_TEST

START_TEST(test_mean_cov)
{
    float x[8] = { 1, 2, 3, 6, 5, 10, 7, 14 };   /* (4, 2): second = 2 * first */
    double mu[2], S[4];
    gan_mean_cov(x, 4, 2, mu, S);
    ck_assert_double_eq_tol(mu[0], 4, 1e-12);
    ck_assert_double_eq_tol(mu[1], 8, 1e-12);
    ck_assert_double_eq_tol(S[0], 20.0 / 3, 1e-12);   /* (9 + 1 + 1 + 9) / 3 */
    ck_assert_double_eq_tol(S[1], 40.0 / 3, 1e-12);
    ck_assert_double_eq_tol(S[2], 40.0 / 3, 1e-12);
    ck_assert_double_eq_tol(S[3], 80.0 / 3, 1e-12);
}
END_TEST

/* ---- a classifier and a cGAN on labelled blobs ------------------------- */

static char csv_path[64], test_path[64];
static const float centres[4][2] = { { -2, -2 }, { 2, -2 }, { -2, 2 }, { 2, 2 } };

static void write_blobs(char *path, int n, uint64_t seed)
{
    strcpy(path, "/tmp/ganrun-clf-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    gan_rng r;
    gan_rng_seed(&r, seed);
    for (int i = 0; i < n; i++) {
        int k = (i * 7 + 3) % 4;
        fprintf(f, "%d,%.5f,%.5f\n", k, centres[k][0] + 0.5 * gan_rng_normal(&r),
                centres[k][1] + 0.5 * gan_rng_normal(&r));
    }
    fclose(f);
}

static const char *clf_file =
    "name: blobs-clf\n"
    "data: {format: csv, path: %s, label_column: 1, classes: 4}\n"
    "test: {format: csv, path: %s, label_column: 1}\n"
    "layers:\n"
    "  - dense: {units: 16}\n"
    "  - tanh: {}\n"
    "  - dense: {units: 4}\n"
    "train: {batch: 32, steps: 400, lr: 1.0e-2}\n";

static gan_classifier *trained_classifier(gan_dataset **test)
{
    char text[2048];
    snprintf(text, sizeof text, clf_file, csv_path, test_path);
    gan_clf_spec *s;
    gan_error err;
    ck_assert_msg(gan_clf_load_string(&s, text, strlen(text), "c.yaml", &err) == GAN_OK, "%s", err.msg);
    gan_data_spec ds = s->data, ts = s->test;
    gan_classifier *c;
    ck_assert_msg(gan_classifier_create(&c, s, text, NULL, &err) == GAN_OK, "%s", err.msg);
    ck_assert_int_eq(c->features, 16);
    gan_dataset *d;
    ck_assert_int_eq(gan_data_load(&d, &ds, 1, &err), GAN_OK);
    ck_assert_int_eq(gan_data_load(test, &ts, 1, &err), GAN_OK);
    ck_assert_msg(gan_classifier_train(c, d, c->spec->train.steps, 0, NULL, &err) == GAN_OK, "%s", err.msg);
    gan_data_free(d);
    return c;
}

START_TEST(test_classifier_learns_and_round_trips)
{
    write_blobs(csv_path, 2000, 1);
    write_blobs(test_path, 1000, 2);
    gan_dataset *test;
    gan_classifier *c = trained_classifier(&test);
    double acc;
    gan_error err;
    ck_assert_int_eq(gan_classifier_accuracy(c, test, &acc, &err), GAN_OK);
    printf("blobs classifier: test accuracy %.2f%%\n", 100 * acc);
    ck_assert_double_gt(acc, 0.97);   /* the blobs overlap a little: ~99.8% is the Bayes rate */
    c->test_accuracy = (float)acc;
    char ck[] = "/tmp/ganrun-clf-ckpt-XXXXXX";
    int fd = mkstemp(ck);
    close(fd);
    ck_assert_int_eq(gan_classifier_save(c, ck, &err), GAN_OK);
    gan_classifier *b;
    ck_assert_msg(gan_classifier_load(&b, ck, &err) == GAN_OK, "%s", err.msg);
    ck_assert_int_eq(b->step, 400);
    ck_assert_float_eq(b->test_accuracy, (float)acc);
    ck_assert_mem_eq(b->net->params, c->net->params, c->net->nparams * sizeof(float));
    float p1[8], p2[8], f1[32], f2[32], x[4] = { 1.9f, 2.2f, -2, 1.5f };
    ck_assert_int_eq(gan_classifier_run(c, x, 2, f1, p1, &err), GAN_OK);
    ck_assert_int_eq(gan_classifier_run(b, x, 2, f2, p2, &err), GAN_OK);
    ck_assert_mem_eq(p1, p2, sizeof p1);
    ck_assert_mem_eq(f1, f2, sizeof f1);
    ck_assert_float_gt(p1[3], 0.9f);
    ck_assert_float_gt(p1[4 + 2], 0.9f);
    /* a GAN checkpoint is not a classifier checkpoint, and vice versa */
    gan_trainer *t;
    ck_assert_int_eq(gan_ckpt_load(&t, ck, 0, &err), GAN_ERR_FORMAT);
    unlink(ck);
    gan_classifier_free(b);
    gan_classifier_free(c);
    gan_data_free(test);
    unlink(csv_path);
    unlink(test_path);
}
END_TEST

START_TEST(test_classifier_file_errors)
{
    char text[2048];
    gan_clf_spec *s;
    gan_error err;
    snprintf(text, sizeof text, clf_file, "a.csv", "b.csv");
    char *p = strstr(text, ", classes: 4");
    memmove(p, p + 12, strlen(p + 12) + 1);
    ck_assert_int_eq(gan_clf_load_string(&s, text, strlen(text), "c.yaml", &err), GAN_ERR_INVALID);
    ck_assert_str_eq(err.msg, "a classifier needs data.classes (expected the number of classes, > 0)");
    ck_assert_int_eq(err.line, 2);
    snprintf(text, sizeof text, clf_file, "a.csv", "b.csv");
    p = strstr(text, "lr:");
    p[0] = 'l', p[1] = 'x';
    ck_assert_int_eq(gan_clf_load_string(&s, text, strlen(text), "c.yaml", &err), GAN_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(err.msg, "unknown key 'lx' in train"));
    /* output not one logit per class */
    write_blobs(csv_path, 100, 1);
    snprintf(text, sizeof text, clf_file, csv_path, csv_path);
    p = strstr(text, "units: 4");
    p[7] = '3';
    ck_assert_int_eq(gan_clf_load_string(&s, text, strlen(text), "c.yaml", &err), GAN_OK);
    gan_classifier *c;
    ck_assert_int_eq(gan_classifier_create(&c, s, text, NULL, &err), GAN_ERR_SHAPE);
    ck_assert_int_eq(err.line, 7);
    unlink(csv_path);
}
END_TEST

/* blocks: in a classifier file as in a model file: the same net as the
 * file written out by hand (same entries, same initial parameters, same
 * outputs), and a block's errors at their line and column */
static const char *clf_blocks_file =
    "name: blobs-res\n"
    "data: {format: csv, path: %s, label_column: 1, classes: 4}\n"
    "test: {format: csv, path: %s, label_column: 1}\n"
    "blocks:\n"
    "  res:\n"
    "    params: {units: int, slope: {type: float, default: 0.2}}\n"
    "    layers:\n"
    "      - dense: {units: $units}\n"
    "      - leaky_relu: {slope: $slope}\n"
    "      - dense: {units: $units, id: main}\n"
    "      - add: {from: [input, main]}\n"
    "layers:\n"
    "  - dense: {units: 8}\n"
    "  - res: {units: 8}\n"
    "  - res: {units: 8, slope: 0.1}\n"
    "  - dense: {units: 4}\n"
    "train: {batch: 32, steps: 10, lr: 1.0e-2}\n";
static const char *clf_blocks_expanded =
    "name: blobs-res\n"
    "data: {format: csv, path: %s, label_column: 1, classes: 4}\n"
    "test: {format: csv, path: %s, label_column: 1}\n"
    "layers:\n"
    "  - dense: {units: 8, id: in1}\n"
    "  - dense: {units: 8}\n"
    "  - leaky_relu: {slope: 0.2}\n"
    "  - dense: {units: 8, id: m1}\n"
    "  - add: {from: [in1, m1], id: in2}\n"
    "  - dense: {units: 8}\n"
    "  - leaky_relu: {slope: 0.1}\n"
    "  - dense: {units: 8, id: m2}\n"
    "  - add: {from: [in2, m2]}\n"
    "  - dense: {units: 4}\n"
    "train: {batch: 32, steps: 10, lr: 1.0e-2}\n";

START_TEST(test_classifier_blocks)
{
    gan_clf_spec *s1, *s2;
    gan_error err;
    char t1[2048], t2[2048];
    write_blobs(csv_path, 100, 1);
    snprintf(t1, sizeof t1, clf_blocks_file, csv_path, csv_path);
    snprintf(t2, sizeof t2, clf_blocks_expanded, csv_path, csv_path);
    ck_assert_msg(gan_clf_load_string(&s1, t1, strlen(t1), "c.yaml", &err) == GAN_OK, "%s", err.msg);
    ck_assert_msg(gan_clf_load_string(&s2, t2, strlen(t2), "e.yaml", &err) == GAN_OK, "%s", err.msg);
    ck_assert_int_eq(s1->layers.n, 10);
    ck_assert_int_eq(s2->layers.n, 10);
    gan_classifier *c1, *c2;
    ck_assert_msg(gan_classifier_create(&c1, s1, t1, NULL, &err) == GAN_OK, "%s", err.msg);
    ck_assert_msg(gan_classifier_create(&c2, s2, t2, NULL, &err) == GAN_OK, "%s", err.msg);
    ck_assert_int_eq(c1->net->nparams, c2->net->nparams);
    ck_assert_int_eq(c1->features, 8);
    ck_assert_mem_eq(c1->net->params, c2->net->params, c1->net->nparams * sizeof(float));
    for (int i = 0; i < c1->net->n; i++) {
        ck_assert_int_eq(c1->net->layers[i].nin, c2->net->layers[i].nin);
        for (int k = 0; k < c1->net->layers[i].nin; k++)
            ck_assert_int_eq(c1->net->layers[i].src[k], c2->net->layers[i].src[k]);
    }
    float x[6] = { 1.9f, 2.2f, -2, 1.5f, 0.3f, -0.7f }, p1[12], p2[12], f1[24], f2[24];
    ck_assert_int_eq(gan_classifier_run(c1, x, 3, f1, p1, &err), GAN_OK);
    ck_assert_int_eq(gan_classifier_run(c2, x, 3, f2, p2, &err), GAN_OK);
    ck_assert_mem_eq(p1, p2, sizeof p1);
    ck_assert_mem_eq(f1, f2, sizeof f1);
    gan_classifier_free(c1);
    gan_classifier_free(c2);
    /* an unknown block parameter, at its key */
    char text[2048];
    snprintf(text, sizeof text, "%s", t1);
    char *p = strstr(text, "slope: 0.1");
    memcpy(p, "slops", 5);
    ck_assert_int_ne(gan_clf_load_string(&s1, text, strlen(text), "c.yaml", &err), GAN_OK);
    printf("classifier block error: %d:%d: %s\n", err.line, err.col, err.msg);
    ck_assert_int_eq(err.line, 15);
    const char *bol = p;
    while (bol > text && bol[-1] != '\n') bol--;
    ck_assert_int_eq(err.col, (int)(p - bol) + 1);
    ck_assert_ptr_nonnull(strstr(err.msg, "slops"));
    /* a block that uses itself */
    snprintf(text, sizeof text, "%s", t1);
    p = strstr(text, "leaky_relu: {slope: $slope}");
    memcpy(p, "res: {units: $units}       ", 27);
    ck_assert_int_eq(gan_clf_load_string(&s1, text, strlen(text), "c.yaml", &err), GAN_ERR_INVALID);
    printf("classifier block error: %d:%d: %s\n", err.line, err.col, err.msg);
    ck_assert_int_eq(err.line, 9);
    ck_assert_ptr_nonnull(strstr(err.msg, "res"));
    unlink(csv_path);
}
END_TEST

static const char *cgan_model =
    "name: tiny-cgan\n"
    "seed: 4\n"
    "data: {format: csv, path: %s, label_column: 1, classes: 4}\n"
    "noise: {distribution: normal, dim: 2}\n"
    "generator:\n"
    "  - embed: {dim: 4}\n"
    "  - dense: {units: 32}\n"
    "  - relu: {}\n"
    "  - dense: {units: 32}\n"
    "  - relu: {}\n"
    "  - dense: {units: 2}\n"
    "discriminator:\n"
    "  - dense: {units: 32}\n"
    "  - leaky_relu: {slope: 0.2}\n"
    "  - dense: {units: 32}\n"
    "  - leaky_relu: {slope: 0.2}\n"
    "  - project: {}\n"
    "train:\n"
    "  loss: bce\n"
    "  batch: 64\n"
    "  steps: 800\n"
    "  optimizer:\n"
    "    generator: {type: adam, lr: 2.0e-3, betas: [0.5, 0.999]}\n"
    "    discriminator: {type: adam, lr: 2.0e-3, betas: [0.5, 0.999]}\n"
    "output: {dir: /tmp/ganrun-check-clf}\n";

/* FD of 1000 samples of t (class i mod 4) against (mu, S); also the
 * fraction the classifier assigns to the class asked for */
static double judge(gan_trainer *t, gan_classifier *c, const double *mu, const double *S, double *match)
{
    enum { N = 1000 };
    static float x[N * 2], f[N * 16], p[N * 4];
    int y[N];
    gan_error err;
    for (int i = 0; i < N; i++) y[i] = i % 4;
    ck_assert_int_eq(gan_trainer_sample_labels(t, 3, N, y, x, &err), GAN_OK);
    ck_assert_int_eq(gan_classifier_run(c, x, N, f, p, &err), GAN_OK);
    int hit = 0;
    for (int i = 0; i < N; i++) {
        int best = 0;
        for (int k = 1; k < 4; k++)
            if (p[i * 4 + k] > p[i * 4 + best]) best = k;
        hit += best == y[i];
    }
    *match = hit / (double)N;
    double m[16], C[256];
    gan_mean_cov(f, N, 16, m, C);
    return gan_frechet_distance(m, C, mu, S, 16);
}

START_TEST(test_cgan_samples_are_the_asked_class_by_the_classifier)
{
    write_blobs(csv_path, 4000, 1);
    write_blobs(test_path, 1000, 2);
    gan_dataset *test;
    gan_classifier *c = trained_classifier(&test);
    /* the real test set's features */
    float *tf = malloc((size_t)test->n * 16 * sizeof *tf);
    gan_error err;
    ck_assert_int_eq(gan_classifier_run(c, test->x, test->n, tf, NULL, &err), GAN_OK);
    double mu[16], S[256];
    gan_mean_cov(tf, test->n, 16, mu, S);
    free(tf);

    char text[4096];
    snprintf(text, sizeof text, cgan_model, csv_path);
    gan_model_spec *m;
    ck_assert_int_eq(gan_model_load_string(&m, text, strlen(text), "g.yaml", NULL, 0, &err), GAN_OK);
    gan_trainer *t;
    ck_assert_msg(gan_trainer_create(&t, m, 1, &err) == GAN_OK, "%s", err.msg);
    double match0, match1;
    double fd0 = judge(t, c, mu, S, &match0);
    for (long i = 0; i < t->cfg.spec->train.steps; i++) ck_assert_int_eq(gan_trainer_step(t, &err), GAN_OK);
    double fd1 = judge(t, c, mu, S, &match1);
    printf("tiny cGAN judged by the blobs classifier: asked class %.1f%% -> %.1f%%, FD %.3f -> %.3f\n",
           100 * match0, 100 * match1, fd0, fd1);
    ck_assert_double_lt(match0, 0.6);
    ck_assert_double_gt(match1, 0.95);
    ck_assert_double_lt(fd1, fd0 / 4);
    gan_trainer_free(t);
    gan_classifier_free(c);
    gan_data_free(test);
    unlink(csv_path);
    unlink(test_path);
}
END_TEST

/* every file in models/classifiers/ parses */
START_TEST(test_classifier_files_load)
{
    const char *src = getenv("top_srcdir");
    char pat[1100];
    snprintf(pat, sizeof pat, "%s/models/classifiers/*.yaml", src && *src ? src : ".");
    glob_t g;
    ck_assert_int_eq(glob(pat, 0, NULL, &g), 0);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        gan_clf_spec *s;
        gan_error err;
        ck_assert_msg(gan_clf_load(&s, g.gl_pathv[i], &err) == GAN_OK, "%s: %s", g.gl_pathv[i], err.msg);
        ck_assert_int_ge(s->layers.n, 2);
        gan_clf_spec_free(s);
    }
    globfree(&g);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("classify");
    TCase *t = tcase_create("classify");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, test_softmax_xent_value_and_gradient);
    tcase_add_test(t, test_jacobi_eigen_known_matrices);
    tcase_add_test(t, test_sqrtm_against_reference);
    tcase_add_test(t, test_frechet_identical_is_zero);
    tcase_add_test(t, test_frechet_closed_forms);
    tcase_add_test(t, test_mean_cov);
    tcase_add_test(t, test_classifier_learns_and_round_trips);
    tcase_add_test(t, test_classifier_file_errors);
    tcase_add_test(t, test_classifier_blocks);
    tcase_add_test(t, test_classifier_files_load);
    tcase_add_test(t, test_cgan_samples_are_the_asked_class_by_the_classifier);
    suite_add_tcase(s, t);
    return tu_run_suite(s);
}
