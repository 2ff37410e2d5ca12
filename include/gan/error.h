/* gan/error.h - errors as values.
 *
 * Every fallible libgan function returns a gan_status and, on failure, fills
 * a caller-owned struct gan_error.  The library never prints and never exits;
 * the CLI formats the error with gan_error_format() and chooses the exit code.
 */
#ifndef GAN_ERROR_H
#define GAN_ERROR_H

#include "gan/api.h"

#include <stddef.h>

typedef enum gan_status {
    GAN_OK = 0,
    GAN_ERR_NOMEM,       /* allocation failed */
    GAN_ERR_INVALID,     /* invalid argument or model-file value */
    GAN_ERR_IO,          /* open/read/write/rename failed */
    GAN_ERR_FORMAT,      /* malformed file contents (bad magic, CRC, truncation) */
    GAN_ERR_SHAPE,       /* shapes do not fit together */
    GAN_ERR_NUMERIC,     /* NaN or infinity met */
    GAN_ERR_INTERRUPTED, /* stopped by a signal */
    GAN_ERR_BUSY,        /* held by another process (a locked run directory) */
    GAN_ERR_EXISTS       /* would overwrite something that exists (a run directory's run) */
} gan_status;

typedef struct gan_error {
    gan_status code;
    char file[512];   /* source the error is about, "" if none */
    int line, col;    /* 1-based; 0 when unknown */
    char msg[768];    /* what is wrong (what was expected) */
} gan_error;

/* Clear e (may be NULL). */
GAN_API void gan_error_clear(gan_error *e);

/* Fill e (may be NULL) with code and a printf-style message; returns code,
 * so callers can write `return gan_error_set(err, GAN_ERR_IO, "...")`. */
GAN_API gan_status gan_error_set(gan_error *e, gan_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Same, with the file (and line/col; pass 0 for none) the error is about. */
GAN_API gan_status gan_error_at(gan_error *e, gan_status code, const char *file,
                        int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* "FILE:LINE:COL: error: MSG", "FILE: error: MSG" or "error: MSG" into buf. */
GAN_API void gan_error_format(const gan_error *e, char *buf, size_t n);

/* Short name of a status ("out of memory", ...). */
GAN_API const char *gan_status_str(gan_status s);

/* Memory: NULL on overflow of n*size or allocation failure.  All libgan
 * allocations of float buffers go through these (64-byte aligned). */
GAN_API void *gan_alloc_floats(size_t n);          /* zeroed, aligned */
GAN_API void gan_free_floats(void *p);

#endif
