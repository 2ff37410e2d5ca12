/* csv.c - vectors from a CSV file.
 *
 * One sample per line, comma-separated decimal numbers (spaces around them
 * allowed, CRLF allowed), every row the same length F: samples (F), values
 * kept as written.  The first non-blank line is a header, and skipped, when
 * its first field is not a number.  Blank lines are skipped.  NaN and
 * infinities (and values beyond float range) are rejected.
 *
 * With spec->label_column c > 0, column c (1-based) holds each row's class
 * label, a whole number in [0, 65535]; it is taken out of the samples
 * (shape F - 1) into d->labels.
 */
#include "config.h"
#include <ctype.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "io/io.h"

typedef struct csv_reader {
    FILE *fp;
    uint64_t size;     /* bytes at open: never read past them (a growing file) */
    uint64_t done;     /* bytes read so far */
    int grew;
    const char *path;
    char *line;        /* current line, newline removed */
    size_t cap;
    int lineno;        /* 1-based number of the current line */
    float *v;          /* (vcap) values of the current line */
    size_t vcap;
} csv_reader;

static int blank(const char *s)
{
    while (*s && isspace((unsigned char)*s)) s++;
    return *s == 0;
}

/* Next non-blank line into r->line; 0 at end of file. */
static int next_line(csv_reader *r)
{
    ssize_t len;
    while (r->done < r->size && (len = getline(&r->line, &r->cap, r->fp)) >= 0) {
        r->done += (uint64_t)len;
        if (r->done > r->size) {   /* it grew while we read it */
            r->grew = 1;
            return 0;
        }
        r->lineno++;
        while (len > 0 && (r->line[len - 1] == '\n' || r->line[len - 1] == '\r')) r->line[--len] = 0;
        if (!blank(r->line)) return 1;
    }
    struct stat st;   /* at the size seen at open: has it grown since? */
    if (r->done >= r->size && fstat(fileno(r->fp), &st) == 0 && (uint64_t)st.st_size > r->size) r->grew = 1;
    return 0;
}

/* Parse r->line into r->v.  Returns the count, or -1 with err filled; with
 * header_ok, a first field that is not a number returns -2 instead. */
static long parse_line(csv_reader *r, int header_ok, gan_error *err)
{
    long k = 0;
    char *p = r->line;
    for (;;) {
        while (*p == ' ' || *p == '\t') p++;
        char *end;
        double v = strtod(p, &end);
        char *q = end;
        while (*q == ' ' || *q == '\t') q++;
        if (end == p || (*q != ',' && *q != 0)) {
            if (header_ok && k == 0) return -2;
            size_t flen = strcspn(p, ",");
            gan_error_at(err, GAN_ERR_FORMAT, r->path, r->lineno, (int)(p - r->line) + 1,
                         "value %ld '%.*s' is not a number", k + 1, (int)(flen > 40 ? 40 : flen), p);
            return -1;
        }
        if (!isfinite(v) || fabs(v) > FLT_MAX) {
            gan_error_at(err, GAN_ERR_NUMERIC, r->path, r->lineno, (int)(p - r->line) + 1,
                         "value %ld '%.*s' is not a finite float", k + 1, (int)(end - p), p);
            return -1;
        }
        if ((size_t)k >= IO_MAX_SAMPLE) {
            gan_error_at(err, GAN_ERR_FORMAT, r->path, r->lineno, 1, "more than %zu values in a line", IO_MAX_SAMPLE);
            return -1;
        }
        if ((size_t)k >= r->vcap) {
            size_t nc = r->vcap ? 2 * r->vcap : 64;
            float *nv = realloc(r->v, nc * sizeof *nv);
            if (!nv) {
                gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
                return -1;
            }
            r->v = nv;
            r->vcap = nc;
        }
        r->v[k++] = (float)v;
        if (*q == 0) return k;
        p = q + 1;
    }
}

/* Open path and parse the first data row (skipping a header): sets *F. */
static gan_status open_first(csv_reader *r, const char *path, long *F, gan_error *err)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    /* a regular file only: its size bounds every line and value read */
    if (!(r->fp = io_fopen_input(path, &r->size, err))) return GAN_ERR_IO;
    for (int first = 1;; first = 0) {
        if (!next_line(r))
            return gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, r->grew ? "the file grew while it was read"
                                : ferror(r->fp) ? "read error" : "no data rows");
        long k = parse_line(r, first, err);
        if (k == -1) return err ? err->code : GAN_ERR_FORMAT;
        if (k > 0) {
            *F = k;
            return GAN_OK;
        }
    }
}

static void close_reader(csv_reader *r)
{
    if (r->fp) fclose(r->fp);
    free(r->line);
    free(r->v);
}

/* Move column spec->label_column (1-based) of d->x (n, F) into d->labels,
 * leaving (n, F - 1). */
static gan_status split_labels(gan_dataset *d, const gan_data_spec *spec, gan_error *err)
{
    long F = d->shape.d[0], c = spec->label_column - 1;
    if (F < 2 || c >= F)
        return gan_error_at(err, GAN_ERR_SHAPE, spec->path, 0, 0,
                            "label_column %d but rows have %ld values (expected a label column and >= 1 value)",
                            spec->label_column, F);
    if (!(d->labels = malloc((size_t)d->n * sizeof *d->labels)))
        return gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    d->nclasses = 0;
    for (long i = 0; i < d->n; i++) {
        const float *row = d->x + (size_t)i * F;
        float v = row[c];
        if (!(v >= 0 && v <= 65535 && v == (float)(int)v))
            return gan_error_at(err, GAN_ERR_FORMAT, spec->path, 0, 0,
                                "sample %ld: label %g in column %d is not a whole number in 0..65535",
                                i + 1, (double)v, spec->label_column);
        d->labels[i] = (int)v;
        if (d->labels[i] + 1 > d->nclasses) d->nclasses = d->labels[i] + 1;
        /* compact in place: row i of (n, F - 1) never overtakes row i of (n, F) */
        float *dst = d->x + (size_t)i * (F - 1);
        memmove(dst, row, (size_t)c * sizeof *dst);
        memmove(dst + c, row + c + 1, (size_t)(F - 1 - c) * sizeof *dst);
    }
    d->shape.d[0] = (int)(F - 1);
    return GAN_OK;
}

gan_status io_csv_load(gan_dataset *d, const gan_data_spec *spec, gan_error *err)
{
    csv_reader r;
    long F;
    gan_status st = open_first(&r, spec->path, &F, err);
    long limit = spec->limit > 0 ? spec->limit : IO_MAX_SAMPLES;
    size_t cap = 0, n = 0;
    float *x = NULL;   // (cap, F), grown by doubling
    for (long k = F; st == GAN_OK; ) {
        if ((n + 1) * (size_t)F > IO_MAX_FLOATS) {
            st = gan_error_at(err, GAN_ERR_INVALID, spec->path, r.lineno, 1, "more than %zu values in all",
                              IO_MAX_FLOATS);
            break;
        }
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 1024;
            if (nc * (size_t)F > IO_MAX_FLOATS) nc = IO_MAX_FLOATS / (size_t)F;
            float *nx = gan_alloc_floats(nc * (size_t)F);
            if (!nx) { st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory"); break; }
            if (x) memcpy(nx, x, n * (size_t)F * sizeof *x);
            gan_free_floats(x);
            x = nx;
            cap = nc;
        }
        memcpy(x + n * (size_t)F, r.v, (size_t)F * sizeof *x);
        if (++n >= (size_t)limit || !next_line(&r)) break;
        if ((k = parse_line(&r, 0, err)) < 0) st = err ? err->code : GAN_ERR_FORMAT;
        else if (k != F)
            st = gan_error_at(err, GAN_ERR_FORMAT, spec->path, r.lineno, 1, "line %d has %ld values, expected %ld",
                              r.lineno, k, F);
    }
    if (st == GAN_OK && ferror(r.fp)) st = gan_error_at(err, GAN_ERR_IO, spec->path, 0, 0, "read error");
    if (st == GAN_OK && r.grew)
        st = gan_error_at(err, GAN_ERR_IO, spec->path, 0, 0, "the file grew while it was read (%llu bytes at open)",
                          (unsigned long long)r.size);
    close_reader(&r);
    if (st != GAN_OK) {
        gan_free_floats(x);
        return st;
    }
    d->x = x;
    d->n = (long)n;
    d->shape = (gan_shape){ 1, { (int)F, 0, 0 } };
    return spec->label_column > 0 ? split_labels(d, spec, err) : GAN_OK;
}

gan_status io_csv_shape(const char *path, gan_shape *shape, gan_error *err)
{
    csv_reader r;
    long F;
    gan_status st = open_first(&r, path, &F, err);
    close_reader(&r);
    if (st == GAN_OK) *shape = (gan_shape){ 1, { (int)F, 0, 0 } };
    return st;
}
