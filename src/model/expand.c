/* expand.c - the spec back to YAML with every key written out, and the
 * list of every accepted key (for the manual's test).
 *
 * Numbers are written in the shortest form that reads back to the same
 * float or double, strings double-quoted, so gan_model_load_string() of
 * the text gives the same spec.
 */
#include "config.h"
#include <stdarg.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/schema.h"

typedef struct sbuf {
    char *p;
    size_t n, cap;
    int oom;
} sbuf;

static void put(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(sbuf *b, const char *fmt, ...)
{
    if (b->oom) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->oom = 1;
            return;
        }
        if ((size_t)k < b->cap - b->n) {
            b->n += (size_t)k;
            return;
        }
        size_t cap = 2 * b->cap + (size_t)k + 1;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
}

static void put_string(sbuf *b, const char *s)
{
    put(b, "\"");
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') put(b, "\\%c", *s);
        else put(b, "%c", *s);
    }
    put(b, "\"");
}

static void put_num(sbuf *b, double x, int single)
{
    char t[40];
    gan_model_fmt_num(t, sizeof t, x, single);
    put(b, "%s", t);
}

static unsigned variant_of(const section *s, const char *base)
{
    return s->has_variant ? 1u << *(const int *)(base + s->f[0].off) : 0;
}

/* entry i of st; from and id follow the options (from names its inputs
 * by id: every entry a from names has one) */
static void put_layer(sbuf *b, const gan_stack_spec *st, int li, int indent)
{
    const gan_layer_conf *c = &st->layers[li];
    const gan_layer_type *t = c->type;
    put(b, "%*s- %s: {", indent, "", t->name);
    int first = 1;
    for (int i = 0; i < t->nkeys; i++) {
        const gan_key_desc *d = &t->keys[i];
        const gan_key_value *v = &c->v[i];
        put(b, "%s%s: ", first ? "" : ", ", d->key);
        first = 0;
        switch (d->kind) {
        case GAN_KEY_INT: put(b, "%lld", (long long)v->num); break;
        case GAN_KEY_FLOAT: put_num(b, v->num, 0); break;
        case GAN_KEY_BOOL: put(b, "%s", v->num != 0 ? "true" : "false"); break;
        case GAN_KEY_ENUM: put(b, "%s", d->choices[(int)v->num]); break;
        case GAN_KEY_INTLIST:
            put(b, "[");
            for (int j = 0; j < v->len; j++) put(b, "%s%d", j ? ", " : "", v->list[j]);
            put(b, "]");
            break;
        }
    }
    if (c->nfrom) {
        put(b, "%sfrom: %s", first ? "" : ", ", c->nfrom > 1 ? "[" : "");
        for (int k = 0; k < c->nfrom; k++) {
            int j = c->from[k];
            put(b, "%s%s", k ? ", " : "", j < 0 ? "input" : st->layers[j].id);
        }
        put(b, "%s", c->nfrom > 1 ? "]" : "");
        first = 0;
    }
    if (c->id[0]) put(b, "%sid: %s", first ? "" : ", ", c->id);
    put(b, "}\n");
}

static void put_section(sbuf *b, const section *s, const char *base, int indent)
{
    unsigned variant = variant_of(s, base);
    for (int i = 0; i < s->n; i++) {
        const field *f = &s->f[i];
        if (f->when && !(f->when & variant)) continue;
        const char *p = base + f->off;
        put(b, "%*s%s:", indent, "", f->key);
        switch (f->kind) {
        case F_INT: case F_BOOL: case F_ENUM: {
            int v = *(const int *)p;
            if (f->kind == F_INT) put(b, " %d\n", v);
            else if (f->kind == F_BOOL) put(b, " %s\n", v ? "true" : "false");
            else put(b, " %s\n", f->choices[v]);
            break;
        }
        case F_LONG: put(b, " %ld\n", *(const long *)p); break;
        case F_U64: put(b, " %" PRIu64 "\n", *(const uint64_t *)p); break;
        case F_FLOAT: put(b, " "); put_num(b, *(const float *)p, 1); put(b, "\n"); break;
        case F_FLOAT2:
            put(b, " [");
            put_num(b, ((const float *)p)[0], 1);
            put(b, ", ");
            put_num(b, ((const float *)p)[1], 1);
            put(b, "]\n");
            break;
        case F_STR: put(b, " "); put_string(b, p); put(b, "\n"); break;
        case F_SECTION: put(b, "\n"); put_section(b, f->sub, p, indent + 2); break;
        case F_STACK: {
            const gan_stack_spec *st = (const gan_stack_spec *)p;
            put(b, "\n");
            for (int j = 0; j < st->n; j++) put_layer(b, st, j, indent + 2);
            break;
        }
        }
    }
}

char *gan_model_expand(const gan_model_spec *m)
{
    sbuf b = { malloc(4096), 0, 4096, 0 };
    if (!b.p) return NULL;
    b.p[0] = 0;
    put(&b, "# %s, expanded: every key with its value\n", m->name);
    put_section(&b, &gan_model_top, (const char *)m, 0);
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

/* ---- every key ------------------------------------------------------------ */

typedef struct keywalk {
    void (*fn)(const char *key, void *ctx);
    void *ctx;
    const char *done_prefix;   /* per-type keys already listed for it */
} keywalk;

static void walk(keywalk *w, const section *s, const char *prefix)
{
    char name[160];
    int per_type = s->keys_prefix && !(w->done_prefix && strcmp(w->done_prefix, s->keys_prefix) == 0);
    for (int i = 0; i < s->n; i++) {
        const field *f = &s->f[i];
        int dup = 0;
        for (int j = 0; j < i; j++) dup |= strcmp(s->f[j].key, f->key) == 0;
        if (s->keys_prefix && i > 0) {
            /* optimizer keys: listed once per type as optimizer.TYPE.KEY */
            if (!per_type) continue;
            for (int v = 0; s->f[0].choices[v]; v++)
                if (!f->when || (f->when & (1u << v))) {
                    snprintf(name, sizeof name, "%s.%s.%s", s->keys_prefix, s->f[0].choices[v], f->key);
                    w->fn(name, w->ctx);
                }
            continue;
        }
        if (dup) continue;
        snprintf(name, sizeof name, "%s%s%s", prefix, prefix[0] ? "." : "", f->key);
        w->fn(name, w->ctx);
        if (f->kind == F_SECTION) walk(w, f->sub, name);
    }
    if (per_type) w->done_prefix = s->keys_prefix;
}

void gan_model_each_key(void (*fn)(const char *key, void *ctx), void *ctx)
{
    keywalk w = { fn, ctx, NULL };
    walk(&w, &gan_model_top, "");
    int n;
    const gan_layer_type *const *types = gan_layer_types(&n);
    char name[160];
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof name, "layer.%s", types[i]->name);
        fn(name, ctx);
        for (int k = 0; k < types[i]->nkeys; k++) {
            snprintf(name, sizeof name, "layer.%s.%s", types[i]->name, types[i]->keys[k].key);
            fn(name, ctx);
        }
    }
}
