/* gan/net.h - a network: a graph of layers with one parameter arena.
 *
 * Parameters of all layers live in one contiguous arena (params); gradients
 * (grads) use the same offsets, and so do optimizer moments, so an optimizer
 * step, a checkpoint or an all-reduce is one flat loop or one call.
 * Persistent non-trainable state (batchnorm running statistics) lives in a
 * second arena (bufs).  Activations and one scratch workspace are sized by
 * gan_net_reserve() for a maximum batch, never inside a training step;
 * activation layers run in place and reshapes alias their input where the
 * layer flags (layer.h) allow it, which changes no result.
 *
 * The entries form a graph in entry order (gan_layer_conf.from): forward
 * computes them in order, backward in reverse, summing the gradients of a
 * value read by several entries in a fixed order (the later reader's
 * first).  A straight stack is the graph in which every entry reads the
 * previous one.
 */
#ifndef GAN_NET_H
#define GAN_NET_H

#include "gan/api.h"

#include "gan/layer.h"

/* grads has room for this many floats after its nparams (gan/dist.h) */
#define GAN_NET_GRAD_SLACK 8

/* the memory plan, the scratch and the shards: private to src/core/net.c */
typedef struct gan_net_plan gan_net_plan;

typedef struct gan_net {
    int n;
    gan_layer *layers;
    gan_shape in, out;
    size_t nparams;
    float *params;      /* (nparams) */
    float *grads;       /* (nparams), then GAN_NET_GRAD_SLACK spare floats */
    size_t nbufs;
    float *bufs;        /* (nbufs) */
    int Bmax;           /* batch the activations are sized for */
    float **act;        /* act[i]: output of entry i, (Bmax, out_i), a view
                         * of one of the plan's activation buffers */
    /* last forward pass */
    const float *x;
    int B, training;
    gan_rng rng;        /* dropout stream */
    const int *labels;  /* (B) class labels for the label layers (embed,
                         * project) of the next passes, or NULL; not owned */
    gan_net_plan *plan; /* owned */
} gan_net;

/* Build (shape inference, arenas, the memory plan) from n entries, for
 * per-sample input shape `in`, reserved for batch Bmax.  Every entry but
 * the last must be read by a later one.  On error *out is NULL and err
 * carries the offending entry's model-file position. */
GAN_API gan_status gan_net_create(gan_net **out, const gan_layer_conf *confs, int n,
                          gan_shape in, int Bmax, gan_error *err);
GAN_API void gan_net_free(gan_net *net);
/* Grow activation buffers and workspace to batch B (no-op if B <= Bmax). */
GAN_API gan_status gan_net_reserve(gan_net *net, int B, gan_error *err);
/* Initialise every layer's parameters and buffers from rng. */
GAN_API void gan_net_init(gan_net *net, gan_rng *rng);
/* Forward x (B, in) -> returns y (B, out) owned by the net.  x must stay
 * valid until gan_net_backward.  B <= Bmax. */
GAN_API const float *gan_net_forward(gan_net *net, const float *x, int B, int training);
/* Backward of the last forward: dx (B, in) if non-NULL; grads += ... if
 * param_grads. */
GAN_API void gan_net_backward(gan_net *net, const float *dy, float *dx, int param_grads);
GAN_API void gan_net_zero_grad(gan_net *net);

/* Shard the training passes (gan/layer.h, gan_shards): S shards of every
 * training batch, of which this process computes s0 .. s0 + ns - 1.  A
 * training pass's batch must then divide by ns.  Parameter gradients go to
 * per-shard arenas until gan_net_shard_reduce sums them into grads; zero
 * them with gan_net_zero_grad as usual.  S = 1 (or 0) turns sharding off:
 * the net computes as it always did.  Allocates; call before training. */
GAN_API gan_status gan_net_set_shards(gan_net *net, int S, int s0, int ns, gan_error *err);
/* grads = the sum of the S shards' arenas in a fixed pairwise tree (with
 * ns < S, the arenas of the other ranks are gathered first: collective).
 * No-op without shards. */
GAN_API void gan_net_shard_reduce(gan_net *net);
/* Seed local shard k's dropout stream from (seed, id, s0 + k). */
GAN_API void gan_net_seed_shards(gan_net *net, uint64_t seed, uint64_t id);
/* The shards of gan_net_set_shards, or NULL when the net has none. */
GAN_API const gan_shards *gan_net_shards(const gan_net *net);
/* The local shards' dropout streams (gan_net_shards(net)->ns of them;
 * NULL without shards): a pass that must be repeated with the same masks
 * saves and restores them with net->rng. */
GAN_API gan_rng *gan_net_shard_rngs(gan_net *net);
/* The shards' gradient arenas, (S, gstride) floats, this process's rows
 * s0 .. s0 + ns - 1 (what gan_net_shard_reduce gathers and sums); NULL
 * without shards. */
GAN_API float *gan_net_shard_grads(gan_net *net);
/* What the memory plan decided (for tests and tools). */
typedef struct gan_net_plan_info {
    int nabuf;          /* activation buffers */
    int ngbuf, ntmp;    /* gradient buffers, and more of them as sums' scratch */
    int ntasks;         /* parallel tasks the scratch has room for (gan_ctx) */
    size_t ws_size;     /* floats of scratch */
    const void *scratch;   /* the scratch and gradient buffers in use: the
                            * same for nets that share them */
} gan_net_plan_info;
GAN_API gan_net_plan_info gan_net_plan_get(const gan_net *net);
/* How act[i] was planned: 0 a buffer of its own, 1 entry i runs in place
 * over its input's buffer, 2 act[i] is its input's memory (an alias entry,
 * skipped), 3 a buffer whose earlier values are dead by then. */
GAN_API int gan_net_act_share(const gan_net *net, int i);
/* Let a and b use one set of gradient buffers and scratch, as large as the
 * larger of each: both hold data only during one gan_net_backward or one
 * layer call, so two nets that never run at the same time (a GAN's G and
 * D) can share them.  Growing either net with gan_net_reserve later gives
 * it its own again. */
GAN_API gan_status gan_net_share_scratch(gan_net *a, gan_net *b, gan_error *err);

#endif
