/* ckpt_enc.c - little-endian fields inside checkpoint payloads.
 *
 * Writers append to a growable ckpt_buf; readers walk a ckpt_cur that
 * never reads past its end (a short read sets `bad` and yields zeros, so a
 * decoder checks once at the end instead of after every field).  Floats
 * travel as the little-endian bytes of their IEEE-754 bit pattern, so a
 * checkpoint restores exactly the bits that were saved.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "ckpt/ckpt_file.h"

uint64_t ckpt_fnv1a64(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* ---- ckpt_buf ---------------------------------------------------------- */

void ckpt_buf_free(ckpt_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

gan_status ckpt_buf_flush(ckpt_buf *b)
{
    if (b->sink && b->st == GAN_OK && b->len) b->st = ckpt_writer_append(b->sink, b->p, b->len, b->err);
    b->len = 0;
    return b->st;
}

/* room for n more bytes; returns the write position or NULL */
static uint8_t *reserve(ckpt_buf *b, size_t n)
{
    if (b->oom || b->st != GAN_OK) return NULL;
    if (b->sink && b->len && b->len + n > CKPT_BUF_FLUSH && ckpt_buf_flush(b) != GAN_OK) return NULL;
    if (n > SIZE_MAX - b->len) goto fail;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n) {
            if (cap > SIZE_MAX / 2) {
                cap = b->len + n;
                break;
            }
            cap *= 2;
        }
        uint8_t *p = realloc(b->p, cap);
        if (!p) goto fail;
        b->p = p;
        b->cap = cap;
    }
    uint8_t *at = b->p + b->len;
    b->len += n;
    return at;
fail:
    b->oom = 1;
    return NULL;
}

static void put_le(uint8_t *at, uint64_t v, int nbytes)
{
    for (int i = 0; i < nbytes; i++) at[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *at, int nbytes)
{
    uint64_t v = 0;
    for (int i = 0; i < nbytes; i++) v |= (uint64_t)at[i] << (8 * i);
    return v;
}

void ckpt_put_bytes(ckpt_buf *b, const void *p, size_t n)
{
    uint8_t *at = reserve(b, n);
    if (at && n) memcpy(at, p, n);
}

void ckpt_put_u32(ckpt_buf *b, uint32_t v)
{
    uint8_t *at = reserve(b, 4);
    if (at) put_le(at, v, 4);
}

void ckpt_put_u64(ckpt_buf *b, uint64_t v)
{
    uint8_t *at = reserve(b, 8);
    if (at) put_le(at, v, 8);
}

void ckpt_put_f32(ckpt_buf *b, float v)
{
    uint32_t u;
    memcpy(&u, &v, 4);
    ckpt_put_u32(b, u);
}

void ckpt_put_f32s(ckpt_buf *b, const float *x, size_t n)
{
    if (n > SIZE_MAX / 4) {
        b->oom = 1;
        return;
    }
    /* in pieces, so a sink keeps the buffer at CKPT_BUF_FLUSH bytes */
    size_t piece = b->sink ? CKPT_BUF_FLUSH / 4 : n;
    for (size_t done = 0, k; done < n; done += k) {
        k = n - done < piece ? n - done : piece;
        uint8_t *at = reserve(b, 4 * k);
        if (!at) return;
        for (size_t i = 0; i < k; i++) {
            uint32_t u;
            memcpy(&u, &x[done + i], 4);
            put_le(at + 4 * i, u, 4);
        }
    }
}

void ckpt_put_str(ckpt_buf *b, const char *s)
{
    size_t n = strlen(s);
    if (n > UINT32_MAX) {
        b->oom = 1;
        return;
    }
    ckpt_put_u32(b, (uint32_t)n);
    ckpt_put_bytes(b, s, n);
}

/* ---- ckpt_cur ---------------------------------------------------------- */

const uint8_t *ckpt_get_bytes(ckpt_cur *c, size_t n)
{
    if (c->bad || n > c->len - c->pos) {
        c->bad = 1;
        return NULL;
    }
    const uint8_t *at = c->p + c->pos;
    c->pos += n;
    return at;
}

uint32_t ckpt_get_u32(ckpt_cur *c)
{
    const uint8_t *at = ckpt_get_bytes(c, 4);
    return at ? (uint32_t)get_le(at, 4) : 0;
}

uint64_t ckpt_get_u64(ckpt_cur *c)
{
    const uint8_t *at = ckpt_get_bytes(c, 8);
    return at ? get_le(at, 8) : 0;
}

float ckpt_get_f32(ckpt_cur *c)
{
    uint32_t u = ckpt_get_u32(c);
    float v;
    memcpy(&v, &u, 4);
    return v;
}

void ckpt_get_f32s(ckpt_cur *c, float *x, size_t n)
{
    const uint8_t *at = n <= SIZE_MAX / 4 ? ckpt_get_bytes(c, 4 * n) : NULL;
    if (!at) {
        c->bad = 1;
        return;
    }
    if (!x) return;
    for (size_t i = 0; i < n; i++) {
        uint32_t u = (uint32_t)get_le(at + 4 * i, 4);
        memcpy(&x[i], &u, 4);
    }
}

char *ckpt_get_str(ckpt_cur *c, int *oom)
{
    uint32_t n = ckpt_get_u32(c);
    const uint8_t *at = ckpt_get_bytes(c, n);
    if (!at) return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s) {
        *oom = 1;
        return NULL;
    }
    memcpy(s, at, n);
    s[n] = '\0';
    return s;
}
