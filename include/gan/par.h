/* gan/par.h - the runtime's worker threads.
 *
 * ganrun parallelises its own loops: the convolutions split the batch
 * across threads, dense layers split their GEMMs, element-wise layers and
 * the optimisers split their ranges.  OpenBLAS is kept single-threaded
 * (openblas_set_num_threads(1)) and called from the workers, so the two
 * never oversubscribe the cores.  The OpenBLAS setting is process-wide: a
 * program that also calls OpenBLAS itself gets it single-threaded too.
 *
 * One process-wide pool: the calling thread plus threads-1 workers, started
 * on first use.  The number of threads is, in this order: the last
 * gan_par_set_threads(n > 0), GANRUN_THREADS, OPENBLAS_NUM_THREADS,
 * OMP_NUM_THREADS, the number of online CPUs (at most GAN_PAR_MAX).
 * Results are bit-identical on any thread count: work is cut into tasks
 * by the shapes alone (never by the thread count), and every sum over
 * tasks is added in a fixed order (see the convolutions' groups in
 * src/layers/layers.h).
 *
 * gan_par_for is called from one thread at a time (the library's
 * training and sampling are single-threaded at the top); called from inside
 * a task it runs the tasks inline.
 */
#ifndef GAN_PAR_H
#define GAN_PAR_H

#include "gan/api.h"

#include <stddef.h>

#define GAN_PAR_MAX 64

/* fn(arg, task) for every task in [0, ntasks), on the pool's threads;
 * returns when all are done.  Which thread runs a task is not fixed, so a
 * task must depend only on its index. */
typedef void (*gan_par_fn)(void *arg, int task);
GAN_API void gan_par_for(int ntasks, gan_par_fn fn, void *arg);

/* fn(arg, lo, hi) over [0, n) cut into at most gan_par_threads() ranges of
 * at least grain items each (one range, inline, when n < 2*grain).  The cut
 * follows the thread count: fn must compute every item on its own (an
 * element-wise pass, a channel's whole sum), never a sum across items. */
typedef void (*gan_par_range_fn)(void *arg, size_t lo, size_t hi);
GAN_API void gan_par_range(size_t n, size_t grain, gan_par_range_fn fn, void *arg);

/* Threads parallel work uses now (>= 1). */
GAN_API int gan_par_threads(void);
/* Use n threads from now on (n <= 0: the default above); returns the
 * number in effect (fewer when the system refuses to start threads). */
GAN_API int gan_par_set_threads(int n);
/* 1 when the thread count was chosen explicitly: gan_par_set_threads(n > 0)
 * or one of the environment variables above. */
GAN_API int gan_par_explicit(void);
/* Stop and join the workers (the next parallel call starts them again). */
GAN_API void gan_par_shutdown(void);

/* cblas_sgemm, row-major: C (M, N) = alpha op(A) op(B) + beta C, with the
 * rows or columns of C cut into parts run on the pool's threads when the
 * product is large enough to pay for it.  The parts depend only on M, N
 * and K (gan_sgemm_parts), so C gets the same bits on any thread count.
 * ta, tb: 0 no transpose, 1 transpose. */
GAN_API void gan_sgemm(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
               const float *B, int ldb, float beta, float *C, int ldc);
/* The same product as one cblas_sgemm call on the calling thread (the
 * convolutions' per-chunk products, already split by chunks). */
GAN_API void gan_sgemm_whole(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                     const float *B, int ldb, float beta, float *C, int ldc);
/* How gan_sgemm cuts an (M, N, K) product: the number of parts (1: one
 * call); with more, *split_n (1: C's columns, 0: its rows) and *per, the
 * rows or columns of each part (the last one may have fewer). */
GAN_API int gan_sgemm_parts(int M, int N, int K, int *split_n, int *per);

#endif
