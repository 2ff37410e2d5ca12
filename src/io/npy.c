/* npy.c - NumPy .npy arrays, and matrices and labels from .npy or CSV.
 *
 * An .npy file (format versions 1.0 and 2.0) is
 *   "\x93NUMPY", major, minor           8 bytes
 *   header length L                     uint16 LE (1.0) or uint32 LE (2.0)
 *   header                              L bytes of ASCII: a Python dict
 *       {'descr': '<f4', 'fortran_order': False, 'shape': (N, D), }
 *       padded with spaces to a multiple of 64 bytes in all, ending '\n'
 *   data                                prod(shape) values, C order
 * Reading is strict: exactly the keys descr, fortran_order and shape (in
 * any order), descr '<f4', '<i8' or '<i4' (little-endian), fortran_order
 * False, at most 4 dimensions, the data exactly as long as the shape says.
 * Writing gives version 1.0, descr '<f4', fortran_order False.
 */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "io/io.h"

#define NPY_MAX_HEADER 65536

typedef struct npy_header {
    char descr[8];     /* "<f4", "<i8", "<i4" */
    int fortran;
    int ndim;
    long shape[GAN_NPY_MAXDIM];
    size_t count;      /* prod(shape) */
} npy_header;

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t') p++;
    return p;
}

/* a quoted Python string ('...' or "...") into buf; NULL if malformed */
static const char *parse_str(const char *p, char *buf, size_t n)
{
    char q = *p;
    if (q != '\'' && q != '"') return NULL;
    const char *e = strchr(p + 1, q);
    if (!e || (size_t)(e - p - 1) >= n) return NULL;
    memcpy(buf, p + 1, (size_t)(e - p - 1));
    buf[e - p - 1] = 0;
    return e + 1;
}

/* Parse the header dict; returns NULL on success, else what is wrong. */
static const char *parse_header(const char *h, npy_header *o)
{
    int have_descr = 0, have_fortran = 0, have_shape = 0;
    const char *p = skip_ws(h);
    if (*p++ != '{') return "the header is not a dict ('{...}')";
    for (;;) {
        p = skip_ws(p);
        if (*p == '}') break;
        char key[32];
        if (!(p = parse_str(p, key, sizeof key))) return "malformed header key (expected a quoted name)";
        p = skip_ws(p);
        if (*p++ != ':') return "malformed header (expected ':' after a key)";
        p = skip_ws(p);
        if (!strcmp(key, "descr") && !have_descr) {
            if (!(p = parse_str(p, o->descr, sizeof o->descr))) return "descr is not a short quoted string";
            have_descr = 1;
        } else if (!strcmp(key, "fortran_order") && !have_fortran) {
            if (!strncmp(p, "False", 5)) o->fortran = 0, p += 5;
            else if (!strncmp(p, "True", 4)) o->fortran = 1, p += 4;
            else return "fortran_order is not True or False";
            have_fortran = 1;
        } else if (!strcmp(key, "shape") && !have_shape) {
            if (*p++ != '(') return "shape is not a tuple";
            o->ndim = 0;
            o->count = 1;
            for (;;) {
                p = skip_ws(p);
                if (*p == ')') break;
                if (!isdigit((unsigned char)*p)) return "shape holds something other than whole numbers";
                errno = 0;
                char *end;
                long v = strtol(p, &end, 10);
                if (errno || v < 0 || v > IO_MAX_SAMPLES) return "shape has a size out of range";
                if (o->ndim >= GAN_NPY_MAXDIM) return "more than 4 dimensions";
                o->shape[o->ndim++] = v;
                if (v && o->count > IO_MAX_FLOATS / (size_t)v) return "more than 2^29 values";
                o->count *= (size_t)v;
                p = skip_ws(end);
                if (*p == ',') p++;
                else if (*p != ')') return "malformed shape tuple";
            }
            p++;
            have_shape = 1;
        } else {
            return "unexpected or repeated header key (expected descr, fortran_order and shape)";
        }
        p = skip_ws(p);
        if (*p == ',') p++;
        else if (*p != '}') return "malformed header (expected ',' or '}')";
    }
    p = skip_ws(p + 1);
    if (*p == '\n') p++;
    if (*p) return "text after the header dict";
    if (!have_descr || !have_fortran || !have_shape) return "the header lacks descr, fortran_order or shape";
    return NULL;
}

static size_t itemsize(const char *descr)
{
    if (!strcmp(descr, "<f4") || !strcmp(descr, "<i4")) return 4;
    if (!strcmp(descr, "<i8")) return 8;
    return 0;
}

/* Read the header and the raw data of path: *data malloc'd, count values
 * of itemsize(h->descr) bytes, little-endian. */
static gan_status npy_load(const char *path, npy_header *h, unsigned char **data, gan_error *err)
{
    *data = NULL;
    memset(h, 0, sizeof *h);
    uint64_t fsize;
    FILE *f = io_fopen_input(path, &fsize, err);
    if (!f) return GAN_ERR_IO;
    unsigned char pre[12];
    gan_status st = GAN_OK;
    char *hdr = NULL;
    size_t L = 0, hl = 0;
    if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6) != 0) {
        st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "not a NumPy .npy file (no \\x93NUMPY magic)");
    } else if ((pre[6] != 1 && pre[6] != 2) || pre[7] != 0) {
        st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, ".npy format version %d.%d (expected 1.0 or 2.0)",
                          pre[6], pre[7]);
    } else {
        hl = pre[6] == 1 ? 10 : 12;
        if (pre[6] == 2 && fread(pre + 10, 1, 2, f) != 2) L = (size_t)-1;
        else L = pre[6] == 1 ? (size_t)pre[8] | (size_t)pre[9] << 8
                             : (size_t)pre[8] | (size_t)pre[9] << 8 | (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
        if (L == 0 || L > NPY_MAX_HEADER)
            st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "header length %zu out of range (1..%d)",
                              L == (size_t)-1 ? 0 : L, NPY_MAX_HEADER);
        else if (!(hdr = malloc(L + 1)))
            st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
        else if (fread(hdr, 1, L, f) != L)
            st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "truncated header");
    }
    if (st == GAN_OK) {
        hdr[L] = 0;
        if (strlen(hdr) != L) st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "NUL byte in the header");
    }
    const char *why = st == GAN_OK ? parse_header(hdr, h) : NULL;
    if (why) st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "%s", why);
    size_t isz = st == GAN_OK ? itemsize(h->descr) : 0;
    if (st == GAN_OK && !isz)
        st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "dtype '%s' not supported (expected '<f4', '<i8' or '<i4')",
                          h->descr);
    if (st == GAN_OK && h->fortran)
        st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "Fortran-order array (expected C order: "
                          "numpy.ascontiguousarray before numpy.save)");
    if (st == GAN_OK) {
        size_t bytes = h->count * isz;
        if (bytes > IO_MAX_BYTES) st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "more than 2 GiB of data");
        else if (bytes > fsize - (hl + L))   /* before allocating what the header promises */
            st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "truncated data: the shape needs %zu bytes, the "
                              "file holds %llu after the %zu-byte header", bytes,
                              (unsigned long long)(fsize - (hl + L)), hl + L);
        else if (!(*data = malloc(bytes ? bytes : 1))) st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
        else {
            size_t got = fread(*data, 1, bytes, f);
            if (got != bytes)
                st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "truncated data: %zu of %zu bytes after the "
                                  "%zu-byte header", got, bytes, hl + L);
            else if (fgetc(f) != EOF)
                st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "bytes after the %zu values the shape holds",
                                  h->count);
        }
    }
    free(hdr);
    fclose(f);
    if (st != GAN_OK) {
        free(*data);
        *data = NULL;
    }
    return st;
}

static uint64_t get_le(const unsigned char *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

gan_status gan_npy_read(const char *path, gan_npy *a, gan_error *err)
{
    memset(a, 0, sizeof *a);
    npy_header h;
    unsigned char *raw;
    gan_status st = npy_load(path, &h, &raw, err);
    if (st != GAN_OK) return st;
    a->ndim = h.ndim;
    for (int k = 0; k < h.ndim; k++) a->shape[k] = h.shape[k];
    a->count = h.count;
    size_t isz = itemsize(h.descr);
    if (!strcmp(h.descr, "<f4")) {
        a->dtype = GAN_NPY_F32;
        if (!(a->f32 = gan_alloc_floats(h.count ? h.count : 1))) st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
        for (size_t i = 0; st == GAN_OK && i < h.count; i++) {
            uint32_t u = (uint32_t)get_le(raw + 4 * i, 4);
            memcpy(&a->f32[i], &u, 4);
        }
    } else {
        a->dtype = isz == 8 ? GAN_NPY_I64 : GAN_NPY_I32;
        if (!(a->i64 = malloc((h.count ? h.count : 1) * sizeof *a->i64)))
            st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
        for (size_t i = 0; st == GAN_OK && i < h.count; i++) {
            uint64_t u = get_le(raw + isz * i, isz);
            a->i64[i] = isz == 8 ? (int64_t)u : (int64_t)(int32_t)(uint32_t)u;
        }
    }
    free(raw);
    if (st != GAN_OK) gan_npy_free(a);
    return st;
}

void gan_npy_free(gan_npy *a)
{
    gan_free_floats(a->f32);
    free(a->i64);
    memset(a, 0, sizeof *a);
}

gan_status gan_npy_write(const char *path, const float *x, int ndim, const long *shape, gan_error *err)
{
    if (ndim < 1 || ndim > GAN_NPY_MAXDIM)
        return gan_error_at(err, GAN_ERR_INVALID, path, 0, 0, "cannot write %d dimensions", ndim);
    char dict[256];
    int len = snprintf(dict, sizeof dict, "{'descr': '<f4', 'fortran_order': False, 'shape': (");
    size_t count = 1;
    for (int k = 0; k < ndim; k++) {
        len += snprintf(dict + len, sizeof dict - (size_t)len, "%ld,%s", shape[k], k + 1 < ndim ? " " : "");
        count *= (size_t)shape[k];
    }
    len += snprintf(dict + len, sizeof dict - (size_t)len, "), }");
    /* pad with spaces so that magic (6) + version (2) + length (2) + header
     * is a multiple of 64, the header ending in '\n' */
    size_t total = (10 + (size_t)len + 1 + 63) / 64 * 64, L = total - 10;
    unsigned char head[10 + 256];
    memcpy(head, "\x93NUMPY\x01\x00", 8);
    head[8] = (unsigned char)(L & 0xff);
    head[9] = (unsigned char)(L >> 8);
    memcpy(head + 10, dict, (size_t)len);
    memset(head + 10 + len, ' ', L - (size_t)len - 1);
    head[total - 1] = '\n';
    io_out o;
    gan_status st = io_out_open(&o, path, err);
    if (st != GAN_OK) return st;
    io_out_write(&o, head, total);
    unsigned char buf[4096];
    for (size_t i = 0; i < count && !o.err;) {
        size_t m = 0;
        for (; m < sizeof buf / 4 && i < count; m++, i++) {
            uint32_t u;
            memcpy(&u, &x[i], 4);
            for (int b = 0; b < 4; b++) buf[4 * m + (size_t)b] = (unsigned char)(u >> (8 * b));
        }
        io_out_write(&o, buf, 4 * m);
    }
    return io_out_commit(&o, err);
}

static int is_npy(const char *path)
{
    size_t n = strlen(path);
    return n >= 4 && !strcmp(path + n - 4, ".npy");
}

/* CSV through the data loader: rows of numbers, an optional header line */
static gan_status csv_rows(const char *path, gan_dataset *d, gan_error *err)
{
    gan_data_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.format = GAN_DATA_CSV;
    if (strlen(path) >= sizeof spec.path) return gan_error_at(err, GAN_ERR_INVALID, path, 0, 0, "path too long");
    strcpy(spec.path, path);
    memset(d, 0, sizeof *d);
    return io_csv_load(d, &spec, err);
}

gan_status gan_matrix_read(const char *path, float **x, long *rows, long *cols, gan_error *err)
{
    *x = NULL;
    *rows = *cols = 0;
    if (is_npy(path)) {
        gan_npy a;
        gan_status st = gan_npy_read(path, &a, err);
        if (st != GAN_OK) return st;
        if (a.dtype != GAN_NPY_F32 || a.ndim != 2 || a.shape[0] < 1 || a.shape[1] < 1) {
            st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "%s array of %d dimension%s (expected float32 "
                              "'<f4' of shape (N, dim), N >= 1)", a.dtype == GAN_NPY_F32 ? "a float32" : "an integer",
                              a.ndim, a.ndim == 1 ? "" : "s");
            gan_npy_free(&a);
            return st;
        }
        /* as the CSV reader: NaN and infinities are refused */
        for (size_t i = 0; i < a.count; i++)
            if (!isfinite(a.f32[i])) {
                st = gan_error_at(err, GAN_ERR_NUMERIC, path, 0, 0, "value %zu (row %ld, column %ld) is %s "
                                  "(expected finite floats)", i + 1, (long)(i / (size_t)a.shape[1]) + 1,
                                  (long)(i % (size_t)a.shape[1]) + 1, isnan(a.f32[i]) ? "NaN" : "infinite");
                gan_npy_free(&a);
                return st;
            }
        *x = a.f32;
        *rows = a.shape[0];
        *cols = a.shape[1];
        return GAN_OK;
    }
    gan_dataset d;
    gan_status st = csv_rows(path, &d, err);
    if (st != GAN_OK) {
        gan_free_floats(d.x);
        return st;
    }
    *x = d.x;
    *rows = d.n;
    *cols = d.shape.d[0];
    return GAN_OK;
}

gan_status gan_labels_read(const char *path, int **y, long *n, gan_error *err)
{
    *y = NULL;
    *n = 0;
    gan_status st;
    if (is_npy(path)) {
        gan_npy a;
        if ((st = gan_npy_read(path, &a, err)) != GAN_OK) return st;
        if (a.dtype == GAN_NPY_F32 || a.ndim != 1 || a.shape[0] < 1)
            st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "%s array of %d dimension%s (expected int64 '<i8' "
                              "or int32 '<i4' of shape (N,), N >= 1)", a.dtype == GAN_NPY_F32 ? "a float32" : "an integer",
                              a.ndim, a.ndim == 1 ? "" : "s");
        else if (!(*y = malloc((size_t)a.shape[0] * sizeof **y)))
            st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
        for (long i = 0; st == GAN_OK && i < a.shape[0]; i++) {
            if (a.i64[i] < 0 || a.i64[i] > 65535)
                st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "label %ld is %lld (expected 0..65535)", i + 1,
                                  (long long)a.i64[i]);
            else (*y)[i] = (int)a.i64[i];
        }
        if (st == GAN_OK) *n = a.shape[0];
        gan_npy_free(&a);
    } else {
        gan_dataset d;
        st = csv_rows(path, &d, err);
        if (st == GAN_OK && d.shape.d[0] != 1)
            st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "rows of %d values (expected one label per line)",
                              d.shape.d[0]);
        if (st == GAN_OK && !(*y = malloc((size_t)d.n * sizeof **y)))
            st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
        for (long i = 0; st == GAN_OK && i < d.n; i++) {
            float v = d.x[i];
            if (!(v >= 0 && v <= 65535 && v == floorf(v)))
                st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "label %ld is %g (expected a whole number in "
                                  "0..65535)", i + 1, (double)v);
            else (*y)[i] = (int)v;
        }
        if (st == GAN_OK) *n = d.n;
        gan_free_floats(d.x);
    }
    if (st != GAN_OK) {
        free(*y);
        *y = NULL;
    }
    return st;
}
