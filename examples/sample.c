/* sample.c - libgan from C: 16 samples of a trained generator as a PNG grid.
 *   cc sample.c $(pkg-config --cflags --libs libgan) -o sample
 *   ./sample runs/dcgan/latest.ckpt grid.png */
#include <stdio.h>
#include <stdlib.h>
#include <gan/gan.h>

int main(int argc, char **argv)
{
    gan_blas_select(argv);   // OpenBLAS's best kernels for this CPU (may start the program again, once)
    if (argc != 3) {
        fprintf(stderr, "usage: %s CHECKPOINT OUT.png\n", argv[0]);
        return 2;
    }
    gan_trainer *t = NULL;
    gan_error err;
    float *x = NULL;   // (16, data shape)
    gan_status st = gan_ckpt_load(&t, argv[1], 0, &err);   // 0: no data set needed
    if (st == GAN_OK && !(x = malloc(16 * gan_shape_size(t->cfg.data_shape) * sizeof *x)))
        st = gan_error_set(&err, GAN_ERR_NOMEM, "out of memory for 16 samples");
    if (st == GAN_OK) st = gan_trainer_sample(t, 1, 16, x, &err);   // noise seed 1
    if (st == GAN_OK) st = gan_png_write_grid(argv[2], x, 16, t->cfg.data_shape, 4, &err);
    if (st != GAN_OK) {
        char msg[2048];
        gan_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "%s\n", msg);
    }
    free(x);
    gan_trainer_free(t);
    return st == GAN_OK ? 0 : 1;
}
