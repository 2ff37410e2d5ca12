/* graph.c - the blocks of a model file: named sub-graphs with parameters,
 * expanded into plain entries before the stacks are parsed.
 *
 *   blocks:
 *     res: {params: {ch: int, slope: {type: float, default: 0.2}},
 *           layers: [...entries, $ch where a value stands...]}
 *   generator:
 *     - res: {ch: 64}              # a use; may carry id and from
 *
 * A block may read several inputs, declared by name (inputs: [x, skip]);
 * a use then names as many entries in its from, in that order, and inside
 * the block the names (and input, for the first) stand for them:
 *
 *     up_skip:
 *       inputs: [x, skip]
 *       params: {ch: int}
 *       layers:
 *         - upsample: {factor: 2}                    # reads x
 *         - conv2d: {filters: $ch, kernel: 3, pad: 1, id: up}
 *         - concat: {from: [up, skip]}
 *     - up_skip: {ch: 32, from: [h, e1]}             # x = h, skip = e1
 *
 * A use becomes the block's entries, copied, with every $name scalar
 * replaced by a copy of the parameter's value node (so an error in it
 * points where the value was written).  Ids inside a use are local: entry
 * `main` of the second `res` in a list becomes `res.1.main` (or ID.main
 * when the use has id: ID), `input` inside a block names the block's
 * input, and the block's last entry gets the use's name, so later entries
 * can read it.  The result is a flat list that gan_model_parse_stack
 * reads like any other: its ids and from names are global, and that text
 * is what `ganrun check --expand` writes.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/schema.h"

#define MAXDEPTH 16      /* blocks inside blocks */
#define MAXPARAMS 32
#define MAXENTRIES 4096  /* entries one list may expand to */
#define MAXINPUTS 8      /* inputs of one block */

typedef enum ptype { P_INT, P_FLOAT, P_BOOL } ptype;
static const char *const ptype_names[] = { "int", "float", "bool", NULL };

/* the parameters of one use: names, types, value nodes */
typedef struct pset {
    const char *block;
    int n;
    const char *name[MAXPARAMS];
    ptype type[MAXPARAMS];
    const ynode *val[MAXPARAMS];   /* may be NULL: no default */
} pset;

/* one scope: a list being expanded (the top-level stack or a use) */
typedef struct scope {
    const char *prefix;        /* NULL at the top level */
    char in[GAN_LAYER_IDLEN];  /* the scope's input, a global name, or "":
                                * flat entry in_idx, named when a from
                                * needs its name (name_entry) */
    int in_idx;
    int in_is_prev;            /* the input is the flat entry before the scope's first */
    const pset *ps;            /* NULL at the top level */
    const char *local[256];    /* local ids so far (the block's own nodes) */
    int nlocal;
    /* a block's inputs (declared with inputs: [a, b, ...]; default one,
     * named input): names[0]'s global name is in above, the others' in
     * ins[]; used[] records which of them a from has read */
    int nin;
    const char *names[MAXINPUTS];
    char ins[MAXINPUTS][GAN_LAYER_IDLEN];
    int used[MAXINPUTS];
    const ynode *in_at[MAXINPUTS];  /* where each input's name was written
                                     * (NULL: the previous entry), for errors */
    const ynode *names_at;     /* the block's inputs list (NULL: none declared) */
} scope;

typedef struct xctx {
    const mctx *c;
    const ynode *blocks;       /* the blocks mapping, or NULL */
    ynode *out;                /* the flat list (Y_SEQ) */
    const char *stack[MAXDEPTH];
    int depth;
    unsigned char *checked;    /* (blocks) 1: the block and all it uses are free of cycles */
} xctx;

static gan_status nomem(const xctx *X)
{
    return gan_error_set(X->c->err, GAN_ERR_NOMEM, "out of memory expanding blocks");
}

static ynode *copy(const ynode *n)
{
    if (!n) return NULL;
    ynode *m = ytree_new(n->kind, n->line, n->col, n->origin);
    if (!m) return NULL;
    m->plain = n->plain;
    if (n->s && !(m->s = strdup(n->s))) goto fail;
    for (int i = 0; i < n->n; i++) {
        ynode *k = n->kind == Y_MAP ? copy(n->key[i]) : NULL, *v = copy(n->val[i]);
        if ((n->kind == Y_MAP && !k) || (n->val[i] && !v) || !ytree_append(m, k, v)) {
            ytree_free(k);
            ytree_free(v);
            goto fail;
        }
    }
    return m;
fail:
    ytree_free(m);
    return NULL;
}

static const ynode *block_def(const xctx *X, const char *name)
{
    return X->blocks ? ytree_get(X->blocks, name, NULL) : NULL;
}

/* the entry's type key node and options (NULL when bare or malformed) */
static const ynode *entry_type(const ynode *item, const ynode **opts)
{
    *opts = NULL;
    if (item->kind == Y_SCALAR && !ytree_is_null(item)) return item;
    if (item->kind == Y_MAP && item->n == 1) {
        *opts = item->val[0];
        return item->key[0];
    }
    return NULL;
}

static int is_ref(const ynode *n)
{
    return n->kind == Y_SCALAR && n->plain && n->s[0] == '$';
}

/* Replace every $name scalar under n (values only) by a copy of its
 * value; at the top level (ps NULL) a $name is an error. */
static gan_status substitute(const xctx *X, ynode *n, const pset *ps)
{
    for (int i = 0; i < n->n; i++) {
        ynode *v = n->val[i];
        if (!v) continue;
        if (!is_ref(v)) {
            gan_status st = substitute(X, v, ps);
            if (st != GAN_OK) return st;
            continue;
        }
        if (!ps)
            return gan_model_err(X->c, v, GAN_ERR_INVALID, "'%.60s' outside a block (expected a value: $name "
                                 "stands for a parameter of the block it is in)", v->s);
        int p = 0;
        while (p < ps->n && strcmp(ps->name[p], v->s + 1)) p++;
        if (p == ps->n) {
            char list[400] = "";
            size_t len = 0;
            for (int q = 0; q < ps->n && len < sizeof list; q++)
                len += (size_t)snprintf(list + len, sizeof list - len, "%s$%s", q ? ", " : "", ps->name[q]);
            const char *sug = gan_model_suggest(v->s + 1, ps->name, ps->n);
            char hint[120] = "";
            if (sug) snprintf(hint, sizeof hint, "; did you mean '$%s'?", sug);
            return gan_model_err(X->c, v, GAN_ERR_INVALID, "undefined parameter '%.60s' in block %s (expected %s%s%s)",
                                 v->s, ps->block, ps->n ? "one of: " : "no $name: the block has no params", list, hint);
        }
        ynode *r = copy(ps->val[p]);
        if (!r) return nomem(X);
        ytree_free(v);
        n->val[i] = r;
    }
    return GAN_OK;
}

/* ---- definitions ---------------------------------------------------------- */

static gan_status param_type(const xctx *X, const ynode *t, ptype *out)
{
    for (int i = 0; ptype_names[i]; i++)
        if (t->kind == Y_SCALAR && !strcmp(t->s, ptype_names[i])) {
            *out = (ptype)i;
            return GAN_OK;
        }
    return gan_model_err(X->c, t, GAN_ERR_INVALID, "invalid parameter type '%.40s' (expected int, float or bool)",
                         t->kind == Y_SCALAR ? t->s : ytree_kind_name(t->kind));
}

/* v is a valid value of a parameter of type t (the range is checked
 * where the value lands: the layer option) */
static gan_status param_value(const xctx *X, const ynode *v, const char *name, const char *block, ptype t)
{
    const char *want = t == P_INT ? "an int" : t == P_FLOAT ? "a float" : "a bool (true or false)";
    if (v->kind != Y_SCALAR || ytree_is_null(v))
        return gan_model_err(X->c, v, GAN_ERR_INVALID, "%s is not a valid value for parameter %s of block %s "
                             "(expected %s)", ytree_is_null(v) ? "an empty value" : ytree_kind_name(v->kind),
                             name, block, want);
    char *end = NULL;
    int ok = v->plain;
    if (ok && t == P_INT) {
        (void)strtoll(v->s, &end, 10);
        ok = end != v->s && !*end;
    } else if (ok && t == P_FLOAT) {
        double x = strtod(v->s, &end);
        ok = end != v->s && !*end && x - x == 0;
    } else if (ok) {
        ok = !strcmp(v->s, "true") || !strcmp(v->s, "false");
    }
    if (!ok)
        return gan_model_err(X->c, v, GAN_ERR_INVALID, "invalid value '%.40s' for parameter %s of block %s "
                             "(expected %s)", v->s, name, block, want);
    return GAN_OK;
}

/* a block's declared parameters, defaults only (values: the use's) */
static gan_status read_params(const xctx *X, const char *block, const ynode *def, pset *ps)
{
    const ynode *p = ytree_get(def, "params", NULL);
    ps->block = block;
    ps->n = 0;
    if (!p || ytree_is_null(p)) return GAN_OK;
    if (p->kind != Y_MAP)
        return gan_model_err(X->c, p, GAN_ERR_INVALID, "params of block %s is %s (expected a mapping "
                             "{name: int|float|bool, ...})", block, ytree_kind_name(p->kind));
    if (p->n > MAXPARAMS)
        return gan_model_err(X->c, p, GAN_ERR_INVALID, "block %s has %d params (expected at most %d)", block,
                             p->n, MAXPARAMS);
    for (int i = 0; i < p->n; i++) {
        const ynode *k = p->key[i], *v = p->val[i];
        gan_status st;
        if (!gan_model_id_ok(k->s) || strchr(k->s, '.'))
            return gan_model_err(X->c, k, GAN_ERR_INVALID, "'%.60s' is not a valid parameter name (expected "
                                 "letters, digits and _)", k->s);
        if (!strcmp(k->s, "id") || !strcmp(k->s, "from"))
            return gan_model_err(X->c, k, GAN_ERR_INVALID, "parameter name '%s' is reserved (id and from "
                                 "place a use in the graph)", k->s);
        ps->name[i] = k->s;
        ps->val[i] = NULL;
        if (v->kind == Y_MAP) {
            const char *names[2] = { "type", "default" };
            for (int j = 0; j < v->n; j++)
                if (strcmp(v->key[j]->s, "type") && strcmp(v->key[j]->s, "default")) {
                    const char *sug = gan_model_suggest(v->key[j]->s, names, 2);
                    return gan_model_err(X->c, v->key[j], GAN_ERR_INVALID, "unknown key '%.40s' in parameter %s "
                                         "of block %s (expected type, default%s%s%s)", v->key[j]->s, k->s, block,
                                         sug ? "; did you mean '" : "", sug ? sug : "", sug ? "'?" : "");
                }
            const ynode *t = ytree_get(v, "type", NULL);
            if (!t)
                return gan_model_err(X->c, v, GAN_ERR_INVALID, "missing required key 'type' in parameter %s of "
                                     "block %s (expected: int, float or bool)", k->s, block);
            if ((st = param_type(X, t, &ps->type[i])) != GAN_OK) return st;
            ps->val[i] = ytree_get(v, "default", NULL);
            if (ps->val[i] && (st = param_value(X, ps->val[i], k->s, block, ps->type[i])) != GAN_OK) return st;
        } else if ((st = param_type(X, v, &ps->type[i])) != GAN_OK) {
            return st;
        }
        ps->n = i + 1;
    }
    return GAN_OK;
}

/* a block's inputs: inputs: [a, b, ...] (1 to MAXINPUTS distinct names),
 * or the one input named input */
static gan_status read_inputs(const xctx *X, const char *block, const ynode *def, scope *S)
{
    const ynode *l = ytree_get(def, "inputs", NULL);
    S->nin = 1;
    S->names[0] = "input";
    S->names_at = NULL;
    memset(S->used, 0, sizeof S->used);
    if (!l) return GAN_OK;
    if (l->kind != Y_SEQ || l->n < 1 || l->n > MAXINPUTS)
        return gan_model_err(X->c, l, GAN_ERR_INVALID, "inputs of block %s is %s (expected a list of 1 to %d "
                             "names, such as [x, skip])", block,
                             l->kind == Y_SEQ ? (l->n ? "too long" : "empty") : ytree_kind_name(l->kind), MAXINPUTS);
    for (int i = 0; i < l->n; i++) {
        const ynode *e = l->val[i];
        if (e->kind != Y_SCALAR || !gan_model_id_ok(e->s) || strchr(e->s, '.'))
            return gan_model_err(X->c, e, GAN_ERR_INVALID, "'%.60s' is not a valid input name (expected "
                                 "letters, digits and _)", e->kind == Y_SCALAR ? e->s : ytree_kind_name(e->kind));
        if (!strcmp(e->s, "input") && i > 0)
            return gan_model_err(X->c, e, GAN_ERR_INVALID, "input name 'input' is reserved for the first "
                                 "input of block %s (expected another name)", block);
        for (int j = 0; j < i; j++)
            if (!strcmp(S->names[j], e->s))
                return gan_model_err(X->c, e, GAN_ERR_INVALID, "duplicate input name '%s' in block %s", e->s,
                                     block);
        S->names[i] = e->s;
    }
    S->nin = l->n;
    S->names_at = l;
    return GAN_OK;
}

/* the definitions' shape, names and params; the uses of each other
 * without a cycle (a depth-first walk from every block that visits each
 * block's entries once: a block found free of cycles is marked and not
 * walked again, so the check is linear in the entries however the blocks
 * fan out) */
static gan_status check_cycle(xctx *X, const char *name, const ynode *at);

static gan_status check_defs(xctx *X)
{
    const ynode *bs = X->blocks;
    if (bs->kind != Y_MAP)
        return gan_model_err(X->c, bs, GAN_ERR_INVALID, "blocks is %s (expected a mapping of block names to "
                             "{params: ..., layers: [...]})", ytree_is_null(bs) ? "an empty value" : ytree_kind_name(bs->kind));
    for (int i = 0; i < bs->n; i++) {
        const ynode *k = bs->key[i], *d = bs->val[i];
        if (gan_layer_find(k->s))
            return gan_model_err(X->c, k, GAN_ERR_INVALID, "block '%.60s' has the name of a layer type "
                                 "(expected a new name)", k->s);
        if (!gan_model_id_ok(k->s) || strchr(k->s, '.'))
            return gan_model_err(X->c, k, GAN_ERR_INVALID, "'%.60s' is not a valid block name (expected "
                                 "letters, digits and _)", k->s);
        if (d->kind != Y_MAP)
            return gan_model_err(X->c, d, GAN_ERR_INVALID, "block %s is %s (expected a mapping {params: ..., "
                                 "layers: [...]})", k->s, ytree_is_null(d) ? "an empty value" : ytree_kind_name(d->kind));
        for (int j = 0; j < d->n; j++)
            if (strcmp(d->key[j]->s, "params") && strcmp(d->key[j]->s, "layers") &&
                strcmp(d->key[j]->s, "inputs")) {
                const char *names[3] = { "params", "inputs", "layers" };
                const char *sug = gan_model_suggest(d->key[j]->s, names, 3);
                return gan_model_err(X->c, d->key[j], GAN_ERR_INVALID, "unknown key '%.40s' in block %s "
                                     "(expected params, inputs, layers%s%s%s)", d->key[j]->s, k->s,
                                     sug ? "; did you mean '" : "", sug ? sug : "", sug ? "'?" : "");
            }
        const ynode *l = ytree_get(d, "layers", NULL);
        if (!l)
            return gan_model_err(X->c, k, GAN_ERR_INVALID, "missing required key 'layers' in block %s "
                                 "(expected: the block's entries)", k->s);
        if (l->kind != Y_SEQ || l->n == 0)
            return gan_model_err(X->c, l, GAN_ERR_INVALID, "layers of block %s is %s (expected a list of at "
                                 "least one entry)", k->s, l->kind == Y_SEQ ? "empty" : ytree_kind_name(l->kind));
        pset ps;
        scope sc;
        gan_status st = read_params(X, k->s, d, &ps);
        if (st == GAN_OK) st = read_inputs(X, k->s, d, &sc);
        if (st != GAN_OK) return st;
    }
    X->checked = calloc((size_t)bs->n, 1);
    if (!X->checked) return nomem(X);
    gan_status st = GAN_OK;
    for (int i = 0; i < bs->n && st == GAN_OK; i++) {
        X->depth = 0;
        st = check_cycle(X, bs->key[i]->s, bs->key[i]);
    }
    free(X->checked);
    X->checked = NULL;
    X->depth = 0;
    return st;
}

static int block_index(const xctx *X, const char *name)
{
    for (int i = 0; i < X->blocks->n; i++)
        if (!strcmp(X->blocks->key[i]->s, name)) return i;
    return -1;
}

static gan_status check_cycle(xctx *X, const char *name, const ynode *at)
{
    int bi = block_index(X, name);
    if (bi >= 0 && X->checked[bi]) return GAN_OK;
    for (int i = 0; i < X->depth; i++)
        if (!strcmp(X->stack[i], name)) {
            char path[600] = "";
            size_t len = 0;
            for (int j = i; j < X->depth && len < sizeof path; j++)
                len += (size_t)snprintf(path + len, sizeof path - len, "%s -> ", X->stack[j]);
            if (len < sizeof path) snprintf(path + len, sizeof path - len, "%s", name);
            return gan_model_err(X->c, at, GAN_ERR_INVALID, "block %s uses itself (%s; expected no recursion)",
                                 X->stack[i], path);
        }
    if (X->depth == MAXDEPTH)
        return gan_model_err(X->c, at, GAN_ERR_INVALID, "blocks nested deeper than %d (expected fewer levels)",
                             MAXDEPTH);
    X->stack[X->depth++] = name;
    const ynode *l = ytree_get(block_def(X, name), "layers", NULL);
    for (int i = 0; i < l->n; i++) {
        const ynode *opts, *t = entry_type(l->val[i], &opts);
        if (t && block_def(X, t->s)) {
            gan_status st = check_cycle(X, t->s, t);
            if (st != GAN_OK) return st;
        }
    }
    X->depth--;
    if (bi >= 0) X->checked[bi] = 1;
    return GAN_OK;
}

/* ---- uses ------------------------------------------------------------------ */

static gan_status expand_list(xctx *X, const ynode *list, scope *S);
static const char *name_entry(xctx *X, int i);

/* the id a block definition's entry gives itself (NULL: none) */
static const char *def_id(const ynode *item)
{
    const ynode *opts, *t = entry_type(item, &opts);
    const ynode *id = t && opts && opts->kind == Y_MAP ? ytree_get(opts, "id", NULL) : NULL;
    return id && id->kind == Y_SCALAR ? id->s : NULL;
}

/* S's input as a global name */
static const char *scope_in(xctx *X, scope *S)
{
    if (!S->in[0]) {
        const char *n = name_entry(X, S->in_idx);
        if (!n) return NULL;
        snprintf(S->in, sizeof S->in, "%s", n);
    }
    return S->in;
}

/* the global name of a local name in S (NULL: unknown, later: a later id);
 * *pos: where that name was written (e, or the use's from it came in by) */
static gan_status resolve(xctx *X, scope *S, const ynode *e, const ynode *list, int at, char *out,
                          size_t n, const ynode **pos)
{
    *pos = e;
    if (e->kind != Y_SCALAR || ytree_is_null(e))
        return gan_model_err(X->c, e, GAN_ERR_INVALID, "%s in from is not a name (expected an id or input)",
                             ytree_is_null(e) ? "an empty value" : ytree_kind_name(e->kind));
    if (!S->prefix) {   /* the top level: names are global; parse_stack checks them */
        snprintf(out, n, "%s", e->s);
        return GAN_OK;
    }
    for (int k = 0; k < S->nin; k++)
        if (!strcmp(e->s, S->names[k]) || (k == 0 && !strcmp(e->s, "input"))) {
            const char *in = k ? S->ins[k] : scope_in(X, S);
            if (!in) return nomem(X);
            snprintf(out, n, "%s", in);
            S->used[k] = 1;
            if (S->in_at[k]) *pos = S->in_at[k];
            return GAN_OK;
        }
    for (int i = 0; i < S->nlocal; i++)
        if (!strcmp(S->local[i], e->s)) {
            snprintf(out, n, "%s.%s", S->prefix, e->s);
            return GAN_OK;
        }
    for (int i = at; i < list->n; i++) {
        const ynode *opts, *t = entry_type(list->val[i], &opts);
        const ynode *id = t && opts && opts->kind == Y_MAP ? ytree_get(opts, "id", NULL) : NULL;
        if (id && id->kind == Y_SCALAR && !strcmp(id->s, e->s))
            return gan_model_err(X->c, e, GAN_ERR_INVALID, "from '%s' names %s (line %d; expected an earlier "
                                 "entry: an entry reads only entries above it)", e->s,
                                 i == at ? "this entry itself" : "a later entry", id->line);
    }
    const char *names[257 + MAXINPUTS];
    int nn = 0;
    names[nn++] = "input";
    for (int k = 0; k < S->nin; k++)
        if (strcmp(S->names[k], "input")) names[nn++] = S->names[k];
    for (int i = 0; i < S->nlocal && nn < 257; i++) names[nn++] = S->local[i];
    const char *sug = gan_model_suggest(e->s, names, nn);
    char hint[200] = "";
    if (sug) snprintf(hint, sizeof hint, "; did you mean '%s'?", sug);
    return gan_model_err(X->c, e, GAN_ERR_INVALID, "unknown from '%.80s' in block %s (expected the id of an "
                         "earlier entry of the block, or %s%s)", e->s, S->ps->block,
                         S->nin > 1 ? "one of its inputs" : "input", hint);
}

/* The options mapping of flat entry *slot, made one when the entry is a
 * bare TYPE or has empty options; NULL when its options are not a mapping
 * (parse_stack reports that). */
static ynode *opts_of(ynode **slot)
{
    ynode *item = *slot;
    if (item->kind == Y_SCALAR) {
        ynode *m = ytree_new(Y_MAP, item->line, item->col, item->origin);
        if (!m || !ytree_append(m, item, NULL)) {
            free(m);
            return NULL;
        }
        *slot = item = m;
    }
    if (item->kind != Y_MAP || item->n != 1) return NULL;
    ynode **o = &item->val[0];
    if (!*o || ytree_is_null(*o)) {
        ynode *m = ytree_new(Y_MAP, item->line, item->col, item->origin);
        if (!m) return NULL;
        ytree_free(*o);
        *o = m;
    }
    return (*o)->kind == Y_MAP ? *o : NULL;
}

/* set key to the scalar text s in the options mapping o (position at) */
static int set_key(ynode *o, const char *key, const char *s, const ynode *at)
{
    int idx = -1;
    ytree_get(o, key, &idx);
    ynode *v = ytree_scalar(s, 1, at->origin);
    if (!v) return 0;
    v->line = at->line;
    v->col = at->col;
    if (idx >= 0) {
        ytree_free(o->val[idx]);
        o->val[idx] = v;
        return 1;
    }
    ynode *k = ytree_scalar(key, 1, at->origin);
    if (!k || !ytree_append(o, k, v)) {
        ytree_free(k);
        ytree_free(v);
        return 0;
    }
    k->line = at->line;
    k->col = at->col;
    return 1;
}

/* the id of flat entry i, given one (TYPE_i) when it has none */
static const char *name_entry(xctx *X, int i)
{
    ynode *o = opts_of(&X->out->val[i]);
    if (!o) return NULL;
    const ynode *id = ytree_get(o, "id", NULL);
    if (id && id->kind == Y_SCALAR) return id->s;
    char name[GAN_LAYER_IDLEN];
    snprintf(name, sizeof name, "%.40s_%d", X->out->val[i]->key[0]->s, i);
    if (!set_key(o, "id", name, X->out->val[i])) return NULL;
    return ytree_get(o, "id", NULL)->s;
}

static gan_status use_block(xctx *X, scope *S, const ynode *list, int at, const ynode *t,
                            const ynode *opts, int nth)
{
    const ynode *def = block_def(X, t->s);
    pset ps;
    gan_status st = read_params(X, t->s, def, &ps);
    if (st != GAN_OK) return st;
    if (opts && !ytree_is_null(opts) && opts->kind != Y_MAP)
        return gan_model_err(X->c, opts, GAN_ERR_INVALID, "parameters of block %s are %s (expected a mapping "
                             "{name: value, ...})", t->s, ytree_kind_name(opts->kind));
    const ynode *idn = NULL, *fromn = NULL;
    if (opts && opts->kind == Y_MAP)
        for (int i = 0; i < opts->n; i++) {
            const ynode *k = opts->key[i], *v = opts->val[i];
            if (!strcmp(k->s, "id")) { idn = v; continue; }
            if (!strcmp(k->s, "from")) { fromn = v; continue; }
            int p = 0;
            while (p < ps.n && strcmp(ps.name[p], k->s)) p++;
            if (p == ps.n) {
                char list2[400] = "";
                size_t len = 0;
                for (int q = 0; q < ps.n && len < sizeof list2; q++)
                    len += (size_t)snprintf(list2 + len, sizeof list2 - len, "%s%s", q ? ", " : "", ps.name[q]);
                const char *sug = gan_model_suggest(k->s, ps.name, ps.n);
                return gan_model_err(X->c, k, GAN_ERR_INVALID, "unknown parameter '%.40s' of block %s (expected %s%s%s%s%s)",
                                     k->s, t->s, ps.n ? "one of: " : "no parameters", list2,
                                     sug ? "; did you mean '" : "", sug ? sug : "", sug ? "'?" : "");
            }
            if ((st = param_value(X, v, k->s, t->s, ps.type[p])) != GAN_OK) return st;
            ps.val[p] = v;
        }
    for (int p = 0; p < ps.n; p++)
        if (!ps.val[p])
            return gan_model_err(X->c, t, GAN_ERR_INVALID, "missing parameter '%s' of block %s (expected %s %s)",
                                 ps.name[p], t->s, ps.type[p] == P_INT ? "an" : "a", ptype_names[ps.type[p]]);
    /* the use's name, and its input */
    char prefix[GAN_LAYER_IDLEN];
    if (idn) {
        if (idn->kind != Y_SCALAR || !gan_model_id_ok(idn->s) || !strcmp(idn->s, "input"))
            return gan_model_err(X->c, idn, GAN_ERR_INVALID, "'%.60s' is not a valid id (expected a name such "
                                 "as up1, not input)", idn->kind == Y_SCALAR ? idn->s : ytree_kind_name(idn->kind));
        if (S->prefix) snprintf(prefix, sizeof prefix, "%s.%s", S->prefix, idn->s);
        else snprintf(prefix, sizeof prefix, "%s", idn->s);
    } else if (S->prefix) {
        snprintf(prefix, sizeof prefix, "%s.%s.%d", S->prefix, t->s, nth);
    } else {
        snprintf(prefix, sizeof prefix, "%s.%d", t->s, nth);
    }
    if (strlen(prefix) >= GAN_LAYER_IDLEN - 16)
        return gan_model_err(X->c, t, GAN_ERR_INVALID, "the ids of block %s would be too long (%s...: blocks "
                             "nested too deep)", t->s, prefix);
    scope inner = { .prefix = prefix, .in_idx = -1, .ps = &ps };
    if ((st = read_inputs(X, t->s, def, &inner)) != GAN_OK) return st;
    if (fromn) {
        int cnt = fromn->kind == Y_SEQ ? fromn->n : 1;
        if (cnt != inner.nin && inner.nin == 1)
            return gan_model_err(X->c, fromn, GAN_ERR_INVALID, "from names %d inputs for block %s (expected one: "
                                 "the block declares no inputs, so it reads one)", cnt, t->s);
        if (cnt != inner.nin)
            return gan_model_err(X->c, fromn, GAN_ERR_INVALID, "from names %d input%s for block %s (expected %d: "
                                 "its inputs are [%s%s%s%s])", cnt, cnt == 1 ? "" : "s", t->s, inner.nin,
                                 inner.names[0], inner.nin > 1 ? ", " : "", inner.nin > 1 ? inner.names[1] : "",
                                 inner.nin > 2 ? ", ..." : "");
        for (int k = 0; k < cnt; k++) {
            const ynode *e = fromn->kind == Y_SEQ ? fromn->val[k] : fromn;
            char *dst = k ? inner.ins[k] : inner.in;
            if ((st = resolve(X, S, e, list, at, dst, GAN_LAYER_IDLEN, &inner.in_at[k])) != GAN_OK) return st;
        }
    } else if (inner.nin > 1) {
        return gan_model_err(X->c, t, GAN_ERR_INVALID, "block %s reads %d inputs (expected from: [...] naming "
                             "them, in the order of its inputs [%s, %s%s])", t->s, inner.nin, inner.names[0],
                             inner.names[1], inner.nin > 2 ? ", ..." : "");
    } else if (at == 0) {
        memcpy(inner.in, S->in, sizeof inner.in);
        inner.in_idx = S->in_idx;
        inner.in_is_prev = S->in_is_prev;
        inner.in_at[0] = S->in_at[0];
    } else {
        inner.in_idx = X->out->n - 1;
        inner.in_is_prev = 1;
    }
    X->stack[X->depth++] = t->s;
    st = expand_list(X, ytree_get(def, "layers", NULL), &inner);
    X->depth--;
    if (st != GAN_OK) return st;
    /* a declared input that no entry reads would leave its value unused */
    for (int k = 1; k < inner.nin; k++)
        if (!inner.used[k])
            return gan_model_err(X->c, inner.names_at->val[k], GAN_ERR_INVALID, "input %s of block %s is never "
                                 "read (expected an entry with from: %s)", inner.names[k], t->s, inner.names[k]);
    /* the block's output carries the use's name */
    ynode *o = opts_of(&X->out->val[X->out->n - 1]);
    if (!o || !set_key(o, "id", prefix, idn ? idn : X->out->val[X->out->n - 1])) return nomem(X);
    return GAN_OK;
}

/* ---- the entry point ---------------------------------------------------------- */

static void drop_key(ynode *m, int i)
{
    ytree_free(m->key[i]);
    ytree_free(m->val[i]);
    for (int j = i + 1; j < m->n; j++) {
        m->key[j - 1] = m->key[j];
        m->val[j - 1] = m->val[j];
    }
    m->n--;
}

gan_status gan_model_expand_blocks(const mctx *c, ynode *root, const char *const *stacks, int nstacks)
{
    int bi = -1;
    xctx X = { c, ytree_get(root, "blocks", &bi), NULL, { 0 }, 0, NULL };
    gan_status st = GAN_OK;
    if (X.blocks && (st = check_defs(&X)) != GAN_OK) return st;
    for (int s = 0; s < nstacks; s++) {
        int si = -1;
        ynode *list = ytree_get(root, stacks[s], &si);
        if (!list || list->kind != Y_SEQ) continue;
        X.out = ytree_new(Y_SEQ, list->line, list->col, list->origin);
        if (!X.out) return nomem(&X);
        scope top = { .prefix = NULL, .in = "input", .in_idx = -1, .in_is_prev = 1 };
        X.depth = 0;
        st = expand_list(&X, list, &top);
        if (st != GAN_OK) {
            ytree_free(X.out);
            return st;
        }
        ytree_free(root->val[si]);
        root->val[si] = X.out;
    }
    if (X.blocks) drop_key(root, bi);
    return GAN_OK;
}

static gan_status expand_list(xctx *X, const ynode *list, scope *S)
{
    int nuse[64] = { 0 };   /* uses so far of the first 64 blocks, for their names */
    for (int i = 0; i < list->n; i++) {
        ynode *item = copy(list->val[i]);
        if (!item) return nomem(X);
        gan_status st = substitute(X, item, S->ps);
        const ynode *opts, *t = entry_type(item, &opts);
        if (st == GAN_OK && t && block_def(X, t->s)) {
            int b = 0;
            ytree_get(X->blocks, t->s, &b);
            int nth = b < 64 ? nuse[b]++ : 0;
            if (X->depth >= MAXDEPTH)
                st = gan_model_err(X->c, t, GAN_ERR_INVALID, "blocks nested deeper than %d", MAXDEPTH);
            else
                st = use_block(X, S, list, i, t, opts, nth);
            /* a use with an id is a local name of the enclosing block */
            if (st == GAN_OK && S->prefix && S->nlocal < 256 && def_id(list->val[i]))
                S->local[S->nlocal++] = def_id(list->val[i]);
            ytree_free(item);
            if (st != GAN_OK) return st;
            continue;
        }
        if (st == GAN_OK && X->out->n >= MAXENTRIES)
            st = gan_model_err(X->c, item, GAN_ERR_INVALID, "blocks expand to more than %d entries", MAXENTRIES);
        if (st != GAN_OK || !t) {
            /* malformed entries go on as they are: parse_stack reports them */
            if (st == GAN_OK && !ytree_append(X->out, NULL, item)) st = nomem(X);
            if (st != GAN_OK) ytree_free(item);
            if (st != GAN_OK) return st;
            continue;
        }
        if (!ytree_append(X->out, NULL, item)) {
            ytree_free(item);
            return nomem(X);
        }
        if (!S->prefix) continue;   /* top-level names are global as written */
        ynode *o = opts_of(&X->out->val[X->out->n - 1]);
        if (!o) continue;
        /* local id -> PREFIX.id */
        int idx = -1;
        ynode *idn = ytree_get(o, "id", &idx);
        if (idn && idn->kind == Y_SCALAR) {
            char g[GAN_LAYER_IDLEN * 2];
            for (int q = 0; q < S->nlocal; q++)
                if (!strcmp(S->local[q], idn->s))
                    return gan_model_err(X->c, idn, GAN_ERR_INVALID, "duplicate id '%s' in block %s", idn->s,
                                         S->ps->block);
            if (!strcmp(idn->s, "input"))
                return gan_model_err(X->c, idn, GAN_ERR_INVALID, "id 'input' is reserved (it names the block's input)");
            for (int k = 0; k < S->nin; k++)
                if (!strcmp(idn->s, S->names[k]))
                    return gan_model_err(X->c, idn, GAN_ERR_INVALID, "id '%s' is an input of block %s (expected "
                                         "another name)", idn->s, S->ps->block);
            if (S->nlocal < 256 && def_id(list->val[i])) S->local[S->nlocal++] = def_id(list->val[i]);
            snprintf(g, sizeof g, "%s.%s", S->prefix, idn->s);
            if (!set_key(o, "id", g, idn)) return nomem(X);
        }
        /* from: local names -> global */
        ynode *fromn = ytree_get(o, "from", &idx);
        if (fromn) {
            int cnt = fromn->kind == Y_SEQ ? fromn->n : 1;
            for (int k = 0; k < cnt; k++) {
                ynode *e = fromn->kind == Y_SEQ ? fromn->val[k] : fromn;
                char g[GAN_LAYER_IDLEN];
                const ynode *pos;
                if ((st = resolve(X, S, e, list, i, g, sizeof g, &pos)) != GAN_OK) return st;
                free(e->s);
                if (!(e->s = strdup(g))) return nomem(X);
                /* a name from a use's from: errors about it point there */
                e->line = pos->line, e->col = pos->col, e->origin = pos->origin;
            }
        } else if (i == 0 && !S->in_is_prev) {
            const ynode *at = S->in_at[0] ? S->in_at[0] : X->out->val[X->out->n - 1];
            const char *in = scope_in(X, S);
            if (!in || !set_key(o, "from", in, at)) return nomem(X);
        }
    }
    return GAN_OK;
}
