/* text.c - the growing text buffer (see text.h). */
#include "config.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/text.h"

/* room for need more bytes and the NUL; 0 after oom */
static int reserve(gan_text *b, size_t need)
{
    if (b->oom) return 0;
    if (b->cap - b->n > need) return 1;
    size_t cap = 2 * b->cap + need + 4096;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return 0;
    }
    b->p = p;
    b->cap = cap;
    return 1;
}

void gan_text_add(gan_text *b, const char *s, size_t n)
{
    if (!reserve(b, n)) return;
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

void gan_text_put(gan_text *b, const char *fmt, ...)
{
    for (;;) {
        if (!reserve(b, 0)) return;
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->oom = 1;
            return;
        }
        if ((size_t)k < b->cap - b->n) {
            b->n += (size_t)k;
            return;
        }
        if (!reserve(b, (size_t)k)) return;
    }
}

char *gan_text_take(gan_text *b)
{
    char *p = NULL;
    if (!b->oom && reserve(b, 0)) p = b->p;
    else free(b->p);
    memset(b, 0, sizeof *b);
    return p;
}

void gan_text_free(gan_text *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}
