/* net.c - a graph of layers over one parameter arena.
 *
 * Layout: params/grads (nparams) hold every layer's trainable tensors back
 * to back in entry order; bufs (nbufs) the persistent non-trainable ones.
 *
 * The entries form a graph in entry order: entry i reads the outputs of
 * l->src[0..nin) (earlier entries, -1 the net's input).  A plan made once
 * in gan_net_create from the layer flags decides where every output lives
 * and where every gradient goes; gan_net_reserve only sizes it for a batch.
 *
 * Activations (abuf[], act[i] a view of one): a value is dead after forward
 * when no backward pass reads it (its producer is Y_UNUSED and none of its
 * readers reads x).  An ALIAS entry's output is its input's memory and the
 * entry is skipped; an INPLACE entry writes over its only input when every
 * value in that buffer is dead and read by nothing after it; any other
 * entry takes a buffer whose values are all dead and read before it (the
 * smallest that fits, else the largest, grown), or a new one.  For a
 * straight stack these are the old in-place and alias rules: for DCGAN-28
 * they save 13 MB of 42.  The caller's x is never written.
 *
 * Gradients (dbuf[], each as large as the largest activation): backward
 * runs the entries in reverse; the last reader of a value (the first one
 * backward meets) writes its gradient into a free buffer, every earlier
 * reader writes into a scratch buffer that is then added to it, so the sum
 * has a fixed order.  A buffer is free again once its value's producer has
 * run.  A straight stack ping-pongs between two buffers, as before.
 */
#include "config.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gan/dist.h"
#include "gan/net.h"
#include "gan/par.h"

/* What gan_net keeps of its plan, its scratch and its shards (opaque
 * outside this file: gan/net.h has the accessors others need). */
struct gan_net_plan {
    /* the plan (gan_net_create), independent of the batch size */
    unsigned char *share;  /* (n) how act[i] was planned (gan_net_act_share) */
    int nabuf;          /* activation buffers */
    int *abuf_of;       /* abuf_of[i]: the buffer of act[i] */
    size_t *abuf_len;   /* (nabuf) floats per sample of each buffer */
    float **abuf;       /* (nabuf) the buffers, Bmax * abuf_len[k] floats */
    int *gbuf;          /* gbuf[j]: gradient buffer of entry j's output
                         * during backward, or -1: the alias entry reading
                         * it passes its own gradient memory on */
    int *lastuse;       /* lastuse[j + 1]: the last entry reading value j
                         * (j = -1: the net's input); backward's first
                         * writer of dL/dvalue overwrites, later ones add */
    int ngbuf;          /* gradient buffers the plan needs (>= 2) */
    int ntmp;           /* more of them as sums' scratch */
    float **dbuf;       /* (ngbuf + ntmp) gradient buffers, each Bmax * the
                         * largest activation (shared: gan_net_share_scratch) */
    const float **gptr; /* (n) dL/d act[i] during one backward */
    float *ws;          /* shared scratch */
    size_t ws_size;
    int ntasks;         /* parallel tasks ws has room for (gan_ctx) */
    struct gan_scratch *scratch;   /* owner of dbuf and ws (perhaps shared) */
    float *saved;       /* all layers' saved-for-backward floats */
    /* sharded training passes (gan_net_set_shards); sh.S == 0: none */
    gan_shards sh;
    float *sgrads;      /* (S, sh.gstride) the shards' gradient arenas;
                         * this process's are rows s0 .. s0 + ns - 1 */
    gan_rng *srng;      /* (ns) the local shards' dropout streams */
};

/* The gradient buffers and the scratch, counted by the nets using them. */
struct gan_scratch {
    float **dbuf, *ws;
    int ndbuf;
    size_t nd, nws;   /* floats in each dbuf, in ws */
    int refs;
};

/* Zeroed floats, 64-byte aligned, for the batch buffers and the scratch,
 * from calloc: memory fresh from the system (glibc maps large blocks) is
 * zero without being written, so a page counts in the RSS only once a
 * layer uses it.  gan_alloc_floats writes its zeros: with it the scratch
 * each net takes in gan_net_create, freed when gan_model_build shares one
 * between G and D, was written in full first: 4.9 MiB (1 thread) to 7.1
 * MiB (2) of the peak RSS of DCGAN-28 (bench/README.md, "Peak RSS").  Not
 * gan_alloc_floats itself: it is public, and its memory (posix_memalign)
 * is plain free()-able, which a block with an offset start is not; these
 * buffers never leave net.c.  The block's start is kept in the 8 bytes
 * before the floats. */
static float *zfloats(size_t n)
{
    if (n == 0) n = 1;
    if (n > (SIZE_MAX - 128) / sizeof(float)) return NULL;
    unsigned char *raw = calloc(1, n * sizeof(float) + 64 + sizeof raw);
    if (!raw) return NULL;
    uintptr_t a = ((uintptr_t)raw + sizeof raw + 63) & ~(uintptr_t)63;
    unsigned char *p = raw + (a - (uintptr_t)raw);
    memcpy(p - sizeof raw, &raw, sizeof raw);
    return (float *)(void *)p;
}

static void zfree(float *p)
{
    if (!p) return;
    unsigned char *raw;
    memcpy(&raw, (unsigned char *)p - sizeof raw, sizeof raw);
    free(raw);
}

static void scratch_free(struct gan_scratch *s)
{
    for (int k = 0; k < s->ndbuf; k++) zfree(s->dbuf[k]);
    free(s->dbuf);
    zfree(s->ws);
    free(s);
}

static void scratch_release(gan_net *net)
{
    gan_net_plan *pl = net->plan;
    struct gan_scratch *s = pl->scratch;
    pl->scratch = NULL;
    pl->dbuf = NULL;
    pl->ws = NULL;
    if (s && --s->refs == 0) scratch_free(s);
}

static struct gan_scratch *scratch_new(int ndbuf, size_t nd, size_t nws)
{
    struct gan_scratch *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->dbuf = calloc((size_t)ndbuf, sizeof *s->dbuf);
    s->ndbuf = ndbuf;
    s->ws = zfloats(nws);
    s->nd = nd;
    s->nws = nws;
    s->refs = 1;
    int ok = s->dbuf && s->ws;
    for (int k = 0; ok && k < ndbuf; k++) ok = (s->dbuf[k] = zfloats(nd)) != NULL;
    if (!ok) {
        if (!s->dbuf) s->ndbuf = 0;
        scratch_free(s);
        return NULL;
    }
    return s;
}

static void scratch_use(gan_net *net, struct gan_scratch *s)
{
    gan_net_plan *pl = net->plan;
    pl->scratch = s;
    pl->dbuf = s->dbuf;
    pl->ws = s->ws;
    pl->ws_size = s->nws;
}

/* ---- the plan ----------------------------------------------------------- */

static int reads_x(const gan_layer *l)
{
    return !(l->type->flags & (GAN_LAYER_X_UNUSED | GAN_LAYER_INPLACE | GAN_LAYER_ALIAS));
}

static void free_plan(gan_net *net)
{
    gan_net_plan *pl = net->plan;
    free(pl->share);
    free(pl->abuf_of);
    free(pl->abuf_len);
    free(pl->gbuf);
    free(pl->lastuse);
    free(pl->gptr);
    free(net->act);
    pl->share = NULL;
    pl->abuf_of = NULL;
    pl->abuf_len = NULL;
    pl->gbuf = NULL;
    pl->lastuse = NULL;
    pl->gptr = NULL;
    net->act = NULL;
}

static gan_status plan(gan_net *net, gan_error *err)
{
    gan_net_plan *pl = net->plan;
    int n = net->n;
    pl->share = calloc((size_t)n, 1);
    pl->abuf_of = calloc((size_t)n, sizeof *pl->abuf_of);
    pl->abuf_len = calloc((size_t)n, sizeof *pl->abuf_len);
    pl->gbuf = calloc((size_t)n, sizeof *pl->gbuf);
    pl->lastuse = calloc((size_t)n + 1, sizeof *pl->lastuse);
    pl->gptr = calloc((size_t)n, sizeof *pl->gptr);
    net->act = calloc((size_t)n, sizeof *net->act);
    int *dead = calloc((size_t)n + 1, sizeof *dead);          /* per value j + 1 */
    int *bdead = calloc((size_t)n, sizeof *bdead);            /* per buffer */
    int *blast = calloc((size_t)n, sizeof *blast);            /* per buffer */
    int *gfree = calloc((size_t)n + 2, sizeof *gfree);        /* per gradient buffer */
    int *nreaders = calloc((size_t)n + 1, sizeof *nreaders);  /* per value j + 1 */
    int ok = pl->share && pl->abuf_of && pl->abuf_len && pl->gbuf && pl->lastuse &&
             pl->gptr && net->act && dead && bdead && blast && gfree && nreaders;
    gan_status st = GAN_OK;
    if (!ok) {
        st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory planning network buffers");
        goto out;
    }
    /* readers */
    for (int j = -1; j < n; j++) {
        pl->lastuse[j + 1] = -1;
        dead[j + 1] = j >= 0 && j < n - 1 && (net->layers[j].type->flags & GAN_LAYER_Y_UNUSED);
    }
    for (int i = 0; i < n; i++)
        for (int k = 0; k < net->layers[i].nin; k++) {
            int j = net->layers[i].src[k];
            pl->lastuse[j + 1] = i;
            nreaders[j + 1]++;
            if (reads_x(&net->layers[i])) dead[j + 1] = 0;
        }
    /* activations, in forward order */
    int nb = 0;
    for (int i = 0; i < n; i++) {
        gan_layer *l = &net->layers[i];
        size_t o = gan_shape_size(l->out);
        int j = l->src[0], b = -1;
        unsigned f = l->type->flags;
        if (l->nin == 1 && j >= 0 && (f & GAN_LAYER_ALIAS)) {
            b = pl->abuf_of[j];
            pl->share[i] = 2;
        } else if (l->nin == 1 && j >= 0 && (f & GAN_LAYER_INPLACE) && bdead[pl->abuf_of[j]] &&
                   blast[pl->abuf_of[j]] == i) {
            b = pl->abuf_of[j];
            pl->share[i] = 1;
        } else {
            /* a buffer all of whose values are dead and read before i */
            for (int k = 0; k < nb; k++) {
                if (!bdead[k] || blast[k] >= i) continue;
                if (b < 0) { b = k; continue; }
                int fits = pl->abuf_len[k] >= o, bfits = pl->abuf_len[b] >= o;
                if (fits && (!bfits || pl->abuf_len[k] < pl->abuf_len[b])) b = k;
                else if (!fits && !bfits && pl->abuf_len[k] > pl->abuf_len[b]) b = k;
            }
            if (b >= 0) {
                pl->share[i] = 3;
                bdead[b] = 1;   /* recomputed below with this value */
            } else {
                b = nb++;
                bdead[b] = 1;
                blast[b] = -1;
            }
        }
        pl->abuf_of[i] = b;
        if (pl->abuf_len[b] < o) pl->abuf_len[b] = o;
        bdead[b] &= dead[i + 1];
        if (pl->lastuse[i + 1] > blast[b]) blast[b] = pl->lastuse[i + 1];
        if (i == n - 1) bdead[b] = 0;
    }
    pl->nabuf = nb;
    /* gradients, in backward order: gfree[k] 1 when buffer k holds nothing,
     * hold[i] the buffer dL/d act[i] is in (-1: the caller's dy) */
    int ng = 0, ntmp = 0;
    int *hold = blast;   /* reused: one int per entry */
    for (int i = 0; i < n; i++) hold[i] = -1;
    for (int i = n - 1; i >= 0; i--) {
        gan_layer *l = &net->layers[i];
        int need_tmp = 0, mine = hold[i];
        for (int k = 0; k < l->nin; k++) {
            int j = l->src[k];
            if (pl->lastuse[j + 1] != i) {   /* a later reader wrote it first */
                need_tmp++;
                continue;
            }
            if (j < 0) continue;              /* the caller's dx */
            if (pl->share[i] == 2 && nreaders[j + 1] == 1) {
                /* dx is dy: the input's gradient is this entry's memory */
                pl->gbuf[j] = -1;
                hold[j] = mine;
                mine = -1;
                continue;
            }
            int g = -1;
            for (int q = 0; q < ng && g < 0; q++)
                if (gfree[q] && q != mine) g = q;
            if (g < 0) g = ng++;
            gfree[g] = 0;
            pl->gbuf[j] = g;
            hold[j] = g;
        }
        if (need_tmp > ntmp) ntmp = need_tmp;
        if (mine >= 0) gfree[mine] = 1;
    }
    pl->ngbuf = ng < 2 ? 2 : ng;
    pl->ntmp = ntmp;
out:
    free(dead);
    free(bdead);
    free(blast);
    free(gfree);
    free(nreaders);
    return st;
}

/* ---- batch buffers ------------------------------------------------------ */

static void free_batch_buffers(gan_net *net)
{
    gan_net_plan *pl = net->plan;
    if (pl->abuf)
        for (int k = 0; k < pl->nabuf; k++) zfree(pl->abuf[k]);
    free(pl->abuf);
    pl->abuf = NULL;
    scratch_release(net);
    zfree(pl->saved);
    pl->saved = NULL;
    net->Bmax = 0;
}

static gan_status alloc_batch_buffers(gan_net *net, int B, gan_error *err)
{
    gan_net_plan *pl = net->plan;
    size_t maxact = gan_shape_size(net->in), ws = 0, saved = 0;
    /* scratch for one task per thread (gan/par.h) */
    int T = gan_par_threads();
    pl->abuf = calloc((size_t)pl->nabuf, sizeof *pl->abuf);
    if (!pl->abuf) goto nomem;
    for (int k = 0; k < pl->nabuf; k++)
        if (!(pl->abuf[k] = zfloats((size_t)B * pl->abuf_len[k]))) goto nomem;
    for (int i = 0; i < net->n; i++) {
        gan_layer *l = &net->layers[i];
        size_t o = gan_shape_size(l->out);
        if (o > maxact) maxact = o;
        size_t w = l->ws_fixed + (size_t)B * l->ws_per_sample + (size_t)(T - 1) * l->ws_task;
        if (w > ws) ws = w;
        saved += (size_t)B * l->saved_per_sample;
        net->act[i] = pl->abuf[pl->abuf_of[i]];
    }
    struct gan_scratch *sc = scratch_new(pl->ngbuf + pl->ntmp, (size_t)B * maxact, ws);
    if (!sc) goto nomem;
    scratch_use(net, sc);
    pl->saved = zfloats(saved);
    if (!pl->saved) goto nomem;
    pl->ntasks = T;
    float *s = pl->saved;
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

/* ---- building ----------------------------------------------------------- */

static gan_status at_entry(gan_error *err, const gan_layer_conf *c, gan_status st)
{
    if (err && !err->line) {
        err->line = c->line;
        err->col = c->col;
    }
    return st;
}

static const char *entry_name(const gan_net *net, int j)
{
    if (j < 0) return "input";
    const gan_layer *l = &net->layers[j];
    return l->conf.id[0] ? l->conf.id : l->type->name;
}

/* Inputs of entry i from its conf: checked, with their shapes. */
static gan_status wire(gan_net *net, int i, const gan_layer_conf *c, gan_error *err)
{
    gan_layer *l = &net->layers[i];
    const gan_layer_type *t = c->type;
    if (c->nfrom < 0 || c->nfrom > GAN_LAYER_MAXFROM)
        return at_entry(err, c, gan_error_set(err, GAN_ERR_INVALID, "%s reads %d inputs (expected 1 to %d)",
                                             t->name, c->nfrom, GAN_LAYER_MAXFROM));
    l->nin = c->nfrom ? c->nfrom : 1;
    if (c->nfrom == 0) l->src[0] = i - 1;
    else memcpy(l->src, c->from, (size_t)c->nfrom * sizeof *c->from);
    const gan_layer_multi *mt = gan_layer_multi_of(t);
    int multi = mt != NULL;
    if (!multi && l->nin != 1)
        return at_entry(err, c, gan_error_set(err, GAN_ERR_INVALID, "%s reads %d inputs (expected one)",
                                             t->name, l->nin));
    if (multi && l->nin < (mt->min_from > 1 ? mt->min_from : 1))
        return at_entry(err, c, gan_error_set(err, GAN_ERR_INVALID,
                                             "%s reads %d input%s (expected at least %d in from: [a, b, ...])",
                                             t->name, l->nin, l->nin == 1 ? "" : "s", mt->min_from));
    for (int k = 0; k < l->nin; k++) {
        int j = l->src[k];
        if (j < -1 || j >= i)
            return at_entry(err, c, gan_error_set(err, GAN_ERR_INVALID,
                                                 "%s reads entry %d (expected an earlier entry, or -1 for the input)",
                                                 t->name, j));
        for (int q = 0; q < k; q++)
            if (l->src[q] == j)
                return at_entry(err, c, gan_error_set(err, GAN_ERR_INVALID, "%s reads '%s' twice (expected distinct inputs)",
                                                     t->name, entry_name(net, j)));
        l->ins[k] = j < 0 ? net->in : net->layers[j].out;
        l->in_name[k] = entry_name(net, j);
    }
    l->in = l->ins[0];
    return GAN_OK;
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
    net->plan = calloc(1, sizeof *net->plan);
    if (!net->layers || !net->plan) {
        free(net->layers);
        free(net->plan);
        free(net);
        return gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    }
    net->in = in;
    for (int i = 0; i < n; i++) {
        gan_layer *l = &net->layers[i];
        l->type = confs[i].type;
        l->conf = confs[i];
        net->n = i + 1;
        gan_status st = wire(net, i, &confs[i], err);
        if (st == GAN_OK)
            st = gan_layer_multi_of(l->type) ? gan_layer_multi_of(l->type)->setup_n(l, l->ins, l->nin, err)
                                             : l->type->setup(l, l->in, err);
        if (st != GAN_OK) {
            at_entry(err, &confs[i], st);
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
    }
    /* every output but the last is read by a later entry */
    for (int j = 0; j < n - 1; j++) {
        int used = 0;
        for (int i = j + 1; i < n && !used; i++)
            for (int k = 0; k < net->layers[i].nin; k++) used |= net->layers[i].src[k] == j;
        if (!used) {
            gan_status st = gan_error_set(err, GAN_ERR_INVALID,
                                          "the output of %s '%s' is never used (expected every entry "
                                          "but the last to be read by a later one)",
                                          net->layers[j].type->name, entry_name(net, j));
            at_entry(err, &confs[j], st);
            gan_net_free(net);
            return st;
        }
    }
    net->out = net->layers[n - 1].out;
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
    gan_status st = plan(net, err);
    if (st == GAN_OK) st = alloc_batch_buffers(net, Bmax, err);
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
    gan_net_plan *pl = net->plan;
    free_batch_buffers(net);
    free_plan(net);
    for (int i = 0; i < net->n; i++)
        if (net->layers[i].type && net->layers[i].type->destroy)
            net->layers[i].type->destroy(&net->layers[i]);
    free(net->layers);
    gan_free_floats(net->params);
    gan_free_floats(net->grads);
    gan_free_floats(net->bufs);
    gan_free_floats(pl->sgrads);
    free(pl->sh.dbuf);
    free(pl->srng);
    free(net->plan);
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

/* ---- passes ------------------------------------------------------------- */

static const float *input_of(const gan_net *net, const gan_layer *l, int k)
{
    return l->src[k] < 0 ? net->x : net->act[l->src[k]];
}

/* A training pass of a sharded net (gan_net_set_shards) runs shard by
 * shard; any other pass is one call per entry. */
static int sharded(const gan_net *net, int B)
{
    return net->plan->sh.S > 1 && net->training && B % net->plan->sh.ns == 0;
}

/* Local shard k's gradient arena, at layer l's offset */
static float *shard_grads(const gan_net *net, const gan_layer *l, int k)
{
    gan_net_plan *pl = net->plan;
    return pl->sgrads + (size_t)(pl->sh.s0 + k) * pl->sh.gstride + (size_t)(l->params - net->params);
}

/* Forward of entry i over the rows [r0, r0 + c->B) of the batch */
static void forward_rows(gan_net *net, int i, const gan_ctx *c, size_t r0)
{
    gan_layer *l = &net->layers[i];
    float *y = net->act[i] + r0 * gan_shape_size(l->out);
    const gan_layer_multi *mt = gan_layer_multi_of(l->type);
    if (mt) {
        const float *xs[GAN_LAYER_MAXFROM];
        for (int k = 0; k < l->nin; k++) xs[k] = input_of(net, l, k) + r0 * gan_shape_size(l->ins[k]);
        mt->forward_n(l, c, xs, l->nin, y);
    } else {
        l->type->forward(l, c, input_of(net, l, 0) + r0 * gan_shape_size(l->in), y);
    }
}

/* Backward of entry i over the rows [r0, r0 + c->B): g and d[k] are the
 * whole batch's dL/dy and input gradients (d[k] may be NULL) */
static void backward_rows(gan_net *net, int i, const gan_ctx *c, size_t r0, const float *g,
                          float *const *d, int param_grads)
{
    gan_layer *l = &net->layers[i];
    size_t on = r0 * gan_shape_size(l->out);
    if (gan_layer_multi_of(l->type)) {
        const float *xs[GAN_LAYER_MAXFROM];
        float *ds[GAN_LAYER_MAXFROM];
        for (int k = 0; k < l->nin; k++) {
            size_t o = r0 * gan_shape_size(l->ins[k]);
            xs[k] = input_of(net, l, k) + o;
            ds[k] = d[k] ? d[k] + o : NULL;
        }
        gan_layer_multi_of(l->type)->backward_n(l, c, xs, l->nin, net->act[i] + on, g + on, ds,
                                                param_grads);
    } else {
        size_t o = r0 * gan_shape_size(l->in);
        /* the first layer's input gradient is only needed when asked for */
        l->type->backward(l, c, input_of(net, l, 0) + o, net->act[i] + on, g + on,
                          d[0] ? d[0] + o : NULL, param_grads);
    }
}

/* Entry i of a pass: one call, or in a sharded pass one call per local
 * shard with that shard's rows, labels, dropout stream, saved floats and
 * gradient arena (a batch-coupled layer: one call for all of them, with
 * the first local shard's arena).  g == NULL: forward. */
static void run_entry(gan_net *net, int i, const gan_ctx *c, const float *g, float *const *d,
                      int param_grads)
{
    gan_net_plan *pl = net->plan;
    gan_layer *l = &net->layers[i];
    if (!c->sh) {
        if (g) backward_rows(net, i, c, 0, g, d, param_grads);
        else forward_rows(net, i, c, 0);
        return;
    }
    float *saved0 = l->saved, *grads0 = l->grads;
    if (l->type->flags & GAN_LAYER_BATCH) {
        l->grads = shard_grads(net, l, 0);
        if (g) backward_rows(net, i, c, 0, g, d, param_grads);
        else forward_rows(net, i, c, 0);
    } else {
        int rows = c->B / pl->sh.ns;
        for (int k = 0; k < pl->sh.ns; k++) {
            gan_ctx cs = *c;
            size_t r0 = (size_t)k * rows;
            cs.B = rows;
            cs.shard = k;
            cs.rng = &pl->srng[k];
            cs.labels = c->labels ? c->labels + r0 : NULL;
            l->saved = saved0 + r0 * l->saved_per_sample;
            l->grads = shard_grads(net, l, k);
            if (g) backward_rows(net, i, &cs, r0, g, d, param_grads);
            else forward_rows(net, i, &cs, r0);
        }
    }
    l->saved = saved0;
    l->grads = grads0;
}

const float *gan_net_forward(gan_net *net, const float *x, int B, int training)
{
    gan_net_plan *pl = net->plan;
    net->x = x;
    net->B = B;
    net->training = training;
    gan_ctx c = { B, training, pl->ws, pl->ntasks, &net->rng, net->labels, 0,
                  sharded(net, B) ? &pl->sh : NULL };
    for (int i = 0; i < net->n; i++) {
        if (pl->share[i] == 2) continue;   /* alias: act[i] is its input */
        run_entry(net, i, &c, NULL, NULL, 0);
    }
    return net->act[net->n - 1];
}

/* g (B, shape) += t */
static void add_to(float *g, const float *t, size_t n)
{
    for (size_t i = 0; i < n; i++) g[i] += t[i];
}

void gan_net_backward(gan_net *net, const float *dy, float *dx, int param_grads)
{
    gan_net_plan *pl = net->plan;
    gan_ctx c = { net->B, net->training, pl->ws, pl->ntasks, &net->rng, net->labels, 0,
                  sharded(net, net->B) ? &pl->sh : NULL };
    float **tmp = pl->dbuf + pl->ngbuf;
    pl->gptr[net->n - 1] = dy;
    for (int i = net->n - 1; i >= 0; i--) {
        gan_layer *l = &net->layers[i];
        const float *g = pl->gptr[i];
        float *d[GAN_LAYER_MAXFROM];
        int sum[GAN_LAYER_MAXFROM], nt = 0;
        /* where each input's gradient goes: its own buffer when this entry
         * is its last reader, else a scratch buffer added to it after */
        for (int k = 0; k < l->nin; k++) {
            int j = l->src[k];
            sum[k] = pl->lastuse[j + 1] != i;
            if (j < 0) d[k] = dx;
            else if (pl->gbuf[j] >= 0) d[k] = pl->dbuf[pl->gbuf[j]];
            else d[k] = NULL;   /* alias hand-on, below */
            if (sum[k] && d[k]) d[k] = tmp[nt++];
            if (!sum[k] && j >= 0 && pl->gbuf[j] >= 0) pl->gptr[j] = d[k];
        }
        if (pl->share[i] == 2) {
            int j = l->src[0];
            if (pl->gbuf[j] < 0) pl->gptr[j] = g;   /* dx is dy */
            else if (d[0]) memcpy(d[0], g, (size_t)net->B * gan_shape_size(l->in) * sizeof *g);
        } else {
            run_entry(net, i, &c, g, d, param_grads);
        }
        for (int k = 0; k < l->nin; k++) {
            if (!sum[k] || !d[k]) continue;
            int j = l->src[k];
            float *to = j < 0 ? dx : pl->dbuf[pl->gbuf[j]];
            add_to(to, d[k], (size_t)net->B * gan_shape_size(l->ins[k]));
        }
    }
}

gan_status gan_net_share_scratch(gan_net *a, gan_net *b, gan_error *err)
{
    const gan_net_plan *pa = a->plan, *pb = b->plan;
    if (pa->scratch == pb->scratch) return GAN_OK;
    size_t nd = pa->scratch->nd > pb->scratch->nd ? pa->scratch->nd : pb->scratch->nd;
    size_t nws = pa->scratch->nws > pb->scratch->nws ? pa->scratch->nws : pb->scratch->nws;
    int ka = pa->ngbuf + pa->ntmp, kb = pb->ngbuf + pb->ntmp;
    struct gan_scratch *s = scratch_new(ka > kb ? ka : kb, nd, nws);
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
    gan_net_plan *pl = net->plan;
    memset(net->grads, 0, net->nparams * sizeof(float));
    if (pl->sh.S > 1)
        memset(pl->sgrads + (size_t)pl->sh.s0 * pl->sh.gstride, 0,
               (size_t)pl->sh.ns * pl->sh.gstride * sizeof(float));
}

/* ---- shards --------------------------------------------------------------- */

gan_status gan_net_set_shards(gan_net *net, int S, int s0, int ns, gan_error *err)
{
    gan_net_plan *pl = net->plan;
    gan_free_floats(pl->sgrads);
    free(pl->sh.dbuf);
    free(pl->srng);
    pl->sgrads = NULL;
    pl->srng = NULL;
    memset(&pl->sh, 0, sizeof pl->sh);
    if (S <= 1) return GAN_OK;
    if (S > 4096 || ns < 1 || s0 < 0 || s0 + ns > S)
        return gan_error_set(err, GAN_ERR_INVALID, "shards %d .. %d of %d: not a valid range",
                             s0, s0 + ns - 1, S);
    size_t dmax = 1;
    for (int i = 0; i < net->n; i++)
        if (net->layers[i].shard_sums > dmax) dmax = net->layers[i].shard_sums;
    gan_shards sh = { S, s0, ns, (net->nparams + 15) & ~(size_t)15, NULL, dmax };
    pl->sgrads = gan_alloc_floats((size_t)S * sh.gstride);
    sh.dbuf = malloc((size_t)S * dmax * sizeof *sh.dbuf);
    pl->srng = calloc((size_t)ns, sizeof *pl->srng);
    if (!pl->sgrads || !sh.dbuf || !pl->srng) {
        free(sh.dbuf);
        gan_net_set_shards(net, 0, 0, 0, NULL);
        return gan_error_set(err, GAN_ERR_NOMEM, "out of memory for %d shards' gradients", S);
    }
    pl->sh = sh;
    for (int k = 0; k < ns; k++) gan_rng_seed_stream(&pl->srng[k], 0, (uint64_t)(s0 + k));
    return GAN_OK;
}

void gan_net_seed_shards(gan_net *net, uint64_t seed, uint64_t id)
{
    gan_net_plan *pl = net->plan;
    for (int k = 0; k < pl->sh.ns; k++)
        gan_rng_seed_stream(&pl->srng[k], seed, id ^ ((uint64_t)(pl->sh.s0 + k) << 8));
}

/* the pairwise tree over the S arenas, for the floats [lo, hi) of each:
 * a[i] += a[i + w] for i = 0, 2w, 4w, ... and w = 1, 2, 4, ... */
typedef struct tree_arg {
    float *a;
    size_t stride;
    int S;
} tree_arg;

static void tree_range(void *arg, size_t lo, size_t hi)
{
    const tree_arg *t = arg;
    for (int w = 1; w < t->S; w *= 2)
        for (int i = 0; i + w < t->S; i += 2 * w) {
            float *to = t->a + (size_t)i * t->stride;
            const float *from = t->a + (size_t)(i + w) * t->stride;
            for (size_t j = lo; j < hi; j++) to[j] += from[j];
        }
}

void gan_net_shard_reduce(gan_net *net)
{
    gan_net_plan *pl = net->plan;
    if (pl->sh.S <= 1) return;
    if (pl->sh.ns < pl->sh.S) gan_dist_gather_floats(pl->sgrads, (size_t)pl->sh.ns * pl->sh.gstride);
    tree_arg t = { pl->sgrads, pl->sh.gstride, pl->sh.S };
    gan_par_range(net->nparams, (size_t)1 << 14, tree_range, &t);
    memcpy(net->grads, pl->sgrads, net->nparams * sizeof(float));
}

/* ---- what others may know of the plan ----------------------------------- */

/* the shards' parts, NULL without shards (S 0 after gan_net_set_shards(.., 1, ..)) */
const gan_shards *gan_net_shards(const gan_net *net) { return net->plan->sh.S > 1 ? &net->plan->sh : NULL; }
gan_rng *gan_net_shard_rngs(gan_net *net) { return net->plan->sh.S > 1 ? net->plan->srng : NULL; }
float *gan_net_shard_grads(gan_net *net) { return net->plan->sh.S > 1 ? net->plan->sgrads : NULL; }

gan_net_plan_info gan_net_plan_get(const gan_net *net)
{
    const gan_net_plan *p = net->plan;
    return (gan_net_plan_info){ p->nabuf, p->ngbuf, p->ntmp, p->ntasks, p->ws_size, p->scratch };
}

int gan_net_act_share(const gan_net *net, int i)
{
    return i >= 0 && i < net->n ? net->plan->share[i] : -1;
}
