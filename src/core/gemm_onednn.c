/* gemm_onednn.c - ganrun's GEMMs on oneDNN (train.gemm: onednn,
 * onednn-bf16).
 *
 * OpenBLAS's Haswell core (AVX2) is what this machine's environment sets;
 * oneDNN's sgemm picks its own kernels by the CPU (AVX-512 where there is
 * one) and runs the DCGAN-64 step's GEMM shapes at 1.5-4x OpenBLAS's rate.
 *
 * Every call runs on the calling thread alone: gan_sgemm cuts a product
 * into parts by its shape (par.c) and the pool's threads take them, as
 * with OpenBLAS, so the bits do not depend on the thread count.  Debian's
 * libdnnl threads with OpenMP: it would start omp_get_max_threads() threads
 * inside each call, so each thread that calls in sets its own OpenMP
 * thread count to 1 first (an OpenMP setting of the calling thread only,
 * as libgomp keeps it per thread; a program that runs OpenMP regions of
 * its own on that thread gets one thread there too).
 *
 * onednn-bf16: A and B are rounded to bf16 (round to nearest even) into
 * the thread's buffers, packed (M, K) or (K, M) and (K, N) or (N, K) as
 * they are stored, then oneDNN's matmul primitive multiplies them with
 * fp32 accumulation into C (fp32, row stride ldc), alpha as its output
 * scale and beta C as a sum post-op.  A primitive is made once per shape
 * (ta, tb, M, N, K, ldc, alpha, beta) and kept (at most CACHE of them;
 * past that, made for the call and dropped), with user-managed scratch
 * memory so that threads can run one primitive at once, each with its own
 * scratch and stream.
 */
#include "config.h"
#include <omp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <oneapi/dnnl/dnnl.h>
#include "core/gemm_onednn.h"

static _Thread_local int omp_single;

static void one_thread(void)
{
    if (omp_single) return;
    omp_set_num_threads(1);
    omp_single = 1;
}

/* ---- bf16: the thread's buffers, stream and the primitives ------------- */

typedef struct tls {
    dnnl_stream_t stream;
    uint16_t *a, *b;      /* bf16 copies of A and B */
    size_t na, nb;        /* their room, in elements */
    void *scratch;
    size_t nscratch;      /* bytes */
} tls;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_key_t tls_key;
static dnnl_engine_t engine;   /* NULL when oneDNN made none */

static void tls_free(void *p)
{
    tls *t = p;
    if (t->stream) dnnl_stream_destroy(t->stream);
    free(t->a);
    free(t->b);
    free(t->scratch);
    free(t);
}

static void init_once(void)
{
    if (pthread_key_create(&tls_key, tls_free) != 0) return;
    if (dnnl_engine_create(&engine, dnnl_cpu, 0) != dnnl_success) engine = NULL;
}

static tls *thread_state(void)
{
    pthread_once(&once, init_once);
    if (!engine) return NULL;
    tls *t = pthread_getspecific(tls_key);
    if (t) return t;
    t = calloc(1, sizeof *t);
    if (!t) return NULL;
    if (dnnl_stream_create(&t->stream, engine, dnnl_stream_default_flags) != dnnl_success ||
        pthread_setspecific(tls_key, t) != 0) {
        tls_free(t);
        return NULL;
    }
    return t;
}

/* *buf with room for n elements of size sz (grown, 64-byte aligned) */
static int room(void **buf, size_t *have, size_t n, size_t sz)
{
    if (*have >= n) return 0;
    void *p = NULL;
    size_t bytes = (n * sz + 63) & ~(size_t)63;
    if (posix_memalign(&p, 64, bytes ? bytes : 64) != 0) return -1;
    free(*buf);
    *buf = p;
    *have = n;
    return 0;
}

/* fp32 -> bf16, round to nearest even; NaN stays a (quiet) NaN */
static inline uint16_t to_bf16(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40u);
    return (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
/* 32 floats at a time by vcvtne2ps2bf16 (round to nearest even, NaN
 * quiet, and denormal inputs and outputs flushed to zero), the last ones
 * masked so that every element is rounded alike; on the CPUs onednn-bf16
 * runs on (AVX512_BF16, with F and BW) */
__attribute__((target("avx512f,avx512bw,avx512bf16"))) static void row_bf16(uint16_t *d, const float *x, int n)
{
    for (int j = 0; j < n; j += 32) {
        int r = n - j < 32 ? n - j : 32;
        __mmask16 lo = (__mmask16)(r >= 16 ? 0xffffu : (1u << r) - 1u);
        __mmask16 hi = (__mmask16)(r >= 32 ? 0xffffu : r > 16 ? (1u << (r - 16)) - 1u : 0u);
        __m512bh v = _mm512_cvtne2ps_pbh(_mm512_maskz_loadu_ps(hi, x + j + 16), _mm512_maskz_loadu_ps(lo, x + j));
        __mmask32 m = r == 32 ? 0xffffffffu : (__mmask32)((1u << r) - 1u);
        _mm512_mask_storeu_epi16((void *)(d + j), m, (__m512i)v);
    }
}
#else
static void row_bf16(uint16_t *d, const float *x, int n)
{
    for (int j = 0; j < n; j++) d[j] = to_bf16(x[j]);
}
#endif

/* rows x cols of X (row stride ld) into dst, packed */
static void pack_bf16(uint16_t *dst, const float *X, int rows, int cols, int ld)
{
    for (int i = 0; i < rows; i++) row_bf16(dst + (size_t)i * cols, X + (size_t)i * ld, cols);
}

#define CACHE 256

typedef struct prim {
    int ta, tb, M, N, K, ldc;
    float alpha, beta;
    dnnl_primitive_t p;
    size_t scratch;   /* bytes of its scratch memory */
} prim;

static struct {
    pthread_mutex_t mu;
    int n;
    prim e[CACHE];
} cache = { .mu = PTHREAD_MUTEX_INITIALIZER };

/* the matmul for this shape, made into *out (p NULL on failure) */
static void make_prim(prim *out)
{
    dnnl_dims_t sd = { out->M, out->K }, wd = { out->K, out->N }, dd = { out->M, out->N };
    /* A packed as stored: (M, K) row-major, or (K, M) when transposed */
    dnnl_dims_t ss = { out->ta ? 1 : out->K, out->ta ? out->M : 1 };
    dnnl_dims_t ws = { out->tb ? 1 : out->N, out->tb ? out->K : 1 };
    dnnl_dims_t ds = { out->ldc, 1 };
    dnnl_memory_desc_t smd, wmd, dmd;
    dnnl_matmul_desc_t md;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t po = NULL;
    dnnl_primitive_desc_t pd = NULL;
    out->p = NULL;
    if (dnnl_memory_desc_init_by_strides(&smd, 2, sd, dnnl_bf16, ss) != dnnl_success ||
        dnnl_memory_desc_init_by_strides(&wmd, 2, wd, dnnl_bf16, ws) != dnnl_success ||
        dnnl_memory_desc_init_by_strides(&dmd, 2, dd, dnnl_f32, ds) != dnnl_success ||
        dnnl_matmul_desc_init(&md, &smd, &wmd, NULL, &dmd) != dnnl_success ||
        dnnl_primitive_attr_create(&attr) != dnnl_success)
        goto out;
    if (dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user) != dnnl_success) goto out;
    if (out->alpha != 1.0f && dnnl_primitive_attr_set_output_scales(attr, 1, 0, &out->alpha) != dnnl_success)
        goto out;
    if (out->beta != 0.0f) {
        if (dnnl_post_ops_create(&po) != dnnl_success || dnnl_post_ops_append_sum(po, out->beta) != dnnl_success ||
            dnnl_primitive_attr_set_post_ops(attr, po) != dnnl_success)
            goto out;
    }
    if (dnnl_primitive_desc_create(&pd, &md, attr, engine, NULL) != dnnl_success) goto out;
    out->scratch = dnnl_memory_desc_get_size(dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0));
    if (dnnl_primitive_create(&out->p, pd) != dnnl_success) out->p = NULL;
out:
    if (pd) dnnl_primitive_desc_destroy(pd);
    if (po) dnnl_post_ops_destroy(po);
    if (attr) dnnl_primitive_attr_destroy(attr);
}

static int same_shape(const prim *a, const prim *b)
{
    return a->ta == b->ta && a->tb == b->tb && a->M == b->M && a->N == b->N && a->K == b->K &&
           a->ldc == b->ldc && a->alpha == b->alpha && a->beta == b->beta;
}

/* the cached primitive for *key's shape (made on first use) into *key;
 * 1 when the caller owns it (the cache was full), 0 when cached, -1 on
 * failure */
static int find_prim(prim *key)
{
    pthread_mutex_lock(&cache.mu);
    for (int i = 0; i < cache.n; i++)
        if (same_shape(&cache.e[i], key)) {
            *key = cache.e[i];
            pthread_mutex_unlock(&cache.mu);
            return 0;
        }
    /* made under the lock: a shape's primitive is made once */
    make_prim(key);
    int owned = 1;
    if (key->p && cache.n < CACHE) {
        cache.e[cache.n++] = *key;
        owned = 0;
    }
    pthread_mutex_unlock(&cache.mu);
    return key->p ? owned : -1;
}

static int gemm_bf16(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                     const float *B, int ldb, float beta, float *C, int ldc)
{
    tls *t = thread_state();
    if (!t) return -1;
    prim pr = { .ta = ta, .tb = tb, .M = M, .N = N, .K = K, .ldc = ldc, .alpha = alpha, .beta = beta };
    int owned = find_prim(&pr);
    if (owned < 0) return -1;
    int rc = -1;
    dnnl_memory_t ms = NULL, mw = NULL, mdst = NULL, msp = NULL;
    if (room((void **)&t->a, &t->na, (size_t)M * K, sizeof *t->a) ||
        room((void **)&t->b, &t->nb, (size_t)K * N, sizeof *t->b) ||
        room(&t->scratch, &t->nscratch, pr.scratch, 1))
        goto out;
    if (ta) pack_bf16(t->a, A, K, M, lda);
    else pack_bf16(t->a, A, M, K, lda);
    if (tb) pack_bf16(t->b, B, N, K, ldb);
    else pack_bf16(t->b, B, K, N, ldb);
    const_dnnl_primitive_desc_t pd;
    if (dnnl_primitive_get_primitive_desc(pr.p, &pd) != dnnl_success) goto out;
    if (dnnl_memory_create(&ms, dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0), engine, t->a) !=
            dnnl_success ||
        dnnl_memory_create(&mw, dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0), engine, t->b) !=
            dnnl_success ||
        dnnl_memory_create(&mdst, dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0), engine, C) !=
            dnnl_success ||
        (pr.scratch && dnnl_memory_create(&msp, dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0),
                                          engine, t->scratch) != dnnl_success))
        goto out;
    dnnl_exec_arg_t args[] = { { DNNL_ARG_SRC, ms }, { DNNL_ARG_WEIGHTS, mw }, { DNNL_ARG_DST, mdst },
                               { DNNL_ARG_SCRATCHPAD, msp } };
    if (dnnl_primitive_execute(pr.p, t->stream, pr.scratch ? 4 : 3, args) == dnnl_success &&
        dnnl_stream_wait(t->stream) == dnnl_success)
        rc = 0;
out:
    if (ms) dnnl_memory_destroy(ms);
    if (mw) dnnl_memory_destroy(mw);
    if (mdst) dnnl_memory_destroy(mdst);
    if (msp) dnnl_memory_destroy(msp);
    if (owned) dnnl_primitive_destroy(pr.p);
    return rc;
}

int core_onednn_gemm(int bf16, int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                     const float *B, int ldb, float beta, float *C, int ldc)
{
    one_thread();
    if (bf16) return gemm_bf16(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    dnnl_status_t st = dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return st == dnnl_success ? 0 : -1;
}

static const char *isa_name(dnnl_cpu_isa_t isa)
{
    switch (isa) {
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx512_mic: return "avx512_mic";
    case dnnl_cpu_isa_avx512_mic_4ops: return "avx512_mic_4ops";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    default: return "unknown";
    }
}

const char *core_onednn_describe(void)
{
    static char buf[96];
    if (!buf[0]) {
        const dnnl_version_t *v = dnnl_version();
        snprintf(buf, sizeof buf, "oneDNN %d.%d.%d, ISA %s", v->major, v->minor, v->patch,
                 isa_name(dnnl_get_effective_cpu_isa()));
    }
    return buf;
}

int core_onednn_has_bf16(void)
{
    /* the ISA values are bit sets: bf16's includes every bit of it */
    unsigned isa = (unsigned)dnnl_get_effective_cpu_isa(), want = (unsigned)dnnl_cpu_isa_avx512_core_bf16;
    return (isa & want) == want;
}
