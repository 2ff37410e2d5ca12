/* fuzz.c - scratch files and the status contract for the fuzz harnesses. */
#include "fuzz.h"
#include <dirent.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

static char dir[256];

/* remove a folder and what is in it (the harnesses nest one level) */
static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        char p[800];
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            snprintf(p, sizeof p, "%s/%s", path, e->d_name);
            if (unlink(p) != 0) remove_tree(p);
        }
        closedir(d);
    }
    rmdir(path);
}

static void cleanup(void)
{
    remove_tree(dir);
}

const char *fuzz_dir(void)
{
    if (!dir[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/ganrun-fuzz.XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(dir)) {
            perror("fuzz: mkdtemp");
            abort();
        }
        atexit(cleanup);
    }
    return dir;
}

const char *fuzz_path(const char *name)
{
    static char p[600];
    snprintf(p, sizeof p, "%s/%s", fuzz_dir(), name);
    return p;
}

const char *fuzz_write(const char *name, const void *data, size_t size)
{
    const char *p = fuzz_path(name);
    FILE *f = fopen(p, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        perror("fuzz: write");
        abort();
    }
    return p;
}

void fuzz_check_status(const char *what, gan_status st, const gan_error *err)
{
    static int verbose = -1;
    if (verbose < 0) verbose = getenv("FUZZ_VERBOSE") != NULL;
    if (verbose) fprintf(stderr, "%s: %s\n", what, st == GAN_OK ? "ok" : err->msg);
    if (st == GAN_OK) return;
    if (st < GAN_OK || st > GAN_ERR_EXISTS || err->code != st || !err->msg[0]) {
        fprintf(stderr, "fuzz: %s returned status %d with error code %d and message \"%s\"\n",
                what, (int)st, (int)err->code, err->msg);
        abort();
    }
}

void fuzz_data(gan_data_format format, const char *path, const char *labels)
{
    gan_data_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.format = format;
    snprintf(spec.path, sizeof spec.path, "%s", path);
    snprintf(spec.labels, sizeof spec.labels, "%s", labels);
    fuzz_data_spec(&spec);
}

void fuzz_data_spec(const gan_data_spec *spec)
{
    gan_error err;
    gan_error_clear(&err);
    gan_shape shape;
    gan_status sst = gan_data_shape(spec, &shape, &err);
    fuzz_check_status("gan_data_shape", sst, &err);
    gan_dataset *d;
    gan_error_clear(&err);
    gan_status st = gan_data_load(&d, spec, 1, &err);
    fuzz_check_status("gan_data_load", st, &err);
    if (st != GAN_OK) {
        FUZZ_ASSERT(d == NULL);
        return;
    }
    /* a file that loads has a readable header */
    FUZZ_ASSERT(sst == GAN_OK && gan_shape_eq(shape, d->shape));
    size_t S = gan_shape_size(d->shape);
    FUZZ_ASSERT(d->n >= 1 && S >= 1);
    FUZZ_ASSERT((d->x == NULL) != (d->u8 == NULL));
    if (d->labels) {
        FUZZ_ASSERT(d->nclasses >= 1);
        for (long i = 0; i < d->n; i++) FUZZ_ASSERT(d->labels[i] >= 0 && d->labels[i] < d->nclasses);
    }
    int bytes = d->u8 != NULL;
    st = gan_data_to_floats(d, &err);
    fuzz_check_status("gan_data_to_floats", st, &err);
    if (st == GAN_OK) {
        for (size_t k = 0; k < (size_t)d->n * S; k++) {
            FUZZ_ASSERT(isfinite(d->x[k]));
            if (bytes) FUZZ_ASSERT(d->x[k] >= -1.0f && d->x[k] <= 1.0f);
        }
    }
    gan_data_free(d);
}
