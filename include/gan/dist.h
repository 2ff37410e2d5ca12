/* gan/dist.h - data-parallel training over MPI (ganrun --with-mpi).
 *
 * Under `mpirun -np N ganrun train MODEL.yaml` every rank holds whole copies
 * of G and D.  The global batches (train.batch, train.noise_batch) are cut
 * into N equal shares: rank r trains on rows [r B/N, (r+1) B/N) of each
 * global batch, read from one global data order and one global noise stream
 * that every rank draws in full, so the N-rank run sees the same samples and
 * the same noise as a one-process run.  After each backward pass the
 * gradient arena of the updated network is averaged over the ranks with one
 * MPI_Allreduce, so the mean-loss gradient equals the one-process gradient
 * up to summation order, every rank applies the same update, and the
 * parameters stay byte-identical (rank 0's are broadcast at the start).
 * With train.shards the ranks instead gather every shard's gradient arena
 * and add them in a fixed tree (gan_net_shard_reduce), which gives the
 * same bits on any number of ranks dividing the shards.
 *
 * Without MPI (or in a process not started by mpirun) every function here
 * is the one-process case: rank 0 of 1, sums and broadcasts return their
 * input, and nothing is called per step that costs anything.
 *
 * Collectives must be reached by every rank in the same order: the
 * trainer's steps, training-mode batchnorm with `sync: true`, and the
 * agreement calls below.  Nothing here calls exit().
 */
#ifndef GAN_DIST_H
#define GAN_DIST_H

#include "gan/api.h"

#include <stddef.h>
#include "gan/error.h"

struct gan_net;

/* 1 when libgan was built with MPI, else 0. */
GAN_API int gan_dist_available(void);
/* Join the MPI job when this process was started by mpirun (Open MPI's
 * OMPI_COMM_WORLD_SIZE, or PMIX_RANK / PMI_SIZE in the environment);
 * otherwise stay a single process.  Safe to call once per process. */
GAN_API gan_status gan_dist_init(int *argc, char ***argv, gan_error *err);
/* MPI_Finalize when gan_dist_init initialised MPI. */
GAN_API void gan_dist_finalize(void);
GAN_API int gan_dist_rank(void);
GAN_API int gan_dist_size(void);

/* x[0..n) = sum over ranks of x[0..n), in place (no-op on one rank). */
GAN_API void gan_dist_sum_double(double *x, size_t n);
/* x[0..n) = mean over ranks of x[0..n), in place. */
GAN_API void gan_dist_mean_float(float *x, size_t n);
/* net->grads and v[0..n) (the step's losses and scores; may be NULL
 * with n 0) = their means over the ranks: one MPI_Allreduce over the flat
 * gradient arena, with v carried in its slack (n <= GAN_NET_GRAD_SLACK). */
GAN_API void gan_dist_allreduce_grads(struct gan_net *net, float *v, size_t n);
/* In place: rank r's n floats at buf + r n (buf holds size * n) to every
 * rank (an all-gather; no-op on one rank). */
GAN_API void gan_dist_gather_floats(float *buf, size_t n);
/* Rank 0's parameters and buffers to every rank. */
GAN_API void gan_dist_bcast_net(struct gan_net *net);

/* Collective: every rank passes its own status (and err, the message that
 * goes with a failure).  Returns GAN_OK on every rank when all passed
 * GAN_OK; otherwise every rank returns the failure of the lowest failing
 * rank, with its message in err, prefixed "rank K: " when K != 0. */
GAN_API gan_status gan_dist_agree(gan_status st, gan_error *err);
/* Collective: 1 on every rank when flag is non-zero on any rank. */
GAN_API int gan_dist_any(int flag);
/* Collective: the lowest rank whose n bytes at p differ from rank 0's
 * (compared by a 64-bit FNV-1a hash), or -1 when all are identical. */
GAN_API int gan_dist_first_different(const void *p, size_t n);

/* In a job of more than one rank: stop every rank at once (MPI_Abort with
 * code).  Otherwise it returns, and the caller exits as it would.  For the
 * CLI, after it printed its one-line error. */
GAN_API void gan_dist_abort(int code);

#endif
