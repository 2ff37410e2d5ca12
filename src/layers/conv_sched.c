/* conv_sched.c - the conv task scheduler (chunks, tasks, workspace slots,
 * gradient groups summed in order), the element-wise runner and the passes
 * the element-wise and the copying layers share. */
#include "config.h"
#include <math.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gan/layer.h"
#include "layers/layers.h"
#include "gan/par.h"

int gan_conv_nchunks(const gan_ctx *c, int NB) { return (c->B + NB - 1) / NB; }

int gan_conv_tasks(const gan_ctx *c, int NB)
{
    int n = gan_conv_nchunks(c, NB);
    return n < c->ntasks ? n : c->ntasks;
}

float *gan_conv_slot(const gan_layer *l, const gan_ctx *c, int t)
{
    return t ? c->ws + l->ws_fixed + (size_t)(t - 1) * l->ws_task : c->ws;
}

void gan_conv_groups_init(gan_conv_groups *gr, int nchunks, int grads)
{
    gr->nchunks = nchunks;
    gr->per = grads ? (nchunks + GAN_CONV_GROUPS - 1) / GAN_CONV_GROUPS : 1;
    if (gr->per < 1) gr->per = 1;
    gr->ngroups = (nchunks + gr->per - 1) / gr->per;
    atomic_init(&gr->next, 0);
    atomic_init(&gr->added, 0);
}

int gan_conv_claim(gan_conv_groups *gr, int n)
{
    int g = atomic_fetch_add_explicit(&gr->next, 1, memory_order_relaxed);
    return g < n ? g : -1;
}

int gan_conv_group_claim(gan_conv_groups *gr) { return gan_conv_claim(gr, gr->ngroups); }

void gan_conv_group_wait(gan_conv_groups *gr, int g)
{
    /* the groups before g are held by running tasks (claimed earlier):
     * spin a little, then give the core away (the machine may be busy) */
    for (unsigned i = 0; atomic_load_explicit(&gr->added, memory_order_acquire) < g; i++)
        if (i > 2000) sched_yield();
}

void gan_conv_group_done(gan_conv_groups *gr, int g)
{
    atomic_store_explicit(&gr->added, g + 1, memory_order_release);
}

void gan_conv_add_task_sums(float *dW, float *db, const float *part, size_t nw, int nb)
{
    for (size_t i = 0; i < nw; i++) dW[i] += part[i];
    if (db)
        for (int o = 0; o < nb; o++) db[o] += part[nw + (size_t)o];
}

void gan_conv_hold(gan_conv_held *h, int gi)
{
    if (gi) h->g = gi;
    else gan_conv_group_done(h->gr, 0);
}

void gan_conv_try_settle(gan_conv_held *h)
{
    if (h->g && atomic_load_explicit(&h->gr->added, memory_order_acquire) >= h->g) gan_conv_settle(h);
}

void gan_conv_settle(gan_conv_held *h)
{
    if (!h->g) return;
    gan_conv_group_wait(h->gr, h->g);
    gan_conv_add_task_sums(h->dW, h->db, h->part, h->nw, h->nb);
    gan_conv_group_done(h->gr, h->g);
    h->g = 0;
}

static void ew_run(size_t n, size_t grain, void (*fn)(void *e, size_t lo, size_t hi),
                   const float *a, const float *b, float *out, float k)
{
    gan_ew e = { a, b, out, k };
    gan_par_range(n, grain, fn, &e);
}

void gan_ew_run(size_t n, void (*fn)(void *e, size_t lo, size_t hi), const float *a,
                const float *b, float *out, float k)
{
    ew_run(n, GAN_EW_GRAIN, fn, a, b, out, k);
}

void gan_ew_run_libm(size_t n, void (*fn)(void *e, size_t lo, size_t hi), const float *a,
                     const float *b, float *out, float k)
{
    ew_run(n, GAN_EW_GRAIN_LIBM, fn, a, b, out, k);
}

void gan_copy_forward(gan_layer *l, const gan_ctx *c, const float *x, float *y)
{
    memcpy(y, x, (size_t)c->B * gan_shape_size(l->in) * sizeof *y);
}

void gan_copy_backward(gan_layer *l, const gan_ctx *c, const float *x, const float *y, const float *dy, float *dx,
                       int param_grads)
{
    (void)x; (void)y; (void)param_grads;
    if (dx) memcpy(dx, dy, (size_t)c->B * gan_shape_size(l->in) * sizeof *dx);
}

gan_status gan_ew_setup(gan_layer *l, gan_shape in, gan_error *err)
{
    (void)err;
    l->out = in;
    return GAN_OK;
}

void gan_ew_backward_y(const gan_layer *l, const gan_ctx *c, void (*fn)(void *e, size_t lo, size_t hi),
                       const float *dy, const float *y, float *dx, float k)
{
    if (dx) ew_run((size_t)c->B * gan_shape_size(l->in), GAN_EW_GRAIN, fn, dy, y, dx, k);
}

double gan_sum_floats(const float *x, size_t n)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t j = 0;
    for (; j + 4 <= n; j += 4) s0 += x[j], s1 += x[j + 1], s2 += x[j + 2], s3 += x[j + 3];
    for (; j < n; j++) s0 += x[j];
    return (s0 + s1) + (s2 + s3);
}
