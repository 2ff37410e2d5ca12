/* ckpt_file.h - the checkpoint container (private to libgan).
 *
 * A container is a header and a list of sections, each zlib-compressed and
 * CRC-checked; the layout is documented in src/ckpt/ckpt.c and
 * ganrun-checkpoint(5).  This layer knows nothing of trainers: it writes
 * and verifies (tag, bytes) pairs.  Byte buffers (ckpt_buf) and bounded
 * cursors (ckpt_cur) encode the little-endian fields inside payloads.
 */
#ifndef GAN_CKPT_FILE_H
#define GAN_CKPT_FILE_H

#include <stddef.h>
#include <stdint.h>
#include "gan/error.h"

#define CKPT_MAGIC "GANRUNCK"
#define CKPT_VERSION 1u
#define CKPT_BOM 0x01020304u
#define CKPT_HEADER_SIZE 20     /* magic 8, version 4, bom 4, flags 4 */
#define CKPT_SECTION_HEAD 24    /* tag 4, ulen 8, clen 8, crc 4 */
/* limits on what a reader accepts before allocating */
#define CKPT_MAX_FILE ((uint64_t)16 << 30)      /* whole file */
#define CKPT_MAX_SECTION ((uint64_t)4 << 30)    /* one uncompressed payload */
#define CKPT_MAX_RATIO 1032u  /* deflate never expands data by more than this */

/* 'M','O','D','L' -> the u32 whose little-endian bytes spell the tag */
#define CKPT_TAG(a, b, c, d) \
    ((uint32_t)(uint8_t)(a) | (uint32_t)(uint8_t)(b) << 8 | \
     (uint32_t)(uint8_t)(c) << 16 | (uint32_t)(uint8_t)(d) << 24)
#define CKPT_TAG_END CKPT_TAG('E', 'N', 'D', ' ')

/* "MODL" from a tag; non-printable bytes as '?'.  buf: 5 bytes. */
void ckpt_tag_str(uint32_t tag, char *buf);

/* ---- writer ------------------------------------------------------------
 * open creates PATH.tmp.XXXXXX beside path and writes the header;
 * section compresses and appends one section; commit appends 'END ',
 * flushes, fsyncs, closes, renames over path and fsyncs the folder.
 * After any failure the temp file is removed and path is untouched;
 * commit and abort always free w. */
typedef struct ckpt_writer ckpt_writer;
gan_status ckpt_writer_open(ckpt_writer **w, const char *path, uint32_t flags, gan_error *err);
gan_status ckpt_writer_section(ckpt_writer *w, uint32_t tag, const void *data, size_t len,
                               gan_error *err);
/* The same in pieces: begin, any number of appends, end.  The payload is
 * compressed and written as it comes; end patches the section's header. */
gan_status ckpt_writer_begin(ckpt_writer *w, uint32_t tag, gan_error *err);
gan_status ckpt_writer_append(ckpt_writer *w, const void *data, size_t len, gan_error *err);
gan_status ckpt_writer_end(ckpt_writer *w, gan_error *err);
gan_status ckpt_writer_commit(ckpt_writer *w, gan_error *err);
void ckpt_writer_abort(ckpt_writer *w);
/* Fault injection: fail (as a write error) once this many bytes of the
 * file have been written; < 0 turns it off. */
void ckpt_file_set_fault(long fail_after_bytes);

/* ---- reader ------------------------------------------------------------
 * open reads the whole file, checks the header, then every section: its
 * lengths against the file and the caps, its payload inflated and its
 * CRC compared; the last section must be 'END ' at the end of the file,
 * and no tag may appear twice.  Every failure is one GAN_ERR_FORMAT (or
 * IO / NOMEM) error naming the file. */
typedef struct ckpt_section {
    uint32_t tag;
    uint8_t *data;      /* (len) uncompressed payload */
    size_t len;
    size_t offset;      /* of the section header in the file */
    size_t clen;        /* compressed bytes */
    uint32_t crc;       /* CRC-32 of data (verified) */
} ckpt_section;

typedef struct ckpt_reader {
    char path[512];
    uint64_t file_size;
    uint32_t version, flags;
    int n;
    ckpt_section *s;    /* (n), in file order, 'END ' included */
} ckpt_reader;

gan_status ckpt_reader_open(ckpt_reader **r, const char *path, gan_error *err);
/* The section with this tag, or NULL. */
const ckpt_section *ckpt_reader_find(const ckpt_reader *r, uint32_t tag);
void ckpt_reader_free(ckpt_reader *r);

/* ---- payload encoding (little-endian) ------------------------------- */
typedef struct ckpt_buf {
    uint8_t *p;
    size_t len, cap;
    int oom;            /* an append failed; the buffer is unusable */
    /* optional sink: once len would pass CKPT_BUF_FLUSH the bytes go to
     * ckpt_writer_append(sink) and the buffer starts over, so encoding a
     * section takes bounded memory; a failed append sets st (and err) */
    ckpt_writer *sink;
    gan_error *err;
    gan_status st;
} ckpt_buf;
#define CKPT_BUF_FLUSH ((size_t)1 << 20)

void ckpt_buf_free(ckpt_buf *b);
/* Hand what b holds to its sink (no-op without one); returns b->st. */
gan_status ckpt_buf_flush(ckpt_buf *b);
void ckpt_put_bytes(ckpt_buf *b, const void *p, size_t n);
void ckpt_put_u32(ckpt_buf *b, uint32_t v);
void ckpt_put_u64(ckpt_buf *b, uint64_t v);
void ckpt_put_f32(ckpt_buf *b, float v);
void ckpt_put_f32s(ckpt_buf *b, const float *x, size_t n);
/* u32 length, then the bytes (no NUL) */
void ckpt_put_str(ckpt_buf *b, const char *s);

/* A bounded cursor: a read past the end sets bad and yields zeros. */
typedef struct ckpt_cur {
    const uint8_t *p;
    size_t len, pos;
    int bad;
} ckpt_cur;

uint32_t ckpt_get_u32(ckpt_cur *c);
uint64_t ckpt_get_u64(ckpt_cur *c);
float ckpt_get_f32(ckpt_cur *c);
/* n floats into x (which may be NULL to skip them) */
void ckpt_get_f32s(ckpt_cur *c, float *x, size_t n);
/* pointer to the next n bytes (NULL and bad when fewer remain) */
const uint8_t *ckpt_get_bytes(ckpt_cur *c, size_t n);
/* a u32-length string into a malloc'd NUL-terminated copy (NULL and bad
 * when truncated; NULL and *oom on allocation failure) */
char *ckpt_get_str(ckpt_cur *c, int *oom);

/* FNV-1a, 64-bit (offset basis 0xcbf29ce484222325, prime 0x100000001b3) */
uint64_t ckpt_fnv1a64(const void *p, size_t n);

#endif
