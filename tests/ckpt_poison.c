/* ckpt_poison.c - tests/readers.sh's helper: IN.ckpt -> OUT.ckpt with the
 * first parameter of the generator (raw and averaged) and of the
 * discriminator set to NaN, through the public API. */
#include <math.h>
#include <stdio.h>
#include "gan/gan.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: ckpt_poison IN.ckpt OUT.ckpt\n");
        return 2;
    }
    gan_error err;
    gan_error_clear(&err);
    gan_trainer *t;
    if (gan_ckpt_load(&t, argv[1], 0, &err) != GAN_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    t->G->params[0] = NAN;
    t->D->params[0] = NAN;
    if (gan_trainer_ema_swap(t)) {
        t->G->params[0] = NAN;
        gan_trainer_ema_swap(t);
    }
    int rc = gan_ckpt_save(t, argv[2], &err) == GAN_OK ? 0 : 1;
    if (rc) fprintf(stderr, "%s\n", err.msg);
    gan_trainer_free(t);
    return rc;
}
