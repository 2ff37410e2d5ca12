/* idx.c - IDX files (MNIST, Fashion-MNIST), gzipped or not.
 *
 * Layout, all integers big-endian: a magic 0x0000TTRR, TT the element type
 * (0x08 = unsigned byte, the only type read here) and RR the rank; then RR
 * 32-bit dimensions; then the elements in row-major order.
 *   0x00000801  (N)           labels
 *   0x00000802  (N, F)        vectors           -> sample shape (F)
 *   0x00000803  (N, H, W)     gray images       -> (1, H, W)
 *   0x00000804  (N, C, H, W)  C-channel images  -> (C, H, W); ganrun's own
 *               use of rank 4, written by gan_idx_write for colour images.
 * Bytes become x / 127.5 - 1 in [-1, 1].  zlib's gzread reads plain files
 * unchanged, so one path serves .gz and raw files.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "io/io.h"

typedef struct idx_header {
    uint32_t magic;
    int rank;
    uint32_t dims[4];
} idx_header;

#define IDX_EXPECT "expected 0x00000803 images, 0x00000802 vectors or 0x00000801 labels"

static gan_status idx_open(gzFile *gz, const char *path, gan_error *err)
{
    *gz = NULL;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);   /* a FIFO cannot block the open */
    if (fd < 0) return io_open_error(err, path);
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        return gan_error_at(err, GAN_ERR_IO, path, 0, 0, "is a folder, expected an IDX file");
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return gan_error_at(err, GAN_ERR_IO, path, 0, 0, "is %s, not a regular file (expected an IDX file)",
                            io_node_kind(st.st_mode));
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    if (!(*gz = gzdopen(fd, "rb"))) {
        close(fd);
        return gan_error_at(err, GAN_ERR_NOMEM, path, 0, 0, "out of memory opening the file");
    }
    gzbuffer(*gz, 1 << 17);
    return GAN_OK;
}

/* Read up to n bytes; returns how many came (short at end of file), or -1
 * on a read or gzip error (then err is filled). */
static long long gz_read_all(gzFile gz, unsigned char *buf, size_t n, const char *path, gan_error *err)
{
    size_t got = 0;
    while (got < n) {
        size_t want = n - got > (1u << 30) ? (1u << 30) : n - got;
        int r = gzread(gz, buf + got, (unsigned)want);
        if (r < 0) {
            int zerr;
            const char *m = gzerror(gz, &zerr);
            if (zerr == Z_ERRNO) m = strerror(errno);
            gan_error_at(err, zerr == Z_ERRNO ? GAN_ERR_IO : GAN_ERR_FORMAT, path, 0, 0,
                         "%s: %s", zerr == Z_ERRNO ? "read error" : "bad gzip data", m);
            return -1;
        }
        if (r == 0) break;
        got += (size_t)r;
    }
    return (long long)got;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static gan_status read_header(gzFile gz, const char *path, idx_header *h, gan_error *err)
{
    unsigned char b[16];
    long long got = gz_read_all(gz, b, 4, path, err);
    if (got < 0) return err ? err->code : GAN_ERR_IO;
    if (got < 4)
        return gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                            "truncated: expected a 4-byte IDX magic number, got %lld bytes", got);
    h->magic = be32(b);
    if (b[0] || b[1])
        return gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                            "bad magic 0x%08x: not an IDX file (" IDX_EXPECT ")", (unsigned)h->magic);
    if (b[2] != 0x08)
        return gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                            "IDX element type 0x%02x is not supported (expected 0x08, unsigned bytes)", b[2]);
    h->rank = b[3];
    if (h->rank < 1 || h->rank > 4)
        return gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                            "IDX rank %d is not supported (expected 1 to 4)", h->rank);
    got = gz_read_all(gz, b, 4 * (size_t)h->rank, path, err);
    if (got < 0) return err ? err->code : GAN_ERR_IO;
    if (got < 4 * h->rank)
        return gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                            "truncated: expected %d dimensions in the IDX header", h->rank);
    for (int i = 0; i < h->rank; i++) {
        h->dims[i] = be32(b + 4 * i);
        if (h->dims[i] < 1)
            return gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                                "IDX dimension %d is 0, expected >= 1", i + 1);
    }
    if (h->dims[0] > IO_MAX_SAMPLES)
        return gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                            "%u samples is too many (at most %ld)", (unsigned)h->dims[0], IO_MAX_SAMPLES);
    return GAN_OK;
}

/* Data file header -> sample shape and values per sample. */
static gan_status data_header(gzFile gz, const char *path, idx_header *h, gan_shape *s, gan_error *err)
{
    gan_status st = read_header(gz, path, h, err);
    if (st != GAN_OK) return st;
    if (h->rank == 1)
        return gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                            "holds labels (magic 0x00000801), expected images (0x00000803) or vectors (0x00000802)");
    uint64_t size = 1;
    for (int i = 1; i < h->rank; i++) {
        size *= h->dims[i];
        if (size > IO_MAX_SAMPLE)
            return gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                                "samples of more than %zu values are not supported", IO_MAX_SAMPLE);
    }
    if (size * h->dims[0] > IO_MAX_BYTES)
        return gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                            "%u samples of %llu bytes is more than 2 GiB", (unsigned)h->dims[0],
                            (unsigned long long)size);
    if (h->rank == 2) *s = (gan_shape){ 1, { (int)h->dims[1], 0, 0 } };
    else if (h->rank == 3) *s = (gan_shape){ 3, { 1, (int)h->dims[1], (int)h->dims[2] } };
    else *s = (gan_shape){ 3, { (int)h->dims[1], (int)h->dims[2], (int)h->dims[3] } };
    return GAN_OK;
}

/* Exactly n bytes from gz into a new buffer, which grows with the data that
 * actually arrives, so a header that lies about N costs no memory.  `what`
 * names the data in the truncation message. */
static gan_status read_bytes(gzFile gz, const char *path, size_t n, const char *what,
                             unsigned char **out, gan_error *err)
{
    *out = NULL;
    size_t cap = n < ((size_t)1 << 24) ? n : ((size_t)1 << 24), got = 0;
    unsigned char *buf = malloc(cap ? cap : 1);
    if (!buf) return gan_error_set(err, GAN_ERR_NOMEM, "out of memory reading %zu bytes", n);
    for (;;) {
        long long r = gz_read_all(gz, buf + got, cap - got, path, err);
        if (r < 0) { free(buf); return err ? err->code : GAN_ERR_IO; }
        got += (size_t)r;
        if (got < cap) {
            free(buf);
            return gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                                "truncated: expected %zu bytes of %s, got %zu", n, what, got);
        }
        if (got == n) break;
        cap = cap * 2 < n ? cap * 2 : n;
        unsigned char *nb = realloc(buf, cap);
        if (!nb) { free(buf); return gan_error_set(err, GAN_ERR_NOMEM, "out of memory reading %zu bytes", n); }
        buf = nb;
    }
    *out = buf;
    return GAN_OK;
}

/* Labels file: magic 0x801 with `expect` entries; the first n as ints. */
static gan_status load_labels(gan_dataset *d, const char *path, uint32_t expect, long n, gan_error *err)
{
    gzFile gz;
    gan_status st = idx_open(&gz, path, err);
    if (st != GAN_OK) return st;
    idx_header h;
    unsigned char *b = NULL;
    if ((st = read_header(gz, path, &h, err)) != GAN_OK) goto out;
    if (h.rank != 1) {
        st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                          "magic 0x%08x: expected an IDX labels file (0x00000801)", (unsigned)h.magic);
        goto out;
    }
    if (h.dims[0] != expect) {
        st = gan_error_at(err, GAN_ERR_SHAPE, path, 0, 0, "has %u labels, the data file has %u samples",
                          (unsigned)h.dims[0], (unsigned)expect);
        goto out;
    }
    if ((st = read_bytes(gz, path, (size_t)n, "labels", &b, err)) != GAN_OK) goto out;
    if (!(d->labels = malloc((size_t)n * sizeof *d->labels))) {
        st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
        goto out;
    }
    d->nclasses = 0;
    for (long i = 0; i < n; i++) {
        d->labels[i] = b[i];
        if (b[i] + 1 > d->nclasses) d->nclasses = b[i] + 1;
    }
out:
    free(b);
    gzclose(gz);
    return st;
}

gan_status io_idx_load(gan_dataset *d, const gan_data_spec *spec, gan_error *err)
{
    gzFile gz;
    gan_status st = idx_open(&gz, spec->path, err);
    if (st != GAN_OK) return st;
    idx_header h;
    unsigned char *b = NULL;
    if ((st = data_header(gz, spec->path, &h, &d->shape, err)) != GAN_OK) goto out;
    long n = (long)h.dims[0];
    if (spec->limit > 0 && spec->limit < n) n = spec->limit;
    size_t size = gan_shape_size(d->shape), total = (size_t)n * size;   // (n, shape)
    if ((st = read_bytes(gz, spec->path, total, h.rank == 2 ? "vector data" : "pixel data", &b, err)) != GAN_OK)
        goto out;
    d->u8 = b;          /* kept as bytes: (n, shape) */
    b = NULL;
    d->n = n;
    if (spec->labels[0]) st = load_labels(d, spec->labels, h.dims[0], n, err);
out:
    free(b);
    gzclose(gz);
    return st;
}

gan_status io_idx_shape(const char *path, gan_shape *shape, gan_error *err)
{
    gzFile gz;
    gan_status st = idx_open(&gz, path, err);
    if (st != GAN_OK) return st;
    idx_header h;
    st = data_header(gz, path, &h, shape, err);
    gzclose(gz);
    return st;
}
