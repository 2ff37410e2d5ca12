/* resample.c - low-pass resampling by 2 with a separable FIR filter, as
 * StyleGAN2's and R3GAN's upfirdn2d (upsample2d, downsample2d).
 *
 *   x (B, C, H, W)   down: y (B, C, H/2, W/2)   up: y (B, C, 2H, 2W)
 *   f (L) the taps, 2 <= L <= 4 (default [1, 2, 1]), g = f / sum(f)
 * One axis of length n (the other the same, then the 2-D filter is g g^T):
 *   down: y[i] = sum_k g[k] x[2i + k - p],       p = (L - 1) / 2   (n even)
 *   up:   y[j] = sum_k 2 g[k] u[j + k - p - 1],  u (2n): u[2i] = x[i], odd 0
 * x and u are zero outside [0, n).  These are upfirdn2d's paddings (the
 * filter taken as a correlation, the same for symmetric filters): [1, 1]
 * gives avgpool and nearest-neighbour upsampling, [1, 3, 3, 1] StyleGAN2's
 * resampling; [1, 2, 1] is R3GAN's, whose upsampling puts x[i] at 2i+1.
 * The up filter's gain is 2 per axis, so a constant image stays constant.
 * Backward is the transpose (each tap's weight back to its source).
 * ONNX: a depthwise Conv (down) or ConvTranspose (up) with the 2-D filter.
 */
#include "config.h"
#include <string.h>
#include "layers/layers.h"

static const char *const ops[] = { "down", "up", NULL };

static const gan_key_desc keys[] = {
    { "op", GAN_KEY_ENUM, 0, 0, 0, 0, 0, 0, ops, 0, 0, "down (H/2, W/2) or up (2H, 2W)" },
    { "filter", GAN_KEY_INTLIST, 0, 0, 0, 1000, 0, 0, NULL, 0, 4,
      "taps of the separable low-pass filter, 2 to 4 of them; [] (default): [1, 2, 1]" },
};

/* the filter's normalised taps g (L) times gain; returns L */
static int taps(const gan_layer_conf *c, float *g)
{
    const gan_key_value *v = gan_conf_val(c, "filter");
    static const int def[3] = { 1, 2, 1 };
    const int *f = v->len ? v->list : def;
    int L = v->len ? v->len : 3;
    double s = 0;
    for (int k = 0; k < L; k++) s += f[k];
    double gain = gan_conf_num(c, "op") == 1 ? 2.0 : 1.0;
    for (int k = 0; k < L; k++) g[k] = s > 0 ? (float)(gain * f[k] / s) : 0.0f;
    return L;
}

static gan_status setup(gan_layer *l, gan_shape in, gan_error *err)
{
    char s[64];
    gan_shape_str(in, s, sizeof s);
    if (in.rank != 3)
        return gan_error_set(err, GAN_ERR_SHAPE, "resample: input %s must be (C, H, W)", s);
    const gan_key_value *v = gan_conf_val(&l->conf, "filter");
    int sum = 0;
    for (int k = 0; k < v->len; k++) sum += v->list[k];
    if (v->len == 1 || (v->len && sum <= 0))
        return gan_error_set(err, GAN_ERR_INVALID, "resample: filter needs 2 to 4 taps of positive sum "
                             "(expected a list such as [1, 2, 1])");
    int up = gan_conf_num(&l->conf, "op") == 1;
    if (!up && (in.d[1] % 2 || in.d[2] % 2))
        return gan_error_set(err, GAN_ERR_SHAPE, "resample: input %s: op down needs an even height and "
                             "width", s);
    if (up && ((long)in.d[1] * 2 > 1 << 20 || (long)in.d[2] * 2 > 1 << 20))
        return gan_error_set(err, GAN_ERR_SHAPE, "resample: input %s is too large to upsample", s);
    l->out = up ? (gan_shape){ 3, { in.d[0], 2 * in.d[1], 2 * in.d[2] } }
                : (gan_shape){ 3, { in.d[0], in.d[1] / 2, in.d[2] / 2 } };
    /* one plane of the pass along W: (H, OW) */
    l->ws_fixed = (size_t)in.d[1] * l->out.d[2];
    return GAN_OK;
}

/* source index of output o, tap k along an axis of n inputs, or -1 */
static int src(int up, int o, int k, int p, int n)
{
    if (!up) {
        int m = 2 * o + k - p;
        return m >= 0 && m < n ? m : -1;
    }
    int m = o + k - p - 1;
    return m >= 0 && (m & 1) == 0 && m / 2 < n ? m / 2 : -1;
}

/* The taps of one axis, resolved: output o reads tab[o].m[j] with weight
 * tab[o].g[j], j < tab[o].n, in the order of the filter's taps (so every
 * sum below adds its terms in the order of the definition above, from 0).
 * Axes longer than RS_MAX take the loop in place (pass_*_slow). */
#define RS_MAX 512
typedef struct { int n, m[4]; float g[4]; } rs_tap;

static void resolve(rs_tap *tab, int n, int on, const float *g, int L, int up)
{
    int p = (L - 1) / 2;
    for (int o = 0; o < on; o++) {
        tab[o].n = 0;
        for (int k = 0; k < L; k++) {
            int m = src(up, o, k, p, n);
            if (m < 0) continue;
            tab[o].m[tab[o].n] = m;
            tab[o].g[tab[o].n++] = g[k];
        }
    }
}

/* y (R, on) from x (R, n), one axis: element e of line r is at
 * x[r xr + e xe] and y[r yr + e ye] (rows: xr = W, xe = 1; columns: xr = 1,
 * xe = the row length) */
static void pass_fwd_slow(float *y, const float *x, int R, int n, int on, size_t xr, size_t xe, size_t yr,
                          size_t ye, const float *g, int L, int up)
{
    int p = (L - 1) / 2;
    for (int r = 0; r < R; r++)
        for (int o = 0; o < on; o++) {
            float s = 0.0f;
            for (int k = 0; k < L; k++) {
                int m = src(up, o, k, p, n);
                if (m >= 0) s += g[k] * x[r * xr + m * xe];
            }
            y[r * yr + o * ye] = s;
        }
}

/* the transpose: dx (R, n) = sum over taps of g[k] dy[o] at their source */
static void pass_bwd_slow(float *dx, const float *dy, int R, int n, int on, size_t xr, size_t xe, size_t yr,
                          size_t ye, const float *g, int L, int up)
{
    int p = (L - 1) / 2;
    for (int r = 0; r < R; r++) {
        for (int m = 0; m < n; m++) dx[r * xr + m * xe] = 0.0f;
        for (int o = 0; o < on; o++)
            for (int k = 0; k < L; k++) {
                int m = src(up, o, k, p, n);
                if (m >= 0) dx[r * xr + m * xe] += g[k] * dy[r * yr + o * ye];
            }
    }
}

/* along rows: y (R, on) from x (R, n), both contiguous */
static void rows_fwd(float *y, const float *x, int R, int n, int on, const rs_tap *tab)
{
    for (int r = 0; r < R; r++, x += n, y += on)
        for (int o = 0; o < on; o++) {
            float s = 0.0f;
            for (int j = 0; j < tab[o].n; j++) s += tab[o].g[j] * x[tab[o].m[j]];
            y[o] = s;
        }
}

/* along columns: y (on, C) from x (n, C), a whole row of C at a time */
static void cols_fwd(float *restrict y, const float *restrict x, int C, int on, const rs_tap *tab)
{
    for (int o = 0; o < on; o++) {
        float *yo = y + (size_t)o * C;
        for (int c = 0; c < C; c++) yo[c] = 0.0f;
        for (int j = 0; j < tab[o].n; j++) {
            const float *xm = x + (size_t)tab[o].m[j] * C;
            const float gj = tab[o].g[j];
            for (int c = 0; c < C; c++) yo[c] += gj * xm[c];
        }
    }
}

/* transposes: dx (R, n) += each tap's g dy[o] at its source, o ascending */
static void rows_bwd(float *dx, const float *dy, int R, int n, int on, const rs_tap *tab)
{
    for (int r = 0; r < R; r++, dx += n, dy += on) {
        for (int m = 0; m < n; m++) dx[m] = 0.0f;
        for (int o = 0; o < on; o++)
            for (int j = 0; j < tab[o].n; j++) dx[tab[o].m[j]] += tab[o].g[j] * dy[o];
    }
}

static void cols_bwd(float *restrict dx, const float *restrict dy, int C, int n, int on, const rs_tap *tab)
{
    for (size_t e = 0; e < (size_t)n * C; e++) dx[e] = 0.0f;
    for (int o = 0; o < on; o++) {
        const float *dyo = dy + (size_t)o * C;
        for (int j = 0; j < tab[o].n; j++) {
            float *dxm = dx + (size_t)tab[o].m[j] * C;
            const float gj = tab[o].g[j];
            for (int c = 0; c < C; c++) dxm[c] += gj * dyo[c];
        }
    }
}

static void forward(gan_layer *l, const gan_ctx *c, const float *x, float *y)
{
    float g[4];
    int L = taps(&l->conf, g), up = gan_conf_num(&l->conf, "op") == 1;
    int H = l->in.d[1], W = l->in.d[2], OH = l->out.d[1], OW = l->out.d[2];
    float *t = c->ws;   // (H, OW)
    size_t planes = (size_t)c->B * l->in.d[0];
    if (OH <= RS_MAX && OW <= RS_MAX) {
        rs_tap tw[RS_MAX], th[RS_MAX];
        resolve(tw, W, OW, g, L, up);
        resolve(th, H, OH, g, L, up);
        for (size_t q = 0; q < planes; q++) {
            rows_fwd(t, x + q * (size_t)H * W, H, W, OW, tw);      /* along W */
            cols_fwd(y + q * (size_t)OH * OW, t, OW, OH, th);      /* along H */
        }
        return;
    }
    for (size_t q = 0; q < planes; q++) {
        const float *xq = x + q * (size_t)H * W;     // (H, W)
        float *yq = y + q * (size_t)OH * OW;         // (OH, OW)
        pass_fwd_slow(t, xq, H, W, OW, (size_t)W, 1, (size_t)OW, 1, g, L, up);     /* along W */
        pass_fwd_slow(yq, t, OW, H, OH, 1, (size_t)OW, 1, (size_t)OW, g, L, up);   /* along H */
    }
}

static void backward(gan_layer *l, const gan_ctx *c, const float *x, const float *y,
                     const float *dy, float *dx, int param_grads)
{
    (void)x; (void)y; (void)param_grads;
    if (!dx) return;
    float g[4];
    int L = taps(&l->conf, g), up = gan_conf_num(&l->conf, "op") == 1;
    int H = l->in.d[1], W = l->in.d[2], OH = l->out.d[1], OW = l->out.d[2];
    float *t = c->ws;   // (H, OW)
    size_t planes = (size_t)c->B * l->in.d[0];
    if (OH <= RS_MAX && OW <= RS_MAX) {
        rs_tap tw[RS_MAX], th[RS_MAX];
        resolve(tw, W, OW, g, L, up);
        resolve(th, H, OH, g, L, up);
        for (size_t q = 0; q < planes; q++) {
            cols_bwd(t, dy + q * (size_t)OH * OW, OW, H, OH, th);
            rows_bwd(dx + q * (size_t)H * W, t, H, W, OW, tw);
        }
        return;
    }
    for (size_t q = 0; q < planes; q++) {
        const float *dyq = dy + q * (size_t)OH * OW;
        float *dxq = dx + q * (size_t)H * W;
        pass_bwd_slow(t, dyq, OW, H, OH, 1, (size_t)OW, 1, (size_t)OW, g, L, up);
        pass_bwd_slow(dxq, t, H, W, OW, (size_t)W, 1, (size_t)OW, 1, g, L, up);
    }
}

const gan_layer_type gan_layer_resample = {
    "resample", "low-pass resampling of (C, H, W) by 2 with a separable filter (upfirdn2d)",
    keys, GAN_NKEYS(keys), setup, NULL, forward, backward, NULL, GAN_LAYER_Y_UNUSED,
};
