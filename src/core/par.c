/* par.c - the worker pool (gan/par.h).
 *
 * Fork-join over one 64-bit word, claim = (generation << 32) | next task.
 * gan_par_for writes the job (fn, arg, ntasks) into the slot of its new
 * generation, publishes claim = gen << 32 and takes tasks itself; a worker
 * that sees the new generation takes tasks too.  A task is taken by a
 * compare-and-swap that also checks the generation, so a worker that wakes
 * late, even after the job is over and the next one is being written, takes
 * nothing it should not: the caller waits only for the tasks, never for the
 * workers, and a worker the system has not scheduled costs the job nothing
 * (the caller runs all tasks itself).  Waiting threads spin for a few tens
 * of microseconds (a training step issues its jobs that close together),
 * then workers sleep on a condition variable and the caller yields.
 */
#include "config.h"
#include <cblas.h>
#include <errno.h>
#include <stdio.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "gan/blas.h"
#include "gan/par.h"
#ifdef HAVE_ONEDNN
#include "core/gemm_onednn.h"
#endif

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define cpu_relax() _mm_pause()
#else
#define cpu_relax() ((void)0)
#endif

typedef struct job {
    _Atomic(gan_par_fn) fn;
    _Atomic(void *) arg;
    atomic_int ntasks;
} job;

static struct {
    int want;        /* threads asked for (0: default not yet read) */
    int expl;        /* chosen explicitly */
    int started;     /* workers running (threads in effect = started + 1) */
    pthread_t th[GAN_PAR_MAX];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    _Atomic uint64_t claim;   /* gen << 32 | next task of that job */
    atomic_int finished;      /* tasks of the current job done */
    atomic_int quit;
    job jobs[2];              /* generation g's job is jobs[g & 1] */
    unsigned gen;             /* the caller's last generation */
} P = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

/* How long a waiting thread spins before it sleeps (a worker) or yields
 * its core (the caller): long enough to bridge the gap between a step's
 * jobs, short enough that a thread with nothing to do does not hold a core
 * another needs when the machine is oversubscribed. */
#define SPIN_NS 30000

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static unsigned gen_of(uint64_t w) { return (unsigned)(w >> 32); }

/* For spin loops, called with i = 1, 2, ...: 0 once SPIN_NS have passed
 * (the clock is read every 64 calls). */
static int still_spinning(unsigned i, uint64_t *t0)
{
    if (i & 63) return 1;
    uint64_t t = now_ns();
    if (!*t0) *t0 = t;
    return t - *t0 <= SPIN_NS;
}

/* Spin while the claim word's generation is g, at most SPIN_NS; 1 when it
 * changed.  spin_finished: likewise until n tasks are finished. */
static int spin_gen(unsigned g)
{
    uint64_t t0 = 0;
    for (unsigned i = 1; still_spinning(i, &t0); i++) {
        if (gen_of(atomic_load_explicit(&P.claim, memory_order_acquire)) != g) return 1;
        cpu_relax();
    }
    return 0;
}

static int spin_finished(int n)
{
    uint64_t t0 = 0;
    for (unsigned i = 1; still_spinning(i, &t0); i++) {
        if (atomic_load_explicit(&P.finished, memory_order_acquire) >= n) return 1;
        cpu_relax();
    }
    return 0;
}

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

/* Take and run tasks of generation g until none is left. */
static void run_tasks(unsigned g)
{
    job *j = &P.jobs[g & 1];
    uint64_t w = atomic_load_explicit(&P.claim, memory_order_acquire);
    for (;;) {
        if (gen_of(w) != g) return;
        /* read after seeing g: valid whenever the claim below succeeds */
        gan_par_fn fn = atomic_load_explicit(&j->fn, memory_order_relaxed);
        void *arg = atomic_load_explicit(&j->arg, memory_order_relaxed);
        int t = (int)(uint32_t)w;
        if (t >= atomic_load_explicit(&j->ntasks, memory_order_relaxed)) return;
        if (!atomic_compare_exchange_weak_explicit(&P.claim, &w, w + 1, memory_order_acquire,
                                                   memory_order_acquire))
            continue;
        fn(arg, t);
        atomic_fetch_add_explicit(&P.finished, 1, memory_order_release);
        w = atomic_load_explicit(&P.claim, memory_order_acquire);
    }
}

static void *worker(void *arg)
{
    /* the generation when this thread was started: a job may have been
     * published before it first ran */
    unsigned seen = (unsigned)(uintptr_t)arg;
    in_task = 1;
    for (;;) {
        if (!spin_gen(seen)) {
            pthread_mutex_lock(&P.mu);
            while (gen_of(atomic_load_explicit(&P.claim, memory_order_acquire)) == seen)
                pthread_cond_wait(&P.cv, &P.mu);
            pthread_mutex_unlock(&P.mu);
        }
        if (atomic_load_explicit(&P.quit, memory_order_acquire)) return NULL;
        seen = gen_of(atomic_load_explicit(&P.claim, memory_order_acquire));
        run_tasks(seen);
    }
}

/* Publish generation ++P.gen with job (fn, arg, ntasks) and wake the workers. */
static void publish(gan_par_fn fn, void *arg, int ntasks)
{
    job *j = &P.jobs[++P.gen & 1];
    atomic_store_explicit(&j->fn, fn, memory_order_relaxed);
    atomic_store_explicit(&j->arg, arg, memory_order_relaxed);
    atomic_store_explicit(&j->ntasks, ntasks, memory_order_relaxed);
    atomic_store_explicit(&P.finished, 0, memory_order_relaxed);
    pthread_mutex_lock(&P.mu);
    atomic_store_explicit(&P.claim, (uint64_t)P.gen << 32, memory_order_release);
    pthread_cond_broadcast(&P.cv);
    pthread_mutex_unlock(&P.mu);
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
    while (P.started < P.want - 1) {
        if (pthread_create(&P.th[P.started], NULL, worker, (void *)(uintptr_t)P.gen) != 0) {
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
    publish(NULL, NULL, 0);
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
    publish(fn, arg, ntasks);
    in_task = 1;
    run_tasks(P.gen);
    in_task = 0;
    /* the tasks workers took may still be running */
    while (!spin_finished(ntasks)) sched_yield();
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

/* The split of a GEMM depends only on its shape, never on the thread count:
 * OpenBLAS computes an element of C with other operations depending on
 * where it falls in the call's blocks (edge tiles take other kernels), so a
 * split that followed the thread count would change the last bits with it.
 * The parts are cut the same way on one thread or many and handed to
 * whichever thread is free.  Below 2 GEMM_PAR_MACS multiply-adds a GEMM is
 * one call (a fork-join costs a few microseconds, a 1 M multiply-add GEMM
 * about 20); otherwise parts of at least GEMM_PAR_MACS multiply-adds, at
 * most GEMM_PARTS of them, each at least GEMM_MIN_PER rows or columns wide
 * (every part packs the operand it does not split again: a narrow part
 * would spend its time packing). */
#define GEMM_PAR_MACS (1 << 20)
#define GEMM_PARTS 16
#define GEMM_MIN_PER 64

/* ---- the engine (train.gemm) ---- */

static atomic_int gemm_engine;   /* gan_gemm_engine, GAN_GEMM_OPENBLAS at first */

gan_status gan_gemm_available(gan_gemm_engine e, gan_error *err)
{
    switch (e) {
    case GAN_GEMM_OPENBLAS: return GAN_OK;
    case GAN_GEMM_ONEDNN:
    case GAN_GEMM_ONEDNN_BF16: {
        const char *name = e == GAN_GEMM_ONEDNN ? "onednn" : "onednn-bf16";
#ifdef HAVE_ONEDNN
        if (e == GAN_GEMM_ONEDNN) return GAN_OK;
        /* GANRUN_TEST_NO_AVX512BF16=1: as on a CPU without (tests) */
        const char *no = getenv("GANRUN_TEST_NO_AVX512BF16");
        gan_cpuid c;
        gan_cpuid_read(&c);
        if (gan_cpu_level(&c) >= GAN_CPU_AVX512BF16 && core_onednn_has_bf16() && !(no && !strcmp(no, "1")))
            return GAN_OK;
        return gan_error_set(err, GAN_ERR_INVALID, "train.gemm %s: this CPU has no AVX512_BF16 for oneDNN's "
                             "bf16 kernels (%s; expected onednn or openblas here)", name, core_onednn_describe());
#else
        return gan_error_set(err, GAN_ERR_INVALID, "train.gemm %s: this ganrun was built without oneDNN "
                             "(expected openblas, or a build with the Debian package libdnnl-dev: "
                             "configure --with-onednn)", name);
#endif
    }
    }
    return gan_error_set(err, GAN_ERR_INVALID, "unknown GEMM engine %d", (int)e);
}

gan_status gan_gemm_set_engine(gan_gemm_engine e, gan_error *err)
{
    gan_status st = gan_gemm_available(e, err);
    if (st == GAN_OK) atomic_store_explicit(&gemm_engine, (int)e, memory_order_relaxed);
    return st;
}

gan_gemm_engine gan_gemm_get_engine(void)
{
    return (gan_gemm_engine)atomic_load_explicit(&gemm_engine, memory_order_relaxed);
}

const char *gan_gemm_describe(gan_gemm_engine e)
{
    static char buf[96];
    if (e == GAN_GEMM_OPENBLAS) {
        snprintf(buf, sizeof buf, "OpenBLAS %s", gan_blas_core());
        return buf;
    }
#ifdef HAVE_ONEDNN
    return core_onednn_describe();
#else
    return "not built";
#endif
}

/* One product on the calling thread with engine e; OpenBLAS (fp32) when
 * oneDNN refuses it (out of memory for its packing or its primitive). */
static void gemm_call(int e, int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                      const float *B, int ldb, float beta, float *C, int ldc)
{
#ifdef HAVE_ONEDNN
    if (e != GAN_GEMM_OPENBLAS &&
        core_onednn_gemm(e == GAN_GEMM_ONEDNN_BF16, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc) == 0)
        return;
#else
    (void)e;
#endif
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

typedef struct gemm_job {
    int engine;
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
    if (j->split_n) {   /* columns [lo, lo+n) of C: B's columns (rows when transposed) */
        const float *B = j->tb ? j->B + (size_t)lo * j->ldb : j->B + lo;
        gemm_call(j->engine, j->ta, j->tb, j->M, n, j->K, j->alpha, j->A, j->lda, B, j->ldb,
                  j->beta, j->C + lo, j->ldc);
    } else {            /* rows [lo, lo+n) of C: A's rows (columns when transposed) */
        const float *A = j->ta ? j->A + lo : j->A + (size_t)lo * j->lda;
        gemm_call(j->engine, j->ta, j->tb, n, j->N, j->K, j->alpha, A, j->lda, j->B, j->ldb,
                  j->beta, j->C + (size_t)lo * j->ldc, j->ldc);
    }
}

void gan_sgemm_whole(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                     const float *B, int ldb, float beta, float *C, int ldc)
{
    gemm_call(gan_gemm_get_engine(), ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

int gan_sgemm_parts(int M, int N, int K, int *split_n, int *per)
{
    double macs = (double)M * N * K;
    if (macs < 2.0 * GEMM_PAR_MACS) return 1;
    /* Split C's columns when that repeats the smaller operand: splitting
     * them repeats A (M x K), splitting its rows repeats B (K x N); parts
     * of whole 16-float vectors. */
    int sn = (double)M * K <= (double)K * N;
    int len = sn ? N : M;
    double parts = macs / GEMM_PAR_MACS;
    if (parts > GEMM_PARTS) parts = GEMM_PARTS;
    int p = ((int)((len + parts - 1) / parts) + 15) & ~15;
    if (p < GEMM_MIN_PER) p = GEMM_MIN_PER;
    if (p >= len) return 1;
    *split_n = sn;
    *per = p;
    return (len + p - 1) / p;
}

void gan_sgemm(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
               const float *B, int ldb, float beta, float *C, int ldc)
{
    int split_n = 0, per = 0, parts = gan_sgemm_parts(M, N, K, &split_n, &per);
    if (parts > 1) {
        gemm_job j = { gan_gemm_get_engine(), ta, tb, M, N, K, lda, ldb, ldc, split_n, per, alpha, beta,
                       A, B, C };
        gan_par_for(parts, gemm_task, &j);
        return;
    }
    gan_sgemm_whole(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
