/* fuzz_latents.c - `ganrun sample --latents FILE` and `--labels FILE`:
 * gan_matrix_read and gan_labels_read on the input as FILE.npy or
 * FILE.csv.  Byte 0: bit 0 the name (.npy or .csv), bit 1 the reader
 * (matrix or labels); the rest is the file.  Contract: a clean status; a
 * matrix read has rows, cols >= 1 and only finite values, within what the
 * file's size allows (a CSV value takes at least 2 bytes, a .npy float 4);
 * labels are in 0..65535, as many as the size allows. */
#include "fuzz.h"
#include <math.h>

FUZZ_TARGET(latents)
{
    if (size < 1) return 0;
    int npy = data[0] & 1, labels = data[0] >> 1 & 1;
    const char *p = fuzz_write(npy ? "in.npy" : "in.csv", data + 1, size - 1);
    char in[600];
    snprintf(in, sizeof in, "%s", p);
    size_t body = size - 1;
    gan_error err;
    gan_error_clear(&err);
    if (!labels) {
        float *x = NULL;
        long rows = -1, cols = -1;
        gan_status st = gan_matrix_read(in, &x, &rows, &cols, &err);
        fuzz_check_status("gan_matrix_read", st, &err);
        if (st == GAN_OK) {
            FUZZ_ASSERT(x && rows >= 1 && cols >= 1);
            FUZZ_ASSERT((size_t)rows * (size_t)cols <= (npy ? body / 4 : body / 2 + 1));
            for (size_t i = 0; i < (size_t)rows * (size_t)cols; i++) FUZZ_ASSERT(isfinite(x[i]));
        } else FUZZ_ASSERT(!x);
        gan_free_floats(x);
    } else {
        int *y = NULL;
        long n = -1;
        gan_status st = gan_labels_read(in, &y, &n, &err);
        fuzz_check_status("gan_labels_read", st, &err);
        if (st == GAN_OK) {
            FUZZ_ASSERT(y && n >= 1 && (size_t)n <= (npy ? body / 4 : body / 1 + 1));
            for (long i = 0; i < n; i++) FUZZ_ASSERT(y[i] >= 0 && y[i] <= 65535);
        } else FUZZ_ASSERT(!y);
        free(y);
    }
    return 0;
}
