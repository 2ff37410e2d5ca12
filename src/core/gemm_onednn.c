/* gemm_onednn.c - ganrun's GEMMs on oneDNN (train.gemm: onednn).
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
 */
#include "config.h"
#include <omp.h>
#include <stdio.h>
#include <oneapi/dnnl/dnnl.h>
#include "core/gemm_onednn.h"

static _Thread_local int omp_single;

static void one_thread(void)
{
    if (omp_single) return;
    omp_set_num_threads(1);
    omp_single = 1;
}

int core_onednn_gemm(int bf16, int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                     const float *B, int ldb, float beta, float *C, int ldc)
{
    one_thread();
    if (bf16) return -1;
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
