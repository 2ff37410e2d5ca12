/* gradcheck.c - central finite differences against backward(). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gradcheck.h"

static double loss_at(gan_net *net, const float *x, int B, int training,
                      const float *r, const gan_rng *rng0)
{
    net->rng = *rng0;
    const float *y = gan_net_forward(net, x, B, training);
    size_t n = (size_t)B * gan_shape_size(net->out);
    double L = 0;
    for (size_t i = 0; i < n; i++) L += (double)r[i] * y[i];
    return L;
}

static double relerr(double a, double n, double floor)
{
    double d = fabs(a - n), m = fmax(fmax(fabs(a), fabs(n)), floor);
    if (d != d) return INFINITY;   /* a NaN on either side fails the check */
    return d / m;
}

gradcheck_result gradcheck_net(gan_net *net, const float *x0, int B, int training,
                               double h, double floor, int max_checks)
{
    gradcheck_result res = { 0, 0, 0, 0 };
    size_t nin = (size_t)B * gan_shape_size(net->in);
    size_t nout = (size_t)B * gan_shape_size(net->out);
    float *x = malloc(nin * sizeof *x), *dx = malloc(nin * sizeof *dx);
    float *r = malloc(nout * sizeof *r);
    gan_rng g;
    gan_rng_seed(&g, 12345);
    gan_rng_fill_normal(&g, r, nout, 0, 1);
    memcpy(x, x0, nin * sizeof *x);
    gan_rng rng0 = net->rng;

    /* analytic */
    loss_at(net, x, B, training, r, &rng0);
    gan_net_zero_grad(net);
    gan_net_backward(net, r, dx, 1);

    size_t stride = nin / (size_t)max_checks + 1;
    for (size_t i = (size_t)gan_rng_below(&g, (uint32_t)stride); i < nin; i += stride) {
        float v = x[i];
        x[i] = v + (float)h;
        double lp = loss_at(net, x, B, training, r, &rng0);
        x[i] = v - (float)h;
        double lm = loss_at(net, x, B, training, r, &rng0);
        x[i] = v;
        double num = (lp - lm) / (2 * h);
        double e = relerr(dx[i], num, floor);
        if (e > res.max_rel_dx) res.max_rel_dx = e;
        res.checked_dx++;
    }
    if (net->nparams) {
        stride = net->nparams / (size_t)max_checks + 1;
        for (size_t i = (size_t)gan_rng_below(&g, (uint32_t)stride); i < net->nparams; i += stride) {
            float v = net->params[i];
            net->params[i] = v + (float)h;
            double lp = loss_at(net, x, B, training, r, &rng0);
            net->params[i] = v - (float)h;
            double lm = loss_at(net, x, B, training, r, &rng0);
            net->params[i] = v;
            double num = (lp - lm) / (2 * h);
            double e = relerr(net->grads[i], num, floor);
            if (e > res.max_rel_dp) res.max_rel_dp = e;
            res.checked_dp++;
        }
    }
    net->rng = rng0;
    free(x);
    free(dx);
    free(r);
    return res;
}

void layer_conf(const char *type, gan_layer_conf *c, ...)
{
    const gan_layer_type *t = gan_layer_find(type);
    if (!t) {
        fprintf(stderr, "no layer type %s\n", type);
        abort();
    }
    gan_layer_conf_defaults(c, t);
    va_list ap;
    va_start(ap, c);
    const char *kv;
    while ((kv = va_arg(ap, const char *)) != NULL) {
        char key[64];
        const char *eq = strchr(kv, '=');
        if (!eq || (size_t)(eq - kv) >= sizeof key) abort();
        memcpy(key, kv, (size_t)(eq - kv));
        key[eq - kv] = 0;
        int i = gan_layer_key_index(t, key);
        if (i < 0) {
            fprintf(stderr, "layer %s has no key %s\n", type, key);
            abort();
        }
        gan_key_value *v = &c->v[i];
        v->set = 1;
        if (t->keys[i].kind == GAN_KEY_INTLIST) {
            const char *p = eq + 1;
            v->len = 0;
            while (*p && v->len < 4) {
                v->list[v->len++] = (int)strtol(p, (char **)&p, 10);
                if (*p == ',') p++;
            }
        } else if (t->keys[i].kind == GAN_KEY_ENUM) {
            int k = 0;
            while (t->keys[i].choices[k] && strcmp(t->keys[i].choices[k], eq + 1)) k++;
            if (!t->keys[i].choices[k]) abort();
            v->num = k;
        } else {
            v->num = strtod(eq + 1, NULL);
        }
    }
    va_end(ap);
}

gradcheck_result gradcheck_layer(const gan_layer_conf *c, gan_shape in, int B, int training,
                                 uint64_t seed)
{
    gan_net *net;
    gan_error err;
    gradcheck_result res = { 1e9, 1e9, 0, 0 };
    if (gan_net_create(&net, c, 1, in, B, &err) != GAN_OK) {
        fprintf(stderr, "gradcheck: %s\n", err.msg);
        return res;
    }
    gan_rng r;
    gan_rng_seed(&r, seed);
    gan_net_init(net, &r);
    /* non-trivial parameters even where init is zero (biases) */
    for (size_t i = 0; i < net->nparams; i++) net->params[i] += 0.1f * (float)gan_rng_normal(&r);
    gan_rng_seed(&net->rng, seed + 1);
    size_t nin = (size_t)B * gan_shape_size(in);
    float *x = malloc(nin * sizeof *x);
    gan_rng_fill_normal(&r, x, nin, 0, 1);
    res = gradcheck_net(net, x, B, training, 1e-2, 1e-2, 300);
    char s[64];
    gan_shape_str(in, s, sizeof s);
    printf("gradcheck %-10s in %-14s B=%d: dx rel err %.2e (%d), dparam rel err %.2e (%d)\n",
           c->type->name, s, B, res.max_rel_dx, res.checked_dx, res.max_rel_dp, res.checked_dp);
    free(x);
    gan_net_free(net);
    return res;
}

/* sigma_max of W (R, K) by power iteration on W^T W in double, run to
 * convergence (the reference) */
double gradcheck_sigma_max(const float *W, int R, int K)
{
    double *v = malloc(K * sizeof *v), *t = malloc(R * sizeof *t), lam = 0;
    for (int k = 0; k < K; k++) v[k] = 1.0 + 0.01 * k;
    for (int it = 0; it < 20000; it++) {
        for (int r = 0; r < R; r++) {
            t[r] = 0;
            for (int k = 0; k < K; k++) t[r] += W[r * K + k] * v[k];
        }
        double nn = 0;
        for (int k = 0; k < K; k++) {
            v[k] = 0;
            for (int r = 0; r < R; r++) v[k] += W[r * K + k] * t[r];
            nn += v[k] * v[k];
        }
        lam = sqrt(nn);   /* |W^T W v| with |v| = 1 */
        for (int k = 0; k < K; k++) v[k] /= lam;
    }
    free(v);
    free(t);
    return sqrt(lam);
}
