/* text.h - private to libgan: the one growing text buffer (the expanded
 * model, the report page, its network drawings).
 *
 * A gan_text starts as { 0 } and is always NUL-terminated once written
 * to; a failed allocation sets oom and makes every later call a no-op, so
 * a writer checks oom once at the end.  gan_text_take hands the string
 * over (NULL after oom, "" when nothing was written).
 */
#ifndef GAN_CORE_TEXT_H
#define GAN_CORE_TEXT_H

#include <stddef.h>

typedef struct gan_text {
    char *p;      /* (cap) the text, p[n] == 0 */
    size_t n, cap;
    int oom;
} gan_text;

/* append the n bytes at s (any bytes, NULs included) */
void gan_text_add(gan_text *b, const char *s, size_t n);
/* append printf(fmt, ...), of any length */
void gan_text_put(gan_text *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* the text, now the caller's to free (NULL after oom); b is empty again */
char *gan_text_take(gan_text *b);
void gan_text_free(gan_text *b);

#endif
