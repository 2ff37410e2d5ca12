/* cmd_metrics.c - the metrics half of `ganrun eval` (Frechet distance,
 * KID, precision/recall, density/coverage, the nearest training image) for
 * a run's samples or a folder of images from anywhere, and `ganrun sample
 * -o DIR/`.  The estimators are in src/eval (gan/eval.h); this file loads
 * the sets, picks the features and prints NAME VALUE lines. */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli/cli.h"

#define KID_SUBSETS 100
#define KID_SUBSET 1000
#define K_PR 3
#define K_DC 5

/* x as its 8-bit PNG would hold it: to the nearest byte and back (the
 * io writers' and loaders' mapping), so a run's samples score as the
 * folder `sample -o DIR/` writes */
static void quantize(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float v = (x[i] + 1.0f) * 127.5f;
        unsigned char b = !(v > 0.0f) ? 0 : v >= 255.0f ? 255 : (unsigned char)(v + 0.5f);
        x[i] = (float)b / 127.5f - 1.0f;
    }
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* create folder dir unless it exists; prints the error */
static int make_dir(const char *dir)
{
    if (is_dir(dir)) return EXIT_OK;
    if (mkdir(dir, 0777) == 0) return EXIT_OK;
    fprintf(stderr, "%s: error: cannot create the folder: %s\n", dir, strerror(errno));
    return EXIT_ERR;
}

static int image_shape(gan_shape s)
{
    int k = s.rank == 1 ? (int)lround(sqrt((double)s.d[0])) : 0;
    return (s.rank == 3 && (s.d[0] == 1 || s.d[0] == 3)) || (s.rank == 1 && k >= 2 && k * k == s.d[0]);
}

/* features (n, *F) of x (n, s): the classifier's penultimate layer, or
 * the label-free extractor's */
static gan_status features(gan_features *fx, gan_classifier *c, const float *x, long n, gan_shape s, float **out,
                           int *F, gan_error *err)
{
    *F = c ? c->features : GAN_FEATURES_DIM;
    *out = gan_alloc_floats((size_t)n * *F);
    if (!*out) return gan_error_set(err, GAN_ERR_NOMEM, "out of memory for %ld feature vectors", n);
    return c ? gan_classifier_run(c, x, n, *out, NULL, err) : gan_features_run(fx, x, n, s, *out, err);
}

static float *all_floats(const gan_dataset *d)
{
    size_t S = gan_shape_size(d->shape);
    float *x = gan_alloc_floats((size_t)d->n * S);
    for (long i = 0; x && i < d->n; i++) gan_data_get(d, i, x + (size_t)i * S);
    return x;
}

static int write_features(const char *dir, const float *fg, long ng, const float *fr, long nr, int F, int force)
{
    if (make_dir(dir) != EXIT_OK) return EXIT_ERR;
    char pg[1200], pr[1200];
    gan_error err;
    gan_error_clear(&err);
    long sg[2] = { ng, F }, sr[2] = { nr, F };
    snprintf(pg, sizeof pg, "%s/generated.npy", dir);
    snprintf(pr, sizeof pr, "%s/real.npy", dir);
    if (cli_output_ok(pg, GAN_OUT_NPY, force) != EXIT_OK || cli_output_ok(pr, GAN_OUT_NPY, force) != EXIT_OK)
        return EXIT_ERR;
    gan_status st = gan_npy_write(pg, fg, 2, sg, &err);
    if (st == GAN_OK) st = gan_npy_write(pr, fr, 2, sr, &err);
    if (st != GAN_OK) {
        cli_error(&err);
        return EXIT_ERR;
    }
    return EXIT_OK;
}

/* The metrics of generated x (ng, s) against real set dr (named rname)
 * and training set dt (tname; may be dr). */
static int score(float *x, long ng, gan_shape s, const gan_dataset *dr, const char *rname, const gan_dataset *dt,
                 const char *tname, const cli_metrics_args *a)
{
    gan_error err;
    gan_error_clear(&err);
    size_t S = gan_shape_size(s);
    long nr = a->real_max > 0 && a->real_max < dr->n ? a->real_max : dr->n;
    gan_classifier *c = NULL;
    gan_features *fx = NULL;
    float *xr = gan_alloc_floats((size_t)nr * S), *fg = NULL, *fr = NULL, *xt = NULL;
    int F = 0, rc = EXIT_ERR;
    if (!xr) {
        fprintf(stderr, "ganrun: error: out of memory for %ld real images\n", nr);
        goto out;
    }
    cli_pick(dr, nr, (uint64_t)a->seed, xr);
    gan_status st = a->clf ? gan_classifier_load(&c, a->clf, &err) : gan_features_create(&fx, &err);
    if (st == GAN_OK && c && !gan_shape_eq(c->net->in, s)) {
        char b1[64], b2[64];
        gan_shape_str(c->net->in, b1, sizeof b1);
        gan_shape_str(s, b2, sizeof b2);
        fprintf(stderr, "%s: error: classifier input %s differs from the images' shape %s\n", a->clf, b1, b2);
        goto out;
    }
    if (st == GAN_OK) st = features(fx, c, x, ng, s, &fg, &F, &err);
    if (st == GAN_OK) st = features(fx, c, xr, nr, s, &fr, &F, &err);
    if (st != GAN_OK) {
        cli_error(&err);
        goto out;
    }
    if (a->features_out && write_features(a->features_out, fg, ng, fr, nr, F, a->force) != EXIT_OK) goto out;
    double fd = gan_frechet_sets(fg, ng, fr, nr, F), kid, kid_std;
    gan_prdc pr;
    if (gan_kid(fr, nr, fg, ng, F, KID_SUBSETS, KID_SUBSET, (uint64_t)a->seed, &kid, &kid_std, &err) != GAN_OK ||
        gan_prdc_compute(fr, nr, fg, ng, F, K_PR, K_DC, &pr, &err) != GAN_OK) {
        cli_error(&err);
        goto out;
    }
    long m = KID_SUBSET < nr ? KID_SUBSET : nr;
    if (ng < m) m = ng;
    if (c) printf("features classifier %s (%s): %d values per image\n", c->spec->name, a->clf, F);
    else printf("features %s (%d values per image: a fixed random-weight conv net, no labels)\n",
                gan_features_name(), F);
    printf("generated %ld\nreal %ld (%s)\n", ng, nr, rname);
    printf("frechet %.6g\n", fd);
    printf("kid %.6g\nkid_std %.6g (%d subsets of %ld, seed %ld)\n", kid, kid_std, KID_SUBSETS, m, a->seed);
    printf("precision %.4f (k %d)\nrecall %.4f (k %d)\n", pr.precision, K_PR, pr.recall, K_PR);
    printf("density %.4f (k %d)\ncoverage %.4f (k %d)\n", pr.density, K_DC, pr.coverage, K_DC);
    fflush(stdout);
    /* memorisation: each generated image against every training image */
    /* the training images as floats; the real ones when they are all of them (no second copy) */
    int same = dt == dr && nr == dr->n;
    if (dt->n >= 2 && (same || (xt = all_floats(dt)))) {
        gan_nn_summary nn;
        if (gan_nn_train(x, ng, same ? xr : xt, dt->n, (int)S, ng, (uint64_t)a->seed, &nn, &err) != GAN_OK) {
            cli_error(&err);
            goto out;
        }
        printf("nn_train_images %ld (%s; distances: root mean square difference per value, values in [-1, 1])\n",
               dt->n, tname);
        printf("nn_train_min %.6g\nnn_train_median %.6g\nnn_train_mean %.6g\n", nn.min, nn.median, nn.mean);
        printf("nn_train_ref_median %.6g (%ld training images to their nearest other)\n", nn.ref_median, nn.nref);
        printf("nn_train_closer %.4f (share of generated images nearer a training image than that)\n", nn.closer);
    } else if (dt->n < 2) {
        printf("nn_train_images %ld (%s: too few to compare)\n", dt->n, tname);
    } else {
        fprintf(stderr, "ganrun: error: out of memory for %ld training images\n", dt->n);
        goto out;
    }
    rc = EXIT_OK;
out:
    gan_free_floats(xr);
    gan_free_floats(fg);
    gan_free_floats(fr);
    gan_free_floats(xt);
    gan_classifier_free(c);
    gan_features_free(fx);
    return rc;
}

static int shape_error(const char *path, gan_shape got, gan_shape want, const char *whose)
{
    char b1[64], b2[64];
    gan_shape_str(got, b1, sizeof b1);
    gan_shape_str(want, b2, sizeof b2);
    fprintf(stderr, "%s: error: samples of shape %s differ from %s %s\n", path, b1, whose, b2);
    return EXIT_ERR;
}

int cli_eval_metrics(gan_trainer *t, float *x, long n, const cli_metrics_args *a)
{
    gan_shape s = t->data_shape;
    gan_data_format f = t->spec->data.format;
    if (!a->clf && !image_shape(s)) {
        char b[64];
        gan_shape_str(s, b, sizeof b);
        fprintf(stderr, "ganrun: error: eval without --classifier scores images (1 or 3, H, W); this model's samples "
                "are %s (expected --classifier CLF.ckpt from ganrun classify train)\n", b);
        return EXIT_ERR;
    }
    gan_error err;
    gan_error_clear(&err);
    gan_dataset *dr = NULL, *dt = NULL;
    int rc = EXIT_ERR;
    if (gan_data_load(&dt, &t->spec->data, t->spec->seed, &err) != GAN_OK) {
        cli_error(&err);
        goto out;
    }
    if (a->real) {
        gan_data_spec rs;
        cli_real_spec(a->real, &t->spec->data, s, &rs);
        if (gan_data_load(&dr, &rs, t->spec->seed, &err) != GAN_OK) {
            cli_error(&err);
            goto out;
        }
        if (!gan_shape_eq(dr->shape, s)) {
            rc = shape_error(a->real, dr->shape, s, "the model's sample shape");
            goto out;
        }
    }
    if (f == GAN_DATA_IDX || f == GAN_DATA_CIFAR10 || f == GAN_DATA_PNGDIR || f == GAN_DATA_IMAGES)
        quantize(x, (size_t)n * gan_shape_size(s));   /* byte images, scored as their PNGs */
    rc = score(x, n, s, dr ? dr : dt, a->real ? a->real : t->spec->data.path, dt, t->spec->data.path, a);
out:
    gan_data_free(dr);
    gan_data_free(dt);
    return rc;
}

int cli_eval_folder(const cli_metrics_args *a, long n)
{
    gan_error err;
    gan_error_clear(&err);
    gan_shape s;
    if (gan_images_folder_shape(a->generated, &s, &err) != GAN_OK) {
        cli_error(&err);
        return EXIT_ERR;
    }
    gan_data_spec gs;
    memset(&gs, 0, sizeof gs);
    gs.format = GAN_DATA_IMAGES;
    snprintf(gs.path, sizeof gs.path, "%s", a->generated);
    gs.channels = s.d[0];
    gs.height = s.d[1];
    gs.width = s.d[2];
    gs.crop = GAN_CROP_CENTER;
    gs.background = 255;
    gs.on_bad_file = GAN_BAD_ERROR;
    gs.cache = 0;
    gan_dataset *dg = NULL, *dr = NULL, *dt = NULL;
    float *x = NULL;
    int rc = EXIT_ERR;
    gan_data_spec rs, ts;
    cli_real_spec(a->real, &gs, s, &rs);
    rs.cache = 1;
    if (a->train) {
        cli_real_spec(a->train, &gs, s, &ts);
        ts.cache = 1;
    }
    if (gan_data_load(&dg, &gs, 1, &err) != GAN_OK || gan_data_load(&dr, &rs, 1, &err) != GAN_OK ||
        (a->train && gan_data_load(&dt, &ts, 1, &err) != GAN_OK)) {
        cli_error(&err);
        goto out;
    }
    if (!gan_shape_eq(dr->shape, s)) {
        rc = shape_error(a->real, dr->shape, s, "the generated images' shape");
        goto out;
    }
    if (dt && !gan_shape_eq(dt->shape, s)) {
        rc = shape_error(a->train, dt->shape, s, "the generated images' shape");
        goto out;
    }
    long ng = n > 0 && n < dg->n ? n : dg->n;
    if (!(x = gan_alloc_floats((size_t)ng * gan_shape_size(s)))) {
        fprintf(stderr, "ganrun: error: out of memory for %ld images\n", ng);
        goto out;
    }
    if (ng == dg->n)
        for (long i = 0; i < ng; i++) gan_data_get(dg, i, x + (size_t)i * gan_shape_size(s));
    else cli_pick(dg, ng, (uint64_t)a->seed, x);
    rc = score(x, ng, s, dr, a->real, dt ? dt : dr, a->train ? a->train : a->real, a);
out:
    gan_free_floats(x);
    gan_data_free(dg);
    gan_data_free(dr);
    gan_data_free(dt);
    return rc;
}

int cli_sample_dir(const char *dir, const float *x, long n, gan_shape s, int force)
{
    if (!image_shape(s)) {
        char b[64];
        gan_shape_str(s, b, sizeof b);
        fprintf(stderr, "%s: error: sample -o DIR/ writes images; this model's samples are %s\n", dir, b);
        return EXIT_ERR;
    }
    char d[1024];
    snprintf(d, sizeof d, "%s", dir);
    for (size_t L = strlen(d); L > 1 && d[L - 1] == '/'; L--) d[L - 1] = 0;
    if (make_dir(d) != EXIT_OK) return EXIT_ERR;
    size_t S = gan_shape_size(s);
    gan_error err;
    gan_error_clear(&err);
    char p[1200];
    for (long i = 0; i < n; i++) {
        snprintf(p, sizeof p, "%s/%06ld.png", d, i);
        if (cli_output_ok(p, GAN_OUT_PNG, force) != EXIT_OK) return EXIT_ERR;
        if (gan_png_write_grid(p, x + (size_t)i * S, 1, s, 1, &err) != GAN_OK) {
            cli_error(&err);
            return EXIT_ERR;
        }
    }
    return EXIT_OK;
}
