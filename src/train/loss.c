/* loss.c - GAN objectives on discriminator logits.
 *
 *   real (Br)  fake (Bf)  logits;   dreal (Br)  dfake (Bf)  dL/dlogit
 *
 * Every loss is a mean over its batch, so each gradient carries a 1/B.
 * With s the sigmoid and sp(x) = log(1 + e^x) the softplus:
 *   -log s(x)     = sp(-x)       d/dx = s(x) - 1
 *   -log(1-s(x))  = sp(x)        d/dx = s(x)
 * sp is evaluated as max(x, 0) + log1p(e^-|x|), which neither overflows nor
 * loses the linear tail, so logits of +-100 give exact losses and gradients.
 * The output pointers dreal/dfake may be NULL when only the value is wanted.
 *
 * rpgan (gan_loss_rp_d, gan_loss_rp_g) is a loss of pairs: it needs both
 * logits of a pair at once, so the per-half functions below treat it as
 * far as a half can go (gan_loss_d: pairs the first min(Br, Bf), the rest
 * get no gradient; gan_loss_g: a real logit of 0, i.e. bce's G loss).  The
 * trainer calls the pair functions, and the model file asks for
 * train.noise_batch = train.batch with rpgan, so no sample goes unpaired.
 */
#include "config.h"
#include <math.h>
#include "gan/loss.h"

static double softplus(double x)
{
    return fmax(x, 0.0) + log1p(exp(-fabs(x)));
}

static double sigmoid(double x)
{
    if (x >= 0) return 1.0 / (1.0 + exp(-x));
    double e = exp(x);
    return e / (1.0 + e);
}

/* Per-sample loss l(x) and its derivative for one of the targets below. */
typedef enum target {
    T_BCE_REAL,    /* -log s(x) */
    T_BCE_FAKE,    /* -log(1 - s(x)) */
    T_LOG1M,       /* log(1 - s(x)): minimax generator */
    T_SQ_ONE,      /* 1/2 (x-1)^2 */
    T_SQ_ZERO,     /* 1/2 x^2 */
    T_HINGE_REAL,  /* relu(1 - x) */
    T_HINGE_FAKE,  /* relu(1 + x) */
    T_NEG,         /* -x */
    T_POS          /* x */
} target;

static double sample_loss(target t, double x, double *d)
{
    switch (t) {
    case T_BCE_REAL: *d = sigmoid(x) - 1.0; return softplus(-x);
    case T_BCE_FAKE: *d = sigmoid(x); return softplus(x);
    case T_LOG1M: *d = -sigmoid(x); return -softplus(x);
    case T_SQ_ONE: *d = x - 1.0; return 0.5 * (x - 1.0) * (x - 1.0);
    case T_SQ_ZERO: *d = x; return 0.5 * x * x;
    case T_HINGE_REAL: *d = x < 1.0 ? -1.0 : 0.0; return x < 1.0 ? 1.0 - x : 0.0;
    case T_HINGE_FAKE: *d = x > -1.0 ? 1.0 : 0.0; return x > -1.0 ? 1.0 + x : 0.0;
    case T_NEG: *d = -1.0; return -x;
    case T_POS: *d = 1.0; return x;
    }
    *d = 0.0;
    return 0.0;
}

/* Sum of l over x (B) divided by N (B, or the whole batch of which x is a
 * share); dx (B) = l'(x) / N.  0 for an empty batch. */
static float mean_loss(target t, const float *x, int B, int N, float *dx)
{
    if (B <= 0 || N <= 0) return 0.0f;
    double sum = 0.0, d;
    for (int i = 0; i < B; i++) {
        sum += sample_loss(t, (double)x[i], &d);
        if (dx) dx[i] = (float)(d / N);
    }
    return (float)(sum / N);
}

void gan_loss_d(gan_loss_kind k, const float *real, int Br, const float *fake, int Bf,
                float *dreal, float *dfake, float *lreal, float *lfake)
{
    gan_loss_d_share(k, real, Br, Br, fake, Bf, Bf, dreal, dfake, lreal, lfake);
}

float gan_loss_rp_d(const float *real, const float *fake, int B, int N, float *dreal, float *dfake)
{
    if (B <= 0 || N <= 0) return 0.0f;
    double sum = 0.0;
    for (int i = 0; i < B; i++) {
        double x = (double)fake[i] - (double)real[i], s = sigmoid(x);
        sum += softplus(x);
        if (dreal) dreal[i] = (float)(-s / N);
        if (dfake) dfake[i] = (float)(s / N);
    }
    return (float)(sum / N);
}

float gan_loss_rp_g(const float *real, const float *fake, int B, int N, float *dfake)
{
    if (B <= 0 || N <= 0) return 0.0f;
    double sum = 0.0;
    for (int i = 0; i < B; i++) {
        double x = (double)real[i] - (double)fake[i];
        sum += softplus(x);
        if (dfake) dfake[i] = (float)(-sigmoid(x) / N);
    }
    return (float)(sum / N);
}

void gan_loss_d_share(gan_loss_kind k, const float *real, int Br, int Nr, const float *fake, int Bf,
                      int Nf, float *dreal, float *dfake, float *lreal, float *lfake)
{
    if (k == GAN_LOSS_RPGAN) {
        int n = Br < Bf ? Br : Bf;
        float l = gan_loss_rp_d(real, fake, n, Nr < Nf ? Nr : Nf, dreal, dfake);
        for (int i = n; dreal && i < Br; i++) dreal[i] = 0.0f;
        for (int i = n; dfake && i < Bf; i++) dfake[i] = 0.0f;
        if (lreal) *lreal = l;
        if (lfake) *lfake = 0.0f;
        return;
    }
    target tr, tf;
    switch (k) {
    case GAN_LOSS_LSGAN: tr = T_SQ_ONE; tf = T_SQ_ZERO; break;
    case GAN_LOSS_HINGE: tr = T_HINGE_REAL; tf = T_HINGE_FAKE; break;
    case GAN_LOSS_WGAN_GP: tr = T_NEG; tf = T_POS; break;
    case GAN_LOSS_BCE:
    case GAN_LOSS_MINIMAX:
    default: tr = T_BCE_REAL; tf = T_BCE_FAKE; break;
    }
    float a = mean_loss(tr, real, Br, Nr, dreal);
    float b = mean_loss(tf, fake, Bf, Nf, dfake);
    if (lreal) *lreal = a;
    if (lfake) *lfake = b;
}

float gan_loss_g(gan_loss_kind k, const float *fake, int B, float *dfake)
{
    return gan_loss_g_share(k, fake, B, B, dfake);
}

float gan_loss_g_share(gan_loss_kind k, const float *fake, int B, int N, float *dfake)
{
    target t;
    switch (k) {
    case GAN_LOSS_MINIMAX: t = T_LOG1M; break;
    case GAN_LOSS_LSGAN: t = T_SQ_ONE; break;
    case GAN_LOSS_HINGE:
    case GAN_LOSS_WGAN_GP: t = T_NEG; break;
    case GAN_LOSS_BCE:
    case GAN_LOSS_RPGAN:   /* without the real logits: sp(0 - f) */
    default: t = T_BCE_REAL; break;   /* non-saturating: -log s(f) */
    }
    return mean_loss(t, fake, B, N, dfake);
}

float gan_loss_score(gan_loss_kind k, const float *logits, int B)
{
    if (B <= 0) return 0.0f;
    int sig = k == GAN_LOSS_BCE || k == GAN_LOSS_MINIMAX;
    double sum = 0.0;
    for (int i = 0; i < B; i++) sum += sig ? sigmoid((double)logits[i]) : (double)logits[i];
    return (float)(sum / B);
}

const char *gan_loss_name(gan_loss_kind k)
{
    switch (k) {
    case GAN_LOSS_BCE: return "bce";
    case GAN_LOSS_MINIMAX: return "minimax";
    case GAN_LOSS_LSGAN: return "lsgan";
    case GAN_LOSS_HINGE: return "hinge";
    case GAN_LOSS_WGAN_GP: return "wgan-gp";
    case GAN_LOSS_RPGAN: return "rpgan";
    }
    return "unknown";
}
