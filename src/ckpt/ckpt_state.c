/* ckpt_state.c - a trainer's state to checkpoint sections and back.
 *
 * Payload layouts are documented at the top of src/ckpt/ckpt.c.  Writing
 * walks the trainer; reading decodes each section through a bounded cursor
 * (ckpt_cur), checks every count against the bytes that remain before it
 * allocates, and checks every tensor against the networks built from the
 * embedded model: name, rank and dims must all agree.
 */
#include "config.h"
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include "gan/gan.h"
#include "ckpt/ckpt_state.h"
#include "train/state.h"

#define FAIL(code, ...) gan_error_at(err, code, r->path, 0, 0, __VA_ARGS__)

/* ---- writing ----------------------------------------------------------- */

/* the BLAS, its kernels and the thread count (for information: results
 * are the same bits on any thread count, not on other kernels) */
static const char *blas_info(char *buf, size_t n)
{
#ifdef OPENBLAS_VERSION
    const char *c = openblas_get_config();
    if (!c) c = "OpenBLAS";
#else
    const char *c = "cblas";
#endif
    snprintf(buf, n, "%s, %d thread%s, kernels %s", c, gan_par_threads(), gan_par_threads() == 1 ? "" : "s",
             gan_blas_describe());
    return buf;
}

static void put_rng(ckpt_buf *b, const gan_rng *g)
{
    for (int i = 0; i < 4; i++) ckpt_put_u64(b, g->s[i]);
}

/* NET.ENTRY.LABEL.TENSOR: the label is the entry's id (res_up.0.main)
 * when it has one, else its type (g.0.dense.weight, as every checkpoint
 * of a straight stack has it) */
static void tensor_name(char *buf, size_t n, char net, int i, const gan_layer *l, const gan_tensor_info *ti)
{
    snprintf(buf, n, "%c.%d.%s.%s", net, i, l->conf.id[0] ? l->conf.id : l->type->name, ti->name);
}

/* Every parameter and buffer float of each layer belongs to exactly one of
 * its named tensors, or the checkpoint would silently drop state. */
static gan_status check_coverage(const gan_net *net, char which, const char *path, gan_error *err)
{
    for (int i = 0; i < net->n; i++) {
        const gan_layer *l = &net->layers[i];
        size_t np = 0, nb = 0;
        for (int k = 0; k < l->ntensors; k++) {
            const gan_tensor_info *ti = &l->tensors[k];
            size_t prod = 1;
            for (int d = 0; d < ti->rank; d++) prod *= (size_t)ti->dims[d];
            size_t lim = ti->is_buffer ? l->nbufs : l->nparams;
            if (ti->rank < 1 || ti->rank > CKPT_MAX_RANK || prod != ti->size || ti->offset > lim ||
                ti->size > lim - ti->offset)
                return gan_error_at(err, GAN_ERR_INVALID, path, 0, 0,
                                    "%c.%d.%s: tensor '%s' does not fit its layer's arena", which, i,
                                    l->type->name, ti->name);
            *(ti->is_buffer ? &nb : &np) += ti->size;
        }
        if (np != l->nparams || nb != l->nbufs)
            return gan_error_at(err, GAN_ERR_INVALID, path, 0, 0,
                                "%c.%d.%s: named tensors cover %zu of %zu parameters and %zu of %zu buffers",
                                which, i, l->type->name, np, l->nparams, nb, l->nbufs);
    }
    return GAN_OK;
}

static void put_tensors(ckpt_buf *b, const gan_net *net, char which)
{
    char name[GAN_LAYER_IDLEN + 64];
    for (int i = 0; i < net->n; i++) {
        const gan_layer *l = &net->layers[i];
        for (int k = 0; k < l->ntensors; k++) {
            const gan_tensor_info *ti = &l->tensors[k];
            tensor_name(name, sizeof name, which, i, l, ti);
            ckpt_put_str(b, name);
            ckpt_put_u32(b, CKPT_DTYPE_F32);
            ckpt_put_u32(b, (uint32_t)ti->rank);
            for (int d = 0; d < ti->rank; d++) ckpt_put_u32(b, (uint32_t)ti->dims[d]);
            ckpt_put_f32s(b, (ti->is_buffer ? l->bufs : l->params) + ti->offset, ti->size);
        }
    }
}

static int count_tensors(const gan_net *net)
{
    int n = 0;
    for (int i = 0; i < net->n; i++) n += net->layers[i].ntensors;
    return n;
}

static void put_optim(ckpt_buf *b, const gan_optim *o)
{
    const gan_optim_conf *c = &o->c;
    ckpt_put_u32(b, (uint32_t)c->kind);
    ckpt_put_f32(b, c->lr);
    ckpt_put_f32(b, c->beta1);
    ckpt_put_f32(b, c->beta2);
    ckpt_put_f32(b, c->eps);
    ckpt_put_f32(b, c->weight_decay);
    ckpt_put_f32(b, c->momentum);
    ckpt_put_u32(b, (uint32_t)c->nesterov);
    ckpt_put_f32(b, c->alpha);
    ckpt_put_u64(b, o->t);
    ckpt_put_u64(b, o->n);
    ckpt_put_u32(b, (o->m ? 1u : 0u) | (o->v ? 2u : 0u));
    if (o->m) ckpt_put_f32s(b, o->m, o->n);
    if (o->v) ckpt_put_f32s(b, o->v, o->n);
}

/* Fill b with section tag's payload. */
static void encode(const gan_trainer *t, uint32_t tag, ckpt_buf *b)
{
    switch (tag) {
    case CKPT_TAG_MODL: {
        size_t n = strlen(t->cfg.model_text);
        ckpt_put_u64(b, ckpt_fnv1a64(t->cfg.model_text, n));
        ckpt_put_u64(b, n);
        ckpt_put_bytes(b, t->cfg.model_text, n);
        break;
    }
    case CKPT_TAG_BILD: {
        char blas[256];
        ckpt_put_str(b, gan_version());
        ckpt_put_str(b, GAN_BUILD_CC);
        ckpt_put_str(b, blas_info(blas, sizeof blas));
        break;
    }
    case CKPT_TAG_STAT:   /* its rows of the state table, in order */
        for (int i = 0; i < trainer_state_n; i++) {
            const state_field *f = &trainer_state[i];
            if (!f->ckpt || strcmp(f->ckpt, "STAT")) continue;
            if (f->kind == STATE_LONG) {
                ckpt_put_u64(b, (uint64_t)*(const long *)f->at(t));
            } else if (f->kind == STATE_RESERVED) {
                /* what the trainer's net_rng always held; a trainer put
                 * together by hand (no spec: tests) takes seed 0 */
                gan_rng r;
                gan_rng_seed_stream(&r, t->cfg.spec ? t->cfg.spec->seed : 0, GAN_STREAM_RESERVED);
                put_rng(b, &r);
            } else {
                put_rng(b, f->at(t));
            }
        }
        break;
    case CKPT_TAG_ORDR: {
        uint64_t n = t->state.order && t->data ? (uint64_t)t->data->n : 0;
        ckpt_put_u64(b, n);
        for (uint64_t i = 0; i < n; i++) ckpt_put_u32(b, t->state.order[i]);
        break;
    }
    case CKPT_TAG_TENS:
        ckpt_put_u32(b, (uint32_t)(count_tensors(t->G) + count_tensors(t->D)));
        put_tensors(b, t->G, 'g');
        put_tensors(b, t->D, 'd');
        break;
    case CKPT_TAG_OPTG:
        put_optim(b, &t->gopt);
        break;
    case CKPT_TAG_OPTD:
        put_optim(b, &t->dopt);
        break;
    case CKPT_TAG_AUGP:   /* optional, present exactly when train.augment is on */
        ckpt_put_f32(b, t->state.aug_p);
        break;
    case CKPT_TAG_DATA:   /* optional, when the data has a fingerprint */
        ckpt_put_u64(b, t->cfg.data_fingerprint);
        break;
    case CKPT_TAG_EMAG:   /* optional, present exactly when train.ema is on */
        ckpt_put_u64(b, (uint64_t)t->G->nparams);
        ckpt_put_u64(b, (uint64_t)t->G->nbufs);
        ckpt_put_f32s(b, t->state.ema, t->G->nparams + t->G->nbufs);
        break;
    }
}

gan_status ckpt_state_write(const gan_trainer *t, ckpt_writer *w, const char *path, gan_error *err)
{
    static const uint32_t order[] = { CKPT_TAG_MODL, CKPT_TAG_BILD, CKPT_TAG_STAT, CKPT_TAG_ORDR,
                                      CKPT_TAG_TENS, CKPT_TAG_OPTG, CKPT_TAG_OPTD, CKPT_TAG_EMAG,
                                      CKPT_TAG_AUGP, CKPT_TAG_DATA };
    if (!t->cfg.model_text || !t->G || !t->D)
        return gan_error_at(err, GAN_ERR_INVALID, path, 0, 0, "trainer has no model to save");
    gan_status st = check_coverage(t->G, 'g', path, err);
    if (st == GAN_OK) st = check_coverage(t->D, 'd', path, err);
    /* each section streams through a 1 MiB buffer into the writer */
    for (size_t i = 0; st == GAN_OK && i < sizeof order / sizeof *order; i++) {
        if (order[i] == CKPT_TAG_EMAG && !t->state.ema) continue;
        if (order[i] == CKPT_TAG_DATA && !t->cfg.data_fingerprint) continue;
        if (order[i] == CKPT_TAG_AUGP && !t->scratch.aug) continue;
        ckpt_buf b = { .sink = w, .err = err };
        st = ckpt_writer_begin(w, order[i], err);
        if (st == GAN_OK) {
            encode(t, order[i], &b);
            st = ckpt_buf_flush(&b);
        }
        if (st == GAN_OK && b.oom) {
            char ts[5];
            ckpt_tag_str(order[i], ts);
            st = gan_error_at(err, GAN_ERR_NOMEM, path, 0, 0, "out of memory encoding section '%s'", ts);
        }
        if (st == GAN_OK) st = ckpt_writer_end(w, err);
        ckpt_buf_free(&b);
    }
    /* 'DIST' (u32 ranks): from a data-parallel run only, so one-process
     * files stay as they were */
    if (st == GAN_OK && t->job.nranks > 1) {
        uint32_t n = (uint32_t)t->job.nranks;
        uint8_t le[4] = { (uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16), (uint8_t)(n >> 24) };
        st = ckpt_writer_section(w, CKPT_TAG_DIST, le, sizeof le, err);
    }
    return st;
}

/* ---- reading ----------------------------------------------------------- */

gan_status ckpt_state_check_sections(const ckpt_reader *r, gan_error *err)
{
    static const uint32_t need[] = { CKPT_TAG_MODL, CKPT_TAG_BILD, CKPT_TAG_STAT, CKPT_TAG_ORDR,
                                     CKPT_TAG_TENS, CKPT_TAG_OPTG, CKPT_TAG_OPTD };
    if (!ckpt_reader_find(r, CKPT_TAG_MODL) && ckpt_reader_find(r, CKPT_TAG('C', 'L', 'F', 'M')))
        return FAIL(GAN_ERR_FORMAT, "this is a classifier checkpoint, not a GAN's "
                    "(ganrun classify test reads it; ganrun eval takes it with --classifier)");
    for (size_t i = 0; i < sizeof need / sizeof *need; i++)
        if (!ckpt_reader_find(r, need[i])) {
            char ts[5];
            ckpt_tag_str(need[i], ts);
            return FAIL(GAN_ERR_FORMAT, "required section '%s' is missing", ts);
        }
    return GAN_OK;
}

static ckpt_cur cursor(const ckpt_reader *r, uint32_t tag)
{
    const ckpt_section *s = ckpt_reader_find(r, tag);
    ckpt_cur c = { s ? s->data : NULL, s ? s->len : 0, 0, s == NULL };
    return c;
}

/* Every field read and nothing left over. */
static gan_status done(const ckpt_reader *r, const ckpt_cur *c, uint32_t tag, gan_error *err)
{
    char ts[5];
    ckpt_tag_str(tag, ts);
    if (c->bad) return FAIL(GAN_ERR_FORMAT, "section '%s' is too short for its contents", ts);
    if (c->pos != c->len)
        return FAIL(GAN_ERR_FORMAT, "section '%s' has %zu unexpected bytes at its end", ts, c->len - c->pos);
    return GAN_OK;
}

gan_status ckpt_state_model(const ckpt_reader *r, const char **text, size_t *len, uint64_t *hash,
                            gan_error *err)
{
    ckpt_cur c = cursor(r, CKPT_TAG_MODL);
    *hash = ckpt_get_u64(&c);
    uint64_t n = ckpt_get_u64(&c);
    const uint8_t *p = n <= c.len ? ckpt_get_bytes(&c, (size_t)n) : NULL;
    if (!p) c.bad = 1;
    gan_status st = done(r, &c, CKPT_TAG_MODL, err);
    if (st != GAN_OK) return st;
    uint64_t h = ckpt_fnv1a64(p, (size_t)n);
    if (h != *hash)
        return FAIL(GAN_ERR_FORMAT, "model text hash %016" PRIx64 " does not match the stored %016" PRIx64, h,
                    *hash);
    *text = (const char *)p;
    *len = (size_t)n;
    return GAN_OK;
}

gan_status ckpt_state_tensors(const ckpt_reader *r, ckpt_tensor **out, int *nout, gan_error *err)
{
    *out = NULL;
    *nout = 0;
    ckpt_cur c = cursor(r, CKPT_TAG_TENS);
    uint32_t n = ckpt_get_u32(&c);
    /* each tensor takes at least 4 (name) + 4 (dtype) + 4 (rank) + 4 (a dim) bytes */
    if (c.bad || n > (c.len - c.pos) / 16) return FAIL(GAN_ERR_FORMAT, "section 'TENS' claims %" PRIu32 " tensors, more than it holds", n);
    ckpt_tensor *ts = calloc(n ? n : 1, sizeof *ts);
    if (!ts) return FAIL(GAN_ERR_NOMEM, "out of memory");
    for (uint32_t i = 0; i < n; i++) {
        ckpt_tensor *t = &ts[i];
        uint32_t nl = ckpt_get_u32(&c);
        const uint8_t *name = ckpt_get_bytes(&c, nl);
        uint32_t dtype = ckpt_get_u32(&c), rank = ckpt_get_u32(&c);
        if (c.bad) break;
        int printable = 1;
        for (uint32_t k = 0; k < nl && k < sizeof t->name; k++) printable &= name[k] > 0x20 && name[k] < 0x7f;
        if (nl == 0 || nl >= sizeof t->name || !printable) {
            free(ts);
            return FAIL(GAN_ERR_FORMAT, "tensor %" PRIu32 " has a bad name (%" PRIu32 " bytes)", i, nl);
        }
        memcpy(t->name, name, nl);
        if (dtype != CKPT_DTYPE_F32 || rank < 1 || rank > CKPT_MAX_RANK) {
            /* the message names t, which lives in ts: free after */
            gan_status bad = FAIL(GAN_ERR_FORMAT, "tensor %s: dtype %" PRIu32 " rank %" PRIu32
                                  " (expected f32 (0), rank 1..4)", t->name, dtype, rank);
            free(ts);
            return bad;
        }
        t->rank = (int)rank;
        size_t size = 1, left;
        for (int d = 0; d < t->rank; d++) {
            t->dims[d] = ckpt_get_u32(&c);
            left = (c.len - c.pos) / 4;
            if (t->dims[d] && size > left / t->dims[d]) c.bad = 1;   /* larger than what is left */
            else size *= t->dims[d];
        }
        t->size = size;
        t->data = ckpt_get_bytes(&c, c.bad ? 0 : 4 * size);
        if (c.bad) break;
    }
    gan_status st = done(r, &c, CKPT_TAG_TENS, err);
    if (st != GAN_OK) {
        free(ts);
        return st;
    }
    *out = ts;
    *nout = (int)n;
    return GAN_OK;
}

/* 'STAT': the rows of the state table that it holds, in order (longs as
 * u64, random streams as 4 u64), checked before any is set */
static gan_status restore_stat(gan_trainer *t, const ckpt_reader *r, uint64_t norder, gan_error *err)
{
    ckpt_cur c = cursor(r, CKPT_TAG_STAT);
    uint64_t v[64];
    int nv = 0;
    for (int i = 0; i < trainer_state_n; i++) {
        const state_field *f = &trainer_state[i];
        if (!f->ckpt || strcmp(f->ckpt, "STAT")) continue;
        int words = f->kind == STATE_LONG ? 1 : 4;
        for (int k = 0; k < words && nv < 64; k++) v[nv++] = ckpt_get_u64(&c);
    }
    gan_status st = done(r, &c, CKPT_TAG_STAT, err);
    if (st != GAN_OK) return st;
    const uint64_t *p = v;
    for (int i = 0; i < trainer_state_n; i++) {
        const state_field *f = &trainer_state[i];
        if (!f->ckpt || strcmp(f->ckpt, "STAT")) continue;
        if (f->kind == STATE_LONG && *p > LONG_MAX)
            return FAIL(GAN_ERR_FORMAT, "%s %" PRIu64 " is out of range", f->label, *p);
        if (f->kind != STATE_LONG && !(p[0] | p[1] | p[2] | p[3]))
            return FAIL(GAN_ERR_FORMAT, "%s has the all-zero state", f->label);
        /* an empty order (saved without data) keeps the position it had: it
         * cannot be resumed (restore_order refuses it with data) */
        if (f->kind == STATE_LONG && f->at(t) == (void *)&t->state.pos && norder > 0 && *p > norder)
            return FAIL(GAN_ERR_FORMAT, "position %" PRIu64 " is past the data order's %" PRIu64 " entries", *p, norder);
        p += f->kind == STATE_LONG ? 1 : 4;
    }
    p = v;
    for (int i = 0; i < trainer_state_n; i++) {
        const state_field *f = &trainer_state[i];
        if (!f->ckpt || strcmp(f->ckpt, "STAT")) continue;
        if (f->kind == STATE_LONG) {
            *(long *)f->at(t) = (long)*p++;
        } else if (f->kind == STATE_RESERVED) {
            p += 4;   /* read and checked, held by nothing */
        } else {
            gan_rng *g = f->at(t);
            for (int k = 0; k < 4; k++) g->s[k] = *p++;
        }
    }
    return GAN_OK;
}

/* The order must be a permutation of 0..n-1 (so no index can run past the
 * data); it replaces t->state.order when the data set is loaded. */
static gan_status restore_order(gan_trainer *t, const ckpt_reader *r, uint64_t *norder, gan_error *err)
{
    ckpt_cur c = cursor(r, CKPT_TAG_ORDR);
    uint64_t n = ckpt_get_u64(&c);
    const uint8_t *p = n <= c.len / 4 ? ckpt_get_bytes(&c, 4 * (size_t)n) : NULL;
    if (!p) c.bad = 1;
    gan_status st = done(r, &c, CKPT_TAG_ORDR, err);
    if (st != GAN_OK) return st;
    /* an images folder that changed since the checkpoint (its fingerprint
     * differs: resume warns, gan/run.h) cannot take the old order: the
     * trainer keeps the fresh one of the data as it is now, and the epoch
     * under way ends at once if the position is past it */
    int changed = t->data && n != (uint64_t)t->data->n && t->data->fingerprint != 0 && n > 0;
    if (t->data && n != (uint64_t)t->data->n && !changed)
        return FAIL(GAN_ERR_FORMAT, "data order has %" PRIu64 " entries but the data set has %ld samples%s", n,
                    t->data->n, n ? "" : " (checkpoint saved without data)");
    uint8_t *seen = calloc(n / 8 + 1, 1);
    if (!seen) return FAIL(GAN_ERR_NOMEM, "out of memory");
    ckpt_cur e = { p, 4 * (size_t)n, 0, 0 };
    for (uint64_t i = 0; i < n; i++) {
        uint32_t k = ckpt_get_u32(&e);
        if (k >= n || (seen[k / 8] >> (k % 8) & 1)) {
            free(seen);
            return FAIL(GAN_ERR_FORMAT, "data order is not a permutation (entry %" PRIu64 " is %" PRIu32 ")", i, k);
        }
        seen[k / 8] |= (uint8_t)(1u << (k % 8));
        if (t->data && t->state.order && !changed) t->state.order[i] = k;
    }
    free(seen);
    *norder = n;
    return GAN_OK;
}

const char *ckpt_optim_name(uint32_t kind)
{
    static const char *const names[] = { "adam", "sgd", "rmsprop" };
    return kind < 3 ? names[kind] : "(unknown)";
}

static gan_status restore_optim(gan_optim *o, const ckpt_reader *r, uint32_t tag, gan_error *err)
{
    char ts[5];
    ckpt_tag_str(tag, ts);
    ckpt_cur c = cursor(r, tag);
    /* the learning-rate schedule is the model's (its position is the
     * step, in STAT); the rest as the run saved it */
    gan_optim_conf k = o->c;
    k.kind = (gan_optim_kind)ckpt_get_u32(&c);
    k.lr = ckpt_get_f32(&c);
    k.beta1 = ckpt_get_f32(&c);
    k.beta2 = ckpt_get_f32(&c);
    k.eps = ckpt_get_f32(&c);
    k.weight_decay = ckpt_get_f32(&c);
    k.momentum = ckpt_get_f32(&c);
    k.nesterov = (int)ckpt_get_u32(&c);
    k.alpha = ckpt_get_f32(&c);
    uint64_t steps = ckpt_get_u64(&c), n = ckpt_get_u64(&c);
    uint32_t mask = ckpt_get_u32(&c);
    if (c.bad) return done(r, &c, tag, err);
    uint32_t want = (o->m ? 1u : 0u) | (o->v ? 2u : 0u);
    if (k.kind != o->c.kind)
        return FAIL(GAN_ERR_FORMAT, "section '%s': optimizer %s, but the model's is %s", ts,
                    ckpt_optim_name(k.kind), ckpt_optim_name(o->c.kind));
    if (n != o->n || mask != want)
        return FAIL(GAN_ERR_FORMAT, "section '%s': state for %" PRIu64 " parameters (moments 0x%" PRIx32
                    "), the model has %zu (moments 0x%" PRIx32 ")", ts, n, mask, o->n, want);
    if (o->m) ckpt_get_f32s(&c, o->m, o->n);
    if (o->v) ckpt_get_f32s(&c, o->v, o->n);
    gan_status st = done(r, &c, tag, err);
    if (st != GAN_OK) return st;
    o->c = k;   /* the exact bits the run used */
    o->t = steps;
    return GAN_OK;
}

static gan_status restore_net(gan_net *net, char which, ckpt_tensor *ts, int nts, uint8_t *used,
                              const ckpt_reader *r, gan_error *err)
{
    char name[GAN_LAYER_IDLEN + 64];
    for (int i = 0; i < net->n; i++) {
        gan_layer *l = &net->layers[i];
        for (int k = 0; k < l->ntensors; k++) {
            const gan_tensor_info *ti = &l->tensors[k];
            tensor_name(name, sizeof name, which, i, l, ti);
            int j = 0;
            while (j < nts && strcmp(ts[j].name, name)) j++;
            if (j == nts && l->conf.id[0]) {
                /* written before the entry had an id: by its type */
                char bytype[128];
                snprintf(bytype, sizeof bytype, "%c.%d.%s.%s", which, i, l->type->name, ti->name);
                for (j = 0; j < nts && strcmp(ts[j].name, bytype); j++) {}
            }
            if (j == nts) return FAIL(GAN_ERR_FORMAT, "tensor %s of the model is missing", name);
            if (used[j]) return FAIL(GAN_ERR_FORMAT, "tensor %s appears twice", name);
            used[j] = 1;
            int same = ts[j].rank == ti->rank;
            for (int d = 0; same && d < ti->rank; d++) same = ts[j].dims[d] == (uint32_t)ti->dims[d];
            if (!same || ts[j].size != ti->size) {
                char a[64] = "(", b[64] = "(";
                for (int d = 0; d < ts[j].rank; d++)
                    snprintf(a + strlen(a), sizeof a - strlen(a), "%s%" PRIu32, d ? ", " : "", ts[j].dims[d]);
                for (int d = 0; d < ti->rank; d++)
                    snprintf(b + strlen(b), sizeof b - strlen(b), "%s%d", d ? ", " : "", ti->dims[d]);
                return FAIL(GAN_ERR_SHAPE, "tensor %s has shape %s) in the checkpoint but %s) in its model",
                            name, a, b);
            }
            ckpt_cur c = { ts[j].data, 4 * ts[j].size, 0, 0 };
            ckpt_get_f32s(&c, (ti->is_buffer ? l->bufs : l->params) + ti->offset, ti->size);
        }
    }
    return GAN_OK;
}

/* 'EMAG' must be there exactly when the model has train.ema. */
static gan_status restore_ema(gan_trainer *t, const ckpt_reader *r, gan_error *err)
{
    int have = ckpt_reader_find(r, CKPT_TAG_EMAG) != NULL;
    if (!have && !t->state.ema) return GAN_OK;
    if (!have) return FAIL(GAN_ERR_FORMAT, "section 'EMAG' is missing, but the model has train.ema");
    if (!t->state.ema) return FAIL(GAN_ERR_FORMAT, "section 'EMAG' is present, but the model has no train.ema");
    ckpt_cur c = cursor(r, CKPT_TAG_EMAG);
    uint64_t np = ckpt_get_u64(&c), nb = ckpt_get_u64(&c);
    if (!c.bad && (np != t->G->nparams || nb != t->G->nbufs))
        return FAIL(GAN_ERR_FORMAT, "section 'EMAG': %" PRIu64 " parameters and %" PRIu64 " buffers, the "
                    "generator has %zu and %zu", np, nb, t->G->nparams, t->G->nbufs);
    if (!c.bad) ckpt_get_f32s(&c, t->state.ema, t->G->nparams + t->G->nbufs);
    return done(r, &c, CKPT_TAG_EMAG, err);
}

/* 'AUGP': train.augment's probability p (optional; the model's p without) */
static gan_status restore_augp(gan_trainer *t, const ckpt_reader *r, gan_error *err)
{
    if (!ckpt_reader_find(r, CKPT_TAG_AUGP)) return GAN_OK;
    ckpt_cur c = cursor(r, CKPT_TAG_AUGP);
    float p = ckpt_get_f32(&c);
    gan_status st = done(r, &c, CKPT_TAG_AUGP, err);
    if (st != GAN_OK) return st;
    if (!(p >= 0.0f && p <= 1.0f)) return FAIL(GAN_ERR_FORMAT, "section 'AUGP': p %g is not in [0, 1]", (double)p);
    t->state.aug_p = p;
    return GAN_OK;
}

/* 'DATA': the fingerprint of the data the run was trained on (optional). */
static gan_status restore_data(gan_trainer *t, const ckpt_reader *r, gan_error *err)
{
    t->loaded.data_fingerprint = 0;
    if (!ckpt_reader_find(r, CKPT_TAG_DATA)) return GAN_OK;
    ckpt_cur c = cursor(r, CKPT_TAG_DATA);
    t->loaded.data_fingerprint = ckpt_get_u64(&c);
    return done(r, &c, CKPT_TAG_DATA, err);
}

gan_status ckpt_state_restore(gan_trainer *t, const ckpt_reader *r, gan_error *err)
{
    ckpt_tensor *ts;
    int nts;
    uint64_t norder = 0;
    /* tensors first: a checkpoint of another model is best told by name */
    gan_status st = ckpt_state_check_sections(r, err);
    if (st == GAN_OK) st = ckpt_state_tensors(r, &ts, &nts, err);
    if (st != GAN_OK) return st;
    uint8_t *used = calloc((size_t)nts + 1, 1);
    if (!used) st = FAIL(GAN_ERR_NOMEM, "out of memory");
    if (st == GAN_OK) st = restore_net(t->G, 'g', ts, nts, used, r, err);
    if (st == GAN_OK) st = restore_net(t->D, 'd', ts, nts, used, r, err);
    for (int j = 0; st == GAN_OK && j < nts; j++)
        if (!used[j]) st = FAIL(GAN_ERR_FORMAT, "tensor %s is not in the model (or appears twice)", ts[j].name);
    free(used);
    free(ts);
    if (st == GAN_OK) st = restore_optim(&t->gopt, r, CKPT_TAG_OPTG, err);
    if (st == GAN_OK) st = restore_optim(&t->dopt, r, CKPT_TAG_OPTD, err);
    if (st == GAN_OK) st = restore_order(t, r, &norder, err);
    if (st == GAN_OK) st = restore_stat(t, r, norder, err);
    if (st == GAN_OK) st = ckpt_state_nranks(r, &t->loaded.nranks, err);
    if (st == GAN_OK) st = restore_ema(t, r, err);
    if (st == GAN_OK) st = restore_augp(t, r, err);
    if (st == GAN_OK) st = restore_data(t, r, err);
    return st;
}

gan_status ckpt_state_nranks(const ckpt_reader *r, int *nranks, gan_error *err)
{
    *nranks = 1;
    if (!ckpt_reader_find(r, CKPT_TAG_DIST)) return GAN_OK;
    ckpt_cur c = cursor(r, CKPT_TAG_DIST);
    uint32_t n = ckpt_get_u32(&c);
    gan_status st = done(r, &c, CKPT_TAG_DIST, err);
    if (st != GAN_OK) return st;
    if (n < 1 || n > 1u << 24) return FAIL(GAN_ERR_FORMAT, "section 'DIST': %" PRIu32 " ranks", n);
    *nranks = (int)n;
    return GAN_OK;
}

gan_status ckpt_state_open_model(ckpt_reader **r, const char *path, ckpt_model_text *m, gan_error *err)
{
    gan_status st = ckpt_reader_open(r, path, err);
    if (st != GAN_OK) {
        *r = NULL;
        return st;
    }
    st = ckpt_state_check_sections(*r, err);
    if (st == GAN_OK) st = ckpt_state_model(*r, &m->text, &m->len, &m->hash, err);
    if (st != GAN_OK) {
        ckpt_reader_free(*r);
        *r = NULL;
    }
    return st;
}
