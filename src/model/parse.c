/* parse.c - validate the tree against the schema tables and the layer
 * registry, writing the spec.
 *
 * Sections: the variant key (if any) is read first, then every applicable
 * field gets its default, then the mapping's keys are checked in document
 * order, then required keys.  Layers: a one-key mapping TYPE: {options} or
 * a bare TYPE; options are checked against the type's gan_key_desc table,
 * so a new layer type needs no change here.
 */
#include "config.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/schema.h"

#define MAXLAYERS 256

static int applies(const field *f, unsigned variant)
{
    return f->when == 0 || (f->when & variant);
}

/* "a, b, c; did you mean 'x'?" for an unknown key k among names */
static void key_hint(char *buf, size_t n, const char *k, const char *const *names, int count)
{
    size_t len = 0;
    buf[0] = 0;
    for (int i = 0; i < count && len < n; i++)
        len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? ", " : "", names[i]);
    const char *s = gan_model_suggest(k, names, count);
    if (s && len < n) snprintf(buf + len, n - len, "; did you mean '%s'?", s);
}

static gan_status unknown_key(const mctx *c, const ynode *k, const char *where,
                              const char *const *names, int count)
{
    char list[600];
    key_hint(list, sizeof list, k->s, names, count);
    if (where && where[0])
        return gan_model_err(c, k, GAN_ERR_INVALID, "unknown key '%.40s' in %s (expected one of: %s)",
                             k->s, where, list);
    return gan_model_err(c, k, GAN_ERR_INVALID, "unknown key '%.40s' (expected one of: %s)", k->s, list);
}

static gan_status need_map(const mctx *c, const ynode *n, const char *name)
{
    if (n->kind == Y_MAP) return GAN_OK;
    return gan_model_err(c, n, GAN_ERR_INVALID, "%s is not a valid value for %s (expected a mapping)",
                         ytree_is_null(n) ? "an empty value" : ytree_kind_name(n->kind), name);
}

static gan_status get_string(const mctx *c, const ynode *v, const field *f, const char *where, char *dst)
{
    char w[160];
    snprintf(w, sizeof w, where[0] ? "%s in %s" : "%s", f->key, where);
    if (v->kind != Y_SCALAR)
        return gan_model_err(c, v, GAN_ERR_INVALID, "%s is not a valid value for %s (expected a string)",
                             ytree_kind_name(v->kind), w);
    const char *s = ytree_is_null(v) ? "" : v->s;
    size_t len = strlen(s);
    if (len < (size_t)f->min)
        return gan_model_err(c, v, GAN_ERR_INVALID, "empty value for %s (expected %s)", w, f->doc);
    if (len >= f->size)
        return gan_model_err(c, v, GAN_ERR_INVALID, "value for %s is %zu bytes long (expected at most %zu)",
                             w, len, f->size - 1);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return gan_model_err(c, v, GAN_ERR_INVALID,
                                 "value for %s contains a control character (expected printable text)", w);
    memcpy(dst, s, len + 1);
    return GAN_OK;
}

static gan_status parse_value(const mctx *c, const ynode *k, const ynode *v, const field *f,
                              const section *s, char *base, gan_model_spec *m)
{
    range r = { f->min, f->max, f->min_open, f->max_open };
    void *dst = base + f->off;
    long long i;
    double x;
    int b;
    gan_status st = GAN_OK;
    switch (f->kind) {
    case F_INT:
        if ((st = gan_model_get_int(c, v, f->key, s->path, r, &i)) == GAN_OK) *(int *)dst = (int)i;
        break;
    case F_LONG:
        if ((st = gan_model_get_int(c, v, f->key, s->path, r, &i)) == GAN_OK) *(long *)dst = (long)i;
        break;
    case F_U64:
        st = gan_model_get_u64(c, v, f->key, s->path, (uint64_t *)dst);
        break;
    case F_FLOAT:
        if ((st = gan_model_get_float(c, v, f->key, s->path, r, 1, &x)) == GAN_OK) *(float *)dst = (float)x;
        break;
    case F_FLOAT2: {
        char w[160];
        snprintf(w, sizeof w, "%s in %s", f->key, s->path);
        if (v->kind != Y_SEQ)
            return gan_model_err(c, v, GAN_ERR_INVALID, "%s is not a valid value for %s (expected a list of 2 numbers)",
                                 ytree_kind_name(v->kind), w);
        if (v->n != 2)
            return gan_model_err(c, v, GAN_ERR_INVALID, "a list of %d value%s is not a valid value for %s (expected a list of 2 numbers)",
                                 v->n, v->n == 1 ? "" : "s", w);
        for (int j = 0; j < 2 && st == GAN_OK; j++)
            if ((st = gan_model_get_float(c, v->val[j], f->key, s->path, r, 1, &x)) == GAN_OK)
                ((float *)dst)[j] = (float)x;
        break;
    }
    case F_BOOL:
        if ((st = gan_model_get_bool(c, v, f->key, s->path, &b)) == GAN_OK) *(int *)dst = b;
        break;
    case F_ENUM:   /* the variant enum is named by its noun: "unknown optimizer 'x'" */
        if ((st = gan_model_get_enum(c, v, s->has_variant && f == s->f ? s->variant_noun : f->key, s->path,
                                     f->choices, &b)) == GAN_OK)
            *(int *)dst = b;
        break;
    case F_STR:
        st = get_string(c, v, f, s->path, dst);
        break;
    case F_SECTION:
        st = gan_model_parse_section(c, v, k, f->sub, base + f->off, m);
        break;
    case F_STACK:
        st = gan_model_parse_stack(c, v, f->key, (gan_stack_spec *)dst);
        break;
    }
    return st;
}

static void set_default(const field *f, char *base)
{
    void *dst = base + f->off;
    switch (f->kind) {
    case F_INT: case F_BOOL: case F_ENUM: *(int *)dst = (int)f->def; break;
    case F_LONG: *(long *)dst = (long)f->def; break;
    case F_U64: *(uint64_t *)dst = (uint64_t)f->def; break;
    case F_FLOAT: *(float *)dst = (float)f->def; break;
    case F_FLOAT2: ((float *)dst)[0] = (float)f->def; ((float *)dst)[1] = (float)f->def2; break;
    case F_STR: ((char *)dst)[0] = 0; break;
    case F_SECTION: case F_STACK: break;
    }
}

/* Give nested sections their defaults (when the file omits them). */
static void section_defaults(const section *s, char *base, unsigned variant)
{
    for (int i = 0; i < s->n; i++) {
        const field *f = &s->f[i];
        if (!applies(f, variant)) continue;
        if (f->kind == F_SECTION) {
            const section *sub = f->sub;
            section_defaults(sub, base + f->off, sub->has_variant ? 1u << (int)sub->f[0].def : 0);
        } else {
            set_default(f, base);
        }
    }
}

gan_status gan_model_parse_section(const mctx *c, const ynode *n, const ynode *at,
                                   const section *s, void *vbase, gan_model_spec *m)
{
    char *base = vbase;
    gan_status st = need_map(c, n, s->path[0] ? s->path : "the model");
    if (st != GAN_OK) return st;
    unsigned variant = 0;
    if (s->has_variant) {
        const field *vf = &s->f[0];
        int idx = (int)vf->def;
        const ynode *v = ytree_get(n, vf->key, NULL);
        if (v && (st = gan_model_get_enum(c, v, s->variant_noun, s->path, vf->choices, &idx)) != GAN_OK)
            return st;
        variant = 1u << idx;
    }
    section_defaults(s, base, variant);
    const char *names[16];
    int nnames = 0;
    for (int i = 0; i < s->n && nnames < 16; i++)
        if (applies(&s->f[i], variant)) names[nnames++] = s->f[i].key;
    for (int i = 0; i < n->n; i++) {
        const ynode *k = n->key[i];
        const field *f = NULL, *other = NULL;
        for (int j = 0; j < s->n; j++)
            if (strcmp(s->f[j].key, k->s) == 0) {
                if (applies(&s->f[j], variant)) f = &s->f[j];
                else other = &s->f[j];
            }
        if (!f && other) {
            char list[600];
            key_hint(list, sizeof list, "", names, nnames);
            return gan_model_err(c, k, GAN_ERR_INVALID,
                                 "key '%s' in %s does not apply to %s %s (expected one of: %s)", k->s,
                                 s->path, s->f[0].key, s->f[0].choices[__builtin_ctz(variant)], list);
        }
        if (!f) return unknown_key(c, k, s->path, names, nnames);
        if ((st = parse_value(c, k, n->val[i], f, s, base, m)) != GAN_OK) return st;
    }
    for (int i = 0; i < s->n; i++) {
        const field *f = &s->f[i];
        if (f->required && applies(f, variant) && !ytree_get(n, f->key, NULL)) {
            if (s->path[0])
                return gan_model_err(c, at, GAN_ERR_INVALID, "missing required key '%s' in %s (expected: %s)",
                                     f->key, s->path, f->doc);
            return gan_model_err(c, at, GAN_ERR_INVALID, "missing required key '%s' (expected: %s)", f->key, f->doc);
        }
    }
    return GAN_OK;
}

/* ---- layers ------------------------------------------------------------ */

static gan_status layer_value(const mctx *c, const ynode *v, const gan_layer_type *t,
                              const gan_key_desc *d, gan_key_value *kv)
{
    range r = { d->min, d->max, d->min_open, d->max_open };
    long long i;
    int b;
    gan_status st = GAN_OK;
    switch (d->kind) {
    case GAN_KEY_INT:
        if ((st = gan_model_get_int(c, v, d->key, t->name, r, &i)) == GAN_OK) kv->num = (double)i;
        break;
    case GAN_KEY_FLOAT:
        st = gan_model_get_float(c, v, d->key, t->name, r, 0, &kv->num);
        break;
    case GAN_KEY_BOOL:
        if ((st = gan_model_get_bool(c, v, d->key, t->name, &b)) == GAN_OK) kv->num = b;
        break;
    case GAN_KEY_ENUM:
        if ((st = gan_model_get_enum(c, v, d->key, t->name, d->choices, &b)) == GAN_OK) kv->num = b;
        break;
    case GAN_KEY_INTLIST: {
        int lo = d->list_min, hi = d->list_max > 4 ? 4 : d->list_max;
        if (v->kind != Y_SEQ || v->n < lo || v->n > hi) {
            char got[48];
            if (v->kind == Y_SEQ) snprintf(got, sizeof got, "a list of %d values", v->n);
            else snprintf(got, sizeof got, "%s", ytree_kind_name(v->kind));
            return gan_model_err(c, v, GAN_ERR_INVALID, "%s is not a valid value for %s in %s (expected a list of %d to %d integers)",
                                 got, d->key, t->name, lo, hi);
        }
        for (int j = 0; j < v->n; j++) {
            if ((st = gan_model_get_int(c, v->val[j], d->key, t->name, r, &i)) != GAN_OK) return st;
            kv->list[j] = (int)i;
        }
        kv->len = v->n;
        break;
    }
    }
    return st;
}

static gan_status parse_layer(const mctx *c, const ynode *item, gan_layer_conf *conf)
{
    const ynode *tn = item, *opts = NULL;
    const char *form = "expected TYPE: {options} or a bare TYPE";
    if (item->kind == Y_SEQ)
        return gan_model_err(c, item, GAN_ERR_INVALID, "a list is not a layer (%s)", form);
    if (item->kind == Y_MAP) {
        if (item->n != 1)
            return gan_model_err(c, item, GAN_ERR_INVALID, "layer entry has %d keys (%s)", item->n, form);
        tn = item->key[0];
        opts = item->val[0];
    } else if (ytree_is_null(item)) {
        return gan_model_err(c, item, GAN_ERR_INVALID, "empty layer entry (%s)", form);
    }
    const gan_layer_type *t = gan_layer_find(tn->s);
    if (!t) {
        int nt;
        const gan_layer_type *const *types = gan_layer_types(&nt);
        const char *names[64];
        if (nt > 64) nt = 64;
        for (int i = 0; i < nt; i++) names[i] = types[i]->name;
        char list[600];
        key_hint(list, sizeof list, tn->s, names, nt);
        return gan_model_err(c, tn, GAN_ERR_INVALID, "unknown layer '%.40s' (expected one of: %s)", tn->s, list);
    }
    if (t->nkeys > GAN_LAYER_MAXKEYS)
        return gan_model_err(c, tn, GAN_ERR_INVALID, "layer type %s declares %d keys (at most %d supported)",
                             t->name, t->nkeys, GAN_LAYER_MAXKEYS);
    gan_layer_conf_defaults(conf, t);
    conf->line = tn->line;
    conf->col = tn->col;
    if (opts && !ytree_is_null(opts)) {
        if (opts->kind != Y_MAP)
            return gan_model_err(c, opts, GAN_ERR_INVALID, "options of %s are %s (expected a mapping {key: value, ...})",
                                 t->name, ytree_kind_name(opts->kind));
        for (int i = 0; i < opts->n; i++) {
            const ynode *k = opts->key[i], *v = opts->val[i];
            if (!strcmp(k->s, "id") || !strcmp(k->s, "from")) continue;   /* the graph's: parse_stack */
            int ki = gan_layer_key_index(t, k->s);
            if (ki < 0) {
                const char *names[GAN_LAYER_MAXKEYS];
                for (int j = 0; j < t->nkeys; j++) names[j] = t->keys[j].key;
                if (t->nkeys == 0)
                    return gan_model_err(c, k, GAN_ERR_INVALID, "unknown key '%.40s' in %s (expected no options)",
                                         k->s, t->name);
                return unknown_key(c, k, t->name, names, t->nkeys);
            }
            gan_key_value *kv = &conf->v[ki];
            gan_status st = layer_value(c, v, t, &t->keys[ki], kv);
            if (st != GAN_OK) return st;
            kv->set = 1;
            kv->line = v->line;
            kv->col = v->col;
        }
    }
    for (int i = 0; i < t->nkeys; i++)
        if (t->keys[i].required && !conf->v[i].set)
            return gan_model_err(c, tn, GAN_ERR_INVALID, "missing required key '%s' in %s (expected: %s)",
                                 t->keys[i].key, t->name, t->keys[i].doc);
    return GAN_OK;
}

/* ---- the graph: id and from ------------------------------------------------ */

/* The options mapping of a layer entry (NULL for a bare TYPE) */
static const ynode *entry_opts(const ynode *item)
{
    if (item->kind != Y_MAP || item->n != 1 || !item->val[0] || item->val[0]->kind != Y_MAP) return NULL;
    return item->val[0];
}

int gan_model_id_ok(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_')) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '.'))
            return 0;
    return 1;
}

/* ids of the stack's entries (checked: a name, unique, not input) */
static gan_status read_ids(const mctx *c, const ynode *n, gan_stack_spec *st, const ynode **idn)
{
    for (int i = 0; i < n->n; i++) {
        const ynode *o = entry_opts(n->val[i]), *v = o ? ytree_get(o, "id", NULL) : NULL;
        idn[i] = v;
        if (!v) continue;
        if (v->kind != Y_SCALAR || ytree_is_null(v))
            return gan_model_err(c, v, GAN_ERR_INVALID, "%s is not a valid id (expected a name such as main)",
                                 ytree_is_null(v) ? "an empty value" : ytree_kind_name(v->kind));
        if (!gan_model_id_ok(v->s) || strlen(v->s) >= GAN_LAYER_IDLEN)
            return gan_model_err(c, v, GAN_ERR_INVALID, "'%.80s' is not a valid id (expected letters, digits, "
                                 "_ and ., at most %d long, not starting with a digit)", v->s, GAN_LAYER_IDLEN - 1);
        if (!strcmp(v->s, "input"))
            return gan_model_err(c, v, GAN_ERR_INVALID, "id 'input' is reserved (it names the network's input)");
        for (int j = 0; j < i; j++)
            if (idn[j] && !strcmp(idn[j]->s, v->s))
                return gan_model_err(c, v, GAN_ERR_INVALID, "duplicate id '%s' (first at line %d)", v->s,
                                     idn[j]->line);
        snprintf(st->layers[i].id, sizeof st->layers[i].id, "%s", v->s);
    }
    return GAN_OK;
}

/* entry i's from (names -> indices) */
static gan_status read_from(const mctx *c, const ynode *n, int i, gan_stack_spec *st, const ynode **idn)
{
    gan_layer_conf *conf = &st->layers[i];
    const gan_layer_multi *mt = gan_layer_multi_of(conf->type);
    const ynode *o = entry_opts(n->val[i]), *v = o ? ytree_get(o, "from", NULL) : NULL;
    conf->nfrom = 0;
    if (!v) {
        if (mt)
            return gan_model_err(c, n->val[i], GAN_ERR_INVALID, "%s has no from (expected from: [a, b, ...], "
                                 "at least %d inputs)", conf->type->name, mt->min_from);
        return GAN_OK;
    }
    int cnt = v->kind == Y_SEQ ? v->n : 1;
    if (v->kind == Y_MAP || ytree_is_null(v) || cnt == 0)
        return gan_model_err(c, v, GAN_ERR_INVALID, "%s is not a valid from (expected an id, input, or a list of them)",
                             ytree_is_null(v) || cnt == 0 ? "an empty value" : ytree_kind_name(v->kind));
    if (!mt && cnt != 1)
        return gan_model_err(c, v, GAN_ERR_INVALID, "from names %d inputs for %s (expected one; add and "
                             "concat read several)", cnt, conf->type->name);
    if (mt && cnt < mt->min_from)
        return gan_model_err(c, v, GAN_ERR_INVALID, "from names %d input%s for %s (expected at least %d)", cnt,
                             cnt == 1 ? "" : "s", conf->type->name, mt->min_from);
    if (cnt > GAN_LAYER_MAXFROM)
        return gan_model_err(c, v, GAN_ERR_INVALID, "from names %d inputs (expected at most %d)", cnt,
                             GAN_LAYER_MAXFROM);
    for (int k = 0; k < cnt; k++) {
        const ynode *e = v->kind == Y_SEQ ? v->val[k] : v;
        if (e->kind != Y_SCALAR || ytree_is_null(e))
            return gan_model_err(c, e, GAN_ERR_INVALID, "%s in from is not a name (expected an id or input)",
                                 ytree_is_null(e) ? "an empty value" : ytree_kind_name(e->kind));
        int j = -2;
        if (!strcmp(e->s, "input")) j = -1;
        for (int q = 0; q < n->n && j == -2; q++)
            if (idn[q] && !strcmp(idn[q]->s, e->s)) j = q;
        if (j == -2) {
            const char *names[MAXLAYERS + 1];
            int nn = 0;
            names[nn++] = "input";
            for (int q = 0; q < i; q++)
                if (idn[q]) names[nn++] = idn[q]->s;
            const char *sug = gan_model_suggest(e->s, names, nn);
            char hint[200] = "";
            if (sug) snprintf(hint, sizeof hint, "; did you mean '%s'?", sug);
            return gan_model_err(c, e, GAN_ERR_INVALID, "unknown from '%.80s' (expected the id of an earlier "
                                 "entry, or input%s)", e->s, hint);
        }
        if (j >= i)
            return gan_model_err(c, e, GAN_ERR_INVALID, "from '%s' names %s (line %d; expected an earlier entry: "
                                 "an entry reads only entries above it)", e->s,
                                 j == i ? "this entry itself" : "a later entry", idn[j]->line);
        for (int q = 0; q < k; q++)
            if (conf->from[q] == j)
                return gan_model_err(c, e, GAN_ERR_INVALID, "from names '%s' twice (expected distinct inputs)", e->s);
        conf->from[k] = j;
    }
    conf->nfrom = cnt;
    if (!mt && conf->from[0] == i - 1) conf->nfrom = 0;   /* the default, as the expansion writes it */
    return GAN_OK;
}

/* every entry but the last is read by a later one */
static gan_status check_dead(const mctx *c, const ynode *n, const gan_stack_spec *st)
{
    for (int j = 0; j < st->n - 1; j++) {
        int used = 0;
        for (int i = j + 1; i < st->n && !used; i++) {
            const gan_layer_conf *l = &st->layers[i];
            if (l->nfrom == 0) used = i - 1 == j;
            for (int k = 0; k < l->nfrom; k++) used |= l->from[k] == j;
        }
        if (!used) {
            const gan_layer_conf *l = &st->layers[j];
            char who[GAN_LAYER_IDLEN + 16] = "";
            if (l->id[0]) snprintf(who, sizeof who, " '%s'", l->id);
            ynode at = { .line = l->line, .col = l->col };
            (void)n;
            return gan_model_err(c, &at, GAN_ERR_INVALID, "dead branch: the output of %s%s is never used "
                                 "(expected every entry but the last to be read by a later one)",
                                 l->type->name, who);
        }
    }
    return GAN_OK;
}

gan_status gan_model_parse_stack(const mctx *c, const ynode *n, const char *name, gan_stack_spec *st)
{
    if (n->kind != Y_SEQ)
        return gan_model_err(c, n, GAN_ERR_INVALID, "%s is not a valid value for %s (expected a list of layers)",
                             ytree_is_null(n) ? "an empty value" : ytree_kind_name(n->kind), name);
    if (n->n == 0)
        return gan_model_err(c, n, GAN_ERR_INVALID, "%s has no layers (expected at least one)", name);
    if (n->n > MAXLAYERS)
        return gan_model_err(c, n->val[MAXLAYERS], GAN_ERR_INVALID, "%s has %d layers (expected at most %d)",
                             name, n->n, MAXLAYERS);
    free(st->layers);
    st->layers = calloc((size_t)n->n, sizeof *st->layers);
    st->n = 0;
    if (!st->layers) return gan_error_set(c->err, GAN_ERR_NOMEM, "out of memory");
    st->n = n->n;
    st->line = n->line;
    st->col = n->col;
    for (int i = 0; i < n->n; i++) {
        gan_status s = parse_layer(c, n->val[i], &st->layers[i]);
        if (s != GAN_OK) return s;
    }
    const ynode **idn = calloc((size_t)n->n, sizeof *idn);
    if (!idn) return gan_error_set(c->err, GAN_ERR_NOMEM, "out of memory");
    gan_status s = read_ids(c, n, st, idn);
    for (int i = 0; i < n->n && s == GAN_OK; i++) s = read_from(c, n, i, st, idn);
    free(idn);
    if (s == GAN_OK) s = check_dead(c, n, st);
    return s;
}
