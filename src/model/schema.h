/* schema.h - private to src/model: the model file's sections as tables.
 *
 * A section is a mapping; each of its keys is a `field` that says what the
 * value must be and where in the spec it goes (an offset from the section's
 * base struct).  A section may have a variant: its first field is an enum
 * (noise.distribution, data.format, optimizer type, train.loss) and the
 * fields whose `when` mask lacks the chosen bit are not accepted.  The same
 * tables drive validation, defaults, gan_model_expand and
 * gan_model_each_key.  Layer options use the registry's gan_key_desc tables
 * instead (src/layers).
 */
#ifndef GAN_MODEL_SCHEMA_H
#define GAN_MODEL_SCHEMA_H

#include <stddef.h>
#include "gan/model.h"
#include "model/ytree.h"

typedef enum fkind {
    F_INT,      /* int */
    F_LONG,     /* long */
    F_U64,      /* uint64_t */
    F_FLOAT,    /* float */
    F_FLOAT2,   /* two consecutive floats, written [a, b] */
    F_BOOL,     /* int 0/1 */
    F_ENUM,     /* an enum (int-sized), index into choices */
    F_STR,      /* char[size] */
    F_SECTION,  /* a nested mapping: sub, based at base + off */
    F_STACK     /* a layer stack: gan_stack_spec at off */
} fkind;

struct section;

/* Rows are written with designated initialisers ({ .key = "dim", .kind =
 * F_INT, .min = 1, N(dim), .doc = "..." }): what a row leaves out is 0 or
 * NULL, and each section's n is NFIELDS(its table), so a row added is a
 * key accepted. */
#define NFIELDS(a) (int)(sizeof(a) / sizeof((a)[0]))

typedef struct field {
    const char *key;
    fkind kind;
    unsigned when;               /* variant bits that accept it; 0: all */
    int required;
    double def, def2;            /* default (F_FLOAT2: both) */
    double min, max;             /* range; max >= 1e15 means none */
    int min_open, max_open;
    const char *const *choices;  /* F_ENUM, NULL-terminated */
    size_t off, size;            /* in the section's base struct */
    const struct section *sub;   /* F_SECTION */
    const char *doc;
} field;

typedef struct section {
    const char *path;            /* "train.optimizer.generator", "" at top */
    const field *f;
    int n;                       /* NFIELDS(f): the table counts itself */
    int has_variant;             /* f[0] is the variant enum */
    const char *variant_noun;    /* the variant in messages: "optimizer", "loss" */
    const char *keys_prefix;     /* each_key names per type: "optimizer" */
} section;

extern const section gan_model_top;
extern const char *const gan_model_loss_names[];
extern const char *const gan_model_optim_names[];
extern const char *const gan_model_lr_schedule_names[];
extern const char *const gan_model_format_names[];
extern const char *const gan_model_noise_names[];
extern const char *const gan_model_crop_names[];      /* data.crop */
extern const char *const gan_model_bad_file_names[];  /* data.on_bad_file */
extern const char *const gan_model_health_names[];
extern const char *const gan_model_gemm_names[];    /* train.gemm */

/* ---- validation context ---------------------------------------------- */
typedef struct mctx {
    const char *file;                /* the model file, for messages */
    const char *const *sets;         /* overrides, for messages */
    gan_error *err;
} mctx;

/* Error at node n: FILE:LINE:COL, or "--set" naming the override that made
 * the node.  Returns code. */
gan_status gan_model_err(const mctx *c, const ynode *n, gan_status code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Validate mapping n against section s into base; `at` is the node to
 * blame for missing keys (the section's key). */
gan_status gan_model_parse_section(const mctx *c, const ynode *n, const ynode *at,
                                   const section *s, void *base, gan_model_spec *m);
/* A sequence of layers into st. */
gan_status gan_model_parse_stack(const mctx *c, const ynode *n, const char *name,
                                 gan_stack_spec *st);

/* Scalars.  Each checks the node's type and range and reports
 * "invalid value 'x' for KEY in WHERE (expected ...)" or
 * "value x out of range for ...".  */
typedef struct range {
    double min, max;
    int min_open, max_open;
} range;
gan_status gan_model_get_int(const mctx *c, const ynode *n, const char *key, const char *where,
                             range r, long long *out);
gan_status gan_model_get_u64(const mctx *c, const ynode *n, const char *key, const char *where,
                             uint64_t *out);
gan_status gan_model_get_float(const mctx *c, const ynode *n, const char *key, const char *where,
                               range r, int single, double *out);
gan_status gan_model_get_bool(const mctx *c, const ynode *n, const char *key, const char *where,
                              int *out);
gan_status gan_model_get_enum(const mctx *c, const ynode *n, const char *noun, const char *where,
                              const char *const *choices, int *out);

/* Conditional models: label layers against data.classes (cond.c). */
gan_status model_cond_check(const mctx *c, const ynode *root, gan_model_spec *m);

/* Closest candidate to s within a small edit distance, or NULL. */
const char *gan_model_suggest(const char *s, const char *const *cands, int n);
/* s is a valid entry id: [A-Za-z_][A-Za-z0-9_.]* */
int gan_model_id_ok(const char *s);
/* blocks: expand the uses of the top-level blocks section in the layer
 * stacks named stacks[0..nstacks) (generator and discriminator of a model
 * file, layers of a classifier file) into plain entries (graph.c); removes
 * blocks from root */
gan_status gan_model_expand_blocks(const mctx *c, ynode *root, const char *const *stacks, int nstacks);
/* Shortest %g text of x that reads back as the same float (single) or
 * double, with ".0" before an exponent that has no '.' ("1.0e-08"). */
void gan_model_fmt_num(char *buf, size_t n, double x, int single);

#endif
