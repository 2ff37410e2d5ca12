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
    GAN_LOSS_WGAN_GP   /* D: f - r (+ gradient penalty); G: -f */
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
/* What to report as D(x): sigmoid mean for bce/minimax, raw mean otherwise. */
GAN_API float gan_loss_score(gan_loss_kind k, const float *logits, int B);
GAN_API const char *gan_loss_name(gan_loss_kind k);

#endif
