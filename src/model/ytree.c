/* ytree.c - libyaml events -> a tree of positioned nodes (see ytree.h).
 *
 * libyaml's parser keeps its own stacks (no recursion), so hostile nesting
 * cannot overflow the C stack there; we stop at YTREE_MAXDEPTH ourselves.
 * Marks from libyaml are 0-based; every position stored here is 1-based.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "model/ytree.h"

const char *ytree_kind_name(ykind k)
{
    return k == Y_MAP ? "a mapping" : k == Y_SEQ ? "a list" : "a scalar";
}

ynode *ytree_new(ykind kind, int line, int col, int origin)
{
    ynode *n = calloc(1, sizeof *n);
    if (!n) return NULL;
    n->kind = kind;
    n->line = line;
    n->col = col;
    n->origin = origin;
    return n;
}

ynode *ytree_scalar(const char *s, int plain, int origin)
{
    ynode *n = ytree_new(Y_SCALAR, 0, 0, origin);
    if (!n) return NULL;
    n->plain = plain;
    n->s = strdup(s);
    if (!n->s) {
        free(n);
        return NULL;
    }
    return n;
}

void ytree_free(ynode *n)
{
    if (!n) return;
    for (int i = 0; i < n->n; i++) {
        if (n->key) ytree_free(n->key[i]);
        ytree_free(n->val[i]);
    }
    free(n->key);
    free(n->val);
    free(n->s);
    free(n);
}

int ytree_append(ynode *p, ynode *key, ynode *val)
{
    if (p->n == p->cap) {
        int cap = p->cap ? 2 * p->cap : 4;
        ynode **v = realloc(p->val, (size_t)cap * sizeof *v);
        if (!v) return 0;
        p->val = v;
        if (p->kind == Y_MAP) {
            ynode **k = realloc(p->key, (size_t)cap * sizeof *k);
            if (!k) return 0;
            p->key = k;
        }
        p->cap = cap;
    }
    if (p->kind == Y_MAP) p->key[p->n] = key;
    p->val[p->n++] = val;
    return 1;
}

ynode *ytree_get(const ynode *m, const char *key, int *idx)
{
    if (!m || m->kind != Y_MAP) return NULL;
    for (int i = 0; i < m->n; i++)
        if (strcmp(m->key[i]->s, key) == 0) {
            if (idx) *idx = i;
            return m->val[i];
        }
    return NULL;
}

const ynode *ytree_path(const ynode *root, const char *path)
{
    char part[128];
    const ynode *n = root;
    while (n && *path) {
        size_t k = strcspn(path, ".");
        if (k >= sizeof part) return NULL;
        memcpy(part, path, k);
        part[k] = 0;
        n = ytree_get(n, part, NULL);
        path += k + (path[k] == '.');
    }
    return n;
}

int ytree_is_null(const ynode *n)
{
    return n->kind == Y_SCALAR && n->plain &&
           (!n->s[0] || strcmp(n->s, "~") == 0 || strcmp(n->s, "null") == 0);
}

/* ---- the event loop ---------------------------------------------------- */

typedef struct loader {
    const char *file;
    const char *text;
    size_t len;
    int origin;
    gan_error *err;
    ynode *root;
    ynode *stack[YTREE_MAXDEPTH + 1];
    int depth;
    long nodes;
} loader;

static gan_status fail(loader *L, int line, int col, const char *fmt, const char *arg)
{
    return gan_error_at(L->err, GAN_ERR_FORMAT, L->file, line, col, fmt, arg);
}

/* line/col of a byte offset (reader errors carry only an offset) */
static void offset_pos(const loader *L, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off && i < L->len; i++) {
        if (L->text[i] == '\n') {
            ++*line;
            *col = 1;
        } else {
            ++*col;
        }
    }
}

static gan_status syntax_error(loader *L, const yaml_parser_t *p)
{
    if (p->error == YAML_MEMORY_ERROR)
        return gan_error_at(L->err, GAN_ERR_NOMEM, L->file, 0, 0, "out of memory parsing YAML");
    int line, col;
    if (p->error == YAML_READER_ERROR) {
        offset_pos(L, p->problem_offset, &line, &col);
        return gan_error_at(L->err, GAN_ERR_FORMAT, L->file, line, col,
                            "yaml syntax error: %s (expected UTF-8 text)",
                            p->problem ? p->problem : "unreadable input");
    }
    line = (int)p->problem_mark.line + 1;
    col = (int)p->problem_mark.column + 1;
    if (p->context)
        return gan_error_at(L->err, GAN_ERR_FORMAT, L->file, line, col,
                            "yaml syntax error: %s (%s at %d:%d)", p->problem, p->context,
                            (int)p->context_mark.line + 1, (int)p->context_mark.column + 1);
    return gan_error_at(L->err, GAN_ERR_FORMAT, L->file, line, col, "yaml syntax error: %s",
                        p->problem ? p->problem : "unknown problem");
}

/* Hang a new node under the open collection (or make it the root). */
static gan_status attach(loader *L, ynode *n)
{
    if (++L->nodes > YTREE_MAXNODES) {
        ytree_free(n);
        return gan_error_at(L->err, GAN_ERR_FORMAT, L->file, 0, 0,
                            "more than %d YAML nodes (expected a model file)", YTREE_MAXNODES);
    }
    if (L->depth == 0) {
        L->root = n;
        return GAN_OK;
    }
    ynode *p = L->stack[L->depth - 1];
    if (p->kind == Y_SEQ) {
        if (!ytree_append(p, NULL, n)) goto nomem;
        return GAN_OK;
    }
    /* a mapping alternates keys and values; a key is appended with a NULL
     * value that the next node fills */
    if (p->n > 0 && p->val[p->n - 1] == NULL) {
        p->val[p->n - 1] = n;
        return GAN_OK;
    }
    if (n->kind != Y_SCALAR) {
        int line = n->line, col = n->col;
        const char *what = ytree_kind_name(n->kind);
        ytree_free(n);
        return fail(L, line, col, "mapping key is %s (expected a plain key name)", what);
    }
    for (int i = 0; i < p->n; i++)
        if (strcmp(p->key[i]->s, n->s) == 0) {
            gan_status st = gan_error_at(L->err, GAN_ERR_FORMAT, L->file, n->line, n->col,
                                         "duplicate key '%.64s' (first at line %d)", n->s,
                                         p->key[i]->line);
            ytree_free(n);
            return st;
        }
    if (!ytree_append(p, n, NULL)) goto nomem;
    return GAN_OK;
nomem:
    ytree_free(n);
    return gan_error_set(L->err, GAN_ERR_NOMEM, "out of memory parsing YAML");
}

static gan_status on_event(loader *L, const yaml_event_t *ev, int *docs)
{
    int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;
    const yaml_char_t *anchor = NULL, *tag = NULL;
    ykind kind = Y_SCALAR;
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++*docs > 1)
            return fail(L, line, col, "%smore than one YAML document (expected a single model mapping)", "");
        if (ev->data.document_start.tag_directives.start != ev->data.document_start.tag_directives.end)
            return fail(L, line, col, "%sYAML %%TAG directives are not allowed (expected plain YAML)", "");
        return GAN_OK;
    case YAML_ALIAS_EVENT:
        return fail(L, line, col, "YAML alias '*%.64s' is not allowed (expected plain values)",
                    (const char *)ev->data.alias.anchor);
    case YAML_SCALAR_EVENT:
        anchor = ev->data.scalar.anchor;
        tag = ev->data.scalar.tag;
        break;
    case YAML_SEQUENCE_START_EVENT:
        anchor = ev->data.sequence_start.anchor;
        tag = ev->data.sequence_start.tag;
        kind = Y_SEQ;
        break;
    case YAML_MAPPING_START_EVENT:
        anchor = ev->data.mapping_start.anchor;
        tag = ev->data.mapping_start.tag;
        kind = Y_MAP;
        break;
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        L->depth--;
        return GAN_OK;
    default:
        return GAN_OK;
    }
    if (tag) {
        /* libyaml resolves "!!int" to the full tag; show it as written */
        const char *t = (const char *)tag, *core = "tag:yaml.org,2002:";
        char shown[80];
        if (strncmp(t, core, strlen(core)) == 0) snprintf(shown, sizeof shown, "!!%.64s", t + strlen(core));
        else snprintf(shown, sizeof shown, "%.64s", t);
        return fail(L, line, col, "YAML tag '%s' is not allowed (expected plain values)", shown);
    }
    if (anchor) return fail(L, line, col, "YAML anchor '&%.64s' is not allowed (expected plain values)", (const char *)anchor);
    if (kind != Y_SCALAR && L->depth >= YTREE_MAXDEPTH)
        return gan_error_at(L->err, GAN_ERR_FORMAT, L->file, line, col,
                            "nesting deeper than %d levels (expected a model file)", YTREE_MAXDEPTH);
    if (kind == Y_SCALAR && ev->data.scalar.length > YTREE_MAXSCALAR)
        return gan_error_at(L->err, GAN_ERR_FORMAT, L->file, line, col,
                            "value of %zu bytes is too long (expected at most %d)",
                            ev->data.scalar.length, YTREE_MAXSCALAR);
    ynode *n = ytree_new(kind, line, col, L->origin);
    if (!n) return gan_error_set(L->err, GAN_ERR_NOMEM, "out of memory parsing YAML");
    if (kind == Y_SCALAR) {
        size_t len = ev->data.scalar.length;
        n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        n->s = malloc(len + 1);
        if (!n->s) {
            free(n);
            return gan_error_set(L->err, GAN_ERR_NOMEM, "out of memory parsing YAML");
        }
        memcpy(n->s, ev->data.scalar.value, len);
        n->s[len] = 0;
        if (strlen(n->s) != len) {
            ytree_free(n);
            return fail(L, line, col, "%svalue contains a NUL character (expected text)", "");
        }
    }
    gan_status st = attach(L, n);
    if (st != GAN_OK) return st;
    if (kind != Y_SCALAR) L->stack[L->depth++] = n;
    return GAN_OK;
}

gan_status ytree_parse(ynode **root, const char *text, size_t len, const char *file,
                       int origin, gan_error *err)
{
    loader L = { file, text, len, origin, err, NULL, { 0 }, 0, 0 };
    yaml_parser_t p;
    *root = NULL;
    if (!yaml_parser_initialize(&p)) return gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    gan_status st = GAN_OK;
    int docs = 0, done = 0;
    while (!done && st == GAN_OK) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            st = syntax_error(&L, &p);
            break;
        }
        done = ev.type == YAML_STREAM_END_EVENT;
        st = on_event(&L, &ev, &docs);
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    if (st != GAN_OK) {
        ytree_free(L.root);
        return st;
    }
    *root = L.root;
    return GAN_OK;
}
