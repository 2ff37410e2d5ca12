/* cmd_classify.c - `ganrun classify train|test` and the image half of
 * `ganrun eval` (Frechet distance in the classifier's feature space, class
 * histogram, confidence). */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli/cli.h"
#include "gan/classify.h"

static int fail(const gan_error *err)
{
    cli_error(err);
    return EXIT_ERR;
}

static int classify_train(int argc, char **argv)
{
    const char *file = NULL, *out = NULL;
    long steps = -1;
    int quiet = 0, force = 0;
    const cli_opt opts[] = {
        { "-o", NULL, CLI_STR, &out, 0, 0, NULL },
        { "--force", NULL, CLI_FLAG, &force, 0, 0, NULL },
        { "--steps", NULL, CLI_LONG, &steps, 1, 1e18, "a positive integer" },
        { "--quiet", "-q", CLI_FLAG, &quiet, 0, 0, NULL },
        { NULL, NULL, CLI_FLAG, NULL, 0, 0, NULL },
    };
    int usage = cli_parse("classify", argc - 1, argv + 1, opts, NULL, &file, 1, NULL, "classifier file");
    if (usage != EXIT_OK) return usage;
    gan_error err;
    gan_error_clear(&err);
    gan_clf_spec *spec;
    if (gan_clf_load(&spec, file, &err) != GAN_OK) return fail(&err);
    if (steps > 0) spec->train.steps = steps;
    char def[200];
    snprintf(def, sizeof def, "%s.clf.ckpt", spec->name);
    if (!out) out = def;
    if (cli_output_ok(out, GAN_OUT_CKPT, force) != EXIT_OK) {
        gan_clf_spec_free(spec);
        return EXIT_ERR;
    }
    /* the file's text goes into the checkpoint */
    FILE *f = fopen(file, "rb");
    char *text = calloc(1, (1 << 20) + 1);
    if (f && text) (void)!fread(text, 1, 1 << 20, f);
    if (f) fclose(f);
    gan_dataset *d = NULL, *test = NULL;
    gan_classifier *c = NULL;
    gan_data_spec ds = spec->data, ts = spec->test;
    long total = spec->train.steps;
    int rc = EXIT_ERR;
    if (!text) fprintf(stderr, "ganrun: error: out of memory\n");
    else if (gan_classifier_create(&c, spec, text, NULL, &err) != GAN_OK ||
             gan_data_load(&d, &ds, 1, &err) != GAN_OK || gan_data_load(&test, &ts, 1, &err) != GAN_OK)
        cli_error(&err);
    else {
        if (!quiet)
            fprintf(stderr, "ganrun: training classifier %s: %zu parameters, %d features, %ld steps on %ld samples\n",
                    c->spec->name, c->net->nparams, c->features, total, d->n);
        double acc;
        if (gan_classifier_train(c, d, total, quiet ? 0 : 200, stderr, &err) != GAN_OK ||
            gan_classifier_accuracy(c, test, &acc, &err) != GAN_OK) {
            cli_error(&err);
        } else {
            c->test_accuracy = (float)acc;
            printf("test accuracy %.2f%% (%ld test samples, step %ld)\n", 100 * acc, test->n, c->step);
            if (gan_classifier_save(c, out, &err) != GAN_OK) cli_error(&err);
            else {
                printf("saved %s\n", out);
                rc = EXIT_OK;
            }
        }
    }
    free(text);
    gan_data_free(d);
    gan_data_free(test);
    gan_classifier_free(c);
    return rc;
}

static int classify_test(int argc, char **argv)
{
    if (argc != 3 || argv[2][0] == '-') return cli_usage("classify", "classify test takes one checkpoint");
    gan_error err;
    gan_error_clear(&err);
    gan_classifier *c;
    if (gan_classifier_load(&c, argv[2], &err) != GAN_OK) return fail(&err);
    gan_dataset *test = NULL;
    double acc;
    int rc = EXIT_OK;
    if (gan_data_load(&test, &c->spec->test, 1, &err) != GAN_OK ||
        gan_classifier_accuracy(c, test, &acc, &err) != GAN_OK) {
        cli_error(&err);
        rc = EXIT_ERR;
    } else {
        printf("classifier %s, step %ld: test accuracy %.2f%% (%ld test samples)\n", c->spec->name, c->step,
               100 * acc, test->n);
    }
    gan_data_free(test);
    gan_classifier_free(c);
    return rc;
}

int cmd_classify(int argc, char **argv)
{
    if (argc < 2) return cli_usage("classify", "missing action (train or test)");
    if (!strcmp(argv[1], "train")) return classify_train(argc, argv);
    if (!strcmp(argv[1], "test")) return classify_test(argc, argv);
    return cli_usage("classify", "unknown action '%s' (expected train or test)", argv[1]);
}

/* ---- ganrun eval for images -------------------------------------------- */

void cli_pick(const gan_dataset *d, long n, uint64_t seed, float *x)
{
    size_t S = gan_shape_size(d->shape);
    uint32_t *idx = malloc((size_t)d->n * sizeof *idx);
    if (!idx) {   /* no memory for a permutation: the first n */
        for (long i = 0; i < n; i++) gan_data_get(d, i, x + (size_t)i * S);
        return;
    }
    for (long i = 0; i < d->n; i++) idx[i] = (uint32_t)i;
    gan_rng r;
    gan_rng_seed_stream(&r, seed, GAN_STREAM_EVAL_REAL);
    gan_rng_shuffle(&r, idx, (size_t)d->n);
    for (long i = 0; i < n; i++) gan_data_get(d, idx[i], x + (size_t)i * S);
    free(idx);
}

/* features (n, F) of x -> FD against (mu, S); NaN on failure */
static double fd_against(gan_classifier *c, const float *x, long n, const double *mu, const double *S,
                         gan_error *err)
{
    int F = c->features;
    float *f = gan_alloc_floats((size_t)n * F);
    double *m = malloc((size_t)F * sizeof *m), *C = malloc((size_t)F * F * sizeof *C), fd = NAN;
    if (f && m && C && gan_classifier_run(c, x, n, f, NULL, err) == GAN_OK) {
        gan_mean_cov(f, n, F, m, C);
        fd = gan_frechet_distance(m, C, mu, S, F);
    }
    gan_free_floats(f);
    free(m);
    free(C);
    return fd;
}

void cli_real_spec(const char *path, const gan_data_spec *model, gan_shape shape, gan_data_spec *s)
{
    struct stat st;
    int dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
    int model_dir = model->format == GAN_DATA_IMAGES || model->format == GAN_DATA_PNGDIR;
    *s = *model;
    snprintf(s->path, sizeof s->path, "%s", path);
    s->labels[0] = 0;
    s->limit = 0;
    if (dir && !model_dir) {
        s->format = GAN_DATA_IMAGES;
        s->channels = (int)shape.d[0];
        s->height = (int)shape.d[1];
        s->width = (int)shape.d[2];
        s->crop = GAN_CROP_CENTER;
        s->on_bad_file = GAN_BAD_ERROR;
        s->cache = 1;
    } else if (!dir && model_dir) {
        s->format = GAN_DATA_IDX;
    }
}

/* The discriminator's share of positive logits ("real") on m images of d
 * (picked from seed), in batches of train.batch as it trains (training
 * mode: batch statistics), packs of consecutive images with train.pack.
 * NaN for a conditional D (these images carry no labels) or when fewer
 * than a batch are there.  ADA's overfitting signal r_t (Karras et al.
 * 2020) on the model's data against unseen images: a D that calls its
 * training images real and unseen ones fake has memorised its data. */
static double d_positive(gan_trainer *t, const gan_dataset *d, long m, uint64_t seed, long *used)
{
    int B = t->spec->train.batch, pk = t->spec->train.pack > 1 ? t->spec->train.pack : 1;
    *used = m < d->n ? m - m % B : d->n - d->n % B;
    if (t->classes || *used < B) return NAN;
    size_t S = gan_shape_size(d->shape);
    float *x = gan_alloc_floats((size_t)*used * S);
    if (!x) return NAN;
    cli_pick(d, *used, seed, x);
    long pos = 0;
    for (long b = 0; b < *used; b += B) {
        const float *y = gan_net_forward(t->D, x + (size_t)b * S, B / pk, 1);   /* (B / pk) logits */
        for (int i = 0; i < B / pk; i++) pos += y[i] > 0;
    }
    gan_free_floats(x);
    return (double)pos * pk / *used;
}

int cli_eval_images(gan_trainer *t, const float *x, long n, const char *clfpath, const char *realpath, long seed)
{
    gan_error err;
    gan_error_clear(&err);
    gan_classifier *c;
    if (gan_classifier_load(&c, clfpath, &err) != GAN_OK) return fail(&err);
    int K = c->classes, F = c->features, rc = EXIT_ERR;
    size_t S = gan_shape_size(t->data_shape);
    gan_dataset *d = NULL, *test = NULL;
    float *real = NULL, *prob = NULL;
    double *mu = NULL, *Sr = NULL;
    if (!gan_shape_eq(c->net->in, t->data_shape)) {
        char a[64], b[64];
        gan_shape_str(c->net->in, a, sizeof a);
        gan_shape_str(t->data_shape, b, sizeof b);
        fprintf(stderr, "%s: error: classifier input %s differs from the model's sample shape %s\n", clfpath, a, b);
        goto out;
    }
    gan_data_spec rs;
    if (realpath) cli_real_spec(realpath, &t->spec->data, t->data_shape, &rs);
    if (gan_data_load(&d, realpath ? &rs : &t->spec->data, t->spec->seed, &err) != GAN_OK) {
        cli_error(&err);
        goto out;
    }
    if (realpath && !gan_shape_eq(d->shape, t->data_shape)) {
        char a[64], b[64];
        gan_shape_str(d->shape, a, sizeof a);
        gan_shape_str(t->data_shape, b, sizeof b);
        fprintf(stderr, "%s: error: samples of shape %s differ from the model's sample shape %s\n", realpath, a, b);
        goto out;
    }
    /* the reference: N of the model's data, or every image of --real */
    long nr = realpath ? d->n : n < d->n ? n : d->n;
    real = gan_alloc_floats((size_t)nr * S);
    prob = gan_alloc_floats((size_t)n * K);
    mu = malloc((size_t)F * sizeof *mu);
    Sr = malloc((size_t)F * F * sizeof *Sr);
    float *feat = gan_alloc_floats((size_t)nr * F);
    if (!real || !prob || !mu || !Sr || !feat) {
        gan_free_floats(feat);
        fprintf(stderr, "ganrun: error: out of memory\n");
        goto out;
    }
    cli_pick(d, nr, (uint64_t)seed, real);
    gan_status st = gan_classifier_run(c, real, nr, feat, NULL, &err);
    if (st == GAN_OK) gan_mean_cov(feat, nr, F, mu, Sr);
    gan_free_floats(feat);
    if (st != GAN_OK) {
        cli_error(&err);
        goto out;
    }
    double fd = fd_against(c, x, n, mu, Sr, &err);
    if (!isfinite(fd) || gan_classifier_run(c, x, n, NULL, prob, &err) != GAN_OK) {
        fprintf(stderr, "ganrun: error: %s\n", err.msg[0] ? err.msg : "Frechet distance failed");
        goto out;
    }
    /* the floor at this n: real model data against as many test images;
     * with --real, what the model's own data scores against the reference */
    double fd_real = NAN;
    long nt = 0;
    const gan_data_spec *ts = realpath ? &t->spec->data : &c->spec->test;
    if (gan_data_load(&test, ts, realpath ? t->spec->seed : 1, &err) == GAN_OK &&
        gan_shape_eq(test->shape, t->data_shape)) {
        nt = n < test->n ? n : test->n;
        float *tx = gan_alloc_floats((size_t)nt * S);
        if (tx) {
            cli_pick(test, nt, (uint64_t)seed + 1, tx);
            fd_real = fd_against(c, tx, nt, mu, Sr, &err);
        }
        gan_free_floats(tx);
    }
    long *hist = calloc((size_t)K, sizeof *hist);
    int *want = t->classes ? malloc((size_t)n * sizeof *want) : NULL;
    if (want) gan_cond_grid_labels(want, (int)n, (int)ceil(sqrt((double)n)), t->classes);
    double conf = 0;
    long match = 0;
    for (long i = 0; hist && i < n; i++) {
        const float *p = prob + (size_t)i * K;
        int best = 0;
        for (int k = 1; k < K; k++)
            if (p[k] > p[best]) best = k;
        hist[best]++;
        conf += p[best];
        if (want) match += best == want[i];
    }
    int modes = 0;
    for (int k = 0; hist && k < K; k++) modes += hist[k] > 0;
    printf("step %ld\nsamples %ld (real %ld%s%s)\n", t->step, n, nr, realpath ? " from " : "", realpath ? realpath : "");
    printf("classifier %s (%s): %d features, %d classes, test accuracy %.2f%%\n", c->spec->name, clfpath, F, K,
           100.0 * c->test_accuracy);
    printf("frechet_distance %.4f\n", fd);
    if (isfinite(fd_real) && realpath)
        printf("frechet_distance_data %.4f (%ld images of the model's data vs the real samples)\n", fd_real, nt);
    else if (isfinite(fd_real))
        printf("frechet_distance_real %.4f (%ld test images vs the real samples)\n", fd_real, nt);
    if (realpath && test) {   /* D on its data against the unseen --real images */
        long ud, ur;
        double pd = d_positive(t, test, n, (uint64_t)seed + 2, &ud), pr = d_positive(t, d, n, (uint64_t)seed + 3, &ur);
        if (isfinite(pd) && isfinite(pr))
            printf("d_positive_data %.4f (D's logit > 0 on %ld images of the model's data)\n"
                   "d_positive_real %.4f (on %ld --real images; far below d_positive_data: D has memorised "
                   "its data)\n", pd, ud, pr, ur);
    }
    printf("confidence %.4f\nclasses", conf / n);
    for (int k = 0; hist && k < K; k++) printf(" %ld", hist[k]);
    printf("\nmodes %d/%d\n", modes, K);
    if (want) printf("class_match %.2f%%\n", 100.0 * match / n);
    printf("note: Frechet distance in this classifier's features, not Inception FID; compare only with the same classifier checkpoint\n");
    free(hist);
    free(want);
    rc = EXIT_OK;
out:
    gan_data_free(d);
    gan_data_free(test);
    gan_free_floats(real);
    gan_free_floats(prob);
    free(mu);
    free(Sr);
    gan_classifier_free(c);
    return rc;
}
