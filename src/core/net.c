/* net.c - a stack of layers over one parameter arena.
 *
 * Layout: params/grads (nparams) hold every layer's trainable tensors back
 * to back in layer order; bufs (nbufs) the persistent non-trainable ones.
 * act[i] (Bmax, out_i) is layer i's output; backward ping-pongs input
 * gradients between dbuf[0] and dbuf[1], each as large as the largest
 * activation; ws is the largest scratch any layer asks for at Bmax.
 *
 * Activation sharing (share[], decided once from the layer flags): an
 * INPLACE layer writes its output over its input when every layer whose
 * output lives in that buffer is Y_UNUSED (their backward passes never read
 * it again); an ALIAS layer's output is its input's buffer and the layer is
 * skipped both ways.  The first layer always gets its own buffer: the
 * caller's x is never written.  For DCGAN-28 this saves 13 MB of 42.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "gan/net.h"
#include "gan/par.h"

/* The gradient ping-pong buffers and the scratch, counted by the nets
 * that use them. */
struct gan_scratch {
    float *dbuf[2], *ws;
    size_t nd, nws;   /* floats in each dbuf, in ws */
    int refs;
};

static void scratch_free(struct gan_scratch *s)
{
    gan_free_floats(s->dbuf[0]);
    gan_free_floats(s->dbuf[1]);
    gan_free_floats(s->ws);
    free(s);
}

static void scratch_release(gan_net *net)
{
    struct gan_scratch *s = net->scratch;
    net->scratch = NULL;
    net->dbuf[0] = net->dbuf[1] = net->ws = NULL;
    if (s && --s->refs == 0) scratch_free(s);
}

static struct gan_scratch *scratch_new(size_t nd, size_t nws)
{
    struct gan_scratch *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->dbuf[0] = gan_alloc_floats(nd);
    s->dbuf[1] = gan_alloc_floats(nd);
    s->ws = gan_alloc_floats(nws);
    s->nd = nd;
    s->nws = nws;
    s->refs = 1;
    if (!s->dbuf[0] || !s->dbuf[1] || !s->ws) {
        scratch_free(s);
        return NULL;
    }
    return s;
}

static void scratch_use(gan_net *net, struct gan_scratch *s)
{
    net->scratch = s;
    net->dbuf[0] = s->dbuf[0];
    net->dbuf[1] = s->dbuf[1];
    net->ws = s->ws;
    net->ws_size = s->nws;
}

static void free_batch_buffers(gan_net *net)
{
    if (net->act && net->share)   /* act[] entries are NULL until share exists */
        for (int i = 0; i < net->n; i++)
            if (!net->share[i]) gan_free_floats(net->act[i]);
    free(net->act);
    free(net->share);
    net->act = NULL;
    net->share = NULL;
    scratch_release(net);
    gan_free_floats(net->saved);
    net->saved = NULL;
    net->Bmax = 0;
}

static gan_status alloc_batch_buffers(gan_net *net, int B, gan_error *err)
{
    size_t maxact = gan_shape_size(net->in), ws = 0, saved = 0;
    /* scratch for one task per thread (gan/par.h) */
    int T = gan_par_threads();
    net->act = calloc((size_t)net->n, sizeof *net->act);
    net->share = calloc((size_t)net->n, 1);
    if (!net->act || !net->share) goto nomem;
    for (int i = 1; i < net->n; i++) {
        unsigned f = net->layers[i].type->flags;
        if (f & GAN_LAYER_ALIAS) {
            net->share[i] = 2;
        } else if (f & GAN_LAYER_INPLACE) {
            /* every output in act[i - 1]'s buffer must be dead after forward */
            int j = i - 1, ok = 1;
            for (;;) {
                ok &= (net->layers[j].type->flags & GAN_LAYER_Y_UNUSED) != 0;
                if (!net->share[j]) break;
                j--;
            }
            if (ok) net->share[i] = 1;
        }
    }
    for (int i = 0; i < net->n; i++) {
        gan_layer *l = &net->layers[i];
        size_t o = gan_shape_size(l->out);
        if (o > maxact) maxact = o;
        size_t w = l->ws_fixed + (size_t)B * l->ws_per_sample + (size_t)(T - 1) * l->ws_task;
        if (w > ws) ws = w;
        saved += (size_t)B * l->saved_per_sample;
        if (net->share[i]) {
            net->act[i] = net->act[i - 1];
            continue;
        }
        net->act[i] = gan_alloc_floats((size_t)B * o);
        if (!net->act[i]) goto nomem;
    }
    struct gan_scratch *sc = scratch_new((size_t)B * maxact, ws);
    if (!sc) goto nomem;
    scratch_use(net, sc);
    net->saved = gan_alloc_floats(saved);
    if (!net->saved) goto nomem;
    net->ntasks = T;
    float *s = net->saved;
    for (int i = 0; i < net->n; i++) {
        net->layers[i].saved = s;
        s += (size_t)B * net->layers[i].saved_per_sample;
    }
    net->Bmax = B;
    return GAN_OK;
nomem:
    free_batch_buffers(net);
    return gan_error_set(err, GAN_ERR_NOMEM, "out of memory sizing network buffers for batch %d", B);
}

gan_status gan_net_create(gan_net **out, const gan_layer_conf *confs, int n,
                          gan_shape in, int Bmax, gan_error *err)
{
    *out = NULL;
    if (n < 1) return gan_error_set(err, GAN_ERR_INVALID, "a network needs at least one layer");
    if (Bmax < 1) return gan_error_set(err, GAN_ERR_INVALID, "batch size must be positive");
    gan_net *net = calloc(1, sizeof *net);
    if (!net) return gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    net->layers = calloc((size_t)n, sizeof *net->layers);
    if (!net->layers) {
        free(net);
        return gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    }
    net->in = in;
    gan_shape cur = in;
    for (int i = 0; i < n; i++) {
        gan_layer *l = &net->layers[i];
        l->type = confs[i].type;
        l->conf = confs[i];
        l->in = cur;
        net->n = i + 1;
        gan_status st = l->type->setup(l, cur, err);
        if (st != GAN_OK) {
            if (err && !err->line) { err->line = confs[i].line; err->col = confs[i].col; }
            gan_net_free(net);
            return st;
        }
        if (gan_shape_size(l->out) == 0 || gan_shape_size(l->out) > ((size_t)1 << 28)) {
            char s[64];
            gan_shape_str(l->out, s, sizeof s);
            st = gan_error_set(err, GAN_ERR_SHAPE, "%s output shape %s is empty or too large",
                               l->type->name, s);
            if (err) { err->line = confs[i].line; err->col = confs[i].col; }
            gan_net_free(net);
            return st;
        }
        net->nparams += l->nparams;
        net->nbufs += l->nbufs;
        cur = l->out;
    }
    net->out = cur;
    net->params = gan_alloc_floats(net->nparams);
    /* GAN_NET_GRAD_SLACK floats past the gradients: a data-parallel step
     * puts its measurements there and averages both in one all-reduce */
    net->grads = gan_alloc_floats(net->nparams + GAN_NET_GRAD_SLACK);
    net->bufs = gan_alloc_floats(net->nbufs);
    if (!net->params || !net->grads || !net->bufs) {
        gan_net_free(net);
        return gan_error_set(err, GAN_ERR_NOMEM, "out of memory allocating parameters");
    }
    size_t po = 0, bo = 0;
    for (int i = 0; i < n; i++) {
        gan_layer *l = &net->layers[i];
        l->params = net->params + po;
        l->grads = net->grads + po;
        l->bufs = net->bufs + bo;
        po += l->nparams;
        bo += l->nbufs;
    }
    gan_status st = alloc_batch_buffers(net, Bmax, err);
    if (st != GAN_OK) {
        gan_net_free(net);
        return st;
    }
    gan_rng_seed(&net->rng, 0);
    *out = net;
    return GAN_OK;
}

void gan_net_free(gan_net *net)
{
    if (!net) return;
    free_batch_buffers(net);
    for (int i = 0; i < net->n; i++)
        if (net->layers[i].type && net->layers[i].type->destroy)
            net->layers[i].type->destroy(&net->layers[i]);
    free(net->layers);
    gan_free_floats(net->params);
    gan_free_floats(net->grads);
    gan_free_floats(net->bufs);
    free(net);
}

gan_status gan_net_reserve(gan_net *net, int B, gan_error *err)
{
    if (B <= net->Bmax) return GAN_OK;
    free_batch_buffers(net);
    return alloc_batch_buffers(net, B, err);
}

void gan_net_init(gan_net *net, gan_rng *rng)
{
    for (int i = 0; i < net->n; i++)
        if (net->layers[i].type->init) net->layers[i].type->init(&net->layers[i], rng);
}

const float *gan_net_forward(gan_net *net, const float *x, int B, int training)
{
    gan_ctx c = { B, training, net->ws, net->ntasks, &net->rng, net->labels };
    net->x = x;
    net->B = B;
    net->training = training;
    const float *cur = x;
    for (int i = 0; i < net->n; i++) {
        gan_layer *l = &net->layers[i];
        if (net->share[i] != 2) l->type->forward(l, &c, cur, net->act[i]);
        cur = net->act[i];
    }
    return cur;
}

void gan_net_backward(gan_net *net, const float *dy, float *dx, int param_grads)
{
    gan_ctx c = { net->B, net->training, net->ws, net->ntasks, &net->rng, net->labels };
    const float *g = dy;
    for (int i = net->n - 1; i >= 0; i--) {
        gan_layer *l = &net->layers[i];
        if (net->share[i] == 2) continue;   /* alias: dx is dy */
        const float *x = i ? net->act[i - 1] : net->x;
        float *d = i ? net->dbuf[g == net->dbuf[0]] : dx;
        /* the first layer's input gradient is only needed when asked for */
        l->type->backward(l, &c, x, net->act[i], g, d, param_grads);
        g = d;
    }
}

gan_status gan_net_share_scratch(gan_net *a, gan_net *b, gan_error *err)
{
    if (a->scratch == b->scratch) return GAN_OK;
    size_t nd = a->scratch->nd > b->scratch->nd ? a->scratch->nd : b->scratch->nd;
    size_t nws = a->scratch->nws > b->scratch->nws ? a->scratch->nws : b->scratch->nws;
    struct gan_scratch *s = scratch_new(nd, nws);
    if (!s) return gan_error_set(err, GAN_ERR_NOMEM, "out of memory sharing network scratch");
    scratch_release(a);
    scratch_release(b);
    scratch_use(a, s);
    scratch_use(b, s);
    s->refs = 2;
    return GAN_OK;
}

void gan_net_zero_grad(gan_net *net)
{
    memset(net->grads, 0, net->nparams * sizeof(float));
}
