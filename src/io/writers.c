/* writers.c - samples as an IDX file or as CSV, written atomically.
 *
 * IDX (unsigned bytes, values in [-1, 1] mapped to 0..255, clamped):
 *   shape (1, H, W) -> magic 0x00000803, dims (N, H, W): what every MNIST
 *                      reader reads;
 *   shape (C, H, W), C > 1 -> 0x00000804, dims (N, C, H, W), channel-planar
 *                      (an IDX reader that handles rank 4 reads it; ganrun's
 *                      idx loader does);
 *   shape (F)       -> 0x00000802, dims (N, F).
 * CSV: one sample per line, its values flattened (C, H, W order), "%.9g"
 * (enough digits to give back the same float), comma-separated, as is:
 * no rescaling, non-finite values written as nan/inf.
 * gan_samples_write picks the format by the name; gan_samples_write_dir
 * writes one PNG per sample.
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "io/io.h"

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static gan_status check_args(const char *path, int n, gan_shape s, gan_error *err)
{
    if (n < 1) return gan_error_at(err, GAN_ERR_INVALID, path, 0, 0, "no samples to write");
    if ((s.rank != 1 && s.rank != 3) || gan_shape_size(s) < 1 || gan_shape_size(s) > IO_MAX_SAMPLE)
        return gan_error_at(err, GAN_ERR_SHAPE, path, 0, 0, "cannot write samples of rank %d", s.rank);
    return GAN_OK;
}

gan_status gan_idx_write(const char *path, const float *x, int n, gan_shape s, gan_error *err)
{
    gan_status st = check_args(path, n, s, err);
    if (st != GAN_OK) return st;
    unsigned char head[20];
    int rank;
    if (s.rank == 1) rank = 2;
    else rank = s.d[0] == 1 ? 3 : 4;
    put_be32(head, 0x00000800u | (uint32_t)rank);
    put_be32(head + 4, (uint32_t)n);
    if (s.rank == 1) put_be32(head + 8, (uint32_t)s.d[0]);
    else
        for (int i = 4 - rank; i < 3; i++) put_be32(head + 8 + 4 * (i - (4 - rank)), (uint32_t)s.d[i]);
    size_t size = gan_shape_size(s);
    unsigned char *b = malloc(size);   // (shape) of one sample
    if (!b) return gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    io_out o;
    if ((st = io_out_open(&o, path, err)) != GAN_OK) { free(b); return st; }
    io_out_write(&o, head, 4 + 4 * (size_t)rank);
    for (int i = 0; i < n && !o.err; i++) {
        for (size_t j = 0; j < size; j++) b[j] = io_byte(x[(size_t)i * size + j]);
        io_out_write(&o, b, size);
    }
    free(b);
    return io_out_commit(&o, err);
}

gan_status gan_csv_write(const char *path, const float *x, int n, gan_shape s, gan_error *err)
{
    gan_status st = check_args(path, n, s, err);
    if (st != GAN_OK) return st;
    size_t size = gan_shape_size(s);
    io_out o;
    if ((st = io_out_open(&o, path, err)) != GAN_OK) return st;
    char buf[40];
    for (int i = 0; i < n && !o.err; i++)
        for (size_t j = 0; j < size; j++) {
            int len = snprintf(buf, sizeof buf, "%.9g%c", x[(size_t)i * size + j], j + 1 < size ? ',' : '\n');
            io_out_write(&o, buf, (size_t)len);
        }
    return io_out_commit(&o, err);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

int gan_samples_kind(const char *path)
{
    return ends_with(path, ".png") ? GAN_OUT_PNG : ends_with(path, ".csv") ? GAN_OUT_CSV
         : (ends_with(path, ".idx") || ends_with(path, "-ubyte")) ? GAN_OUT_IDX
         : ends_with(path, ".npy") ? GAN_OUT_NPY : -1;
}

gan_status gan_samples_write(const char *path, const float *x, int n, gan_shape s, gan_error *err)
{
    long shape[4] = { n, s.d[0], s.d[1], s.d[2] };
    switch (gan_samples_kind(path)) {
    case GAN_OUT_PNG: return gan_png_write_grid(path, x, n, s, (int)ceil(sqrt((double)n)), err);
    case GAN_OUT_CSV: return gan_csv_write(path, x, n, s, err);
    case GAN_OUT_IDX: return gan_idx_write(path, x, n, s, err);
    case GAN_OUT_NPY: return gan_npy_write(path, x, s.rank + 1, shape, err);
    default: return gan_error_at(err, GAN_ERR_INVALID, path, 0, 0, "not a samples file (.png, .csv, .idx, -ubyte, .npy)");
    }
}

gan_status gan_samples_write_dir(const char *dir, const float *x, long n, gan_shape s, int force, gan_error *err)
{
    char d[1024], p[1200];
    int C, H, W;
    if (!gan_shape_image(s, &C, &H, &W)) {
        gan_shape_str(s, p, sizeof p);
        return gan_error_at(err, GAN_ERR_SHAPE, dir, 0, 0, "a folder of samples holds one PNG each; these "
                            "samples are %s, not images", p);
    }
    snprintf(d, sizeof d, "%s", dir);
    for (size_t L = strlen(d); L > 1 && d[L - 1] == '/'; L--) d[L - 1] = 0;
    struct stat st;
    if (!(stat(d, &st) == 0 && S_ISDIR(st.st_mode)) && mkdir(d, 0777) != 0)
        return gan_error_at(err, GAN_ERR_IO, d, 0, 0, "cannot create the folder: %s", strerror(errno));
    size_t S = gan_shape_size(s);
    for (long i = 0; i < n; i++) {
        snprintf(p, sizeof p, "%s/%06ld.png", d, i);
        gan_status r = gan_output_check(p, GAN_OUT_PNG, force, err);
        if (r == GAN_OK) r = gan_png_write_grid(p, x + (size_t)i * S, 1, s, 1, err);
        if (r != GAN_OK) return r;
    }
    return GAN_OK;
}
