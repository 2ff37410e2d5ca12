/* classifier.c - the classifier ganrun trains for its image metric.
 *
 * A layer stack from the data shape to K logits, softmax cross-entropy,
 * Adam (betas 0.9, 0.999).  Random streams from spec->seed: 1 init, 2 data
 * order, 3 dropout.  Its features are the input of the last layer.
 */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "gan/classify.h"

#define CHUNK 256

float gan_softmax_xent(const float *logits, const int *y, int B, int K, float *dlogits)
{
    double L = 0;
    for (int n = 0; n < B; n++) {
        const float *l = logits + (size_t)n * K;
        float m = l[0];
        for (int k = 1; k < K; k++) m = l[k] > m ? l[k] : m;
        double s = 0;
        for (int k = 0; k < K; k++) s += exp((double)l[k] - m);
        double lse = m + log(s);
        L += lse - l[y[n]];
        if (!dlogits) continue;
        for (int k = 0; k < K; k++)
            dlogits[(size_t)n * K + k] = (float)((exp((double)l[k] - lse) - (k == y[n])) / B);
    }
    return (float)(L / B);
}

gan_status gan_classifier_create(gan_classifier **out, gan_clf_spec *spec, const char *text,
                                 const gan_shape *inp, gan_error *err)
{
    *out = NULL;
    gan_classifier *c = calloc(1, sizeof *c);
    if (!c) {
        gan_clf_spec_free(spec);
        return gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    }
    c->spec = spec;
    c->test_accuracy = -1;
    c->text = strdup(text ? text : "");
    gan_shape in;
    gan_status st = c->text ? GAN_OK : gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    if (st == GAN_OK) {
        if (inp) in = *inp;
        else st = gan_data_shape(&spec->data, &in, err);
    }
    if (st == GAN_OK) st = gan_net_create(&c->net, spec->layers.layers, spec->layers.n, in, spec->train.batch, err);
    if (st != GAN_OK) {
        if (err && !err->file[0]) snprintf(err->file, sizeof err->file, "%s", spec->source);
        gan_classifier_free(c);
        return st;
    }
    c->classes = spec->data.classes;
    const gan_layer_conf *last = &spec->layers.layers[spec->layers.n - 1];
    if (c->net->n < 2 || c->net->out.rank != 1 || c->net->out.d[0] != c->classes) {
        char s[64];
        gan_shape_str(c->net->out, s, sizeof s);
        st = gan_error_at(err, GAN_ERR_SHAPE, spec->source, last->line, last->col,
                          "classifier output %s is not one logit per class (expected (%d) after at least "
                          "two layers, e.g. a last layer dense: {units: %d})", s, c->classes, c->classes);
        gan_classifier_free(c);
        return st;
    }
    c->features = (int)gan_shape_size(c->net->layers[c->net->n - 1].in);
    gan_optim_conf oc;
    gan_optim_conf_default(&oc, GAN_OPTIM_ADAM);
    oc.lr = spec->train.lr;
    oc.beta1 = 0.9f;
    oc.beta2 = 0.999f;
    oc.weight_decay = spec->train.weight_decay;
    if ((st = gan_optim_init(&c->opt, &oc, c->net->nparams, err)) != GAN_OK) {
        gan_classifier_free(c);
        return st;
    }
    gan_rng r;
    gan_rng_seed_stream(&r, spec->seed, GAN_STREAM_CLF_INIT);
    gan_net_init(c->net, &r);
    gan_rng_seed_stream(&c->net->rng, spec->seed, GAN_STREAM_CLF_NET);
    *out = c;
    return GAN_OK;
}

void gan_classifier_free(gan_classifier *c)
{
    if (!c) return;
    gan_net_free(c->net);
    gan_optim_free(&c->opt);
    gan_clf_spec_free(c->spec);
    free(c->text);
    free(c);
}

gan_status gan_classifier_train(gan_classifier *c, const gan_dataset *d, long steps, long log_every,
                                FILE *log, gan_error *err)
{
    int B = c->spec->train.batch, K = c->classes;
    size_t S = gan_shape_size(d->shape);
    if (!d->labels) return gan_error_set(err, GAN_ERR_INVALID, "classifier data has no labels");
    if (d->n < B) return gan_error_set(err, GAN_ERR_INVALID, "classifier data has %ld samples, fewer than batch %d", d->n, B);
    if (!gan_shape_eq(d->shape, c->net->in)) return gan_error_set(err, GAN_ERR_SHAPE, "data shape differs from the classifier's input");
    for (long i = 0; i < d->n; i++)
        if (d->labels[i] < 0 || d->labels[i] >= K)
            return gan_error_set(err, GAN_ERR_INVALID, "sample %ld has label %d, expected 0..%d", i + 1, d->labels[i], K - 1);
    float *x = gan_alloc_floats((size_t)B * S), *dl = gan_alloc_floats((size_t)B * K);
    int *y = malloc((size_t)B * sizeof *y);
    uint32_t *order = malloc((size_t)d->n * sizeof *order);
    gan_status st = gan_net_reserve(c->net, B, err);
    if (!x || !dl || !y || !order) st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    gan_rng r;
    gan_rng_seed_stream(&r, c->spec->seed, GAN_STREAM_CLF_ORDER);
    long pos = d->n;
    double run = 0;
    c->net->labels = NULL;
    if (order)
        for (long i = 0; i < d->n; i++) order[i] = (uint32_t)i;
    for (long s = 0; st == GAN_OK && s < steps; s++) {
        if (pos + B > d->n) {
            gan_rng_shuffle(&r, order, (size_t)d->n);
            pos = 0;
        }
        for (int n = 0; n < B; n++) {
            gan_data_get(d, order[pos + n], x + (size_t)n * S);
            y[n] = d->labels[order[pos + n]];
        }
        pos += B;
        const float *logits = gan_net_forward(c->net, x, B, 1);
        float L = gan_softmax_xent(logits, y, B, K, dl);
        if (!isfinite(L)) {
            st = gan_error_set(err, GAN_ERR_NUMERIC, "classifier step %ld: loss is not finite", c->step + 1);
            break;
        }
        gan_net_zero_grad(c->net);
        gan_net_backward(c->net, dl, NULL, 1);
        gan_optim_step(&c->opt, c->net->params, c->net->grads);
        c->step++;
        run += L;
        if (log_every > 0 && log && (s + 1) % log_every == 0) {
            fprintf(log, "step %ld loss %.4f\n", c->step, run / log_every);
            fflush(log);
            run = 0;
        }
    }
    gan_free_floats(x);
    gan_free_floats(dl);
    free(y);
    free(order);
    return st;
}

gan_status gan_classifier_run(gan_classifier *c, const float *x, long n, float *feat, float *prob, gan_error *err)
{
    int K = c->classes, F = c->features;
    size_t S = gan_shape_size(c->net->in);
    gan_status st = gan_net_reserve(c->net, CHUNK, err);
    c->net->labels = NULL;
    for (long i = 0; st == GAN_OK && i < n; i += CHUNK) {
        int b = n - i < CHUNK ? (int)(n - i) : CHUNK;
        const float *l = gan_net_forward(c->net, x + (size_t)i * S, b, 0);   /* (b, K) */
        if (feat) memcpy(feat + (size_t)i * F, c->net->act[c->net->n - 2], (size_t)b * F * sizeof *feat);
        if (!prob) continue;
        for (int m = 0; m < b; m++) {
            const float *lm = l + (size_t)m * K;
            float *p = prob + (size_t)(i + m) * K, mx = lm[0];
            for (int k = 1; k < K; k++) mx = lm[k] > mx ? lm[k] : mx;
            double s = 0;
            for (int k = 0; k < K; k++) s += exp((double)lm[k] - mx);
            for (int k = 0; k < K; k++) p[k] = (float)(exp((double)lm[k] - mx) / s);
        }
    }
    return st;
}

gan_status gan_classifier_accuracy(gan_classifier *c, const gan_dataset *d, double *acc, gan_error *err)
{
    int K = c->classes;
    size_t S = gan_shape_size(d->shape);
    if (!d->labels) return gan_error_set(err, GAN_ERR_INVALID, "test data has no labels");
    if (!gan_shape_eq(d->shape, c->net->in)) return gan_error_set(err, GAN_ERR_SHAPE, "test data shape differs from the classifier's input");
    float *x = gan_alloc_floats((size_t)CHUNK * S), *p = gan_alloc_floats((size_t)CHUNK * K);
    gan_status st = x && p ? GAN_OK : gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    long right = 0;
    for (long i = 0; st == GAN_OK && i < d->n; i += CHUNK) {
        int b = d->n - i < CHUNK ? (int)(d->n - i) : CHUNK;
        for (int m = 0; m < b; m++) gan_data_get(d, i + m, x + (size_t)m * S);
        st = gan_classifier_run(c, x, b, NULL, p, err);
        for (int m = 0; st == GAN_OK && m < b; m++) {
            int best = 0;
            for (int k = 1; k < K; k++)
                if (p[(size_t)m * K + k] > p[(size_t)m * K + best]) best = k;
            right += best == d->labels[i + m];
        }
    }
    gan_free_floats(x);
    gan_free_floats(p);
    *acc = d->n ? (double)right / d->n : 0;
    return st;
}

gan_status gan_classifier_fit(gan_classifier **out, gan_clf_spec *spec, const char *text, long log_every,
                              FILE *log, double *acc, long *ntest, gan_error *err)
{
    gan_dataset *d = NULL, *test = NULL;
    gan_data_spec ds = spec->data, ts = spec->test;
    long steps = spec->train.steps;
    gan_status st = gan_classifier_create(out, spec, text, NULL, err);
    if (st == GAN_OK) st = gan_data_load(&d, &ds, 1, err);
    if (st == GAN_OK) st = gan_data_load(&test, &ts, 1, err);
    if (st == GAN_OK && log && log_every > 0)
        fprintf(log, "training classifier %s: %zu parameters, %d features, %ld steps on %ld samples\n",
                (*out)->spec->name, (*out)->net->nparams, (*out)->features, steps, d->n);
    if (st == GAN_OK) st = gan_classifier_train(*out, d, steps, log_every, log, err);
    if (st == GAN_OK) st = gan_classifier_accuracy(*out, test, acc, err);
    if (st == GAN_OK) {
        (*out)->test_accuracy = (float)*acc;
        *ntest = test->n;
    } else {
        gan_classifier_free(*out);
        *out = NULL;
    }
    gan_data_free(d);
    gan_data_free(test);
    return st;
}
