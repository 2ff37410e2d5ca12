/* error.c - errors as values, aligned float allocation. */
#include "config.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "gan/gan.h"

void gan_error_clear(gan_error *e)
{
    if (e) memset(e, 0, sizeof *e);
}

static gan_status vset(gan_error *e, gan_status code, const char *file, int line,
                       int col, const char *fmt, va_list ap)
{
    if (!e) return code;
    e->code = code;
    snprintf(e->file, sizeof e->file, "%s", file ? file : "");
    e->line = line;
    e->col = col;
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    return code;
}

gan_status gan_error_set(gan_error *e, gan_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset(e, code, NULL, 0, 0, fmt, ap);
    va_end(ap);
    return code;
}

gan_status gan_error_at(gan_error *e, gan_status code, const char *file, int line,
                        int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset(e, code, file, line, col, fmt, ap);
    va_end(ap);
    return code;
}

void gan_error_format(const gan_error *e, char *buf, size_t n)
{
    if (e->file[0] && e->line > 0)
        snprintf(buf, n, "%s:%d:%d: error: %s", e->file, e->line, e->col, e->msg);
    else if (e->file[0])
        snprintf(buf, n, "%s: error: %s", e->file, e->msg);
    else
        snprintf(buf, n, "error: %s", e->msg);
}

const char *gan_status_str(gan_status s)
{
    switch (s) {
    case GAN_OK: return "success";
    case GAN_ERR_NOMEM: return "out of memory";
    case GAN_ERR_INVALID: return "invalid value";
    case GAN_ERR_IO: return "input/output error";
    case GAN_ERR_FORMAT: return "malformed file";
    case GAN_ERR_SHAPE: return "shape mismatch";
    case GAN_ERR_NUMERIC: return "non-finite value";
    case GAN_ERR_INTERRUPTED: return "interrupted";
    case GAN_ERR_BUSY: return "in use";
    case GAN_ERR_EXISTS: return "already exists";
    }
    return "unknown error";
}

void *gan_alloc_floats(size_t n)
{
    if (n == 0) n = 1;
    if (n > (SIZE_MAX - 63) / sizeof(float)) return NULL;
    size_t bytes = (n * sizeof(float) + 63) & ~(size_t)63;
    void *p = NULL;
    if (posix_memalign(&p, 64, bytes) != 0) return NULL;
    memset(p, 0, bytes);
    return p;
}

void gan_free_floats(void *p)
{
    free(p);
}

const char *gan_version(void)
{
    return PACKAGE_VERSION;
}
