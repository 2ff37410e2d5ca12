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
#include "gan/error.h"

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
 * Each part is one call of the GEMM engine in effect (gan_gemm_set_engine)
 * on one thread.  ta, tb: 0 no transpose, 1 transpose. */
GAN_API void gan_sgemm(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
               const float *B, int ldb, float beta, float *C, int ldc);
/* The same product as one call of the engine on the calling thread (the
 * convolutions' per-chunk products, already split by chunks). */
GAN_API void gan_sgemm_whole(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                     const float *B, int ldb, float beta, float *C, int ldc);
/* How gan_sgemm cuts an (M, N, K) product: the number of parts (1: one
 * call); with more, *split_n (1: C's columns, 0: its rows) and *per, the
 * rows or columns of each part (the last one may have fewer). */
GAN_API int gan_sgemm_parts(int M, int N, int K, int *split_n, int *per);

/* The GEMM engine of gan_sgemm and gan_sgemm_whole (the model file's
 * train.gemm): OpenBLAS's cblas_sgemm (the default); oneDNN's dnnl_sgemm
 * in fp32 (builds with oneDNN, configure --with-onednn), which computes
 * other last bits than OpenBLAS (other kernels, other orders of the sums)
 * but the same bits on any thread count and across a resume; or oneDNN's
 * matmul on A and B rounded to bf16 with fp32 accumulation and output
 * (CPUs with AVX512_BF16): products within about 2^-8 relative of each
 * operand's value, again the same bits on any thread count.
 * The engine is process-wide, like the pool: every network of the process
 * uses it from then on (the trainer sets its model's engine when it builds
 * the networks: gan_model_build).  Other BLAS calls (eval's metrics,
 * spectral norm's sgemv) stay on OpenBLAS. */
typedef enum gan_gemm_engine { GAN_GEMM_OPENBLAS, GAN_GEMM_ONEDNN, GAN_GEMM_ONEDNN_BF16 } gan_gemm_engine;
/* GAN_OK when engine e can run here, else an error saying why (this
 * libgan was built without oneDNN; the CPU has no AVX512_BF16). */
GAN_API gan_status gan_gemm_available(gan_gemm_engine e, gan_error *err);
/* Use engine e from now on; an error (and no change) when it cannot run. */
GAN_API gan_status gan_gemm_set_engine(gan_gemm_engine e, gan_error *err);
GAN_API gan_gemm_engine gan_gemm_get_engine(void);
/* What engine e runs on, e.g. "OpenBLAS Haswell" or "oneDNN 2.6.3, ISA
 * avx512_core_bf16"; "not built" for oneDNN in a build without it. */
GAN_API const char *gan_gemm_describe(gan_gemm_engine e);

#endif
