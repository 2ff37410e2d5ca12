/* expand.c - the spec back to YAML with every key written out, and the
 * list of every accepted key (for the manual's test).
 *
 * Numbers are written in the shortest form that reads back to the same
 * float or double, strings double-quoted, so gan_model_load_string() of
 * the text gives the same spec.
 */
#include "config.h"
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/text.h"
#include "model/schema.h"

static void put_string(gan_text *b, const char *s)
{
    gan_text_put(b, "\"");
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') gan_text_put(b, "\\%c", *s);
        else gan_text_put(b, "%c", *s);
    }
    gan_text_put(b, "\"");
}

static void put_num(gan_text *b, double x, int single)
{
    char t[40];
    gan_model_fmt_num(t, sizeof t, x, single);
    gan_text_put(b, "%s", t);
}

static unsigned variant_of(const section *s, const char *base)
{
    return s->has_variant ? 1u << *(const int *)(base + s->f[0].off) : 0;
}

/* entry i of st; from and id follow the options (from names its inputs
 * by id: every entry a from names has one) */
static void put_layer(gan_text *b, const gan_stack_spec *st, int li, int indent)
{
    const gan_layer_conf *c = &st->layers[li];
    const gan_layer_type *t = c->type;
    gan_text_put(b, "%*s- %s: {", indent, "", t->name);
    int first = 1;
    for (int i = 0; i < t->nkeys; i++) {
        const gan_key_desc *d = &t->keys[i];
        const gan_key_value *v = &c->v[i];
        gan_text_put(b, "%s%s: ", first ? "" : ", ", d->key);
        first = 0;
        switch (d->kind) {
        case GAN_KEY_INT: gan_text_put(b, "%lld", (long long)v->num); break;
        case GAN_KEY_FLOAT: put_num(b, v->num, 0); break;
        case GAN_KEY_BOOL: gan_text_put(b, "%s", v->num != 0 ? "true" : "false"); break;
        case GAN_KEY_ENUM: gan_text_put(b, "%s", d->choices[(int)v->num]); break;
        case GAN_KEY_INTLIST:
            gan_text_put(b, "[");
            for (int j = 0; j < v->len; j++) gan_text_put(b, "%s%d", j ? ", " : "", v->list[j]);
            gan_text_put(b, "]");
            break;
        }
    }
    if (c->nfrom) {
        gan_text_put(b, "%sfrom: %s", first ? "" : ", ", c->nfrom > 1 ? "[" : "");
        for (int k = 0; k < c->nfrom; k++) {
            int j = c->from[k];
            gan_text_put(b, "%s%s", k ? ", " : "", j < 0 ? "input" : st->layers[j].id);
        }
        gan_text_put(b, "%s", c->nfrom > 1 ? "]" : "");
        first = 0;
    }
    if (c->id[0]) gan_text_put(b, "%sid: %s", first ? "" : ", ", c->id);
    gan_text_put(b, "}\n");
}

static void put_section(gan_text *b, const section *s, const char *base, int indent)
{
    unsigned variant = variant_of(s, base);
    for (int i = 0; i < s->n; i++) {
        const field *f = &s->f[i];
        if (f->when && !(f->when & variant)) continue;
        const char *p = base + f->off;
        gan_text_put(b, "%*s%s:", indent, "", f->key);
        switch (f->kind) {
        case F_INT: case F_BOOL: case F_ENUM: {
            int v = *(const int *)p;
            if (f->kind == F_INT) gan_text_put(b, " %d\n", v);
            else if (f->kind == F_BOOL) gan_text_put(b, " %s\n", v ? "true" : "false");
            else gan_text_put(b, " %s\n", f->choices[v]);
            break;
        }
        case F_LONG: gan_text_put(b, " %ld\n", *(const long *)p); break;
        case F_U64: gan_text_put(b, " %" PRIu64 "\n", *(const uint64_t *)p); break;
        case F_FLOAT: gan_text_put(b, " "); put_num(b, *(const float *)p, 1); gan_text_put(b, "\n"); break;
        case F_FLOAT2:
            gan_text_put(b, " [");
            put_num(b, ((const float *)p)[0], 1);
            gan_text_put(b, ", ");
            put_num(b, ((const float *)p)[1], 1);
            gan_text_put(b, "]\n");
            break;
        case F_STR: gan_text_put(b, " "); put_string(b, p); gan_text_put(b, "\n"); break;
        case F_SECTION: gan_text_put(b, "\n"); put_section(b, f->sub, p, indent + 2); break;
        case F_STACK: {
            const gan_stack_spec *st = (const gan_stack_spec *)p;
            gan_text_put(b, "\n");
            for (int j = 0; j < st->n; j++) put_layer(b, st, j, indent + 2);
            break;
        }
        }
    }
}

char *gan_model_expand(const gan_model_spec *m)
{
    gan_text b = { 0 };
    gan_text_put(&b, "# %s, expanded: every key with its value\n", m->name);
    put_section(&b, &gan_model_top, (const char *)m, 0);
    return gan_text_take(&b);
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
