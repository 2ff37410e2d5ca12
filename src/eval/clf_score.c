/* clf_score.c - a classifier's view of a run's samples: the Frechet
 * distance in its feature space against the model's data or a real set,
 * the floor of that distance at the same n, the class histogram and the
 * confidence, and the discriminator's share of "real" on its data against
 * unseen images.  `ganrun eval --classifier` prints what this returns. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gan/classify.h"
#include "gan/eval.h"
#include "gan/train.h"

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

/* The discriminator's share of positive logits ("real") on m images of d
 * (picked from seed), in batches of train.batch as it trains (training
 * mode: batch statistics), packs of consecutive images with train.pack.
 * NaN for a conditional D (these images carry no labels) or when fewer
 * than a batch are there.  ADA's overfitting signal r_t (Karras et al.
 * 2020) on the model's data against unseen images: a D that calls its
 * training images real and unseen ones fake has memorised its data. */
static double d_positive(gan_trainer *t, const gan_dataset *d, long m, uint64_t seed, long *used)
{
    int B = t->cfg.spec->train.batch, pk = t->cfg.spec->train.pack > 1 ? t->cfg.spec->train.pack : 1;
    *used = m < d->n ? m - m % B : d->n - d->n % B;
    if (t->cfg.classes || *used < B) return NAN;
    size_t S = gan_shape_size(d->shape);
    float *x = gan_alloc_floats((size_t)*used * S);
    if (!x) return NAN;
    gan_eval_pick(d, *used, seed, x);
    long pos = 0;
    for (long b = 0; b < *used; b += B) {
        const float *y = gan_net_forward(t->D, x + (size_t)b * S, B / pk, 1);   /* (B / pk) logits */
        for (int i = 0; i < B / pk; i++) pos += y[i] > 0;
    }
    gan_free_floats(x);
    return (double)pos * pk / *used;
}

/* the class histogram, confidence and class match of prob (n, K) */
static gan_status classes(gan_trainer *t, const float *prob, long n, gan_clf_scores *o, gan_error *err)
{
    int K = o->classes;
    o->hist = calloc((size_t)K, sizeof *o->hist);
    int *want = t->cfg.classes ? malloc((size_t)n * sizeof *want) : NULL;
    if (!o->hist || (t->cfg.classes && !want)) {
        free(want);
        return gan_error_set(err, GAN_ERR_NOMEM, "out of memory for the class histogram");
    }
    if (want) gan_cond_grid_labels(want, (int)n, (int)ceil(sqrt((double)n)), t->cfg.classes);
    double conf = 0;
    long match = 0;
    for (long i = 0; i < n; i++) {
        const float *p = prob + (size_t)i * K;
        int best = 0;
        for (int k = 1; k < K; k++)
            if (p[k] > p[best]) best = k;
        o->hist[best]++;
        conf += p[best];
        if (want) match += best == want[i];
    }
    for (int k = 0; k < K; k++) o->modes += o->hist[k] > 0;
    o->confidence = conf / n;
    o->class_match = want ? (double)match / n : NAN;
    free(want);
    return GAN_OK;
}

gan_status gan_eval_classifier(gan_trainer *t, const float *x, long n, const char *clfpath, const char *realpath,
                               uint64_t seed, gan_clf_scores *o, gan_error *err)
{
    memset(o, 0, sizeof *o);
    o->fd = o->fd_real = o->pos_data = o->pos_real = o->class_match = NAN;
    gan_classifier *c;
    gan_status st = gan_classifier_load(&c, clfpath, err);
    if (st != GAN_OK) return st;
    int K = c->classes, F = c->features;
    size_t S = gan_shape_size(t->cfg.data_shape);
    gan_dataset *d = NULL, *test = NULL;
    float *real = NULL, *prob = NULL, *feat = NULL;
    double *mu = NULL, *Sr = NULL;
    char a[64], b[64];
    if (!gan_shape_eq(c->net->in, t->cfg.data_shape)) {
        gan_shape_str(c->net->in, a, sizeof a);
        gan_shape_str(t->cfg.data_shape, b, sizeof b);
        st = gan_error_at(err, GAN_ERR_SHAPE, clfpath, 0, 0, "classifier input %s differs from the model's sample "
                          "shape %s", a, b);
        goto out;
    }
    gan_data_spec rs;
    if (realpath) gan_eval_real_spec(realpath, &t->cfg.spec->data, t->cfg.data_shape, &rs);
    if ((st = gan_data_load(&d, realpath ? &rs : &t->cfg.spec->data, t->cfg.spec->seed, err)) != GAN_OK) goto out;
    if (realpath && !gan_shape_eq(d->shape, t->cfg.data_shape)) {
        gan_shape_str(d->shape, a, sizeof a);
        gan_shape_str(t->cfg.data_shape, b, sizeof b);
        st = gan_error_at(err, GAN_ERR_SHAPE, realpath, 0, 0, "samples of shape %s differ from the model's sample "
                          "shape %s", a, b);
        goto out;
    }
    /* the reference: N of the model's data, or every image of --real */
    long nr = realpath ? d->n : n < d->n ? n : d->n;
    real = gan_alloc_floats((size_t)nr * S);
    prob = gan_alloc_floats((size_t)n * K);
    mu = malloc((size_t)F * sizeof *mu);
    Sr = malloc((size_t)F * F * sizeof *Sr);
    feat = gan_alloc_floats((size_t)nr * F);
    if (!real || !prob || !mu || !Sr || !feat) {
        st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
        goto out;
    }
    gan_eval_pick(d, nr, seed, real);
    if ((st = gan_classifier_run(c, real, nr, feat, NULL, err)) != GAN_OK) goto out;
    gan_mean_cov(feat, nr, F, mu, Sr);
    o->fd = fd_against(c, x, n, mu, Sr, err);
    if (!isfinite(o->fd) || gan_classifier_run(c, x, n, NULL, prob, err) != GAN_OK) {
        char m[sizeof err->msg];
        snprintf(m, sizeof m, "%s", err->msg[0] ? err->msg : "Frechet distance failed");
        st = gan_error_set(err, GAN_ERR_NUMERIC, "%s", m);
        goto out;
    }
    /* the floor at this n: real model data against as many test images;
     * with --real, what the model's own data scores against the reference */
    const gan_data_spec *ts = realpath ? &t->cfg.spec->data : &c->spec->test;
    gan_error terr;
    gan_error_clear(&terr);
    if (gan_data_load(&test, ts, realpath ? t->cfg.spec->seed : 1, &terr) == GAN_OK &&
        gan_shape_eq(test->shape, t->cfg.data_shape)) {
        o->nt = n < test->n ? n : test->n;
        float *tx = gan_alloc_floats((size_t)o->nt * S);
        if (tx) {
            gan_eval_pick(test, o->nt, seed + 1, tx);
            o->fd_real = fd_against(c, tx, o->nt, mu, Sr, &terr);
        }
        gan_free_floats(tx);
    }
    if (realpath && test) {   /* D on its data against the unseen --real images */
        o->pos_data = d_positive(t, test, n, seed + 2, &o->used_data);
        o->pos_real = d_positive(t, d, n, seed + 3, &o->used_real);
    }
    o->classes = K;
    if ((st = classes(t, prob, n, o, err)) != GAN_OK) goto out;
    snprintf(o->name, sizeof o->name, "%s", c->spec->name);
    o->features = F;
    o->test_accuracy = c->test_accuracy;
    o->nr = nr;
out:
    if (st != GAN_OK) gan_clf_scores_free(o);
    gan_free_floats(feat);
    gan_data_free(d);
    gan_data_free(test);
    gan_free_floats(real);
    gan_free_floats(prob);
    free(mu);
    free(Sr);
    gan_classifier_free(c);
    return st;
}

void gan_clf_scores_free(gan_clf_scores *s)
{
    if (!s) return;
    free(s->hist);
    s->hist = NULL;
}
