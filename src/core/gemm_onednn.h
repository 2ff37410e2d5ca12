/* gemm_onednn.h - the oneDNN GEMM engine (train.gemm: onednn, onednn-bf16)
 * behind gan_sgemm and gan_sgemm_whole (par.c); built with HAVE_ONEDNN. */
#ifndef CORE_GEMM_ONEDNN_H
#define CORE_GEMM_ONEDNN_H

/* C (M, N) = alpha op(A) op(B) + beta C, row-major as cblas_sgemm, on the
 * calling thread only: dnnl_sgemm in fp32 (bf16 = 0), or oneDNN's matmul
 * with A and B rounded to bf16, fp32 accumulation and output (bf16 = 1).
 * 0 when done; -1 when oneDNN refused (no memory): the caller computes it
 * otherwise. */
int core_onednn_gemm(int bf16, int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                     const float *B, int ldb, float beta, float *C, int ldc);

/* "oneDNN 2.6.3, ISA avx512_core_bf16": the library and the widest
 * instruction set its kernels use on this CPU (static text). */
const char *core_onednn_describe(void);

/* 1 when oneDNN's kernels can use AVX512_BF16 here (onednn-bf16's
 * matmul would otherwise emulate bf16, slowly). */
int core_onednn_has_bf16(void);

#endif
