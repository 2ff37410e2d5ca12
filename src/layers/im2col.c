/* im2col.c - column matrices for convolutions and batch reorders.
 *
 * See layers.h for the layout.  For each row (c, kh, kw) the input column
 * iw = ow*S - P + kw lies inside [0, W) exactly for ow in [ow0, ow1), found
 * once per row, so the inner loops carry no bounds tests.
 */
#include "config.h"
#include <limits.h>
#include <string.h>
#include "layers/layers.h"

/* [*ow0, *ow1): the outputs whose input column ow*S - P + kw is in [0, W) */
static void valid_range(int *ow0, int *ow1, int W, int kw, int S, int P, int OW)
{
    int lo = kw < P ? (P - kw + S - 1) / S : 0;
    int last = W - 1 + P - kw;   /* largest ow*S allowed */
    int hi = last < 0 ? 0 : last / S + 1;
    if (lo > OW) lo = OW;
    if (hi > OW) hi = OW;
    if (hi < lo) hi = lo;
    *ow0 = lo;
    *ow1 = hi;
}

void gan_im2col(float *col, size_t ldc, const float *x, int C, int H, int W,
                int K, int S, int P, int OH, int OW)
{
    for (int c = 0; c < C; c++)
        for (int kh = 0; kh < K; kh++)
            for (int kw = 0; kw < K; kw++) {
                float *row = col + (((size_t)c * K + kh) * K + kw) * ldc;   // (OH, OW)
                int ow0, ow1;
                valid_range(&ow0, &ow1, W, kw, S, P, OW);
                for (int oh = 0; oh < OH; oh++) {
                    float *dst = row + (size_t)oh * OW;
                    int ih = oh * S - P + kh;
                    if (ih < 0 || ih >= H) {
                        memset(dst, 0, (size_t)OW * sizeof *dst);
                        continue;
                    }
                    const float *src = x + ((size_t)c * H + ih) * W;   // (W)
                    int off = kw - P;
                    for (int ow = 0; ow < ow0; ow++) dst[ow] = 0.0f;
                    if (S == 1)
                        memcpy(dst + ow0, src + ow0 + off, (size_t)(ow1 - ow0) * sizeof *dst);
                    else if (S == 2)   /* a constant stride, so GCC vectorises it */
                        for (int ow = ow0; ow < ow1; ow++) dst[ow] = src[ow * 2 + off];
                    else
                        for (int ow = ow0; ow < ow1; ow++) dst[ow] = src[ow * S + off];
                    for (int ow = ow1; ow < OW; ow++) dst[ow] = 0.0f;
                }
            }
}

void gan_col2im(float *x, const float *col, size_t ldc, int C, int H, int W,
                int K, int S, int P, int OH, int OW)
{
    for (int c = 0; c < C; c++)
        for (int kh = 0; kh < K; kh++)
            for (int kw = 0; kw < K; kw++) {
                const float *row = col + (((size_t)c * K + kh) * K + kw) * ldc;   // (OH, OW)
                int ow0, ow1;
                valid_range(&ow0, &ow1, W, kw, S, P, OW);
                for (int oh = 0; oh < OH; oh++) {
                    int ih = oh * S - P + kh;
                    if (ih < 0 || ih >= H) continue;
                    const float *src = row + (size_t)oh * OW;
                    float *dst = x + ((size_t)c * H + ih) * W;   // (W)
                    int off = kw - P;
                    if (S == 1)
                        for (int ow = ow0; ow < ow1; ow++) dst[ow + off] += src[ow];
                    else if (S == 2)
                        for (int ow = ow0; ow < ow1; ow++) dst[ow * 2 + off] += src[ow];
                    else
                        for (int ow = ow0; ow < ow1; ow++) dst[ow * S + off] += src[ow];
                }
            }
}

void gan_batch_to_chan(float *dst, const float *src, int NB, int C, size_t HW)
{
    for (int n = 0; n < NB; n++)
        for (int c = 0; c < C; c++)
            memcpy(dst + ((size_t)c * NB + n) * HW, src + ((size_t)n * C + c) * HW,
                   HW * sizeof *dst);
}

void gan_chan_to_batch(float *dst, const float *src, int NB, int C, size_t HW)
{
    for (int n = 0; n < NB; n++)
        for (int c = 0; c < C; c++)
            memcpy(dst + ((size_t)n * C + c) * HW, src + ((size_t)c * NB + n) * HW,
                   HW * sizeof *dst);
}

int gan_conv_chunk(size_t ps, size_t cols)
{
    size_t nb = GAN_CONV_WS_FLOATS / (ps ? ps : 1);
    size_t by_cols = (GAN_CONV_COLS + cols - 1) / (cols ? cols : 1);
    if (by_cols < nb) nb = by_cols;
    /* a GEMM dimension nb*cols must fit an int */
    if (cols && nb > (size_t)INT_MAX / cols) nb = (size_t)INT_MAX / cols;
    return nb < 1 ? 1 : (int)nb;
}
