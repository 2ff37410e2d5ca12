/* ckpt_file.c - the checkpoint container: header, compressed sections,
 * atomic writes and a reader that trusts nothing it reads.
 *
 * The byte layout is documented in src/ckpt/ckpt.c and ganrun-checkpoint(5).
 * Writing goes through libgan's one atomic writer (io_out, io/io.h): to
 * PATH.tmp.XXXXXX in the same folder, renamed over PATH only after fflush
 * + fsync + fclose all succeeded, then the folder is fsynced so the rename
 * itself is durable; an existing PATH is never opened or removed.  Reading loads the whole file
 * (size capped), and checks every length against the bytes that remain
 * and the caps before allocating anything it implies.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "ckpt/ckpt_file.h"
#include "io/io.h"

void ckpt_tag_str(uint32_t tag, char *buf)
{
    for (int i = 0; i < 4; i++) {
        unsigned char ch = (unsigned char)(tag >> (8 * i));
        buf[i] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
    }
    buf[4] = '\0';
}

static long fault_after = -1;

void ckpt_file_set_fault(long fail_after_bytes)
{
    fault_after = fail_after_bytes;
}

/* ---- writer ------------------------------------------------------------ */

enum { ZOUT = 1 << 16 };   /* compressed bytes written per call */

struct ckpt_writer {
    char *path;
    io_out o;           /* o.fp the temporary file, o.tmp its name */
    int o_open;
    uint64_t written;   /* bytes handed to f */
    /* the section being written (begin .. end) */
    int open;
    uint32_t tag;
    uint64_t head_at;   /* file offset of its header, patched by end */
    uint64_t ulen, clen;
    uint32_t crc;
    z_stream zs;
    uint8_t *zout;      /* (ZOUT) */
};

static void writer_free(ckpt_writer *w, int remove_tmp)
{
    if (!w) return;
    if (w->open) deflateEnd(&w->zs);
    free(w->zout);
    if (w->o_open && remove_tmp) io_out_abort(&w->o);
    free(w->path);
    free(w);
}

void ckpt_writer_abort(ckpt_writer *w)
{
    writer_free(w, 1);
}

static gan_status write_bytes(ckpt_writer *w, const void *p, size_t n, gan_error *err)
{
    size_t want = n;
    int injected = 0;
    if (fault_after >= 0 && w->written + n > (uint64_t)fault_after) {
        want = w->written < (uint64_t)fault_after ? (size_t)((uint64_t)fault_after - w->written) : 0;
        injected = 1;
    }
    size_t got = want ? fwrite(p, 1, want, w->o.fp) : 0;
    w->written += got;
    if (injected)
        return gan_error_at(err, GAN_ERR_IO, w->path, 0, 0,
                            "write failed after %" PRIu64 " bytes (injected fault)", w->written);
    if (got != want)
        return gan_error_at(err, GAN_ERR_IO, w->path, 0, 0, "cannot write temporary file %s: %s",
                            w->o.tmp, strerror(errno));
    return GAN_OK;
}

static void le32(uint8_t *b, uint32_t v)
{
    for (int i = 0; i < 4; i++) b[i] = (uint8_t)(v >> (8 * i));
}

static void le64(uint8_t *b, uint64_t v)
{
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t rd32(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t rd64(const uint8_t *b)
{
    return (uint64_t)rd32(b) | (uint64_t)rd32(b + 4) << 32;
}

gan_status ckpt_writer_open(ckpt_writer **out, const char *path, uint32_t flags, gan_error *err)
{
    *out = NULL;
    ckpt_writer *w = calloc(1, sizeof *w);
    if (w) w->path = strdup(path);
    if (!w || !w->path) {
        writer_free(w, 0);
        return gan_error_at(err, GAN_ERR_NOMEM, path, 0, 0, "out of memory");
    }
    gan_status st0 = io_out_open(&w->o, w->path, err);
    if (st0 != GAN_OK) {
        writer_free(w, 0);
        return st0;
    }
    w->o_open = 1;
    uint8_t h[CKPT_HEADER_SIZE];
    memcpy(h, CKPT_MAGIC, 8);
    le32(h + 8, CKPT_VERSION);
    le32(h + 12, CKPT_BOM);
    le32(h + 16, flags);
    gan_status st = write_bytes(w, h, sizeof h, err);
    if (st != GAN_OK) {
        writer_free(w, 1);
        return st;
    }
    *out = w;
    return GAN_OK;
}

/* Sections are compressed as they are written: begin writes a placeholder
 * header and starts a zlib stream, append deflates into a 64 KiB buffer
 * that goes to the file each time it fills, end finishes the stream and
 * patches the header with the lengths and the CRC.  So a checkpoint never
 * holds a whole section, raw or compressed, in memory.
 *
 * Level 1 with the Z_RLE strategy: the only matches are runs (distance 1),
 * then Huffman coding.  Float data gains nothing from longer matches and
 * this is four times faster than compress2's level 1 on it, while zero
 * runs (fresh optimizer moments) shrink about 1000:1. */
static gan_status zerr(ckpt_writer *w, int zr, gan_error *err)
{
    char ts[5];
    ckpt_tag_str(w->tag, ts);
    return gan_error_at(err, zr == Z_MEM_ERROR ? GAN_ERR_NOMEM : GAN_ERR_IO, w->path, 0, 0,
                        "cannot compress section '%s' (zlib error %d)", ts, zr);
}

/* run deflate over what zs holds, writing full output buffers */
static gan_status pump(ckpt_writer *w, int flush, gan_error *err)
{
    for (;;) {
        w->zs.next_out = w->zout;
        w->zs.avail_out = ZOUT;
        int zr = deflate(&w->zs, flush);
        if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) return zerr(w, zr, err);
        size_t got = ZOUT - w->zs.avail_out;
        if (got) {
            gan_status st = write_bytes(w, w->zout, got, err);
            if (st != GAN_OK) return st;
            w->clen += got;
        }
        if (flush == Z_FINISH ? zr == Z_STREAM_END : w->zs.avail_in == 0 && w->zs.avail_out) return GAN_OK;
        if (zr == Z_BUF_ERROR && !got) return zerr(w, zr, err);   /* no progress */
    }
}

gan_status ckpt_writer_begin(ckpt_writer *w, uint32_t tag, gan_error *err)
{
    if (w->open) return gan_error_at(err, GAN_ERR_INVALID, w->path, 0, 0, "a section is already open");
    w->tag = tag;
    if (!w->zout && !(w->zout = malloc(ZOUT)))
        return gan_error_at(err, GAN_ERR_NOMEM, w->path, 0, 0, "out of memory");
    memset(&w->zs, 0, sizeof w->zs);
    int zr = deflateInit2(&w->zs, 1, Z_DEFLATED, 15, 8, Z_RLE);
    if (zr != Z_OK) return zerr(w, zr, err);
    w->open = 1;
    w->head_at = w->written;
    w->ulen = w->clen = 0;
    w->crc = (uint32_t)crc32_z(0L, Z_NULL, 0);
    uint8_t h[CKPT_SECTION_HEAD] = { 0 };   /* patched by end */
    return write_bytes(w, h, sizeof h, err);
}

gan_status ckpt_writer_append(ckpt_writer *w, const void *data, size_t len, gan_error *err)
{
    const uint8_t *in = data;
    if (!w->open) return gan_error_at(err, GAN_ERR_INVALID, w->path, 0, 0, "no section is open");
    if (w->ulen + len > CKPT_MAX_SECTION) {
        char ts[5];
        ckpt_tag_str(w->tag, ts);
        return gan_error_at(err, GAN_ERR_INVALID, w->path, 0, 0,
                            "section '%s' is over the 4 GiB limit", ts);
    }
    while (len) {
        uInt n = len < (1u << 30) ? (uInt)len : 1u << 30;
        w->crc = (uint32_t)crc32_z(w->crc, in, n);
        w->zs.next_in = (Bytef *)in;
        w->zs.avail_in = n;
        gan_status st = pump(w, Z_NO_FLUSH, err);
        if (st != GAN_OK) return st;
        w->ulen += n;
        in += n;
        len -= n;
    }
    return GAN_OK;
}

gan_status ckpt_writer_end(ckpt_writer *w, gan_error *err)
{
    if (!w->open) return gan_error_at(err, GAN_ERR_INVALID, w->path, 0, 0, "no section is open");
    w->zs.next_in = NULL;
    w->zs.avail_in = 0;
    gan_status st = pump(w, Z_FINISH, err);
    deflateEnd(&w->zs);
    w->open = 0;
    if (st != GAN_OK) return st;
    uint8_t h[CKPT_SECTION_HEAD];
    le32(h, w->tag);
    le64(h + 4, w->ulen);
    le64(h + 12, w->clen);
    le32(h + 20, w->crc);
    /* an overwrite of bytes already counted: the fault hook skips it */
    FILE *f = w->o.fp;
    if (fseeko(f, (off_t)w->head_at, SEEK_SET) != 0 || fwrite(h, 1, sizeof h, f) != sizeof h ||
        fseeko(f, 0, SEEK_END) != 0)
        return gan_error_at(err, GAN_ERR_IO, w->path, 0, 0, "cannot write temporary file %s: %s",
                            w->o.tmp, strerror(errno));
    return GAN_OK;
}

gan_status ckpt_writer_section(ckpt_writer *w, uint32_t tag, const void *data, size_t len,
                               gan_error *err)
{
    gan_status st = ckpt_writer_begin(w, tag, err);
    if (st == GAN_OK) st = ckpt_writer_append(w, data, len, err);
    if (st == GAN_OK) st = ckpt_writer_end(w, err);
    return st;
}

gan_status ckpt_writer_commit(ckpt_writer *w, gan_error *err)
{
    gan_status st = ckpt_writer_section(w, CKPT_TAG_END, NULL, 0, err);
    if (st != GAN_OK) {
        writer_free(w, 1);
        return st;
    }
    /* flush, fsync, close, rename, fsync the folder; on failure the
     * temporary file is gone and PATH as it was */
    w->o_open = 0;
    st = io_out_commit(&w->o, err);
    writer_free(w, 0);
    return st;
}

/* ---- reader ------------------------------------------------------------ */

void ckpt_reader_free(ckpt_reader *r)
{
    if (!r) return;
    for (int i = 0; i < r->n; i++) free(r->s[i].data);
    free(r->s);
    free(r);
}

const ckpt_section *ckpt_reader_find(const ckpt_reader *r, uint32_t tag)
{
    for (int i = 0; i < r->n; i++)
        if (r->s[i].tag == tag) return &r->s[i];
    return NULL;
}

static gan_status read_whole(const char *path, uint8_t **buf, uint64_t *size, gan_error *err)
{
    *buf = NULL;
    FILE *f = io_fopen_input(path, NULL, err);   /* a FIFO cannot block it */
    if (!f) return GAN_ERR_IO;
    struct stat sb;
    gan_status st = GAN_OK;
    if (fstat(fileno(f), &sb) != 0)
        st = gan_error_at(err, GAN_ERR_IO, path, 0, 0, "cannot stat: %s", strerror(errno));
    else if (!S_ISREG(sb.st_mode))
        st = gan_error_at(err, GAN_ERR_IO, path, 0, 0, "not a regular file");
    else if ((uint64_t)sb.st_size > CKPT_MAX_FILE || (uint64_t)sb.st_size > SIZE_MAX)
        st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                          "file is %lld bytes, over the 16 GiB checkpoint limit", (long long)sb.st_size);
    else if (sb.st_size < CKPT_HEADER_SIZE)
        st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                          "file is %lld bytes, too short for a checkpoint header (%d bytes)",
                          (long long)sb.st_size, CKPT_HEADER_SIZE);
    if (st == GAN_OK) {
        *size = (uint64_t)sb.st_size;
        *buf = malloc((size_t)*size);
        if (!*buf)
            st = gan_error_at(err, GAN_ERR_NOMEM, path, 0, 0, "out of memory reading %" PRIu64 " bytes", *size);
        else if (fread(*buf, 1, (size_t)*size, f) != (size_t)*size)
            st = gan_error_at(err, GAN_ERR_IO, path, 0, 0, "cannot read %" PRIu64 " bytes: %s", *size,
                              ferror(f) ? strerror(errno) : "file shrank while reading");
    }
    fclose(f);
    if (st != GAN_OK) {
        free(*buf);
        *buf = NULL;
    }
    return st;
}

/* Inflate clen bytes into exactly ulen bytes.  The output grows as data
 * really inflates (from min(ulen, 64 clen)), so a length field that lies
 * costs no more memory than the compressed bytes can produce; one spare
 * byte of room catches a stream longer than ulen. */
static gan_status inflate_payload(const char *path, const char *where, const uint8_t *in, size_t clen,
                                  size_t ulen, uint8_t **out, gan_error *err)
{
    *out = NULL;
    size_t limit = ulen + 1;
    size_t cap = clen < (SIZE_MAX - 4096) / 64 ? 64 * clen + 4096 : limit;
    if (cap > limit) cap = limit;
    uint8_t *buf = malloc(cap);
    if (!buf) return gan_error_at(err, GAN_ERR_NOMEM, path, 0, 0, "%s: out of memory", where);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit(&zs) != Z_OK) {
        free(buf);
        return gan_error_at(err, GAN_ERR_NOMEM, path, 0, 0, "%s: cannot start zlib", where);
    }
    const size_t CHUNK = (size_t)1 << 30;
    size_t in_left = clen, produced = 0;
    gan_status st = GAN_OK;
    for (;;) {
        if (zs.avail_in == 0 && in_left) {
            zs.next_in = (Bytef *)(in + (clen - in_left));
            zs.avail_in = (uInt)(in_left < CHUNK ? in_left : CHUNK);
            in_left -= zs.avail_in;
        }
        if (produced == cap) {
            if (cap == limit) {
                st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                                  "%s: payload inflates to more than its recorded %zu bytes", where, ulen);
                break;
            }
            size_t ncap = cap < limit / 2 ? 2 * cap : limit;
            uint8_t *nb = realloc(buf, ncap);
            if (!nb) {
                st = gan_error_at(err, GAN_ERR_NOMEM, path, 0, 0, "%s: out of memory", where);
                break;
            }
            buf = nb;
            cap = ncap;
        }
        zs.next_out = buf + produced;
        zs.avail_out = (uInt)(cap - produced < CHUNK ? cap - produced : CHUNK);
        uInt before = zs.avail_out;
        int zr = inflate(&zs, Z_NO_FLUSH);
        produced += before - zs.avail_out;
        if (zr == Z_STREAM_END) break;
        if (zr == Z_OK) continue;
        if (zr == Z_BUF_ERROR && (zs.avail_in || in_left)) continue;
        if (zr == Z_BUF_ERROR)
            st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "%s: compressed payload is cut short", where);
        else if (zr == Z_MEM_ERROR)
            st = gan_error_at(err, GAN_ERR_NOMEM, path, 0, 0, "%s: out of memory", where);
        else
            st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "%s: corrupt compressed payload (%s)", where,
                              zs.msg ? zs.msg : "zlib error");
        break;
    }
    if (st == GAN_OK && (zs.avail_in || in_left))
        st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                          "%s: %zu bytes after the end of the compressed stream", where,
                          (size_t)zs.avail_in + in_left);
    if (st == GAN_OK && produced != ulen)
        st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                          "%s: payload inflates to %zu bytes, recorded as %zu", where, produced, ulen);
    inflateEnd(&zs);
    if (st != GAN_OK) {
        free(buf);
        return st;
    }
    *out = buf;
    return GAN_OK;
}

static gan_status check_header(const char *path, const uint8_t *b, ckpt_reader *r, gan_error *err)
{
    if (memcmp(b, CKPT_MAGIC, 8) != 0)
        return gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "not a ganrun checkpoint (bad magic)");
    uint32_t bom = rd32(b + 12);
    if (bom == 0x04030201u)
        return gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                            "big-endian checkpoint: only little-endian checkpoints are supported");
    if (bom != CKPT_BOM)
        return gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                            "bad byte-order mark 0x%08" PRIx32 " (expected 0x01020304)", bom);
    r->version = rd32(b + 8);
    if (r->version != CKPT_VERSION)
        return gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                            "checkpoint format version %" PRIu32 " is not supported (this ganrun reads version %u)",
                            r->version, CKPT_VERSION);
    r->flags = rd32(b + 16);
    if (r->flags != 0)
        return gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                            "unknown header flags 0x%08" PRIx32 " (version 1 defines none)", r->flags);
    return GAN_OK;
}

/* Walk the sections of b (size bytes) into r. */
static gan_status read_sections(const char *path, const uint8_t *b, size_t size, ckpt_reader *r,
                                gan_error *err)
{
    size_t pos = CKPT_HEADER_SIZE;
    for (int idx = 1;; idx++) {
        if (pos == size)
            return gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                                "truncated: ends after %d sections without an 'END ' section", idx - 1);
        if (size - pos < CKPT_SECTION_HEAD)
            return gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                                "truncated: section %d header at byte %zu needs %d bytes, %zu left", idx, pos,
                                CKPT_SECTION_HEAD, size - pos);
        const uint8_t *h = b + pos;
        uint32_t tag = rd32(h), crc = rd32(h + 20);
        uint64_t ulen = rd64(h + 4), clen = rd64(h + 12);
        char ts[5], where[64];
        ckpt_tag_str(tag, ts);
        snprintf(where, sizeof where, "section %d '%s' at byte %zu", idx, ts, pos);
        size_t left = size - pos - CKPT_SECTION_HEAD;
        if (clen > left)
            return gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                                "%s: compressed length %" PRIu64 " runs past the end of the file (%zu bytes left)",
                                where, clen, left);
        if (ulen > CKPT_MAX_SECTION)
            return gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                                "%s: uncompressed length %" PRIu64 " is over the 4 GiB limit", where, ulen);
        if (ulen > CKPT_MAX_RATIO * clen + 64)
            return gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                                "%s: uncompressed length %" PRIu64 " is impossible from %" PRIu64
                                " compressed bytes", where, ulen, clen);
        if (ckpt_reader_find(r, tag))
            return gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "%s: second section with this tag", where);
        uint8_t *data;
        gan_status st = inflate_payload(path, where, h + CKPT_SECTION_HEAD, (size_t)clen, (size_t)ulen, &data, err);
        if (st != GAN_OK) return st;
        uint32_t got = (uint32_t)crc32_z(0L, data, (size_t)ulen);
        if (got != crc) {
            free(data);
            return gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                                "%s: CRC mismatch (stored 0x%08" PRIx32 ", computed 0x%08" PRIx32 ")", where,
                                crc, got);
        }
        ckpt_section *ns = realloc(r->s, (size_t)(r->n + 1) * sizeof *ns);
        if (!ns) {
            free(data);
            return gan_error_at(err, GAN_ERR_NOMEM, path, 0, 0, "out of memory");
        }
        r->s = ns;
        r->s[r->n++] = (ckpt_section){ tag, data, (size_t)ulen, pos, (size_t)clen, crc };
        pos += CKPT_SECTION_HEAD + (size_t)clen;
        if (tag == CKPT_TAG_END) {
            if (ulen != 0)
                return gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "%s: the terminator must be empty", where);
            if (pos != size)
                return gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                                    "%zu bytes of trailing data after the 'END ' section", size - pos);
            return GAN_OK;
        }
    }
}

gan_status ckpt_reader_open(ckpt_reader **out, const char *path, gan_error *err)
{
    *out = NULL;
    ckpt_reader *r = calloc(1, sizeof *r);
    if (!r) return gan_error_at(err, GAN_ERR_NOMEM, path, 0, 0, "out of memory");
    snprintf(r->path, sizeof r->path, "%s", path);
    uint8_t *b;
    uint64_t size = 0;
    gan_status st = read_whole(path, &b, &size, err);
    if (st == GAN_OK) {
        r->file_size = size;
        st = check_header(path, b, r, err);
        if (st == GAN_OK) st = read_sections(path, b, (size_t)size, r, err);
        free(b);
    }
    if (st != GAN_OK) {
        ckpt_reader_free(r);
        return st;
    }
    *out = r;
    return GAN_OK;
}
