/* sample.c - a trainer's samples: the noise of a seed (the sample grids'
 * stream, gan/rng.h) and G on given noise, with the averaged weights when
 * the model keeps them. */
#include "config.h"
#include <string.h>
#include "gan/train.h"

void gan_trainer_seed_noise(const gan_trainer *t, uint64_t seed, int n, float T, float *z)
{
    gan_rng r;
    gan_rng_seed_stream(&r, seed, GAN_STREAM_FIXED);
    gan_noise_fill_trunc(&t->spec->noise, &r, z, (size_t)n * t->spec->noise.dim, T);
}

gan_status gan_trainer_generate(gan_trainer *t, const float *z, const int *labels, int n, float *out,
                                gan_error *err)
{
    int Z = t->spec->noise.dim, chunk = n < 256 ? n : 256;
    size_t S = gan_shape_size(t->data_shape);
    gan_status st = gan_net_reserve(t->G, chunk, err);
    int swapped = gan_trainer_ema_swap(t);
    for (int i = 0; st == GAN_OK && i < n; i += chunk) {
        int b = n - i < chunk ? n - i : chunk;
        t->G->labels = labels ? labels + i : NULL;
        const float *y = gan_net_forward(t->G, z + (size_t)i * Z, b, 0);
        memcpy(out + (size_t)i * S, y, (size_t)b * S * sizeof(float));
    }
    t->G->labels = NULL;   /* never left pointing at the caller's array */
    if (swapped) gan_trainer_ema_swap(t);
    return st;
}
