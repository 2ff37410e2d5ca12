/* ytree.h - private to src/model: a YAML document as a small tree of nodes,
 * each with its 1-based source position.
 *
 * Only the plain subset a model file needs is accepted: one document whose
 * nodes are scalars, sequences and mappings with scalar keys.  Tags,
 * anchors, aliases, duplicate keys, a second document, nesting deeper than
 * YTREE_MAXDEPTH, more than YTREE_MAXNODES nodes or a scalar longer than
 * YTREE_MAXSCALAR bytes are errors.
 */
#ifndef GAN_MODEL_YTREE_H
#define GAN_MODEL_YTREE_H

#include <stddef.h>
#include "gan/error.h"

#define YTREE_MAXDEPTH 16
#define YTREE_MAXNODES 100000
#define YTREE_MAXSCALAR 4096

typedef enum ykind { Y_SCALAR, Y_SEQ, Y_MAP } ykind;

typedef struct ynode ynode;
struct ynode {
    ykind kind;
    int line, col;      /* 1-based; 0 for nodes made by an override */
    int origin;         /* 0: from the file; i + 1: made by override i */
    int plain;          /* scalar written unquoted (may be a number, bool, null) */
    char *s;            /* scalar text, NUL-terminated */
    int n, cap;
    ynode **key;        /* MAP: key scalars (n) */
    ynode **val;        /* MAP: values (n); SEQ: items (n) */
};

/* Parse text (len bytes) into *root.  *root is NULL for a stream with no
 * document (empty file, comments only).  Errors name `file` with the
 * position libyaml or the check gives.  Nodes get `origin`. */
gan_status ytree_parse(ynode **root, const char *text, size_t len, const char *file,
                       int origin, gan_error *err);
void ytree_free(ynode *n);

ynode *ytree_new(ykind kind, int line, int col, int origin);
ynode *ytree_scalar(const char *s, int plain, int origin);
/* Append (key, val) to a mapping or val to a sequence (key NULL).  0 on
 * allocation failure (nothing is taken over then). */
int ytree_append(ynode *parent, ynode *key, ynode *val);
/* Value of `key` in mapping m (NULL if absent or m is not a mapping);
 * *idx receives its index when idx is not NULL. */
ynode *ytree_get(const ynode *m, const char *key, int *idx);
/* Follow a dotted path of mapping keys ("noise.high"); NULL if absent. */
const ynode *ytree_path(const ynode *root, const char *path);
/* Plain empty, "~" or "null". */
int ytree_is_null(const ynode *n);
const char *ytree_kind_name(ykind k);

#endif
