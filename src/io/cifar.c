/* cifar.c - CIFAR-10 binary batches.
 *
 * A batch file is a run of 3073-byte records: one label byte (0..9), then
 * 3 x 32 x 32 pixel bytes, channel-planar (all red, all green, all blue),
 * rows top to bottom - already NCHW.  The path is one batch file or a
 * folder whose data_batch_*.bin files are read in name order.
 */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "io/io.h"

#define CIFAR_PIXELS 3072                  /* 3 * 32 * 32 */
#define CIFAR_RECORD (1 + CIFAR_PIXELS)
#define CIFAR_CLASSES 10

static int is_batch(const char *name)
{
    size_t n = strlen(name);
    return !strncmp(name, "data_batch_", 11) && n > 15 && !strcmp(name + n - 4, ".bin");
}

/* The batch files behind path: itself, or the batches in the folder. */
static gan_status batch_files(const char *path, char ***names, long *n, gan_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0) return io_open_error(err, path);
    if (S_ISDIR(st.st_mode)) {
        gan_status s = io_list_dir(path, is_batch, names, n, err);
        if (s == GAN_OK && *n == 0) {
            io_free_names(*names);
            *names = NULL;
            return gan_error_at(err, GAN_ERR_IO, path, 0, 0, "no data_batch_*.bin files in this folder");
        }
        return s;
    }
    char **v = calloc(2, sizeof *v);
    if (!v || !(v[0] = strdup(path))) {
        free(v);
        return gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    }
    *names = v;
    *n = 1;
    return GAN_OK;
}

/* Records in an open batch file, from its size. */
static gan_status count_records(FILE *fp, const char *path, long *n, gan_error *err)
{
    struct stat st;
    if (fstat(fileno(fp), &st) != 0)
        return gan_error_at(err, GAN_ERR_IO, path, 0, 0, "cannot stat: %s", strerror(errno));
    if (!S_ISREG(st.st_mode) || st.st_size == 0 || st.st_size % CIFAR_RECORD != 0)
        return gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                            "size %lld is not a positive multiple of %d (1 label byte + 3x32x32 pixels per record)",
                            (long long)st.st_size, CIFAR_RECORD);
    *n = (long)(st.st_size / CIFAR_RECORD);
    return GAN_OK;
}

/* Read up to `want` records of one file into x (want, 3, 32, 32) and
 * labels (want); sets *got. */
static gan_status read_batch(const char *path, long want, unsigned char *x, int *labels, long *got, gan_error *err)
{
    FILE *fp = io_fopen_input(path, NULL, err);
    if (!fp) return GAN_ERR_IO;
    long n;
    gan_status st = count_records(fp, path, &n, err);
    if (st != GAN_OK) { fclose(fp); return st; }
    if (n > want) n = want;
    unsigned char rec[CIFAR_RECORD];
    for (long i = 0; i < n && st == GAN_OK; i++) {
        size_t r = fread(rec, 1, CIFAR_RECORD, fp);
        if (r != CIFAR_RECORD)
            st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "truncated: record %ld has %zu of %d bytes%s%s",
                              i + 1, r, CIFAR_RECORD, ferror(fp) ? ": " : "", ferror(fp) ? strerror(errno) : "");
        else if (rec[0] >= CIFAR_CLASSES)
            st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                              "record %ld has label %d, expected a CIFAR-10 class 0..9", i + 1, rec[0]);
        if (st != GAN_OK) break;
        labels[i] = rec[0];
        memcpy(x + (size_t)i * CIFAR_PIXELS, rec + 1, CIFAR_PIXELS);
    }
    fclose(fp);
    *got = n;
    return st;
}

gan_status io_cifar_load(gan_dataset *d, const gan_data_spec *spec, gan_error *err)
{
    char **names;
    long nfiles;
    gan_status st = batch_files(spec->path, &names, &nfiles, err);
    if (st != GAN_OK) return st;
    /* count first (from file sizes), so the arrays are allocated once */
    long total = 0;
    for (long f = 0; f < nfiles && st == GAN_OK; f++) {
        FILE *fp = io_fopen_input(names[f], NULL, err);
        long n = 0;
        if (!fp) st = GAN_ERR_IO;
        else {
            st = count_records(fp, names[f], &n, err);
            fclose(fp);
        }
        total += n;
        if (total > (long)(IO_MAX_FLOATS / CIFAR_PIXELS))
            st = gan_error_at(err, GAN_ERR_INVALID, spec->path, 0, 0, "more than %ld CIFAR records",
                              (long)(IO_MAX_FLOATS / CIFAR_PIXELS));
    }
    if (st == GAN_OK && spec->limit > 0 && spec->limit < total) total = spec->limit;
    if (st == GAN_OK) {
        d->u8 = malloc((size_t)total * CIFAR_PIXELS);               // (total, 3, 32, 32)
        d->labels = malloc((size_t)total * sizeof *d->labels);      // (total)
        if (!d->u8 || !d->labels) st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory for %ld images", total);
    }
    long n = 0;
    for (long f = 0; f < nfiles && st == GAN_OK && n < total; f++) {
        long got = 0;
        st = read_batch(names[f], total - n, d->u8 + (size_t)n * CIFAR_PIXELS, d->labels + n, &got, err);
        n += got;
    }
    io_free_names(names);
    if (st != GAN_OK) return st;
    d->n = n;
    d->shape = (gan_shape){ 3, { 3, 32, 32 } };
    d->nclasses = CIFAR_CLASSES;
    return GAN_OK;
}

gan_status io_cifar_shape(const char *path, gan_shape *shape, gan_error *err)
{
    char **names;
    long n;
    gan_status st = batch_files(path, &names, &n, err);
    if (st != GAN_OK) return st;
    io_free_names(names);
    *shape = (gan_shape){ 3, { 3, 32, 32 } };
    return GAN_OK;
}
