/* par.c - the worker pool (gan/par.h).
 *
 * Fork-join with a generation counter: gan_par_for publishes (fn, arg,
 * ntasks), bumps gen and takes tasks itself; each worker sees the new gen,
 * takes tasks from the shared counter `next` until none are left and
 * counts itself into `done`.  The caller returns when every worker has
 * checked in, so the next job cannot overtake a slow worker.  Workers spin
 * briefly on gen (a training step issues a few hundred jobs, tens of
 * microseconds apart) and then sleep on a condition variable, so an idle
 * pool costs nothing.
 */
#include "config.h"
#include <cblas.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>
#include "gan/par.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define cpu_relax() _mm_pause()
#else
#define cpu_relax() ((void)0)
#endif

enum { SPIN_WORKER = 1 << 15, SPIN_CALLER = 1 << 12 };

static struct {
    int want;        /* threads asked for (0: default not yet read) */
    int expl;        /* chosen explicitly */
    int started;     /* workers running (threads in effect = started + 1) */
    pthread_t th[GAN_PAR_MAX];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    atomic_uint gen;
    atomic_int next, done, quit;
    unsigned gen0;   /* gen when the workers were started */
    gan_par_fn fn;
    void *arg;
    int ntasks;
} P = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static _Thread_local int in_task;

static int env_threads(const char *name)
{
    const char *s = getenv(name);
    if (!s || !*s) return 0;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < 1) return 0;
    return v > GAN_PAR_MAX ? GAN_PAR_MAX : (int)v;
}

static int default_threads(int *expl)
{
    static const char *const vars[] = { "GANRUN_THREADS", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS" };
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
        int n = env_threads(vars[i]);
        if (n) {
            *expl = 1;
            return n;
        }
    }
    *expl = 0;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > GAN_PAR_MAX ? GAN_PAR_MAX : (int)n;
}

static void run_tasks(void)
{
    int t;
    while ((t = atomic_fetch_add_explicit(&P.next, 1, memory_order_relaxed)) < P.ntasks)
        P.fn(P.arg, t);
}

static void *worker(void *unused)
{
    (void)unused;
    in_task = 1;
    /* not gen now: a job may have been published before this thread ran */
    unsigned seen = P.gen0;
    for (;;) {
        unsigned g;
        int spins = 0;
        while ((g = atomic_load_explicit(&P.gen, memory_order_acquire)) == seen) {
            if (++spins < SPIN_WORKER) {
                cpu_relax();
                continue;
            }
            pthread_mutex_lock(&P.mu);
            while ((g = atomic_load_explicit(&P.gen, memory_order_acquire)) == seen)
                pthread_cond_wait(&P.cv, &P.mu);
            pthread_mutex_unlock(&P.mu);
            break;
        }
        seen = g;
        if (atomic_load_explicit(&P.quit, memory_order_acquire)) return NULL;
        run_tasks();
        atomic_fetch_add_explicit(&P.done, 1, memory_order_release);
    }
}

/* Fix the thread count; OpenBLAS runs on one thread from then on: the
 * pool's threads call it, and with one thread ganrun uses one core. */
static void decide(int n)
{
    if (n > GAN_PAR_MAX) n = GAN_PAR_MAX;
    if (n > 0) {
        P.want = n;
        P.expl = 1;
    } else {
        P.want = default_threads(&P.expl);
    }
#ifdef OPENBLAS_VERSION
    openblas_set_num_threads(1);
#endif
}

/* Start workers up to want - 1; fewer when pthread_create fails. */
static void start_workers(void)
{
    if (!P.want) decide(0);
    if (P.started >= P.want - 1) return;
    P.gen0 = atomic_load_explicit(&P.gen, memory_order_relaxed);
    while (P.started < P.want - 1) {
        if (pthread_create(&P.th[P.started], NULL, worker, NULL) != 0) {
            P.want = P.started + 1;
            break;
        }
        P.started++;
    }
}

void gan_par_shutdown(void)
{
    if (!P.started) return;
    atomic_store_explicit(&P.quit, 1, memory_order_release);
    pthread_mutex_lock(&P.mu);
    atomic_fetch_add_explicit(&P.gen, 1, memory_order_release);
    pthread_cond_broadcast(&P.cv);
    pthread_mutex_unlock(&P.mu);
    for (int i = 0; i < P.started; i++) pthread_join(P.th[i], NULL);
    P.started = 0;
    atomic_store_explicit(&P.quit, 0, memory_order_relaxed);
}

int gan_par_threads(void)
{
    if (!P.want) decide(0);
    return P.want;
}

int gan_par_explicit(void)
{
    gan_par_threads();
    return P.expl;
}

int gan_par_set_threads(int n)
{
    gan_par_shutdown();
    decide(n);
    if (P.want > 1) start_workers();
    return P.want;
}

void gan_par_for(int ntasks, gan_par_fn fn, void *arg)
{
    if (ntasks <= 0) return;
    if (ntasks == 1 || in_task || gan_par_threads() == 1) {
        for (int t = 0; t < ntasks; t++) fn(arg, t);
        return;
    }
    start_workers();
    if (!P.started) {
        for (int t = 0; t < ntasks; t++) fn(arg, t);
        return;
    }
    P.fn = fn;
    P.arg = arg;
    P.ntasks = ntasks;
    atomic_store_explicit(&P.next, 0, memory_order_relaxed);
    atomic_store_explicit(&P.done, 0, memory_order_relaxed);
    pthread_mutex_lock(&P.mu);
    atomic_fetch_add_explicit(&P.gen, 1, memory_order_release);
    pthread_cond_broadcast(&P.cv);
    pthread_mutex_unlock(&P.mu);
    in_task = 1;
    run_tasks();
    in_task = 0;
    int spins = 0;
    while (atomic_load_explicit(&P.done, memory_order_acquire) < P.started) {
        if (++spins < SPIN_CALLER) cpu_relax();
        else sched_yield();
    }
}

typedef struct range_job {
    size_t n, per;
    gan_par_range_fn fn;
    void *arg;
} range_job;

static void range_task(void *p, int t)
{
    const range_job *j = p;
    size_t lo = (size_t)t * j->per, hi = lo + j->per < j->n ? lo + j->per : j->n;
    if (lo < hi) j->fn(j->arg, lo, hi);
}

void gan_par_range(size_t n, size_t grain, gan_par_range_fn fn, void *arg)
{
    if (grain < 1) grain = 1;
    size_t parts = n / grain, T = (size_t)gan_par_threads();
    if (parts > T) parts = T;
    if (parts < 2 || in_task) {
        if (n) fn(arg, 0, n);
        return;
    }
    /* ranges a multiple of 16 items, so vector loops split on whole vectors */
    size_t per = ((n + parts - 1) / parts + 15) & ~(size_t)15;
    range_job j = { n, per, fn, arg };
    gan_par_for((int)((n + per - 1) / per), range_task, &j);
}

/* ---- GEMM ---------------------------------------------------------------- */

/* below this many multiply-adds a GEMM runs on one thread: a fork-join
 * costs a few microseconds, a 1 M multiply-add GEMM about 20 */
#define GEMM_PAR_MACS (1 << 20)

typedef struct gemm_job {
    int ta, tb, M, N, K, lda, ldb, ldc, split_n, per;
    float alpha, beta;
    const float *A, *B;
    float *C;
} gemm_job;

static void gemm_task(void *p, int t)
{
    const gemm_job *j = p;
    int lo = t * j->per, len = j->split_n ? j->N : j->M;
    int n = lo + j->per < len ? j->per : len - lo;
    if (n <= 0) return;
    enum CBLAS_TRANSPOSE ta = j->ta ? CblasTrans : CblasNoTrans;
    enum CBLAS_TRANSPOSE tb = j->tb ? CblasTrans : CblasNoTrans;
    if (j->split_n) {   /* columns [lo, lo+n) of C: B's columns (rows when transposed) */
        const float *B = j->tb ? j->B + (size_t)lo * j->ldb : j->B + lo;
        cblas_sgemm(CblasRowMajor, ta, tb, j->M, n, j->K, j->alpha, j->A, j->lda, B, j->ldb,
                    j->beta, j->C + lo, j->ldc);
    } else {            /* rows [lo, lo+n) of C: A's rows (columns when transposed) */
        const float *A = j->ta ? j->A + lo : j->A + (size_t)lo * j->lda;
        cblas_sgemm(CblasRowMajor, ta, tb, n, j->N, j->K, j->alpha, A, j->lda, j->B, j->ldb,
                    j->beta, j->C + (size_t)lo * j->ldc, j->ldc);
    }
}

void gan_sgemm(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
               const float *B, int ldb, float beta, float *C, int ldc)
{
    int T = in_task ? 1 : gan_par_threads();
    double macs = (double)M * N * K;
    if (T > 1 && macs >= 2.0 * GEMM_PAR_MACS) {
        /* Each part packs the operand it does not split again: splitting
         * C's columns repeats A (M x K), splitting its rows repeats B
         * (K x N).  Repeat the smaller one, in parts of whole 16-float
         * vectors. */
        int split_n = (double)M * K <= (double)K * N;
        int len = split_n ? N : M;
        int parts = (int)(macs / GEMM_PAR_MACS);
        if (parts > T) parts = T;
        int per = ((len + parts - 1) / parts + 15) & ~15;
        if (per < len) {
            gemm_job j = { ta, tb, M, N, K, lda, ldb, ldc, split_n, per, alpha, beta, A, B, C };
            gan_par_for((len + per - 1) / per, gemm_task, &j);
            return;
        }
    }
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
