/* minibatch_stddev.c - ProGAN's minibatch standard deviation channel.
 *
 *   x (B, C, H, W)   y (B, C + 1, H, W)   D = C*H*W features per sample
 * The batch is cut into M = B / G groups of G samples, group m holding the
 * samples m, m + M, m + 2M, ... (as ProGAN's and StyleGAN's reshape to
 * (G, M, ...) does).  Per group and feature f, over the G members:
 *   mean_f = mean x[., f],  s_f = sqrt(mean (x[., f] - mean_f)^2 + eps)
 * and the group's statistic stat_m = mean over f of s_f, appended to each
 * member as one constant channel: y[n] = [x[n], stat_{n mod M}].
 * G is the largest divisor of B not above min(group, B): a batch of 6 with
 * group 4 uses groups of 3; a single sample (sampling, B = 1) is a group
 * of one, with stat = sqrt(eps).  Training and evaluation alike use the
 * batch's statistics.
 * Backward, with dstat_m = sum over the members' extra channel of dy:
 *   dx[n, f] = dy[n, f] + dstat_m (x[n, f] - mean_f) / (D G s_f)
 * (mean_f and s_f are taken again from x).
 */
#include "config.h"
#include <math.h>
#include <string.h>
#include "layers/layers.h"

static const gan_key_desc keys[] = {
    { "group", GAN_KEY_INT, 0, 4, 1, 65536, 0, 0, NULL, 0, 0,
      "samples per group G (the largest divisor of the batch up to this)" },
    { "eps", GAN_KEY_FLOAT, 0, 1e-8, 0.0, 1.0, 1, 0, NULL, 0, 0,
      "added to the variance before the square root; > 0" },
};

static gan_status setup(gan_layer *l, gan_shape in, gan_error *err)
{
    char s[64];
    gan_shape_str(in, s, sizeof s);
    if (in.rank != 3)
        return gan_error_set(err, GAN_ERR_SHAPE, "minibatch_stddev: input %s must be (C, H, W)", s);
    l->out = (gan_shape){ 3, { in.d[0] + 1, in.d[1], in.d[2] } };
    return GAN_OK;
}

/* the group size G for a batch of B */
static int group_size(const gan_layer *l, int B)
{
    int G = (int)gan_conf_num(&l->conf, "group");
    if (G > B) G = B;
    while (B % G) G--;
    return G;
}

/* mean_f and s_f over the G members (stride M samples of D floats) of the
 * group starting at x0 */
static void feature_stats(const float *x0, size_t f, int G, int M, size_t D, float eps,
                          float *mean, float *s)
{
    double m = 0, v = 0;
    for (int g = 0; g < G; g++) m += x0[(size_t)g * M * D + f];
    m /= G;
    for (int g = 0; g < G; g++) {
        double d = x0[(size_t)g * M * D + f] - m;
        v += d * d;
    }
    *mean = (float)m;
    *s = (float)sqrt(v / G + eps);
}

static void forward(gan_layer *l, const gan_ctx *c, const float *x, float *y)
{
    int B = c->B, G = group_size(l, B), M = B / G;
    size_t D = gan_shape_size(l->in), HW = (size_t)l->in.d[1] * l->in.d[2], O = D + HW;
    float eps = (float)gan_conf_num(&l->conf, "eps");
    for (int m = 0; m < M; m++) {
        double sum = 0;
        for (size_t f = 0; f < D; f++) {
            float mean, s;
            feature_stats(x + (size_t)m * D, f, G, M, D, eps, &mean, &s);
            sum += s;
        }
        float stat = (float)(sum / (double)D);
        for (int g = 0; g < G; g++) {
            size_t n = (size_t)g * M + m;
            memcpy(y + n * O, x + n * D, D * sizeof *y);
            for (size_t j = 0; j < HW; j++) y[n * O + D + j] = stat;
        }
    }
}

static void backward(gan_layer *l, const gan_ctx *c, const float *x, const float *y,
                     const float *dy, float *dx, int param_grads)
{
    (void)y; (void)param_grads;
    if (!dx) return;
    int B = c->B, G = group_size(l, B), M = B / G;
    size_t D = gan_shape_size(l->in), HW = (size_t)l->in.d[1] * l->in.d[2], O = D + HW;
    float eps = (float)gan_conf_num(&l->conf, "eps");
    for (int m = 0; m < M; m++) {
        double ds = 0;
        for (int g = 0; g < G; g++) {
            size_t n = (size_t)g * M + m;
            ds += gan_sum_floats(dy + n * O + D, HW);
            memcpy(dx + n * D, dy + n * O, D * sizeof *dx);
        }
        float k = (float)(ds / ((double)D * G));
        for (size_t f = 0; f < D; f++) {
            float mean, s;
            feature_stats(x + (size_t)m * D, f, G, M, D, eps, &mean, &s);
            float kf = k / s;
            for (int g = 0; g < G; g++) {
                size_t i = ((size_t)g * M + m) * D + f;
                dx[i] += kf * (x[i] - mean);
            }
        }
    }
}

const gan_layer_type gan_layer_minibatch_stddev = {
    "minibatch_stddev", "ProGAN minibatch standard deviation: appends one channel of the group's mean std",
    keys, GAN_NKEYS(keys), setup, NULL, forward, backward, NULL, GAN_LAYER_Y_UNUSED,
};
