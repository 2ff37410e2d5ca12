/* onnx.c - a ganrun network as an ONNX model (see gan/export.h).
 *
 * The graph is built as protobuf-c messages: every string, array and
 * message comes from one list of allocations (ox.own) freed at the end, so
 * an emitter never frees anything.  Each layer i writes one ONNX value named
 * after it ("g3_conv2d"); the values a layer reads come from node_inputs(),
 * so a value can feed several later nodes.  Weights are initializers named
 * "<net>.<layer>.<tensor>" ("g.3.weight"), as `ganrun info` lists them.
 *
 * Over 800 lines for a reason: one emitter per layer type, each a few
 * lines, all in one table beside the protobuf plumbing they share.
 */
#include "config.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gan/gan.h"
#include "gan/export.h"
#include "export/onnx.h"
#include "export/onnx.pb-c.h"
#include "layers/layers.h"

#define OX_OPSET 13
#define OX_IR_VERSION 7   /* the IR version of opset 13 (ONNX 1.8) */

typedef struct ox {
    void **own;                        /* every allocation, freed by ox_free */
    size_t nown, cown;
    Onnx__NodeProto **nodes;
    size_t nnodes, cnodes;
    Onnx__TensorProto **inits;
    size_t ninits, cinits;
    int nomem;
    int uses_label;                    /* a layer read the labels */
    const char *label;                 /* name of the label input */
    char prefix;                       /* 'g' or 'd' */
} ox;

static void *ox_alloc(ox *o, size_t n)
{
    if (o->nomem) return NULL;
    if (o->nown == o->cown) {
        size_t c = o->cown ? 2 * o->cown : 256;
        void **p = realloc(o->own, c * sizeof *p);
        if (!p) {
            o->nomem = 1;
            return NULL;
        }
        o->own = p;
        o->cown = c;
    }
    void *m = calloc(1, n ? n : 1);
    if (!m) {
        o->nomem = 1;
        return NULL;
    }
    o->own[o->nown++] = m;
    return m;
}

static void ox_free(ox *o)
{
    for (size_t i = 0; i < o->nown; i++) free(o->own[i]);
    free(o->own);
    free(o->nodes);
    free(o->inits);
}

static char *ox_str(ox *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *ox_str(ox *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n >= 0 ? ox_alloc(o, (size_t)n + 1) : NULL;
    if (!s) return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

static int push(ox *o, void ***arr, size_t *n, size_t *cap, void *item)
{
    if (!item) return -1;
    if (*n == *cap) {
        size_t c = *cap ? 2 * *cap : 64;
        void **p = realloc(*arr, c * sizeof *p);
        if (!p) {
            o->nomem = 1;
            return -1;
        }
        *arr = p;
        *cap = c;
    }
    (*arr)[(*n)++] = item;
    return 0;
}

/* ---- nodes and attributes -------------------------------------------- */

/* A node op_type reading nin values and writing the value out. */
static Onnx__NodeProto *ox_node(ox *o, const char *op, const char *out, int nin, ...)
{
    Onnx__NodeProto *n = ox_alloc(o, sizeof *n);
    char **in = ox_alloc(o, (size_t)nin * sizeof *in);
    char **outs = ox_alloc(o, sizeof *outs);
    if (!n || !in || !outs) return NULL;
    onnx__node_proto__init(n);
    va_list ap;
    va_start(ap, nin);
    for (int i = 0; i < nin; i++) in[i] = (char *)va_arg(ap, const char *);
    va_end(ap);
    outs[0] = (char *)out;
    n->n_input = (size_t)nin;
    n->input = in;
    n->n_output = 1;
    n->output = outs;
    n->op_type = (char *)op;
    n->name = ox_str(o, "%s/%s", out, op);
    /* attributes: room for a few, filled by ox_attr_* */
    n->attribute = ox_alloc(o, 8 * sizeof *n->attribute);
    if (push(o, (void ***)&o->nodes, &o->nnodes, &o->cnodes, n)) return NULL;
    return n;
}

static Onnx__AttributeProto *ox_attr(ox *o, Onnx__NodeProto *n, const char *name,
                                     Onnx__AttributeProto__AttributeType type)
{
    if (!n || n->n_attribute >= 8) {
        o->nomem = 1;
        return NULL;
    }
    Onnx__AttributeProto *a = ox_alloc(o, sizeof *a);
    if (!a) return NULL;
    onnx__attribute_proto__init(a);
    a->name = (char *)name;
    a->has_type = 1;
    a->type = type;
    n->attribute[n->n_attribute++] = a;
    return a;
}

static void ox_attr_int(ox *o, Onnx__NodeProto *n, const char *name, long v)
{
    Onnx__AttributeProto *a = ox_attr(o, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
    if (!a) return;
    a->has_i = 1;
    a->i = v;
}

static void ox_attr_float(ox *o, Onnx__NodeProto *n, const char *name, float v)
{
    Onnx__AttributeProto *a = ox_attr(o, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
    if (!a) return;
    a->has_f = 1;
    a->f = v;
}

static void ox_attr_ints(ox *o, Onnx__NodeProto *n, const char *name, int cnt, const long *v)
{
    Onnx__AttributeProto *a = ox_attr(o, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
    int64_t *p = ox_alloc(o, (size_t)cnt * sizeof *p);
    if (!a || !p) return;
    for (int i = 0; i < cnt; i++) p[i] = v[i];
    a->n_ints = (size_t)cnt;
    a->ints = p;
}

static void ox_attr_string(ox *o, Onnx__NodeProto *n, const char *name, const char *v)
{
    Onnx__AttributeProto *a = ox_attr(o, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING);
    if (!a) return;
    a->has_s = 1;
    a->s.data = (uint8_t *)v;
    a->s.len = strlen(v);
}

/* ---- initializers (constant tensors) --------------------------------- */

static Onnx__TensorProto *ox_tensor(ox *o, const char *name, int type, int rank, const long *dims)
{
    Onnx__TensorProto *t = ox_alloc(o, sizeof *t);
    int64_t *d = ox_alloc(o, (size_t)rank * sizeof *d);
    if (!t || !d) return NULL;
    onnx__tensor_proto__init(t);
    for (int i = 0; i < rank; i++) d[i] = dims[i];
    t->name = (char *)name;
    t->n_dims = (size_t)rank;
    t->dims = d;
    t->has_data_type = 1;
    t->data_type = type;
    if (push(o, (void ***)&o->inits, &o->ninits, &o->cinits, t)) return NULL;
    return t;
}

/* A float initializer holding a copy of x (prod(dims) floats). */
static const char *ox_floats(ox *o, const char *name, const float *x, int rank, const long *dims)
{
    size_t n = 1;
    for (int i = 0; i < rank; i++) n *= (size_t)dims[i];
    Onnx__TensorProto *t = ox_tensor(o, name, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, rank, dims);
    float *p = ox_alloc(o, n * sizeof *p);
    if (!t || !p || !name) return NULL;
    memcpy(p, x, n * sizeof *p);
    t->n_float_data = n;
    t->float_data = p;
    return name;
}

/* A 1-D int64 initializer (shapes, axes). */
static const char *ox_int64s(ox *o, const char *name, int cnt, const long *v)
{
    long dims[1] = { cnt };
    Onnx__TensorProto *t = ox_tensor(o, name, ONNX__TENSOR_PROTO__DATA_TYPE__INT64, 1, dims);
    int64_t *p = ox_alloc(o, (size_t)cnt * sizeof *p);
    if (!t || !p || !name) return NULL;
    for (int i = 0; i < cnt; i++) p[i] = v[i];
    t->n_int64_data = (size_t)cnt;
    t->int64_data = p;
    return name;
}

/* Layer tensor `name` of l as an initializer "<net>.<i>.<name>" with its
 * own dimensions; NULL when the layer lacks it. */
static const gan_tensor_info *tensor_of(const gan_layer *l, const char *name)
{
    for (int k = 0; k < l->ntensors; k++)
        if (!strcmp(l->tensors[k].name, name)) return &l->tensors[k];
    return NULL;
}

static const char *ox_layer_tensor(ox *o, const gan_layer *l, int i, const char *name, const float *data)
{
    const gan_tensor_info *ti = tensor_of(l, name);
    if (!ti) return NULL;
    long dims[4];
    for (int k = 0; k < ti->rank; k++) dims[k] = ti->dims[k];
    if (!data) data = (ti->is_buffer ? l->bufs : l->params) + ti->offset;
    return ox_floats(o, ox_str(o, "%c.%d.%s", o->prefix, i, name), data, ti->rank, dims);
}

/* ---- value infos (graph inputs and outputs) --------------------------- */

/* name: elem_type tensor of shape (N, dims...) with N the dynamic batch */
static Onnx__ValueInfoProto *ox_value_info(ox *o, const char *name, int elem, int rank, const int *dims)
{
    Onnx__ValueInfoProto *v = ox_alloc(o, sizeof *v);
    Onnx__TypeProto *tp = ox_alloc(o, sizeof *tp);
    Onnx__TypeProto__Tensor *tt = ox_alloc(o, sizeof *tt);
    Onnx__TensorShapeProto *sh = ox_alloc(o, sizeof *sh);
    Onnx__TensorShapeProto__Dimension **d = ox_alloc(o, (size_t)(rank + 1) * sizeof *d);
    if (!v || !tp || !tt || !sh || !d) return NULL;
    onnx__value_info_proto__init(v);
    onnx__type_proto__init(tp);
    onnx__type_proto__tensor__init(tt);
    onnx__tensor_shape_proto__init(sh);
    for (int k = 0; k <= rank; k++) {
        if (!(d[k] = ox_alloc(o, sizeof *d[k]))) return NULL;
        onnx__tensor_shape_proto__dimension__init(d[k]);
        if (k == 0) {
            d[k]->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
            d[k]->dim_param = (char *)"N";
        } else {
            d[k]->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
            d[k]->dim_value = dims[k - 1];
        }
    }
    sh->n_dim = (size_t)rank + 1;
    sh->dim = d;
    tt->has_elem_type = 1;
    tt->elem_type = elem;
    tt->shape = sh;
    tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    tp->tensor_type = tt;
    v->name = (char *)name;
    v->type = tp;
    return v;
}

/* ---- the graph's wiring ----------------------------------------------- */

#define MAX_NODE_INPUTS GAN_LAYER_MAXFROM
/* The entries of net layer i reads, into idx (-1: the network's input);
 * returns their count. */
static int node_inputs(const gan_net *net, int i, int *idx)
{
    const gan_layer *l = &net->layers[i];
    for (int k = 0; k < l->nin; k++) idx[k] = l->src[k];
    return l->nin;
}

/* ---- emitters: one per layer type ------------------------------------ */

typedef struct emit_args {
    gan_layer *l;
    int i;               /* layer index */
    const char *in;      /* the value it reads (ins[0]) */
    const char *out;     /* the value it writes */
    const char **ins;    /* all the values it reads, in node_inputs order */
    int nin;
} emit_args;

typedef int (*emit_fn)(ox *o, const emit_args *e);

/* name of an intermediate value of layer e (suffix distinguishes them) */
static const char *tmp(ox *o, const emit_args *e, const char *suffix)
{
    return ox_str(o, "%s/%s", e->out, suffix);
}

static const char *flat_input(ox *o, const emit_args *e)
{
    if (e->l->in.rank == 1) return e->in;
    const char *f = tmp(o, e, "flat");
    ox_attr_int(o, ox_node(o, "Flatten", f, 1, e->in), "axis", 1);
    return f;
}

static int unary(ox *o, const emit_args *e, const char *op)
{
    return ox_node(o, op, e->out, 1, e->in) ? 0 : -1;
}

static int emit_relu(ox *o, const emit_args *e) { return unary(o, e, "Relu"); }
static int emit_tanh(ox *o, const emit_args *e) { return unary(o, e, "Tanh"); }
static int emit_sigmoid(ox *o, const emit_args *e) { return unary(o, e, "Sigmoid"); }
static int emit_identity(ox *o, const emit_args *e) { return unary(o, e, "Identity"); }

static int emit_leaky_relu(ox *o, const emit_args *e)
{
    ox_attr_float(o, ox_node(o, "LeakyRelu", e->out, 1, e->in), "alpha",
                  (float)gan_conf_num(&e->l->conf, "slope"));
    return 0;
}

static int emit_elu(ox *o, const emit_args *e)
{
    ox_attr_float(o, ox_node(o, "Elu", e->out, 1, e->in), "alpha", (float)gan_conf_num(&e->l->conf, "alpha"));
    return 0;
}

/* (N, in) -> (N, out) with the layer's per-sample output shape */
static int emit_reshape(ox *o, const emit_args *e)
{
    const gan_shape s = e->l->out;
    long shape[4] = { -1, s.d[0], s.d[1], s.d[2] };
    const char *sh = ox_int64s(o, tmp(o, e, "shape"), s.rank + 1, shape);
    return ox_node(o, "Reshape", e->out, 2, e->in, sh) ? 0 : -1;
}

static int emit_flatten(ox *o, const emit_args *e)
{
    ox_attr_int(o, ox_node(o, "Flatten", e->out, 1, e->in), "axis", 1);
    return 0;
}

/* y[n, c, i, j] = x[n, c, i/F, j/F]: Resize, nearest, asymmetric, floor */
static int emit_upsample(ox *o, const emit_args *e)
{
    float F = (float)gan_conf_num(&e->l->conf, "factor");
    float scales[4] = { 1, 1, F, F };
    long d[1] = { 4 };
    const char *sc = ox_floats(o, tmp(o, e, "scales"), scales, 1, d);
    Onnx__NodeProto *n = ox_node(o, "Resize", e->out, 3, e->in, "", sc);
    ox_attr_string(o, n, "mode", "nearest");
    ox_attr_string(o, n, "coordinate_transformation_mode", "asymmetric");
    ox_attr_string(o, n, "nearest_mode", "floor");
    return 0;
}

/* (N, C*P, ...) -> (N, C, P, ...) -> max over axis 2 */
static int emit_maxout(ox *o, const emit_args *e)
{
    const gan_shape s = e->l->out;
    long P = (long)gan_conf_num(&e->l->conf, "pieces");
    long shape[5] = { -1, s.d[0], P, s.d[1], s.d[2] };
    const char *sh = ox_int64s(o, tmp(o, e, "shape"), s.rank + 2, shape);
    const char *g = tmp(o, e, "groups");
    ox_node(o, "Reshape", g, 2, e->in, sh);
    Onnx__NodeProto *n = ox_node(o, "ReduceMax", e->out, 1, g);
    long axes[1] = { 2 };
    ox_attr_ints(o, n, "axes", 1, axes);
    ox_attr_int(o, n, "keepdims", 0);
    return 0;
}

/* The weight as the evaluation forward uses it: W, or W / sigma from the
 * stored spectral-norm vectors (changes no state). */
static const float *eval_weight(gan_layer *l)
{
    return gan_layer_eval_weight(l);
}

/* Tensor `name` of l out of W, the layer's weights as eval_weight gives
 * them (a multi-part spectral-normalised weight keeps the tensors' layout) */
static const char *ox_eval_tensor(ox *o, const gan_layer *l, int i, const char *name, const float *W)
{
    const gan_tensor_info *ti = tensor_of(l, name);
    return ti ? ox_layer_tensor(o, l, i, name, W + ti->offset) : NULL;
}

/* y = x W^T + b */
static int emit_dense(ox *o, const emit_args *e)
{
    const char *x = flat_input(o, e);
    const char *w = ox_layer_tensor(o, e->l, e->i, "weight", eval_weight(e->l));
    const char *b = ox_layer_tensor(o, e->l, e->i, "bias", NULL);
    Onnx__NodeProto *n = b ? ox_node(o, "Gemm", e->out, 3, x, w, b) : ox_node(o, "Gemm", e->out, 2, x, w);
    ox_attr_int(o, n, "transB", 1);
    return 0;
}

/* Conv / ConvTranspose: same attributes; ganrun's deconv2d output
 * (H - 1) S - 2P + K is ConvTranspose's with pads P on each side */
static int emit_conv(ox *o, const emit_args *e, const char *op)
{
    const gan_layer_conf *c = &e->l->conf;
    long K = (long)gan_conf_num(c, "kernel"), S = (long)gan_conf_num(c, "stride"),
         P = (long)gan_conf_num(c, "pad");
    const char *w = ox_layer_tensor(o, e->l, e->i, "weight", eval_weight(e->l));
    const char *b = ox_layer_tensor(o, e->l, e->i, "bias", NULL);
    Onnx__NodeProto *n = b ? ox_node(o, op, e->out, 3, e->in, w, b) : ox_node(o, op, e->out, 2, e->in, w);
    long ks[2] = { K, K }, st[2] = { S, S }, pd[4] = { P, P, P, P };
    ox_attr_ints(o, n, "kernel_shape", 2, ks);
    ox_attr_ints(o, n, "strides", 2, st);
    ox_attr_ints(o, n, "pads", 4, pd);
    /* conv2d groups (weight (OC, C/G, K, K), as ONNX Conv's) */
    if (gan_layer_key_index(e->l->type, "groups") >= 0 && gan_conf_num(c, "groups") > 1)
        ox_attr_int(o, n, "group", (long)gan_conf_num(c, "groups"));
    return 0;
}

static int emit_conv2d(ox *o, const emit_args *e) { return emit_conv(o, e, "Conv"); }
static int emit_deconv2d(ox *o, const emit_args *e) { return emit_conv(o, e, "ConvTranspose"); }

static int emit_cond_batchnorm(ox *o, const emit_args *e);

/* evaluation mode: the running statistics; gamma 1, beta 0 without affine */
static int emit_batchnorm(ox *o, const emit_args *e)
{
    gan_layer *l = e->l;
    int C = l->in.d[0];
    if (gan_layer_key_index(l->type, "conditional") >= 0 && gan_conf_num(&l->conf, "conditional") != 0)
        return emit_cond_batchnorm(o, e);
    const char *g = ox_layer_tensor(o, l, e->i, "gamma", NULL);
    const char *b = ox_layer_tensor(o, l, e->i, "beta", NULL);
    if (!g) {
        float *ones = ox_alloc(o, (size_t)C * sizeof *ones), *zeros = ox_alloc(o, (size_t)C * sizeof *zeros);
        if (!ones || !zeros) return -1;
        for (int c = 0; c < C; c++) ones[c] = 1.0f;
        long d[1] = { C };
        g = ox_floats(o, ox_str(o, "%c.%d.gamma", o->prefix, e->i), ones, 1, d);
        b = ox_floats(o, ox_str(o, "%c.%d.beta", o->prefix, e->i), zeros, 1, d);
    }
    const char *m = ox_layer_tensor(o, l, e->i, "running_mean", NULL);
    const char *v = ox_layer_tensor(o, l, e->i, "running_var", NULL);
    ox_attr_float(o, ox_node(o, "BatchNormalization", e->out, 5, e->in, g, b, m, v), "epsilon",
                  (float)gan_conf_num(&l->conf, "eps"));
    return 0;
}

/* a copy of layer tensor `name` with other dimensions (the same floats):
 * per-channel vectors as (C, 1, 1) to broadcast over (N, C, H, W) */
static const char *ox_layer_tensor_as(ox *o, const gan_layer *l, int i, const char *name, int rank,
                                      const long *dims)
{
    const gan_tensor_info *ti = tensor_of(l, name);
    if (!ti) return NULL;
    const float *data = (ti->is_buffer ? l->bufs : l->params) + ti->offset;
    return ox_floats(o, ox_str(o, "%c.%d.%s", o->prefix, i, name), data, rank, dims);
}

/* conditional batchnorm (layers with conditional: true): normalised with
 * the running statistics, then gamma[label], beta[label] per channel */
static int emit_cond_batchnorm(ox *o, const emit_args *e)
{
    gan_layer *l = e->l;
    int C = l->in.d[0];
    o->uses_label = 1;
    float *ones = ox_alloc(o, (size_t)C * sizeof *ones), *zeros = ox_alloc(o, (size_t)C * sizeof *zeros);
    if (!ones || !zeros) return -1;
    for (int c = 0; c < C; c++) ones[c] = 1.0f;
    long d[1] = { C };
    const char *g1 = ox_floats(o, tmp(o, e, "one"), ones, 1, d), *b0 = ox_floats(o, tmp(o, e, "zero"), zeros, 1, d);
    const char *m = ox_layer_tensor(o, l, e->i, "running_mean", NULL);
    const char *v = ox_layer_tensor(o, l, e->i, "running_var", NULL);
    const char *xh = tmp(o, e, "xhat"), *gr = tmp(o, e, "gamma_row"), *br = tmp(o, e, "beta_row");
    ox_attr_float(o, ox_node(o, "BatchNormalization", xh, 5, e->in, g1, b0, m, v), "epsilon",
                  (float)gan_conf_num(&l->conf, "eps"));
    const char *G = ox_layer_tensor(o, l, e->i, "gamma", NULL), *Bt = ox_layer_tensor(o, l, e->i, "beta", NULL);
    ox_attr_int(o, ox_node(o, "Gather", gr, 2, G, o->label), "axis", 0);    /* (N, C) */
    ox_attr_int(o, ox_node(o, "Gather", br, 2, Bt, o->label), "axis", 0);
    if (l->in.rank == 3) {
        long axes[2] = { 2, 3 };
        const char *ax = ox_int64s(o, tmp(o, e, "axes"), 2, axes);
        const char *gu = tmp(o, e, "gamma4"), *bu = tmp(o, e, "beta4");
        ox_node(o, "Unsqueeze", gu, 2, gr, ax);                              /* (N, C, 1, 1) */
        ox_node(o, "Unsqueeze", bu, 2, br, ax);
        gr = gu;
        br = bu;
    }
    const char *sc = tmp(o, e, "scaled");
    ox_node(o, "Mul", sc, 2, xh, gr);
    ox_node(o, "Add", e->out, 2, sc, br);
    return 0;
}

/* K x K windows, stride K */
static int emit_avgpool(ox *o, const emit_args *e)
{
    long K = (long)gan_conf_num(&e->l->conf, "size");
    Onnx__NodeProto *n = ox_node(o, "AveragePool", e->out, 1, e->in);
    long ks[2] = { K, K };
    ox_attr_ints(o, n, "kernel_shape", 2, ks);
    ox_attr_ints(o, n, "strides", 2, ks);
    return 0;
}

/* resample (src/layers/resample.c): the 2-D filter g g^T (2 g per axis
 * up) as a depthwise Conv, stride 2, pads p = (L-1)/2 before and L-2-p
 * after (down), or a depthwise ConvTranspose of the flipped filter, pads
 * L-2-p before and p after (up): the layer's upfirdn2d paddings */
static int emit_resample(ox *o, const emit_args *e)
{
    const gan_layer_conf *c = &e->l->conf;
    const gan_key_value *fv = gan_conf_val(c, "filter");
    static const int def[3] = { 1, 2, 1 };
    const int *f = fv->len ? fv->list : def;
    int L = fv->len ? fv->len : 3, up = gan_conf_num(c, "op") == 1, C = e->l->in.d[0];
    double sum = 0, g[4];
    for (int k = 0; k < L; k++) sum += f[k];
    for (int k = 0; k < L; k++) g[k] = (up ? 2.0 : 1.0) * f[up ? L - 1 - k : k] / sum;
    float *w = ox_alloc(o, (size_t)C * L * L * sizeof *w);
    if (!w) return -1;
    for (int ch = 0; ch < C; ch++)
        for (int a = 0; a < L; a++)
            for (int b = 0; b < L; b++) w[((size_t)ch * L + a) * L + b] = (float)(g[a] * g[b]);
    long d[4] = { C, 1, L, L };
    const char *wn = ox_floats(o, tmp(o, e, "filter"), w, 4, d);
    long p = (L - 1) / 2, q = L - 2 - p;
    long pads[4] = { up ? q : p, up ? q : p, up ? p : q, up ? p : q };
    long ks[2] = { L, L }, st[2] = { 2, 2 };
    Onnx__NodeProto *n = ox_node(o, up ? "ConvTranspose" : "Conv", e->out, 2, e->in, wn);
    ox_attr_ints(o, n, "kernel_shape", 2, ks);
    ox_attr_ints(o, n, "strides", 2, st);
    ox_attr_ints(o, n, "pads", 4, pads);
    ox_attr_int(o, n, "group", C);
    return 0;
}

/* (N, C, H, W) -> (N, C): sum or mean over H, W */
static int emit_global_pool(ox *o, const emit_args *e)
{
    long axes[2] = { 2, 3 };
    Onnx__NodeProto *n;
    if (gan_conf_num(&e->l->conf, "op") == 0) {   /* sum */
        n = ox_node(o, "ReduceSum", e->out, 2, e->in, ox_int64s(o, tmp(o, e, "axes"), 2, axes));
    } else {
        n = ox_node(o, "ReduceMean", e->out, 1, e->in);
        ox_attr_ints(o, n, "axes", 2, axes);
    }
    ox_attr_int(o, n, "keepdims", 0);
    return 0;
}

/* y = x / sqrt(mean over channels of x^2 + eps), at every position */
static int emit_pixelnorm(ox *o, const emit_args *e)
{
    const char *sq = tmp(o, e, "sq"), *ms = tmp(o, e, "meansq"), *ad = tmp(o, e, "plus_eps"),
               *rt = tmp(o, e, "rms");
    float eps = (float)gan_conf_num(&e->l->conf, "eps");
    long one[1] = { 1 };
    ox_node(o, "Mul", sq, 2, e->in, e->in);
    Onnx__NodeProto *n = ox_node(o, "ReduceMean", ms, 1, sq);
    ox_attr_ints(o, n, "axes", 1, one);
    ox_attr_int(o, n, "keepdims", 1);
    ox_node(o, "Add", ad, 2, ms, ox_floats(o, tmp(o, e, "eps"), &eps, 0, NULL));
    ox_node(o, "Sqrt", rt, 1, ad);
    ox_node(o, "Div", e->out, 2, e->in, rt);
    return 0;
}

/* each sample over all its values (opset 13 has no LayerNormalization):
 * (x - mean) / sqrt(var + eps), then gamma, beta per channel */
static int emit_layernorm(ox *o, const emit_args *e)
{
    gan_layer *l = e->l;
    int r3 = l->in.rank == 3;
    long axes[3] = { 1, 2, 3 };
    float eps = (float)gan_conf_num(&l->conf, "eps");
    const char *mu = tmp(o, e, "mean"), *d = tmp(o, e, "centred"), *d2 = tmp(o, e, "sq"), *var = tmp(o, e, "var"),
               *ve = tmp(o, e, "plus_eps"), *sd = tmp(o, e, "std"), *xh = tmp(o, e, "xhat");
    Onnx__NodeProto *n = ox_node(o, "ReduceMean", mu, 1, e->in);
    ox_attr_ints(o, n, "axes", r3 ? 3 : 1, axes);
    ox_attr_int(o, n, "keepdims", 1);
    ox_node(o, "Sub", d, 2, e->in, mu);
    ox_node(o, "Mul", d2, 2, d, d);
    n = ox_node(o, "ReduceMean", var, 1, d2);
    ox_attr_ints(o, n, "axes", r3 ? 3 : 1, axes);
    ox_attr_int(o, n, "keepdims", 1);
    ox_node(o, "Add", ve, 2, var, ox_floats(o, tmp(o, e, "eps"), &eps, 0, NULL));
    ox_node(o, "Sqrt", sd, 1, ve);
    if (!tensor_of(l, "gamma")) return ox_node(o, "Div", e->out, 2, d, sd) ? 0 : -1;
    ox_node(o, "Div", xh, 2, d, sd);
    long dims[3] = { l->in.d[0], 1, 1 };
    const char *g = ox_layer_tensor_as(o, l, e->i, "gamma", r3 ? 3 : 1, dims);
    const char *b = ox_layer_tensor_as(o, l, e->i, "beta", r3 ? 3 : 1, dims);
    const char *sc = tmp(o, e, "scaled");
    ox_node(o, "Mul", sc, 2, xh, g);
    ox_node(o, "Add", e->out, 2, sc, b);
    return 0;
}

/* SAGAN self-attention over the P = H W positions:
 *   X (N, C, P); f = Wf X, g = Wg X (N, R, P), h = Wh X (N, C, P)
 *   a = softmax over i of s[j, i] = (g^T f)[j, i]     (N, P, P)
 *   y = gamma h a^T + X, back to (N, C, H, W) */
static int emit_attention(ox *o, const emit_args *e)
{
    gan_layer *l = e->l;
    long C = l->in.d[0], H = l->in.d[1], W = l->in.d[2];
    long flat[3] = { -1, C, H * W }, img[4] = { -1, C, H, W }, perm[3] = { 0, 2, 1 };
    const char *X = tmp(o, e, "X"), *f = tmp(o, e, "f"), *g = tmp(o, e, "g"), *h = tmp(o, e, "h"),
               *gt = tmp(o, e, "gT"), *sc = tmp(o, e, "scores"), *a = tmp(o, e, "attn"), *at = tmp(o, e, "attnT"),
               *ov = tmp(o, e, "o"), *go = tmp(o, e, "gamma_o"), *y = tmp(o, e, "y");
    ox_node(o, "Reshape", X, 2, e->in, ox_int64s(o, tmp(o, e, "flat"), 3, flat));
    const float *Wsn = eval_weight(l);   /* [Wf; Wg; Wh], each over its sigma with spectral_norm */
    ox_node(o, "MatMul", f, 2, ox_eval_tensor(o, l, e->i, "weight_f", Wsn), X);
    ox_node(o, "MatMul", g, 2, ox_eval_tensor(o, l, e->i, "weight_g", Wsn), X);
    ox_node(o, "MatMul", h, 2, ox_eval_tensor(o, l, e->i, "weight_h", Wsn), X);
    ox_attr_ints(o, ox_node(o, "Transpose", gt, 1, g), "perm", 3, perm);
    ox_node(o, "MatMul", sc, 2, gt, f);
    ox_attr_int(o, ox_node(o, "Softmax", a, 1, sc), "axis", -1);
    ox_attr_ints(o, ox_node(o, "Transpose", at, 1, a), "perm", 3, perm);
    ox_node(o, "MatMul", ov, 2, h, at);
    ox_node(o, "Mul", go, 2, ov, ox_layer_tensor(o, l, e->i, "gamma", NULL));
    ox_node(o, "Add", y, 2, go, X);
    ox_node(o, "Reshape", e->out, 2, y, ox_int64s(o, tmp(o, e, "shape"), 4, img));
    return 0;
}

/* ProGAN's minibatch standard deviation, as minibatch_stddev.c computes it
 * for whatever batch N the model is run on:
 *   G = the largest g in 1..group dividing N: max over g of g (N mod g == 0)
 *   X (N, C, H, W) -> (G, M, D), M = N / G: member k of group m is sample
 *   k M + m; s = sqrt(var over G (biased) + eps) (M, D); stat = mean over D
 *   (M, 1), broadcast to (G, M, 1) -> (N, 1, 1, 1) -> (N, 1, H, W);
 *   y = [X, stat] along the channels */
static int emit_minibatch_stddev(ox *o, const emit_args *e)
{
    const gan_layer *l = e->l;
    int group = (int)gan_conf_num(&l->conf, "group");
    float eps = (float)gan_conf_num(&l->conf, "eps");
    long *cand = ox_alloc(o, (size_t)group * sizeof *cand);
    if (!cand) return -1;
    for (int g = 0; g < group; g++) cand[g] = g + 1;
    long zero[1] = { 0 }, minus1[1] = { -1 }, one[1] = { 1 }, flat4[4] = { -1, 1, 1, 1 };
    long hw[4] = { 1, 1, l->in.d[1], l->in.d[2] }, ax0[1] = { 0 }, ax1[1] = { 1 };
    const char *shp = tmp(o, e, "shape"), *N = tmp(o, e, "N"), *md = tmp(o, e, "N_mod_g"),
               *eq = tmp(o, e, "divides"), *eqi = tmp(o, e, "divides_i"), *gm = tmp(o, e, "g_or_0"),
               *G = tmp(o, e, "G"), *M = tmp(o, e, "M"), *gmd = tmp(o, e, "GMD"), *xr = tmp(o, e, "groups"),
               *mu = tmp(o, e, "mean"), *d = tmp(o, e, "centred"), *d2 = tmp(o, e, "sq"), *var = tmp(o, e, "var"),
               *ve = tmp(o, e, "plus_eps"), *sd = tmp(o, e, "std"), *st = tmp(o, e, "stat"),
               *gm1 = tmp(o, e, "GM1"), *stg = tmp(o, e, "stat_groups"), *stn = tmp(o, e, "stat_n"),
               *ch = tmp(o, e, "channel");
    ox_node(o, "Shape", shp, 1, e->in);
    ox_attr_int(o, ox_node(o, "Gather", N, 2, shp, ox_int64s(o, tmp(o, e, "zero"), 1, zero)), "axis", 0);
    const char *cands = ox_int64s(o, tmp(o, e, "candidates"), group, cand);
    ox_node(o, "Mod", md, 2, N, cands);
    ox_node(o, "Equal", eq, 2, md, ox_int64s(o, tmp(o, e, "zeros"), 1, zero));
    ox_attr_int(o, ox_node(o, "Cast", eqi, 1, eq), "to", ONNX__TENSOR_PROTO__DATA_TYPE__INT64);
    ox_node(o, "Mul", gm, 2, eqi, cands);
    ox_attr_int(o, ox_node(o, "ReduceMax", G, 1, gm), "keepdims", 1);
    ox_node(o, "Div", M, 2, N, G);
    Onnx__NodeProto *n = ox_node(o, "Concat", gmd, 3, G, M, ox_int64s(o, tmp(o, e, "minus1"), 1, minus1));
    ox_attr_int(o, n, "axis", 0);
    ox_node(o, "Reshape", xr, 2, e->in, gmd);
    n = ox_node(o, "ReduceMean", mu, 1, xr);
    ox_attr_ints(o, n, "axes", 1, ax0);
    ox_attr_int(o, n, "keepdims", 1);
    ox_node(o, "Sub", d, 2, xr, mu);
    ox_node(o, "Mul", d2, 2, d, d);
    n = ox_node(o, "ReduceMean", var, 1, d2);
    ox_attr_ints(o, n, "axes", 1, ax0);
    ox_attr_int(o, n, "keepdims", 0);
    ox_node(o, "Add", ve, 2, var, ox_floats(o, tmp(o, e, "eps"), &eps, 0, NULL));
    ox_node(o, "Sqrt", sd, 1, ve);
    n = ox_node(o, "ReduceMean", st, 1, sd);
    ox_attr_ints(o, n, "axes", 1, ax1);
    ox_attr_int(o, n, "keepdims", 1);
    n = ox_node(o, "Concat", gm1, 3, G, M, ox_int64s(o, tmp(o, e, "one"), 1, one));
    ox_attr_int(o, n, "axis", 0);
    ox_node(o, "Expand", stg, 2, st, gm1);
    ox_node(o, "Reshape", stn, 2, stg, ox_int64s(o, tmp(o, e, "n111"), 4, flat4));
    ox_node(o, "Expand", ch, 2, stn, ox_int64s(o, tmp(o, e, "hw"), 4, hw));
    n = ox_node(o, "Concat", e->out, 2, e->in, ch);
    if (!n) return -1;
    ox_attr_int(o, n, "axis", 1);
    return 0;
}

/* FiLM: gamma = 1 + c Wg^T + bg, beta = c Wb^T + bb (Gemm, N x C), as
 * (N, C, 1, 1) on images; y = gamma x + beta */
static int emit_modulate(ox *o, const emit_args *e)
{
    gan_layer *l = e->l;
    const float *Wsn = eval_weight(l);   /* [Wg; Wb], each over its sigma with spectral_norm */
    const char *wg = ox_eval_tensor(o, l, e->i, "weight_gamma", Wsn);
    const char *wb = ox_eval_tensor(o, l, e->i, "weight_beta", Wsn);
    const char *bg = ox_layer_tensor(o, l, e->i, "bias_gamma", NULL);
    const char *bb = ox_layer_tensor(o, l, e->i, "bias_beta", NULL);
    const char *g0 = tmp(o, e, "g"), *ga = tmp(o, e, "gamma"), *be = tmp(o, e, "beta"), *gx = tmp(o, e, "gamma_x");
    float one = 1.0f;
    ox_attr_int(o, ox_node(o, "Gemm", g0, 3, e->ins[1], wg, bg), "transB", 1);
    ox_node(o, "Add", ga, 2, g0, ox_floats(o, tmp(o, e, "one"), &one, 0, NULL));
    ox_attr_int(o, ox_node(o, "Gemm", be, 3, e->ins[1], wb, bb), "transB", 1);
    if (l->in.rank == 3) {
        long shape[4] = { 0, l->in.d[0], 1, 1 };
        const char *sh = ox_int64s(o, tmp(o, e, "shape"), 4, shape), *ga4 = tmp(o, e, "gamma4"),
                   *be4 = tmp(o, e, "beta4");
        ox_node(o, "Reshape", ga4, 2, ga, sh);
        ox_node(o, "Reshape", be4, 2, be, sh);
        ga = ga4, be = be4;
    }
    ox_node(o, "Mul", gx, 2, e->ins[0], ga);
    return ox_node(o, "Add", e->out, 2, gx, be) ? 0 : -1;
}

/* features or channels [start, start + size): Slice on axis 1 */
static int emit_slice(ox *o, const emit_args *e)
{
    long start = (long)gan_conf_num(&e->l->conf, "start"), end = start + e->l->out.d[0], axis = 1;
    return ox_node(o, "Slice", e->out, 4, e->in, ox_int64s(o, tmp(o, e, "starts"), 1, &start),
                   ox_int64s(o, tmp(o, e, "ends"), 1, &end), ox_int64s(o, tmp(o, e, "axes"), 1, &axis))
               ? 0 : -1;
}

/* x_0 + x_1 + ...: a chain of Add nodes, left to right as ganrun sums */
static int emit_add(ox *o, const emit_args *e)
{
    const char *acc = e->ins[0];
    for (int k = 1; k < e->nin; k++) {
        const char *y = k + 1 == e->nin ? e->out : ox_str(o, "%s/sum%d", e->out, k);
        ox_node(o, "Add", y, 2, acc, e->ins[k]);
        acc = y;
    }
    return e->nin > 1 ? 0 : (ox_node(o, "Identity", e->out, 1, e->ins[0]) ? 0 : -1);
}

/* the inputs side by side along axis 1: channels of images, features of vectors */
static int emit_concat(ox *o, const emit_args *e)
{
    Onnx__NodeProto *n = ox_node(o, "Concat", e->out, 0);
    if (!n) return -1;
    char **in = ox_alloc(o, (size_t)e->nin * sizeof *in);
    if (!in) return -1;
    for (int k = 0; k < e->nin; k++) in[k] = (char *)e->ins[k];
    n->input = in;
    n->n_input = (size_t)e->nin;
    ox_attr_int(o, n, "axis", 1);
    return 0;
}

/* [x, E[label]]: the row appended as features, or as D channels that
 * repeat over H, W for an image */
static int emit_embed(ox *o, const emit_args *e)
{
    gan_layer *l = e->l;
    o->uses_label = 1;
    const char *E = ox_layer_tensor(o, l, e->i, "table", NULL);
    const char *row = tmp(o, e, "row");
    ox_attr_int(o, ox_node(o, "Gather", row, 2, E, o->label), "axis", 0);   /* (N, D) */
    if (l->in.rank == 3) {
        long D = l->tensors[0].dims[1];
        long axes[2] = { 2, 3 }, shape[4] = { 1, D, l->in.d[1], l->in.d[2] };
        const char *u = tmp(o, e, "row4"), *p = tmp(o, e, "planes");
        ox_node(o, "Unsqueeze", u, 2, row, ox_int64s(o, tmp(o, e, "axes"), 2, axes));   /* (N, D, 1, 1) */
        ox_node(o, "Expand", p, 2, u, ox_int64s(o, tmp(o, e, "shape"), 4, shape));     /* (N, D, H, W) */
        row = p;
    }
    ox_attr_int(o, ox_node(o, "Concat", e->out, 2, e->in, row), "axis", 1);
    return 0;
}

/* w . h + b + <V[label], h>: (N, 1) */
static int emit_project(ox *o, const emit_args *e)
{
    gan_layer *l = e->l;
    o->uses_label = 1;
    const char *h = flat_input(o, e);
    const char *w = ox_layer_tensor(o, l, e->i, "weight", NULL);
    const char *V = ox_layer_tensor(o, l, e->i, "table", NULL);
    const char *b = ox_layer_tensor(o, l, e->i, "bias", NULL);
    const char *lin = tmp(o, e, "linear"), *row = tmp(o, e, "row"), *prod = tmp(o, e, "prod"),
               *dot = tmp(o, e, "dot");
    Onnx__NodeProto *n = b ? ox_node(o, "Gemm", lin, 3, h, w, b) : ox_node(o, "Gemm", lin, 2, h, w);
    ox_attr_int(o, n, "transB", 1);                                          /* (N, 1) */
    ox_attr_int(o, ox_node(o, "Gather", row, 2, V, o->label), "axis", 0);    /* (N, F) */
    ox_node(o, "Mul", prod, 2, h, row);
    long axes[1] = { 1 };
    ox_attr_int(o, ox_node(o, "ReduceSum", dot, 2, prod, ox_int64s(o, tmp(o, e, "axes"), 1, axes)), "keepdims", 1);
    ox_node(o, "Add", e->out, 2, lin, dot);
    return 0;
}

/* layer type name -> emitter and the most values its nodes read (merge
 * layers such as add or concat take several; every other type one) */
static const struct {
    const char *type;
    emit_fn fn;
    int max_inputs;
} emitters[] = {
    { "dense", emit_dense, 1 },         { "relu", emit_relu, 1 },
    { "leaky_relu", emit_leaky_relu, 1 }, { "elu", emit_elu, 1 },
    { "tanh", emit_tanh, 1 },           { "sigmoid", emit_sigmoid, 1 },
    { "dropout", emit_identity, 1 },    { "reshape", emit_reshape, 1 },
    { "flatten", emit_flatten, 1 },     { "upsample", emit_upsample, 1 },
    { "maxout", emit_maxout, 1 },       { "conv2d", emit_conv2d, 1 },
    { "deconv2d", emit_deconv2d, 1 },   { "batchnorm", emit_batchnorm, 1 },
    { "embed", emit_embed, 1 },         { "project", emit_project, 1 },
    /* the types of the layers branch (exported once they are registered) */
    { "avgpool", emit_avgpool, 1 },     { "global_pool", emit_global_pool, 1 },
    { "pixelnorm", emit_pixelnorm, 1 }, { "layernorm", emit_layernorm, 1 },
    { "attention", emit_attention, 1 },   { "minibatch_stddev", emit_minibatch_stddev, 1 },
    { "slice", emit_slice, 1 },         { "resample", emit_resample, 1 },
    /* the merge layers of the graph branch (node_inputs must read from[] then) */
    { "add", emit_add, MAX_NODE_INPUTS }, { "concat", emit_concat, MAX_NODE_INPUTS },
    { "modulate", emit_modulate, 2 },
};

static int find_emitter_index(const char *type)
{
    for (size_t k = 0; k < sizeof emitters / sizeof emitters[0]; k++)
        if (!strcmp(emitters[k].type, type)) return (int)k;
    return -1;
}

static emit_fn find_emitter(const char *type)
{
    int k = find_emitter_index(type);
    return k < 0 ? NULL : emitters[k].fn;
}

int onnx_maps(const char *type_name)
{
    return find_emitter(type_name) != NULL;
}

/* ---- the model --------------------------------------------------------- */

static int shape_dims(gan_shape s, int *d)
{
    for (int k = 0; k < s.rank; k++) d[k] = s.d[k];
    return s.rank;
}

static Onnx__StringStringEntryProto *ox_meta(ox *o, const char *key, const char *value)
{
    Onnx__StringStringEntryProto *m = ox_alloc(o, sizeof *m);
    if (!m) return NULL;
    onnx__string_string_entry_proto__init(m);
    m->key = (char *)key;
    m->value = (char *)value;
    return m;
}

static gan_status write_model(ox *o, Onnx__ModelProto *m, const char *path, gan_error *err)
{
    size_t n = onnx__model_proto__get_packed_size(m);
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) return gan_error_at(err, GAN_ERR_NOMEM, path, 0, 0, "out of memory for %zu bytes", n);
    size_t packed = onnx__model_proto__pack(m, buf);
    (void)o;
    /* libgan's atomic writer: a failure leaves what was at path */
    gan_status st = packed == n ? gan_file_write(path, buf, packed, err)
                                : gan_error_at(err, GAN_ERR_IO, path, 0, 0, "protobuf packed %zu of %zu bytes",
                                               packed, n);
    free(buf);
    return st;
}

int gan_export_onnx_supported(void)
{
    return 1;
}

gan_status gan_export_onnx(gan_trainer *t, int discriminator, const char *path, gan_error *err)
{
    gan_net *net = discriminator ? t->D : t->G;
    const char *which = discriminator ? "discriminator" : "generator";
    ox o = { 0 };
    o.prefix = discriminator ? 'd' : 'g';
    o.label = "label";
    const char *in_name = discriminator ? "x" : "z", *out_name = discriminator ? "score" : "x";
    /* a value per layer: values[i + 1] is layer i's output, values[0] the input */
    const char **values = ox_alloc(&o, (size_t)(net->n + 1) * sizeof *values);
    gan_status st = GAN_OK;
    if (values) values[0] = in_name;
    for (int i = 0; values && i < net->n && st == GAN_OK && !o.nomem; i++) {
        gan_layer *l = &net->layers[i];
        emit_fn fn = find_emitter(l->type->name);
        if (!fn) {
            st = gan_error_set(err, GAN_ERR_INVALID, "%s layer %d (%s, line %d of the model) has no ONNX mapping",
                               which, i, l->type->name, l->conf.line);
            break;
        }
        int idx[MAX_NODE_INPUTS];
        int nin = node_inputs(net, i, idx);
        int most = emitters[find_emitter_index(l->type->name)].max_inputs;
        if (nin < 1 || nin > most) {
            st = gan_error_set(err, GAN_ERR_INVALID, "%s layer %d (%s) reads %d values; its ONNX mapping takes %d",
                               which, i, l->type->name, nin, most);
            break;
        }
        const char **ins = ox_alloc(&o, (size_t)nin * sizeof *ins);
        if (!ins) break;
        for (int k = 0; k < nin; k++) ins[k] = values[idx[k] + 1];
        emit_args e = { l, i, ins[0], NULL, ins, nin };
        values[i + 1] = e.out = ox_str(&o, "%c%d_%s", o.prefix, i, l->type->name);
        if (e.out && fn(&o, &e) != 0 && !o.nomem)
            st = gan_error_set(err, GAN_ERR_INVALID, "%s layer %d (%s): cannot map to ONNX", which, i, l->type->name);
    }
    if (st == GAN_OK && !o.nomem) ox_node(&o, "Identity", out_name, 1, values[net->n]);

    Onnx__ModelProto m = ONNX__MODEL_PROTO__INIT;
    Onnx__GraphProto g = ONNX__GRAPH_PROTO__INIT;
    Onnx__OperatorSetIdProto opset = ONNX__OPERATOR_SET_ID_PROTO__INIT;
    Onnx__OperatorSetIdProto *opsets[1] = { &opset };
    Onnx__ValueInfoProto *inputs[2], *outputs[1];
    Onnx__StringStringEntryProto *meta[5];
    if (st == GAN_OK && !o.nomem) {
        int d[3];
        inputs[0] = ox_value_info(&o, in_name, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, shape_dims(net->in, d), d);
        inputs[1] = o.uses_label ? ox_value_info(&o, o.label, ONNX__TENSOR_PROTO__DATA_TYPE__INT64, 0, d) : NULL;
        outputs[0] = ox_value_info(&o, out_name, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, shape_dims(net->out, d), d);
        meta[0] = ox_meta(&o, "ganrun.model", t->cfg.spec->name);
        meta[1] = ox_meta(&o, "ganrun.version", gan_version());
        meta[2] = ox_meta(&o, "ganrun.step", ox_str(&o, "%ld", t->state.step));
        meta[3] = ox_meta(&o, "ganrun.network", which);
        meta[4] = ox_meta(&o, "ganrun.model_text", t->cfg.model_text ? t->cfg.model_text : "");
        opset.domain = (char *)"";
        opset.has_version = 1;
        opset.version = OX_OPSET;
        g.name = ox_str(&o, "%s_%s", t->cfg.spec->name, which);
        g.doc_string = ox_str(&o, "ganrun %s of model %s at step %ld (evaluation mode: batchnorm running "
                              "statistics, dropout off)", which, t->cfg.spec->name, t->state.step);
        g.n_node = o.nnodes;
        g.node = o.nodes;
        g.n_initializer = o.ninits;
        g.initializer = o.inits;
        g.n_input = o.uses_label ? 2 : 1;
        g.input = inputs;
        g.n_output = 1;
        g.output = outputs;
        m.has_ir_version = 1;
        m.ir_version = OX_IR_VERSION;
        m.n_opset_import = 1;
        m.opset_import = opsets;
        m.producer_name = (char *)"ganrun";
        m.producer_version = (char *)gan_version();
        m.has_model_version = 1;
        m.model_version = t->state.step;
        m.graph = &g;
        m.n_metadata_props = 5;
        m.metadata_props = meta;
        m.doc_string = g.doc_string;
    }
    if (st == GAN_OK && o.nomem) st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory building the ONNX graph");
    if (st == GAN_OK) st = write_model(&o, &m, path, err);
    ox_free(&o);
    return st;
}
