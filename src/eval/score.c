/* score.c - scoring generated samples against a real set: the sets a
 * run's samples or a folder of images are compared with, their features
 * (the label-free extractor's or a classifier's), the Frechet distance,
 * KID, precision/recall, density/coverage and the nearest training image.
 * `ganrun eval` (src/cli/cmd_metrics.c) prints what these return. */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "gan/classify.h"
#include "gan/eval.h"
#include "gan/rng.h"
#include "gan/train.h"

void gan_eval_pick(const gan_dataset *d, long n, uint64_t seed, float *x)
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

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

void gan_eval_real_spec(const char *path, const gan_data_spec *model, gan_shape shape, gan_data_spec *s)
{
    int dir = is_dir(path);
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

static gan_status write_features(const char *dir, const float *fg, long ng, const float *fr, long nr, int F,
                                 int force, gan_error *err)
{
    if (!is_dir(dir) && mkdir(dir, 0777) != 0)
        return gan_error_at(err, GAN_ERR_IO, dir, 0, 0, "cannot create the folder: %s", strerror(errno));
    char pg[1200], pr[1200];
    long sg[2] = { ng, F }, sr[2] = { nr, F };
    snprintf(pg, sizeof pg, "%s/generated.npy", dir);
    snprintf(pr, sizeof pr, "%s/real.npy", dir);
    gan_status st = gan_output_check(pg, GAN_OUT_NPY, force, err);
    if (st == GAN_OK) st = gan_output_check(pr, GAN_OUT_NPY, force, err);
    if (st == GAN_OK) st = gan_npy_write(pg, fg, 2, sg, err);
    if (st == GAN_OK) st = gan_npy_write(pr, fr, 2, sr, err);
    return st;
}

static gan_status shape_error(gan_error *err, const char *path, gan_shape got, gan_shape want, const char *whose)
{
    char b1[64], b2[64];
    gan_shape_str(got, b1, sizeof b1);
    gan_shape_str(want, b2, sizeof b2);
    return gan_error_at(err, GAN_ERR_SHAPE, path, 0, 0, "samples of shape %s differ from %s %s", b1, whose, b2);
}

gan_status gan_eval_score(const float *x, long ng, gan_shape s, const gan_dataset *dr, const gan_eval_opts *o,
                          gan_eval_scores *out, gan_error *err)
{
    memset(out, 0, sizeof *out);
    size_t S = gan_shape_size(s);
    long nr = o->real_max > 0 && o->real_max < dr->n ? o->real_max : dr->n;
    gan_classifier *c = NULL;
    gan_features *fx = NULL;
    float *xr = gan_alloc_floats((size_t)nr * S), *fg = NULL, *fr = NULL;
    int F = 0;
    gan_status st;
    if (!xr) {
        st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory for %ld real images", nr);
        goto out;
    }
    gan_eval_pick(dr, nr, o->seed, xr);
    st = o->clf ? gan_classifier_load(&c, o->clf, err) : gan_features_create(&fx, err);
    if (st == GAN_OK && c && !gan_shape_eq(c->net->in, s)) {
        char b1[64], b2[64];
        gan_shape_str(c->net->in, b1, sizeof b1);
        gan_shape_str(s, b2, sizeof b2);
        st = gan_error_at(err, GAN_ERR_SHAPE, o->clf, 0, 0, "classifier input %s differs from the images' shape %s",
                          b1, b2);
    }
    if (st == GAN_OK) st = features(fx, c, x, ng, s, &fg, &F, err);
    if (st == GAN_OK) st = features(fx, c, xr, nr, s, &fr, &F, err);
    if (st == GAN_OK && o->features_out) st = write_features(o->features_out, fg, ng, fr, nr, F, o->force, err);
    if (st != GAN_OK) goto out;
    out->frechet = gan_frechet_sets(fg, ng, fr, nr, F);
    st = gan_kid(fr, nr, fg, ng, F, GAN_EVAL_KID_SUBSETS, GAN_EVAL_KID_SUBSET, o->seed, &out->kid, &out->kid_std, err);
    if (st == GAN_OK) st = gan_prdc_compute(fr, nr, fg, ng, F, GAN_EVAL_K_PR, GAN_EVAL_K_DC, &out->prdc, err);
    if (st != GAN_OK) goto out;
    out->kid_m = GAN_EVAL_KID_SUBSET < nr ? GAN_EVAL_KID_SUBSET : nr;
    if (ng < out->kid_m) out->kid_m = ng;
    out->classifier = c != NULL;
    snprintf(out->features, sizeof out->features, "%s", c ? c->spec->name : gan_features_name());
    out->F = F;
    out->ng = ng;
    out->nr = nr;
    out->real_all = nr == dr->n;
out:
    gan_free_floats(xr);
    gan_free_floats(fg);
    gan_free_floats(fr);
    gan_classifier_free(c);
    gan_features_free(fx);
    return st;
}

gan_status gan_eval_memorisation(const float *x, long ng, gan_shape s, const gan_dataset *dt, int picked,
                                 uint64_t seed, gan_nn_summary *out, gan_error *err)
{
    size_t S = gan_shape_size(s);
    float *xt = gan_alloc_floats((size_t)dt->n * S);
    if (!xt) return gan_error_set(err, GAN_ERR_NOMEM, "out of memory for %ld training images", dt->n);
    if (picked) gan_eval_pick(dt, dt->n, seed, xt);
    else
        for (long i = 0; i < dt->n; i++) gan_data_get(dt, i, xt + (size_t)i * S);
    gan_status st = gan_nn_train(x, ng, xt, dt->n, (int)S, ng, seed, out, err);
    gan_free_floats(xt);
    return st;
}

gan_status gan_eval_run_sets(const gan_trainer *t, const char *real, float *x, long n, gan_dataset **dr,
                             gan_dataset **dt, gan_error *err)
{
    gan_shape s = t->cfg.data_shape;
    gan_data_format f = t->cfg.spec->data.format;
    *dr = *dt = NULL;
    gan_status st = gan_data_load(dt, &t->cfg.spec->data, t->cfg.spec->seed, err);
    if (st == GAN_OK && real) {
        gan_data_spec rs;
        gan_eval_real_spec(real, &t->cfg.spec->data, s, &rs);
        st = gan_data_load(dr, &rs, t->cfg.spec->seed, err);
        if (st == GAN_OK && !gan_shape_eq((*dr)->shape, s))
            st = shape_error(err, real, (*dr)->shape, s, "the model's sample shape");
    }
    if (st != GAN_OK) {
        gan_data_free(*dr);
        gan_data_free(*dt);
        *dr = *dt = NULL;
        return st;
    }
    if (f == GAN_DATA_IDX || f == GAN_DATA_CIFAR10 || f == GAN_DATA_PNGDIR || f == GAN_DATA_IMAGES)
        quantize(x, (size_t)n * gan_shape_size(s));   /* byte images, scored as their PNGs */
    return GAN_OK;
}

gan_status gan_eval_folder_sets(const char *generated, const char *real, const char *train, long n, uint64_t seed,
                                float **xp, long *ngp, gan_shape *sp, gan_dataset **dr, gan_dataset **dt,
                                gan_error *err)
{
    *xp = NULL;
    *dr = *dt = NULL;
    gan_shape s;
    gan_status st = gan_images_folder_shape(generated, &s, err);
    if (st != GAN_OK) return st;
    gan_data_spec gs;
    memset(&gs, 0, sizeof gs);
    gs.format = GAN_DATA_IMAGES;
    snprintf(gs.path, sizeof gs.path, "%s", generated);
    gs.channels = s.d[0];
    gs.height = s.d[1];
    gs.width = s.d[2];
    gs.crop = GAN_CROP_CENTER;
    gs.background = 255;
    gs.on_bad_file = GAN_BAD_ERROR;
    gs.cache = 0;
    gan_dataset *dg = NULL;
    gan_data_spec rs, ts;
    gan_eval_real_spec(real, &gs, s, &rs);
    rs.cache = 1;
    if (train) {
        gan_eval_real_spec(train, &gs, s, &ts);
        ts.cache = 1;
    }
    st = gan_data_load(&dg, &gs, 1, err);
    if (st == GAN_OK) st = gan_data_load(dr, &rs, 1, err);
    if (st == GAN_OK && train) st = gan_data_load(dt, &ts, 1, err);
    if (st == GAN_OK && !gan_shape_eq((*dr)->shape, s))
        st = shape_error(err, real, (*dr)->shape, s, "the generated images' shape");
    if (st == GAN_OK && *dt && !gan_shape_eq((*dt)->shape, s))
        st = shape_error(err, train, (*dt)->shape, s, "the generated images' shape");
    long ng = n > 0 && n < (dg ? dg->n : 0) ? n : dg ? dg->n : 0;
    if (st == GAN_OK && !(*xp = gan_alloc_floats((size_t)ng * gan_shape_size(s))))
        st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory for %ld images", ng);
    if (st == GAN_OK) {
        if (ng == dg->n)
            for (long i = 0; i < ng; i++) gan_data_get(dg, i, *xp + (size_t)i * gan_shape_size(s));
        else gan_eval_pick(dg, ng, seed, *xp);
        *ngp = ng;
        *sp = s;
    } else {
        gan_data_free(*dr);
        gan_data_free(*dt);
        *dr = *dt = NULL;
    }
    gan_data_free(dg);
    return st;
}
