/* layers.h - private to src/layers: the layer types and shared pieces. */
#ifndef GAN_LAYERS_PRIV_H
#define GAN_LAYERS_PRIV_H

#include "gan/layer.h"

/* init (default def, described by doc), init_mean and init_std */
#define GAN_INIT_KEYS(def, doc) \
    { "init", GAN_KEY_ENUM, 0, def, 0, 0, 0, 0, gan_init_choices, 0, 0, doc }, \
    { "init_mean", GAN_KEY_FLOAT, 0, 0.0, -1e3, 1e3, 0, 0, NULL, 0, 0, \
      "mean for init normal or uniform" }, \
    { "init_std", GAN_KEY_FLOAT, 0, 0.02, 0.0, 1e3, 0, 0, NULL, 0, 0, \
      "standard deviation (normal) or half-width (uniform)" }, \
    { "init_scale", GAN_KEY_FLOAT, 0, 1.0, 0.0, 1e6, 0, 0, NULL, 0, 0, \
      "the initial weights are multiplied by it (fix-up style scaling)" }

/* the keys every layer with weights accepts */
#define GAN_WEIGHT_KEYS \
    GAN_INIT_KEYS(GAN_INIT_XAVIER, \
                  "weight initialisation: xavier (glorot uniform), he (kaiming normal), normal, uniform, zeros"), \
    { "bias", GAN_KEY_BOOL, 0, 1, 0, 1, 0, 0, NULL, 0, 0, \
      "add a learned bias (initialised to zero)" }

/* the geometry keys of conv2d and deconv2d */
#define GAN_CONV_KEYS \
    { "filters", GAN_KEY_INT, 1, 0, 1, 1 << 16, 0, 0, NULL, 0, 0, "output channels OC" }, \
    { "kernel", GAN_KEY_INT, 1, 0, 1, 64, 0, 0, NULL, 0, 0, "kernel size K (K x K)" }, \
    { "stride", GAN_KEY_INT, 0, 1, 1, 1024, 0, 0, NULL, 0, 0, "stride S in both directions" }, \
    { "pad", GAN_KEY_INT, 0, 0, 0, 1024, 0, 0, NULL, 0, 0, "zero padding P on every side" }

/* the class count of the label layers (embed, project); 0 is filled in
 * from data.classes by the model loader */
#define GAN_CLASSES_KEY \
    { "classes", GAN_KEY_INT, 0, 0, 0, 65536, 0, 0, NULL, 0, 0, \
      "number of classes K; default: data.classes" }

/* the label of sample n of a pass, in [0, K) (0 without labels) */
int layers_label_of(const gan_ctx *c, int n, int K);
/* spectral normalisation (specnorm.c) for dense, conv2d, deconv2d and attention */
#define GAN_SN_KEYS \
    { "spectral_norm", GAN_KEY_BOOL, 0, 0, 0, 1, 0, 0, NULL, 0, 0, \
      "divide the weight by its largest singular value, estimated by power iteration" }, \
    { "power_iterations", GAN_KEY_INT, 0, 1, 1, 100, 0, 0, NULL, 0, 0, \
      "power-iteration steps per training forward pass (spectral_norm)" }
/* From setup(), after the weight and bias tensors: with spectral_norm,
 * allocate the state (l->priv) and add the buffers sn_u (R) and sn_v (K),
 * W seen as (R, K) row-major. */
gan_status gan_sn_setup(gan_layer *l, int R, int K, gan_error *err);
/* The same for a layer whose weight is nparts matrices (R[i], K[i]) back to
 * back from l->params (attention's Wf, Wg, Wh), each normalised by its own
 * sigma: buffers names[2i] (u, R[i]) and names[2i+1] (v, K[i]) per part.
 * gan_sn_weight/last/grad_begin then cover all parts back to back. */
#define GAN_SN_MAXPARTS 3
gan_status gan_sn_setup_parts(gan_layer *l, int nparts, const int *R, const int *K,
                              const char *const *names, gan_error *err);
/* From init(), after the weights: u random unit, v = normalize(W^T u). */
void gan_sn_init(gan_layer *l, gan_rng *rng);
/* The weight to compute with: l->params, or W / sigma after power
 * iteration (training) or with the stored u, v (eval). */
const float *gan_sn_weight(gan_layer *l, int training);
/* gan_sn_weight for a forward pass: a sharded pass's later shards
 * (c->shard > 0) take the first one's weight, so the power iteration runs
 * once per pass. */
const float *gan_sn_weight_pass(gan_layer *l, const gan_ctx *c);
/* The weight of the last forward (for backward): l->params or W_sn. */
const float *gan_sn_last(const gan_layer *l);
/* Where backward accumulates dL/dW: l->grads, or a scratch G that
 * gan_sn_grad_end turns into dL/dW += (G - (sum G W_sn) u v^T) / sigma. */
float *gan_sn_grad_begin(gan_layer *l);
void gan_sn_grad_end(gan_layer *l);
void gan_sn_destroy(gan_layer *l);
/* iters steps of v = normalize(W^T u), u = normalize(W v); W (R, K) */
void gan_sn_power_iteration(const float *W, int R, int K, float *u, float *v, int iters);

#define GAN_NKEYS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Declare the layer's next tensor; adds its size to l->nparams (or
 * l->nbufs when is_buffer) and sets its offset. Call from setup(). */
void gan_layer_add_tensor(gan_layer *l, const char *name, int is_buffer, int rank,
                          int d0, int d1, int d2, int d3);

/* ---- convolution helpers (im2col.c) ---------------------------------
 * A convolution of x (C, H, W) with a K x K kernel, stride S and zero pad P
 * has output (OH, OW) = ((H + 2P - K)/S + 1, (W + 2P - K)/S + 1).  Its
 * column matrix col (C*K*K, OH*OW) holds at row (c*K + kh)*K + kw, column
 * oh*OW + ow the input x[c, oh*S - P + kh, ow*S - P + kw] (0 outside), so
 * the convolution is one GEMM  y (OC, OH*OW) = W (OC, C*K*K) . col.
 * Rows are ldc floats apart, so the columns of several samples can sit side
 * by side: sample n of a chunk writes columns [n*OH*OW, (n+1)*OH*OW). */
void gan_im2col(float *col, size_t ldc, const float *x, int C, int H, int W,
                int K, int S, int P, int OH, int OW);
/* The adjoint of gan_im2col: x (C, H, W) += the columns scattered back. */
void gan_col2im(float *x, const float *col, size_t ldc, int C, int H, int W,
                int K, int S, int P, int OH, int OW);
/* x (C, H, W) = the columns scattered back: gan_col2im on a zeroed x,
 * bit-identical to it, without the separate memset. */
void gan_col2im_set(float *x, const float *col, size_t ldc, int C, int H, int W,
                    int K, int S, int P, int OH, int OW);
/* x (C, H, W) = b[c] + the columns scattered back: gan_col2im on an x
 * whose channel c is filled with b[c], bit-identical to it, in one pass
 * (b NULL: gan_col2im_set). */
void gan_col2im_bias(float *x, const float *col, size_t ldc, const float *b, int C, int H, int W,
                     int K, int S, int P, int OH, int OW);
/* dst (C, NB, HW) = src (NB, C, HW): samples side by side per channel */
void gan_batch_to_chan(float *dst, const float *src, int NB, int C, size_t HW);
/* dst (NB, C, HW) = src (C, NB, HW) */
void gan_chan_to_batch(float *dst, const float *src, int NB, int C, size_t HW);

/* Convolution layers work on chunks of samples so that one chunk's scratch
 * (column matrix and reordered tensors) stays under about GAN_CONV_WS_FLOATS
 * and one GEMM covers at most about GAN_CONV_COLS columns; the scratch never
 * grows with B.  1 MiB of floats keeps a chunk's column matrix in a 1 MiB L2
 * while it is written and read back by the GEMM (DCGAN-28: 4 samples, 196
 * columns, per chunk), and it cut 30 MB off the DCGAN's peak RSS against
 * 16 MiB; the step was no slower (bench/README.md). */
#define GAN_CONV_WS_FLOATS ((size_t)1 << 18)
#define GAN_CONV_COLS ((size_t)1 << 14)
/* Samples per chunk for per-sample scratch ps and per-sample columns cols. */
int gan_conv_chunk(size_t ps, size_t cols);
/* A pass in chunks of NB samples split into tasks (conv2d, deconv2d):
 * forward's tasks claim the nchunks one at a time (gan_conv_groups below,
 * without grads), with ntasks = min(nchunks, c->ntasks); every task has
 * its own scratch slot of l->ws_task floats: task 0 at c->ws, task t > 0
 * (t-1)*ws_task past l->ws_fixed (the layers make ws_task = ws_fixed:
 * slot t at t*ws_fixed). */
int gan_conv_nchunks(const gan_ctx *c, int NB);
int gan_conv_tasks(const gan_ctx *c, int NB);
/* Chunk k of gan_conv_nchunks: samples [n0, n0 + nb).  Forward's tasks
 * claim chunks one at a time.  (Cutting the last chunks' GEMMs in halves,
 * so the thread that finishes first waits less, was tried and taken back:
 * OpenBLAS does not always compute an element with the same operations in
 * a narrower call, and models/resnet.yaml at its batch of 32 trained to
 * other bits.) */
void gan_conv_chunk_rows(const gan_ctx *c, int NB, int k, int *n0, int *nb);
float *gan_conv_slot(const gan_layer *l, const gan_ctx *c, int t);

/* Backward's parameter gradients in a fixed order, whatever the thread
 * count.  The chunks are cut into groups of `per` consecutive chunks, at
 * most GAN_CONV_GROUPS groups (the cut depends on the batch and the layer
 * only).  Group 0 accumulates into dW itself; group g > 0 sums its chunks,
 * in order, into a partial in its task's slot, then adds it to dW once
 * groups 0 .. g-1 are in:
 *   dW = (((dW + chunks of group 0) + P1) + P2) + ...
 * Tasks claim groups in order (whichever thread is free), so at most one
 * partial per task is alive.  A task holds its group's partial (it does
 * not wait for the groups before it) until it needs the partial's room
 * again: at its next chunk's dW, after that chunk's dx, or at its end
 * (gan_conv_hold, gan_conv_settle), so a task that finishes early computes
 * dx instead of waiting.  With only dx wanted the groups are single chunks
 * (nothing is summed across them). */
#define GAN_CONV_GROUPS 8
typedef struct gan_conv_groups {
    int nchunks, per, ngroups;
    _Atomic int next;    /* next group to claim */
    _Atomic int added;   /* groups whose sums are in dW */
} gan_conv_groups;
/* Cut nchunks into groups (single chunks when !grads). */
void gan_conv_groups_init(gan_conv_groups *gr, int nchunks, int grads);
/* The next group for a task, or -1 when none is left. */
int gan_conv_group_claim(gan_conv_groups *gr);
/* The next of n units (the groups first, then others: conv2d's dx units),
 * or -1 when none is left. */
int gan_conv_claim(gan_conv_groups *gr, int n);
/* Wait until groups 0 .. g-1 are in dW. */
void gan_conv_group_wait(gan_conv_groups *gr, int g);
/* Mark group g as in dW (after its sums were added). */
void gan_conv_group_done(gan_conv_groups *gr, int g);
/* dW (nw) += part[0, nw) and db (nb) += part[nw, nw + nb) when db is not
 * NULL: a group's partial sums (conv2d, deconv2d backward) */
void gan_conv_add_task_sums(float *dW, float *db, const float *part, size_t nw, int nb);
/* A backward task's held partial: group g's (0: none held) in part, to be
 * added to dW (nw) and db (nb, or NULL). */
typedef struct gan_conv_held {
    gan_conv_groups *gr;
    float *dW, *db;
    const float *part;
    size_t nw;
    int nb, g;
} gan_conv_held;
/* A task has summed group gi: group 0 (straight in dW) is marked in, a
 * later group's partial is held. */
void gan_conv_hold(gan_conv_held *h, int gi);
/* Add the held partial, if any, once the groups before it are in. */
void gan_conv_settle(gan_conv_held *h);
/* The same when the groups before it are in already; else nothing. */
void gan_conv_try_settle(gan_conv_held *h);
/* sum of x[0, n) in double, four partial sums (one chain of dependent
 * additions ran at a quarter of the speed): ((s0 + s1) + (s2 + s3)) */
double gan_sum_floats(const float *x, size_t n);

/* Element-wise passes on the pool's threads (gan/par.h): fn(e, lo, hi)
 * over [0, n) in ranges of at least GAN_EW_GRAIN values; a and b are the
 * inputs (x, y or dy), out the result, k a constant (a slope). */
typedef struct gan_ew {
    const float *a, *b;
    float *out;
    float k;
} gan_ew;
#define GAN_EW_GRAIN ((size_t)1 << 15)
void gan_ew_run(size_t n, void (*fn)(void *e, size_t lo, size_t hi), const float *a,
                const float *b, float *out, float k);
/* The same for a pass that calls libm per value (tanhf: about 10 ns, where
 * a copy takes 0.1): ranges of at least GAN_EW_GRAIN_LIBM values, so the
 * DCGAN's output tanh (64 x 784) runs on two threads, not one. */
#define GAN_EW_GRAIN_LIBM ((size_t)1 << 12)
void gan_ew_run_libm(size_t n, void (*fn)(void *e, size_t lo, size_t hi), const float *a,
                     const float *b, float *out, float k);
/* The passes of a layer whose output is its input's values in another
 * shape (flatten, reshape: alias entries, which the net skips when it can):
 * y = x, dx = dy over B * |in| values. */
void gan_copy_forward(gan_layer *l, const gan_ctx *c, const float *x, float *y);
void gan_copy_backward(gan_layer *l, const gan_ctx *c, const float *x, const float *y, const float *dy, float *dx,
                       int param_grads);
/* The setup of an element-wise layer (the activations): y has x's shape. */
gan_status gan_ew_setup(gan_layer *l, gan_shape in, gan_error *err);
/* The backward of an element-wise layer from y: dx = fn(dy as a, y as b,
 * k) over the B * |in| values of c's pass; nothing when dx is NULL. */
void gan_ew_backward_y(const gan_layer *l, const gan_ctx *c, void (*fn)(void *e, size_t lo, size_t hi),
                       const float *dy, const float *y, float *dx, float k);

extern const gan_layer_type gan_layer_dense, gan_layer_relu, gan_layer_leaky_relu,
    gan_layer_elu, gan_layer_tanh, gan_layer_sigmoid, gan_layer_dropout, gan_layer_reshape,
    gan_layer_flatten, gan_layer_upsample, gan_layer_maxout, gan_layer_conv2d,
    gan_layer_deconv2d, gan_layer_batchnorm, gan_layer_embed, gan_layer_project,
    gan_layer_avgpool, gan_layer_global_pool, gan_layer_attention, gan_layer_layernorm,
    gan_layer_pixelnorm, gan_layer_minibatch_stddev, gan_layer_slice, gan_layer_resample;
/* the multi-input (merge) layers */
extern const gan_layer_multi gan_layer_add, gan_layer_concat, gan_layer_modulate;

#endif
