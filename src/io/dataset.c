/* dataset.c - a loaded gan_dataset (gan/data.h): a sample as floats, the
 * whole set as floats, freeing it; the loaders (data.c dispatches to them)
 * fill it, as floats (x) or as bytes (u8). */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "io/io.h"

void io_free_u8(gan_dataset *d)
{
    free(d->u8);
    d->u8 = NULL;
}

void gan_data_free(gan_dataset *d)
{
    if (!d) return;
    gan_free_floats(d->x);
    io_free_u8(d);
    free(d->labels);
    if (d->class_names)
        for (int i = 0; i < d->nclasses; i++) free(d->class_names[i]);
    free(d->class_names);
    free(d);
}

void gan_data_get(const gan_dataset *d, long i, float *out)
{
    size_t S = gan_shape_size(d->shape);
    if (d->u8) {
        const uint8_t *b = d->u8 + (size_t)i * S;
        for (size_t k = 0; k < S; k++) out[k] = io_unbyte(b[k]);
    } else {
        memcpy(out, d->x + (size_t)i * S, S * sizeof *out);
    }
}

gan_status gan_data_to_floats(gan_dataset *d, gan_error *err)
{
    if (!d->u8) return GAN_OK;
    size_t S = gan_shape_size(d->shape);
    float *x = gan_alloc_floats((size_t)d->n * S);
    if (!x) return gan_error_set(err, GAN_ERR_NOMEM, "out of memory for %ld samples", d->n);
    for (long i = 0; i < d->n; i++) gan_data_get(d, i, x + (size_t)i * S);
    io_free_u8(d);
    d->x = x;
    return GAN_OK;
}
