/* features.c - the label-free feature extractor: a fixed random-weight
 * convolutional network (Naeem et al. 2020 evaluate precision, recall,
 * density and coverage in the features of randomly initialised networks;
 * this is a small one of that kind, defined here rather than downloaded).
 *
 *   x (C, H, W) in [-1, 1], C = 1 or 3  (or (H*W), gray)
 *   gray -> 3 channels (the gray value in each)
 *   resize to (3, 64, 64)                  gan_resize_linear
 *   conv 3x3 pad 1 -> 32, relu, avgpool 2  (32, 32, 32)
 *   conv 3x3 pad 1 -> 64, relu, avgpool 2  (64, 16, 16)
 *   conv 3x3 pad 1 -> 128, relu, avgpool 2 (128, 8, 8)
 *   conv 3x3 pad 1 -> 256, relu, avgpool 2 (256, 4, 4)
 *   mean over the 4 x 4 positions          (256)
 *
 * Weights: He-uniform, U(-sqrt(6 / fan_in), sqrt(6 / fan_in)) with fan_in
 * = 9 C, from gan_rng stream (GAN_STREAM_FEATURES_SEED, entry index), no biases: integer
 * random numbers and one correctly rounded sqrt, so every build draws the
 * same weights.  The network runs on libgan's own layers (conv2d, relu,
 * avgpool, global_pool), in batches of CHUNK.
 *
 * What it measures: statistics of local colour and texture patterns up to
 * its receptive field (46 x 46 of the 64 x 64 input), averaged over the
 * image.  What it does not: semantics (nothing was learned; two images
 * that look alike to a person may be far apart and the other way round),
 * and layout beyond that field (the mean over positions discards where a
 * pattern is).  Its numbers compare runs scored with the same extractor
 * version (gan_features_name), the same N and the same real images; they
 * are not Inception FID / KID.
 */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "gan/eval.h"
#include "gan/net.h"
#include "gan/rng.h"

#define CHUNK 64
#define S GAN_FEATURES_SIDE

struct gan_features {
    gan_net *net;
    float *in;    /* (CHUNK, 3, S, S) */
    float *tmp;   /* one image resized, (1, S, S) */
};

const char *gan_features_name(void)
{
    return "random-conv-v1";
}

static void set_key(gan_layer_conf *c, const char *key, double v)
{
    int i = gan_layer_key_index(c->type, key);
    c->v[i].num = v;
    c->v[i].set = 1;
}

gan_status gan_features_create(gan_features **out, gan_error *err)
{
    *out = NULL;
    static const int widths[4] = { 32, 64, 128, 256 };
    gan_layer_conf confs[4 * 3 + 1];
    int n = 0;
    for (int s = 0; s < 4; s++) {
        gan_layer_conf_defaults(&confs[n], gan_layer_find("conv2d"));
        set_key(&confs[n], "filters", widths[s]);
        set_key(&confs[n], "kernel", 3);
        set_key(&confs[n], "pad", 1);
        set_key(&confs[n], "bias", 0);
        n++;
        gan_layer_conf_defaults(&confs[n++], gan_layer_find("relu"));
        gan_layer_conf_defaults(&confs[n], gan_layer_find("avgpool"));
        set_key(&confs[n++], "size", 2);
    }
    gan_layer_conf_defaults(&confs[n], gan_layer_find("global_pool"));
    set_key(&confs[n++], "op", 1);   /* mean */
    gan_features *f = calloc(1, sizeof *f);
    if (!f) return gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    gan_shape in = { 3, { 3, S, S } };
    gan_status st = gan_net_create(&f->net, confs, n, in, CHUNK, err);
    f->in = gan_alloc_floats((size_t)CHUNK * 3 * S * S);
    f->tmp = gan_alloc_floats((size_t)S * S);
    if (st == GAN_OK && (!f->in || !f->tmp)) st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    if (st != GAN_OK) {
        gan_features_free(f);
        return st;
    }
    for (int i = 0; i < f->net->n; i++) {
        gan_layer *l = &f->net->layers[i];
        if (strcmp(l->type->name, "conv2d")) continue;
        gan_rng r;
        gan_rng_seed_stream(&r, GAN_STREAM_FEATURES_SEED, (uint64_t)i);
        float a = sqrtf(6.0f / (9.0f * (float)l->in.d[0]));
        for (int k = 0; k < l->ntensors; k++) {
            const gan_tensor_info *ti = &l->tensors[k];
            float *w = (ti->is_buffer ? l->bufs : l->params) + ti->offset;
            for (size_t t = 0; t < ti->size; t++)
                w[t] = strcmp(ti->name, "weight") ? 0.0f : a * (float)(2.0 * gan_rng_uniform(&r) - 1.0);
        }
    }
    if (f->net->out.rank != 1 || f->net->out.d[0] != GAN_FEATURES_DIM) {
        gan_features_free(f);
        return gan_error_set(err, GAN_ERR_INVALID, "feature extractor: unexpected output shape");
    }
    *out = f;
    return GAN_OK;
}

void gan_features_free(gan_features *f)
{
    if (!f) return;
    gan_net_free(f->net);
    gan_free_floats(f->in);
    gan_free_floats(f->tmp);
    free(f);
}

/* weights of a triangle filter for out (O) from in (I): output o reads
 * inputs first[o] .. first[o] + cnt[o] - 1 with weights w[o * W ..]
 * (the taps at the ends may weigh 0: a same-size resize copies exactly) */
static void filter(int I, int O, int *first, int *cnt, float *w, int W)
{
    double scale = (double)I / O, hw = scale > 1 ? scale : 1;
    for (int o = 0; o < O; o++) {
        double c = (o + 0.5) * scale - 0.5, sum = 0;
        int lo = (int)ceil(c - hw), hi = (int)floor(c + hw);
        if (lo < 0) lo = 0;
        if (hi > I - 1) hi = I - 1;
        if (hi - lo + 1 > W) hi = lo + W - 1;   /* not reached: W has room */
        for (int t = lo; t <= hi; t++) {
            double v = 1 - fabs(t - c) / hw;
            sum += v > 0 ? v : 0;
        }
        first[o] = lo;
        cnt[o] = hi - lo + 1;
        for (int t = lo; t <= hi; t++) {
            double v = 1 - fabs(t - c) / hw;
            w[(size_t)o * W + (t - lo)] = sum > 0 ? (float)((v > 0 ? v : 0) / sum) : (float)(1.0 / cnt[o]);
        }
    }
}

void gan_resize_linear(const float *x, int C, int H, int W, float *y, int OH, int OW)
{
    int WH = 2 * (H > OH ? H / OH + 2 : 2) + 1, WW = 2 * (W > OW ? W / OW + 2 : 2) + 1;
    int *fh = malloc((size_t)OH * sizeof *fh), *ch = malloc((size_t)OH * sizeof *ch);
    int *fw = malloc((size_t)OW * sizeof *fw), *cw = malloc((size_t)OW * sizeof *cw);
    float *wh = malloc((size_t)OH * WH * sizeof *wh), *ww = malloc((size_t)OW * WW * sizeof *ww);
    float *row = malloc((size_t)H * OW * sizeof *row);   /* (H, OW) one channel resized across */
    if (!fh || !ch || !fw || !cw || !wh || !ww || !row) {
        memset(y, 0, (size_t)C * OH * OW * sizeof *y);
        goto out;
    }
    filter(H, OH, fh, ch, wh, WH);
    filter(W, OW, fw, cw, ww, WW);
    for (int c = 0; c < C; c++) {
        const float *xc = x + (size_t)c * H * W;
        for (int i = 0; i < H; i++)
            for (int o = 0; o < OW; o++) {
                float s = 0;
                for (int t = 0; t < cw[o]; t++) s += ww[(size_t)o * WW + t] * xc[(size_t)i * W + fw[o] + t];
                row[(size_t)i * OW + o] = s;
            }
        float *yc = y + (size_t)c * OH * OW;
        for (int o = 0; o < OH; o++)
            for (int j = 0; j < OW; j++) {
                float s = 0;
                for (int t = 0; t < ch[o]; t++) s += wh[(size_t)o * WH + t] * row[(size_t)(fh[o] + t) * OW + j];
                yc[(size_t)o * OW + j] = s;
            }
    }
out:
    free(fh), free(ch), free(fw), free(cw), free(wh), free(ww), free(row);
}

gan_status gan_features_run(gan_features *f, const float *x, long n, gan_shape s, float *feat, gan_error *err)
{
    int C, H, W;
    if (!gan_shape_image(s, &C, &H, &W)) {
        char b[64];
        gan_shape_str(s, b, sizeof b);
        return gan_error_set(err, GAN_ERR_SHAPE, "the feature extractor takes images (1 or 3, H, W) or (K*K) "
                             "gray vectors, not %s", b);
    }
    size_t SS = (size_t)S * S, in = (size_t)C * H * W;
    for (long i0 = 0; i0 < n; i0 += CHUNK) {
        int b = n - i0 < CHUNK ? (int)(n - i0) : CHUNK;
        for (int m = 0; m < b; m++) {
            const float *im = x + (size_t)(i0 + m) * in;
            float *o = f->in + (size_t)m * 3 * SS;
            if (C == 3) gan_resize_linear(im, 3, H, W, o, S, S);
            else {
                gan_resize_linear(im, 1, H, W, f->tmp, S, S);
                for (int c = 0; c < 3; c++) memcpy(o + c * SS, f->tmp, SS * sizeof *o);
            }
        }
        const float *y = gan_net_forward(f->net, f->in, b, 0);   /* (b, 256) */
        memcpy(feat + (size_t)i0 * GAN_FEATURES_DIM, y, (size_t)b * GAN_FEATURES_DIM * sizeof *feat);
    }
    return GAN_OK;
}
