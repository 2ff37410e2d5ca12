/* gan/layer.h - the layer interface and the registry of layer types.
 *
 * A layer type is a const struct of function pointers plus a table of the
 * options its model-file mapping accepts (key, kind, range, default, doc).
 * The model parser validates options generically against that table, so
 * adding a layer is one new file in src/layers/ and one line in registry.c.
 *
 * Tensors are float32, NCHW.  Shapes here are per sample (the batch B is
 * given at run time): rank 1 is (F), rank 3 is (C, H, W).
 *
 * Conventions (as in llm.c): forward writes y; backward OVERWRITES dx (when
 * dx is not NULL) and ACCUMULATES (+=) parameter gradients into l->grads only
 * when param_grads is non-zero, so a frozen network is never touched.
 */
#ifndef GAN_LAYER_H
#define GAN_LAYER_H

#include "gan/api.h"

#include <stddef.h>
#include "gan/error.h"
#include "gan/rng.h"

typedef struct gan_shape {
    int rank;    /* 1 or 3 */
    int d[3];    /* (F) or (C, H, W) */
} gan_shape;

GAN_API size_t gan_shape_size(gan_shape s);
GAN_API int gan_shape_eq(gan_shape a, gan_shape b);
/* "(128, 7, 7)" */
GAN_API void gan_shape_str(gan_shape s, char *buf, size_t n);
/* 1 when s is an image: (1 or 3, H, W), or (K*K) a gray K x K one; its
 * channels, height and width in *C, *H, *W.  0 otherwise (they are left). */
GAN_API int gan_shape_image(gan_shape s, int *C, int *H, int *W);

/* ---- options of a layer type, as written in the model file ---------- */
typedef enum gan_key_kind {
    GAN_KEY_INT,
    GAN_KEY_FLOAT,
    GAN_KEY_BOOL,
    GAN_KEY_ENUM,     /* one of choices[]; stored as its index */
    GAN_KEY_INTLIST   /* [a, b, c]; length in [list_min, list_max] */
} gan_key_kind;

typedef struct gan_key_desc {
    const char *key;
    gan_key_kind kind;
    int required;
    double def;                  /* default when omitted (not required) */
    double min, max;             /* allowed range, inclusive ... */
    int min_open, max_open;      /* ... or exclusive at that end */
    const char *const *choices;  /* ENUM: NULL-terminated */
    int list_min, list_max;      /* INTLIST lengths */
    const char *doc;             /* one line for ganrun-model(5) */
} gan_key_desc;

#define GAN_LAYER_MAXKEYS 16

typedef struct gan_key_value {
    double num;      /* INT, FLOAT, BOOL (0/1), ENUM (index) */
    int list[4];     /* INTLIST */
    int len;
    int set;         /* given in the file (else default) */
    int line, col;   /* 1-based position of the value, 0 if defaulted */
} gan_key_value;

struct gan_layer_type;

/* Inputs one entry may read (add, concat) */
#define GAN_LAYER_MAXFROM 8
/* Longest entry id, with its block path ("res_up.1.main"), plus the NUL */
#define GAN_LAYER_IDLEN 64

/* One entry of a network.  The network is a graph in entry order: entry i
 * reads the outputs of entries from[0..nfrom) (each < i; -1 is the
 * network's input); nfrom == 0 means "the previous entry" (i - 1, or -1
 * for entry 0), which is what a straight stack of layers gives.  id names
 * the entry's output in the model file ("" for none); block uses are
 * expanded by the parser, so ids of entries from blocks carry the block
 * path (res_up.1.main). */
typedef struct gan_layer_conf {
    const struct gan_layer_type *type;
    gan_key_value v[GAN_LAYER_MAXKEYS];   /* indexed like type->keys */
    int line, col;                        /* position of the layer entry */
    int nfrom;
    int from[GAN_LAYER_MAXFROM];
    char id[GAN_LAYER_IDLEN];
} gan_layer_conf;

/* Fill conf with type's defaults (all keys unset). */
GAN_API void gan_layer_conf_defaults(gan_layer_conf *c, const struct gan_layer_type *t);
/* Index of key in t->keys, or -1. */
GAN_API int gan_layer_key_index(const struct gan_layer_type *t, const char *key);
/* Value of a key the type declares (abort()s on a key the type lacks: a
 * programming error, never an input error). */
GAN_API double gan_conf_num(const gan_layer_conf *c, const char *key);
GAN_API const gan_key_value *gan_conf_val(const gan_layer_conf *c, const char *key);

/* ---- a layer instance ------------------------------------------------ */
#define GAN_LAYER_MAXTENSORS 10   /* attention with spectral_norm: 4 + 6 */

/* A named view into the parameter arena (or the buffer arena) */
typedef struct gan_tensor_info {
    const char *name;   /* "weight", "bias", "running_mean", ... */
    int is_buffer;      /* 0: trainable (params/grads), 1: buffer (bufs) */
    int rank;
    int dims[4];
    size_t offset;      /* floats from l->params (or l->bufs) */
    size_t size;
} gan_tensor_info;

typedef struct gan_layer {
    const struct gan_layer_type *type;
    gan_layer_conf conf;
    gan_shape in, out;         /* in: the (first) input's shape */
    int nin;                   /* inputs (1 unless a multi-input type) */
    int src[GAN_LAYER_MAXFROM];       /* entries read (-1: the net's input) */
    gan_shape ins[GAN_LAYER_MAXFROM]; /* their shapes (ins[0] == in) */
    const char *in_name[GAN_LAYER_MAXFROM];  /* their names, for messages */
    size_t nparams;            /* trainable floats in the net's arena */
    size_t nbufs;              /* persistent non-trainable floats */
    size_t ws_fixed;           /* scratch floats: ws_fixed + B * ws_per_sample */
    size_t ws_per_sample;
    size_t ws_task;            /* scratch floats each further parallel task
                                * needs (gan_ctx.ntasks), after slot 0 */
    size_t saved_per_sample;   /* floats kept from forward to backward */
    size_t shard_sums;         /* GAN_LAYER_BATCH: doubles of sums per shard
                                * it hands to gan_shards_sum */
    int ntensors;
    gan_tensor_info tensors[GAN_LAYER_MAXTENSORS];
    float *params, *grads;     /* views, nparams floats each */
    float *bufs;               /* view, nbufs floats */
    float *saved;              /* B * saved_per_sample floats */
    void *priv;                /* layer-private state (may be NULL) */
} gan_layer;

/* What a forward/backward pass gets besides its tensors. */
typedef struct gan_ctx {
    int B;            /* batch size of this pass */
    int training;     /* 1: batch statistics, dropout on */
    float *ws;        /* shared scratch of the planned size */
    int ntasks;       /* parallel tasks the scratch has room for: task 0
                       * uses ws[0, ws_fixed + B*ws_per_sample), task t > 0
                       * the ws_task floats (t-1)*ws_task further on */
    gan_rng *rng;     /* the network's stream (dropout) */
    const int *labels;  /* (B) class labels of a conditional pass, or NULL
                         * (label layers then use class 0) */
    int shard;          /* a sharded pass (below) calls a layer once per
                         * shard: which one this call is (0: the first, or
                         * the only call of an unsharded pass) */
    const struct gan_shards *sh;   /* the net's shards in a sharded pass,
                                    * else NULL */
} gan_ctx;

/* Shards (gan_net_set_shards): a training pass's global batch cut into S
 * equal shards of consecutive rows, of which this process computes
 * shards s0 .. s0 + ns - 1 (all S on one process; S / ranks on each rank
 * of a data-parallel job).  Every layer but the batch-coupled ones
 * (GAN_LAYER_BATCH: batchnorm) is called once per shard with that shard's
 * rows, and accumulates its parameter gradients into that shard's own
 * arena; the arenas are summed in a fixed tree over the S shards
 * (gan_net_shard_reduce).  So every float of a step depends on the model,
 * the batch and S, never on how many threads or ranks computed it. */
typedef struct gan_shards {
    int S, s0, ns;
    size_t gstride;   /* floats from one shard's gradient arena to the next */
    double *dbuf;     /* (S, dmax) doubles: batch-coupled layers' sums */
    size_t dmax;
} gan_shards;
/* Batch-coupled layers' sums: part (S, n), of which rows s0 .. s0+ns-1
 * hold this process's shards' partial sums, becomes in part[0, n) their
 * sum over all S shards (all = 1: exchanged between the ranks) or over
 * this process's (all = 0), added in a fixed pairwise tree over the shard
 * index. */
GAN_API void gan_shards_sum(const gan_shards *sh, double *part, size_t n, int all);

typedef struct gan_layer_type {
    const char *name;              /* key in the model file: "conv2d" */
    const char *doc;               /* one line */
    const gan_key_desc *keys;
    int nkeys;
    /* From l->conf and the input shape: set l->out, nparams, nbufs, ws_*,
     * saved_per_sample and tensors[]; may allocate l->priv.  Returns
     * GAN_ERR_SHAPE / GAN_ERR_INVALID with a message (the caller adds the
     * model-file position). */
    gan_status (*setup)(gan_layer *l, gan_shape in, gan_error *err);
    /* Initialise l->params and l->bufs. */
    void (*init)(gan_layer *l, gan_rng *rng);
    /* y (B, out) = f(x (B, in)) */
    void (*forward)(gan_layer *l, const gan_ctx *c, const float *x, float *y);
    /* dx (B, in) = dL/dx from dy (B, out), when dx != NULL (overwritten);
     * l->grads += dL/dparams when param_grads.  x, y are the forward's. */
    void (*backward)(gan_layer *l, const gan_ctx *c, const float *x,
                     const float *y, const float *dy, float *dx, int param_grads);
    void (*destroy)(gan_layer *l);   /* frees priv; may be NULL */
    unsigned flags;                  /* GAN_LAYER_* below; 0 is always safe */
} gan_layer_type;

/* What a layer type promises, so a network can share activation memory
 * (gan_net_create decides; results are the same floats either way):
 *   Y_UNUSED  backward never reads y, so a later layer may overwrite it;
 *   INPLACE   forward is correct with y == x (element by element), and
 *             backward reads only y and dy, never x, so the layer can run
 *             over its predecessor's output when that one is Y_UNUSED;
 *   ALIAS     y is x bit for bit (reshape, flatten): y can be x's memory
 *             and the layer skipped, backward passing dy on as dx. */
enum { GAN_LAYER_Y_UNUSED = 1u << 0, GAN_LAYER_INPLACE = 1u << 1, GAN_LAYER_ALIAS = 1u << 2,
       GAN_LAYER_X_UNUSED = 1u << 3, GAN_LAYER_MULTI = 1u << 4, GAN_LAYER_BATCH = 1u << 5 };
/*   X_UNUSED  backward never reads x (implied by INPLACE and ALIAS), so
 *             an input read by no other entry may be overwritten once this
 *             entry's forward has run;
 *   MULTI     the type is the first member of a gan_layer_multi (below)
 *             and reads several inputs;
 *   BATCH     a training pass couples the samples (batchnorm's
 *             statistics): in a sharded pass the layer is called once
 *             for all of this process's shards (gan_ctx.sh) and cuts its
 *             sums by shard itself; l->grads is then the first local
 *             shard's arena, the next ones gstride floats apart. */

/* A multi-input (merge) layer type: add, concat.  Its gan_layer_type has
 * flags GAN_LAYER_MULTI and NULL setup, forward and backward; the network
 * calls these instead.  The entry reads nin >= min_from inputs: l->ins[k],
 * x[k] (B, ins[k]); backward OVERWRITES dx[k] for every k whose dx[k] is
 * not NULL (the network sums the gradients of a value several entries
 * read). */
typedef struct gan_layer_multi {
    gan_layer_type t;
    gan_status (*setup_n)(gan_layer *l, const gan_shape *in, int nin, gan_error *err);
    void (*forward_n)(gan_layer *l, const gan_ctx *c, const float *const *x, int nin, float *y);
    void (*backward_n)(gan_layer *l, const gan_ctx *c, const float *const *x, int nin,
                       const float *y, const float *dy, float *const *dx, int param_grads);
    int min_from;
} gan_layer_multi;

/* t as a multi-input type, or NULL for a single-input one */
static inline const gan_layer_multi *gan_layer_multi_of(const gan_layer_type *t)
{
    return t && (t->flags & GAN_LAYER_MULTI) ? (const gan_layer_multi *)(const void *)t : NULL;
}

/* sigma of a spectral-normalised layer's last forward pass (0 without). */
GAN_API float gan_layer_sn_sigma(const gan_layer *l);
/* The weight a layer computes with in eval mode: its parameters, or with
 * spectral_norm W / sigma from the stored vectors (nothing changes): what
 * an exporter writes. */
GAN_API const float *gan_layer_eval_weight(gan_layer *l);

/* The registry (src/layers/registry.c). */
GAN_API const gan_layer_type *gan_layer_find(const char *name);
GAN_API const gan_layer_type *const *gan_layer_types(int *n);

/* Shared weight-initialisation keys (init, init_mean, init_std, bias) and
 * helpers for layers with weights. */
enum { GAN_INIT_XAVIER, GAN_INIT_HE, GAN_INIT_NORMAL, GAN_INIT_UNIFORM, GAN_INIT_ZEROS };
GAN_API extern const char *const gan_init_choices[];
/* w[0..n) by the conf's init scheme with the given fans */
GAN_API void gan_init_weights(const gan_layer_conf *c, float *w, size_t n, int fan_in, int fan_out, gan_rng *rng);

#endif
