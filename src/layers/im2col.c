/* im2col.c - column matrices for convolutions and batch reorders.
 *
 * See layers.h for the layout.  Two ways to build a column matrix:
 *
 * Phase planes (small images, the usual case).  The zero-padded image xp
 * (H + 2P, W + 2P) of one channel splits into S x S phase planes
 *     Q[p][q] (HQ, WQ),  Q[p][q][i][j] = xp[i*S + p][j*S + q],
 * HQ = OH + (K-1)/S, WQ = OW + (K-1)/S.  Row (c, kh, kw) of the column
 * matrix is then the window of plane (kh % S, kw % S) at (kh / S, kw / S):
 * OH runs of OW contiguous floats, copied with no bounds tests, in blocks
 * of 4 with an overlapping last block.  The planes are built once per
 * channel (a copy into xp, whose zero border is written once per call, and
 * a de-interleave), a pass over about H*W floats against K*K*OH*OW for the
 * copies.  col2im runs the same in reverse: the planes are loaded (from x,
 * or zero), the windows added in the order (kh, kw) = (0, 0), (0, 1), ...,
 * and the planes written back to x; every element of x receives the same
 * terms in the same order as the row loop below, so the sums are
 * bit-identical to it (padding positions collect sums that are dropped).
 * The planes live on the stack: PLANE_FLOATS bounds them.
 *
 * Rows (large images, where a row is long enough to pay for its set-up):
 * for each row (c, kh, kw) the input column iw = ow*S - P + kw lies inside
 * [0, W) exactly for ow in [ow0, ow1), found once per row, so the inner
 * loops carry no bounds tests.
 */
#include "config.h"
#include <limits.h>
#include <math.h>
#include <string.h>
#include "layers/layers.h"

/* stack floats for xp and the planes (32 KiB): DCGAN-28 needs 1800 */
#define PLANE_FLOATS 8192
/* the run helpers below must be inlined (a call per run of 7 floats costs
 * more than the run); GCC otherwise declines for the larger ones */
#if defined(__GNUC__)
#define RUN_INLINE static inline __attribute__((always_inline))
#else
#define RUN_INLINE static inline
#endif
/* kernels up to MAX_K x MAX_K take the planes */
#define MAX_K 8

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

/* ---- row by row ------------------------------------------------------ */

static void im2col_rows(float *col, size_t ldc, const float *x, int C, int H, int W,
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

static void col2im_rows(float *x, const float *col, size_t ldc, int C, int H, int W,
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

/* ---- phase planes ---------------------------------------------------- */

typedef struct planes {
    int S, P, NP;      /* NP = min(S, K) phases used per direction */
    int HQ, WQ;        /* one plane (HQ, WQ) */
    int XH, XW;        /* xp (XH, XW) = (S*HQ, S*WQ) */
    int CH, CW;        /* x's rows and columns inside xp: [0, CH) x [0, CW) */
    size_t plane;      /* HQ*WQ */
    float *xp, *q;     /* xp (XH, XW), q (NP, NP, HQ, WQ) */
    /* the window of row (kh, kw) starts at q + win[kh*K + kw]: plane
     * (kh % S, kw % S) at (kh / S, kw / S) */
    size_t win[MAX_K * MAX_K];
} planes;

/* the geometry for one call; 0 when the planes would not fit n floats */
static int planes_init(planes *g, float *buf, size_t n, int H, int W, int K, int S, int P,
                       int OH, int OW)
{
    if (OH < 1 || OW < 1 || K < 1 || K > MAX_K || S < 1 || P < 0) return 0;
    g->S = S;
    g->P = P;
    g->NP = S < K ? S : K;
    g->HQ = OH + (K - 1) / S;
    g->WQ = OW + (K - 1) / S;
    if (g->HQ > 4096 || g->WQ > 4096) return 0;
    g->XH = S * g->HQ;
    g->XW = S * g->WQ;
    g->plane = (size_t)g->HQ * g->WQ;
    size_t nx = (size_t)g->XH * g->XW, nq = (size_t)g->NP * g->NP * g->plane;
    if (S == 1) nq = 0;   /* the one plane is xp */
    if (nx + nq > n) return 0;
    g->xp = buf;
    g->q = S == 1 ? buf : buf + nx;
    /* x's rows ih with ih + P < XH: the rest are never read (a last partial stride) */
    g->CH = g->XH - P < H ? g->XH - P : H;
    g->CW = g->XW - P < W ? g->XW - P : W;
    if (g->CH < 0) g->CH = 0;
    if (g->CW < 0) g->CW = 0;
    for (int kh = 0; kh < K; kh++)
        for (int kw = 0; kw < K; kw++)
            g->win[kh * K + kw] = ((size_t)(kh % S) * g->NP + kw % S) * g->plane +
                                  (size_t)(kh / S) * g->WQ + kw / S;
    return 1;
}

/* d[0, n) = s[0, n) in blocks of 4 floats, the last ones overlapping the
 * ones before; runs up to 16 floats get straight-line code (a loop of
 * blocks would become a call of memmove) */
RUN_INLINE void copy4(float *d, const float *s) { memcpy(d, s, 4 * sizeof *d); }

RUN_INLINE void copy_run(float *restrict d, const float *restrict s, int n)
{
    if (n < 4) {
        for (int j = 0; j < n; j++) d[j] = s[j];
    } else if (n <= 8) {
        copy4(d, s);
        copy4(d + n - 4, s + n - 4);
    } else if (n <= 16) {
        copy4(d, s);
        copy4(d + 4, s + 4);
        copy4(d + n - 8, s + n - 8);
        copy4(d + n - 4, s + n - 4);
    } else {
        memcpy(d, s, (size_t)n * sizeof *d);
    }
}

/* d[0, 4) = a[0, 4) + b[0, 4) */
RUN_INLINE void sum4(float *d, const float *a, const float *b)
{
    float t[4];
    for (int k = 0; k < 4; k++) t[k] = a[k] + b[k];
    memcpy(d, t, sizeof t);
}

/* d[0, n) += s[0, n) in blocks of 4; every block is summed before any is
 * stored, so an element shared by two overlapping blocks gets the same
 * single sum d + s from both */
RUN_INLINE void add_run(float *restrict d, const float *restrict s, int n)
{
    if (n < 4) {
        for (int j = 0; j < n; j++) d[j] += s[j];
    } else if (n <= 8) {
        float t0[4], t1[4];
        sum4(t0, d, s);
        sum4(t1, d + n - 4, s + n - 4);
        memcpy(d, t0, sizeof t0);
        memcpy(d + n - 4, t1, sizeof t1);
    } else if (n <= 16) {
        float t0[4], t1[4], t2[4], t3[4];
        sum4(t0, d, s);
        sum4(t1, d + 4, s + 4);
        sum4(t2, d + n - 8, s + n - 8);
        sum4(t3, d + n - 4, s + n - 4);
        memcpy(d, t0, sizeof t0);
        memcpy(d + 4, t1, sizeof t1);
        memcpy(d + n - 8, t2, sizeof t2);
        memcpy(d + n - 4, t3, sizeof t3);
    } else {
        for (int j = 0; j < n; j++) d[j] += s[j];
    }
}

/* xp's interior = one channel of x (H, W); the border is left as it is */
static void load_xp(const planes *g, const float *x, int W)
{
    for (int ih = 0; ih < g->CH; ih++)
        copy_run(g->xp + (size_t)(ih + g->P) * g->XW + g->P, x + (size_t)ih * W, g->CW);
}

/* the planes from xp (S > 1) */
static void split_xp(const planes *g)
{
    const int S = g->S, NP = g->NP, HQ = g->HQ, WQ = g->WQ, XW = g->XW;
    for (int p = 0; p < NP; p++)
        for (int i = 0; i < HQ; i++) {
            const float *r = g->xp + ((size_t)i * S + p) * XW;   // (XW)
            if (S == 2 && NP == 2) {   /* both phases in one loop: a de-interleave */
                float *q0 = g->q + ((size_t)p * 2 + 0) * g->plane + (size_t)i * WQ;
                float *q1 = g->q + ((size_t)p * 2 + 1) * g->plane + (size_t)i * WQ;
                for (int j = 0; j < WQ; j++) {
                    q0[j] = r[2 * j];
                    q1[j] = r[2 * j + 1];
                }
                continue;
            }
            for (int qq = 0; qq < NP; qq++) {
                float *d = g->q + ((size_t)p * NP + qq) * g->plane + (size_t)i * WQ;
                for (int j = 0; j < WQ; j++) d[j] = r[j * S + qq];
            }
        }
}

/* xp from the planes (S > 1): the inverse of split_xp on the phases used */
static void merge_xp(const planes *g)
{
    const int S = g->S, NP = g->NP, HQ = g->HQ, WQ = g->WQ, XW = g->XW;
    for (int p = 0; p < NP; p++)
        for (int i = 0; i < HQ; i++) {
            float *r = g->xp + ((size_t)i * S + p) * XW;   // (XW)
            if (S == 2 && NP == 2) {   /* an interleave */
                const float *q0 = g->q + ((size_t)p * 2 + 0) * g->plane + (size_t)i * WQ;
                const float *q1 = g->q + ((size_t)p * 2 + 1) * g->plane + (size_t)i * WQ;
                for (int j = 0; j < WQ; j++) {
                    r[2 * j] = q0[j];
                    r[2 * j + 1] = q1[j];
                }
                continue;
            }
            for (int qq = 0; qq < NP; qq++) {
                const float *s = g->q + ((size_t)p * NP + qq) * g->plane + (size_t)i * WQ;
                for (int j = 0; j < WQ; j++) r[j * S + qq] = s[j];
            }
        }
}

/* one sample's channel: xc (H, W) -> its K*K rows of col, from colc */
static void im2col_chan(const planes *g, float *colc, size_t ldc, const float *xc, int W,
                        int K, int OH, int OW)
{
    load_xp(g, xc, W);
    if (g->S > 1) split_xp(g);
    for (int kh = 0; kh < K; kh++)
        for (int kw = 0; kw < K; kw++) {
            float *row = colc + ((size_t)kh * K + kw) * ldc;   // (OH, OW)
            const float *win = g->q + g->win[kh * K + kw];    // (OH, OW) in (HQ, WQ)
            for (int oh = 0; oh < OH; oh++)
                copy_run(row + (size_t)oh * OW, win + (size_t)oh * g->WQ, OW);
        }
}

/* x (C, H, W) -> col */
static void im2col_planes(const planes *g, float *col, size_t ldc, const float *x, int C, int H,
                          int W, int K, int OH, int OW)
{
    memset(g->xp, 0, (size_t)g->XH * g->XW * sizeof *g->xp);   /* the zero border */
    for (int c = 0; c < C; c++)
        im2col_chan(g, col + (size_t)c * K * K * ldc, ldc, x + (size_t)c * H * W, W, K, OH, OW);
}

/* How col2im starts each channel of x: from x itself (ADD), or from the
 * channel's constant v (FILL: 0 for gan_col2im_set, the bias for
 * gan_col2im_bias), as if x had been filled with v first. */
enum { ADD, FILL };

/* n floats of d = v */
static void fill_floats(float *d, size_t n, float v)
{
    if (v == 0.0f && !signbit(v)) memset(d, 0, n * sizeof *d);
    else for (size_t i = 0; i < n; i++) d[i] = v;
}

/* q's planes (all NP x NP, or xp when S == 1) = v, and xp too when
 * NP < S (its phases without a plane are copied out as they are) */
static void fill_planes(const planes *g, float v)
{
    fill_floats(g->q, (g->S > 1 ? (size_t)g->NP * g->NP : 1) * g->plane, v);
    if (g->S > 1 && g->NP < g->S) fill_floats(g->xp, (size_t)g->XH * g->XW, v);
}

/* one sample's channel: xc (H, W) += the col2im of its K*K rows from colc
 * (ADD), or = v + it (FILL) */
static void col2im_chan(const planes *g, float *xc, const float *colc, size_t ldc, int H, int W,
                        int K, int OH, int OW, int mode, float v)
{
    if (mode == FILL) {
        fill_planes(g, v);
    } else {
        load_xp(g, xc, W);
        if (g->S > 1) split_xp(g);
    }
    /* in the order (kh, kw) = (0, 0), (0, 1), ...: the row loop's order.
     * (Visiting each plane's windows apart, to keep an add from loading
     * what the one before has just stored, measured 20 % slower.) */
    for (int kh = 0; kh < K; kh++)
        for (int kw = 0; kw < K; kw++) {
            const float *row = colc + ((size_t)kh * K + kw) * ldc;   // (OH, OW)
            float *win = g->q + g->win[kh * K + kw];
            for (int oh = 0; oh < OH; oh++)
                add_run(win + (size_t)oh * g->WQ, row + (size_t)oh * OW, OW);
        }
    if (g->S > 1) merge_xp(g);
    for (int ih = 0; ih < g->CH; ih++)
        copy_run(xc + (size_t)ih * W, g->xp + (size_t)(ih + g->P) * g->XW + g->P, g->CW);
    if (mode == FILL) {   /* x's last rows and columns that no output reaches */
        for (int ih = 0; ih < g->CH; ih++)
            for (int iw = g->CW; iw < W; iw++) xc[(size_t)ih * W + iw] = v;
        if (g->CH < H) fill_floats(xc + (size_t)g->CH * W, (size_t)(H - g->CH) * W, v);
    }
}

/* x (C, H, W) += the col2im of col (ADD), or = b[c] + it (FILL; 0 when b
 * is NULL) */
static void col2im_planes(const planes *g, float *x, const float *col, size_t ldc, int C, int H,
                          int W, int K, int OH, int OW, int mode, const float *b)
{
    memset(g->xp, 0, (size_t)g->XH * g->XW * sizeof *g->xp);
    for (int c = 0; c < C; c++)
        col2im_chan(g, x + (size_t)c * H * W, col + (size_t)c * K * K * ldc, ldc, H, W, K, OH, OW,
                    mode, b ? b[c] : 0.0f);
}

/* ---- entry points ---------------------------------------------------- */

void gan_im2col(float *col, size_t ldc, const float *x, int C, int H, int W,
                int K, int S, int P, int OH, int OW)
{
    float buf[PLANE_FLOATS];
    planes g;
    if (planes_init(&g, buf, PLANE_FLOATS, H, W, K, S, P, OH, OW))
        im2col_planes(&g, col, ldc, x, C, H, W, K, OH, OW);
    else
        im2col_rows(col, ldc, x, C, H, W, K, S, P, OH, OW);
}

static void col2im(float *x, const float *col, size_t ldc, int C, int H, int W, int K, int S,
                   int P, int OH, int OW, int mode, const float *b)
{
    float buf[PLANE_FLOATS];
    planes g;
    if (planes_init(&g, buf, PLANE_FLOATS, H, W, K, S, P, OH, OW)) {
        col2im_planes(&g, x, col, ldc, C, H, W, K, OH, OW, mode, b);
        return;
    }
    if (mode == FILL)
        for (int c = 0; c < C; c++) fill_floats(x + (size_t)c * H * W, (size_t)H * W, b ? b[c] : 0.0f);
    col2im_rows(x, col, ldc, C, H, W, K, S, P, OH, OW);
}

void gan_col2im(float *x, const float *col, size_t ldc, int C, int H, int W,
                int K, int S, int P, int OH, int OW)
{
    col2im(x, col, ldc, C, H, W, K, S, P, OH, OW, ADD, NULL);
}

void gan_col2im_set(float *x, const float *col, size_t ldc, int C, int H, int W,
                    int K, int S, int P, int OH, int OW)
{
    col2im(x, col, ldc, C, H, W, K, S, P, OH, OW, FILL, NULL);
}

void gan_col2im_bias(float *x, const float *col, size_t ldc, const float *b, int C, int H, int W,
                     int K, int S, int P, int OH, int OW)
{
    col2im(x, col, ldc, C, H, W, K, S, P, OH, OW, FILL, b);
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

void gan_conv_chunk_rows(const gan_ctx *c, int NB, int k, int *n0, int *nb)
{
    *n0 = k * NB;
    *nb = c->B - *n0 < NB ? c->B - *n0 : NB;
}
