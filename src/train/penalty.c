/* penalty.c - R1 and R2: the squared input-gradient norm of D as a penalty.
 *
 *   x (B, S) D's inputs: reals (R1, Mescheder et al. 2018) or fakes (R2)
 *   P = w / N * sum_i ||g_i||^2,   g_i = dD/dx at x_i  (S)
 * with w = (gamma / 2) K on the D steps that take it (train.r1, train.r2:
 * lazy regularisation, StyleGAN2, every K-th D step) and N the batch the
 * mean is over (the whole batch when sharded).
 *
 * Parameter gradient.  dP/dtheta = (2 w / N) sum_i (dg_i/dtheta)^T g_i, and
 * (dg_i/dtheta)^T v = d/dtheta (g_i . v) for v = g_i held fixed.  g_i . v is
 * D's directional derivative along v, taken as the central difference
 *   g_i . v ~ (D(x_i + h u_i) - D(x_i - h u_i)) / 2h * |v|,   u_i = v / |v|,
 * whose parameter gradient is two ordinary backward passes (the trick the
 * wgan-gp penalty uses, train.c).  No layer needs a second derivative.
 *
 * Error bound.  Where D is piecewise linear in x (conv, grouped conv,
 * dense, leaky ReLU, ReLU, average pooling, the [1,2,1] resamplers, add,
 * concat, reshape), D restricted to the segment x_i +- h u_i is linear
 * unless an activation changes sign on it, so the difference equals
 * u_i . g_i exactly, for every theta near the current one: the parameter
 * gradient is exact up to float rounding, whose relative size is about
 * eps_float |D(x)| / (h |g_i|), ~1e-4 for logits of order 1 with
 * h = 1e-3 on a unit direction u_i.  A sample whose segment crosses a kink
 * gets the gradient of the secant instead: its term then differs by up to
 * (jump of dD/dtheta at the kink) / 2h, but only a share of samples of
 * order h |w| / (spread of the pre-activations) is hit (h = 1e-2, the
 * wgan-gp trick's step, hit one of 432 activations of the test net's conv
 * and failed its check; 1e-3 passes).  ||g_i||^2 itself is discontinuous in
 * theta at such kinks, where an exact double backward would give no
 * gradient at all; the secant is a smoothed one.  For smooth layers (tanh,
 * elu, sigmoid) the error is O(h^2) relative.  tests/check_penalty.c
 * compares the whole gradient with finite differences of P on nets of
 * conv, grouped conv, leaky ReLU, dense and the resamplers.
 */
#include "config.h"
#include <math.h>
#include "gan/train.h"

#define GAN_PENALTY_H 1e-3f   /* the step along u_i, see above */

float gan_trainer_grad_penalty_sq(gan_trainer *t, const float *x, int B, float w)
{
    gan_net *D = t->D;
    if (B <= 0) return 0.0f;
    const int N = t->cfg.spec->train.shards > 1 ? B * t->job.nranks : B;
    size_t S = gan_shape_size(D->in);
    float *g = t->scratch.gp_buf, *xp = g + (size_t)B * S, *coef = xp + (size_t)B * S;
    const float h = GAN_PENALTY_H;
    for (int i = 0; i < B; i++) t->scratch.dout[i] = 1.0f;
    gan_net_forward(D, x, B, 1);
    gan_net_backward(D, t->scratch.dout, g, 0);   /* g (B, S) = dD/dx */
    double P = 0;
    for (int i = 0; i < B; i++) {
        double nn = 0;
        for (size_t k = 0; k < S; k++) nn += (double)g[i * S + k] * g[i * S + k];
        double norm = sqrt(nn);
        P += nn;
        /* dy of the +h pass: (2 w / N) |v| / 2h, |v| = norm */
        coef[i] = (float)(2.0 * w / N * norm / (2.0 * h));
        float inv = norm > 0 ? (float)(1.0 / norm) : 0.0f;
        for (size_t k = 0; k < S; k++) g[i * S + k] *= inv;   /* u_i */
    }
    for (int sgn = 1; sgn >= -1; sgn -= 2) {
        for (size_t k = 0; k < (size_t)B * S; k++) xp[k] = x[k] + (float)sgn * h * g[k];
        for (int i = 0; i < B; i++) t->scratch.dout[i] = (float)sgn * coef[i];
        gan_net_forward(D, xp, B, 1);
        gan_net_backward(D, t->scratch.dout, NULL, 1);
    }
    return (float)(w * P / N);
}

double gan_penalty_gamma(const gan_penalty_spec *p, long step, long steps)
{
    if (!(p->gamma > 0.0f)) return 0.0;
    if (p->schedule == GAN_LR_CONSTANT && p->warmup == 0) return p->gamma;
    gan_optim_conf c = { 0 };
    c.schedule = p->schedule;
    c.warmup = p->warmup;
    c.decay_steps = p->decay_steps;
    c.lr_end = p->end;
    c.step_every = p->step_every;
    c.gamma = p->factor;
    return (double)p->gamma * gan_optim_lr_factor(&c, step, steps);
}

float gan_trainer_penalties(gan_trainer *t, const float *real, int Br, const float *fake, int Bf, int k)
{
    const gan_train_spec *ts = &t->cfg.spec->train;
    const long dstep = t->state.step * ts->d_steps + k;   /* D steps before this one */
    float P = 0.0f;
    const gan_penalty_spec *p[2] = { &ts->r1, &ts->r2 };
    const float *x[2] = { real, fake };
    const int B[2] = { Br, Bf };
    for (int j = 0; j < 2; j++) {
        double gamma = gan_penalty_gamma(p[j], t->state.step, ts->steps);
        if (!(gamma > 0.0) || dstep % p[j]->every) continue;
        t->D->labels = j == 0 ? t->scratch.yreal : t->scratch.yfake;
        P += gan_trainer_grad_penalty_sq(t, x[j], B[j], (float)(0.5 * gamma * p[j]->every));
    }
    return P;
}
