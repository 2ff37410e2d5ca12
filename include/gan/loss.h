/* gan/loss.h - GAN objectives on the discriminator's raw outputs (logits).
 *
 * Each returns the mean loss over the batch and writes dL/dlogit per sample
 * (already divided by the batch size).
 */
#ifndef GAN_LOSS_H
#define GAN_LOSS_H

#include "gan/api.h"

typedef enum gan_loss_kind {
    GAN_LOSS_BCE,      /* D: -log s(r) - log(1-s(f));   G: -log s(f) (non-saturating) */
    GAN_LOSS_MINIMAX,  /* D: as bce;                    G: log(1 - s(f)) */
    GAN_LOSS_LSGAN,    /* D: 1/2 (r-1)^2 + 1/2 f^2;     G: 1/2 (f-1)^2 */
    GAN_LOSS_HINGE,    /* D: relu(1-r) + relu(1+f);     G: -f */
    GAN_LOSS_WGAN_GP,  /* D: f - r (+ gradient penalty); G: -f */
    GAN_LOSS_RPGAN     /* relativistic pairing, real i with fake i:
                        * D: sp(f_i - r_i);  G: sp(r_i - f_i)  (gan_loss_rp) */
} gan_loss_kind;

/* Discriminator loss, split in its real and fake halves: *lreal + *lfake is
 * the loss; dreal (Br), dfake (Bf) receive the gradients. */
GAN_API void gan_loss_d(gan_loss_kind k, const float *real, int Br, const float *fake, int Bf,
                float *dreal, float *dfake, float *lreal, float *lfake);
/* Generator loss on D(G(z)); dfake (B) receives the gradient. */
GAN_API float gan_loss_g(gan_loss_kind k, const float *fake, int B, float *dfake);
/* The same over a share (Br, Bf; B) of whole batches of Nr, Nf; N
 * samples (data-parallel shards): the share's part of the mean, sums and
 * gradients divided by the whole batch's count. */
GAN_API void gan_loss_d_share(gan_loss_kind k, const float *real, int Br, int Nr, const float *fake,
                              int Bf, int Nf, float *dreal, float *dfake, float *lreal, float *lfake);
GAN_API float gan_loss_g_share(gan_loss_kind k, const float *fake, int B, int N, float *dfake);
/* RpGAN (Jolicoeur-Martineau 2019; R3GAN, Huang et al. 2024) on a share of
 * B pairs (real[i], fake[i]) of a whole batch of N pairs:
 *   D: returns (1/N) sum_i sp(fake[i] - real[i]), dreal[i] = -s(fake[i] - real[i]) / N,
 *      dfake[i] = s(fake[i] - real[i]) / N
 *   G (d_real NULL, dfake the generator's): returns (1/N) sum_i sp(real[i] - fake[i]),
 *      dfake[i] = -s(real[i] - fake[i]) / N
 * with sp the softplus and s the sigmoid.  Any output may be NULL.  The
 * batches must pair up: the model file asks train.noise_batch = batch. */
GAN_API float gan_loss_rp_d(const float *real, const float *fake, int B, int N, float *dreal, float *dfake);
GAN_API float gan_loss_rp_g(const float *real, const float *fake, int B, int N, float *dfake);
/* What to report as D(x): sigmoid mean for bce/minimax, raw mean otherwise. */
GAN_API float gan_loss_score(gan_loss_kind k, const float *logits, int B);
GAN_API const char *gan_loss_name(gan_loss_kind k);

#endif
