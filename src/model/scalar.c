/* scalar.c - typed values from YAML scalars, with the model's error style.
 *
 * Numbers are read with strtoll/strtoull/strtod and must use the whole
 * scalar; NaN, infinities and overflow are rejected.  Only plain
 * (unquoted) scalars are numbers or booleans: "5" in quotes is a string.
 */
#include "config.h"
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/schema.h"

gan_status gan_model_err(const mctx *c, const ynode *n, gan_status code, const char *fmt, ...)
{
    char msg[640];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n && n->origin)
        return gan_error_at(c->err, code, "--set", 0, 0, "'%.200s': %s", c->sets[n->origin - 1], msg);
    return gan_error_at(c->err, code, c->file, n ? n->line : 0, n ? n->col : 0, "%s", msg);
}

/* "batch in train", or "seed" at the top level */
static void what(char *buf, size_t n, const char *key, const char *where)
{
    if (where && where[0]) snprintf(buf, n, "%s in %s", key, where);
    else snprintf(buf, n, "%s", key);
}

static void expect_num(char *buf, size_t n, int integer, range r)
{
    const char *a = integer ? "an integer" : "a number";
    if (r.max >= 1e15)
        snprintf(buf, n, "%s %s %.*g", a, r.min_open ? ">" : ">=", integer ? 17 : 6, r.min);
    else if (integer)
        snprintf(buf, n, "%s in %.0f..%.0f", a, r.min, r.max);
    else
        snprintf(buf, n, "%s in %c%g, %g%c", a, r.min_open ? '(' : '[', r.min, r.max,
                 r.max_open ? ')' : ']');
}

static int in_range(double v, range r)
{
    if (r.min_open ? !(v > r.min) : !(v >= r.min)) return 0;
    if (r.max >= 1e15) return 1;
    return r.max_open ? v < r.max : v <= r.max;
}

/* Common checks: a plain, non-empty scalar.  Returns GAN_OK or the error. */
static gan_status need_plain(const mctx *c, const ynode *n, const char *w, const char *exp)
{
    if (n->kind != Y_SCALAR)
        return gan_model_err(c, n, GAN_ERR_INVALID, "%s is not a valid value for %s (expected %s)",
                             ytree_kind_name(n->kind), w, exp);
    if (!n->plain)
        return gan_model_err(c, n, GAN_ERR_INVALID, "quoted value '%.40s' for %s is a string (expected %s)",
                             n->s, w, exp);
    if (ytree_is_null(n))
        return gan_model_err(c, n, GAN_ERR_INVALID, "missing value for %s (expected %s)", w, exp);
    return GAN_OK;
}

gan_status gan_model_get_int(const mctx *c, const ynode *n, const char *key, const char *where,
                             range r, long long *out)
{
    char w[160], exp[96];
    what(w, sizeof w, key, where);
    expect_num(exp, sizeof exp, 1, r);
    gan_status st = need_plain(c, n, w, exp);
    if (st != GAN_OK) return st;
    char *end;
    errno = 0;
    long long v = strtoll(n->s, &end, 10);
    if (end == n->s || *end)
        return gan_model_err(c, n, GAN_ERR_INVALID, "invalid value '%.40s' for %s (expected %s)", n->s, w, exp);
    if (errno == ERANGE || !in_range((double)v, r))
        return gan_model_err(c, n, GAN_ERR_INVALID, "value %.40s out of range for %s (expected %s)", n->s, w, exp);
    *out = v;
    return GAN_OK;
}

gan_status gan_model_get_u64(const mctx *c, const ynode *n, const char *key, const char *where,
                             uint64_t *out)
{
    char w[160];
    const char *exp = "an integer in 0..18446744073709551615";
    what(w, sizeof w, key, where);
    gan_status st = need_plain(c, n, w, exp);
    if (st != GAN_OK) return st;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(n->s, &end, 10);
    if (end == n->s || *end || n->s[0] == '+')
        return gan_model_err(c, n, GAN_ERR_INVALID, "invalid value '%.40s' for %s (expected %s)", n->s, w, exp);
    if (errno == ERANGE || n->s[0] == '-')
        return gan_model_err(c, n, GAN_ERR_INVALID, "value %.40s out of range for %s (expected %s)", n->s, w, exp);
    *out = (uint64_t)v;
    return GAN_OK;
}

gan_status gan_model_get_float(const mctx *c, const ynode *n, const char *key, const char *where,
                               range r, int single, double *out)
{
    char w[160], exp[96];
    what(w, sizeof w, key, where);
    expect_num(exp, sizeof exp, 0, r);
    gan_status st = need_plain(c, n, w, exp);
    if (st != GAN_OK) return st;
    char *end;
    errno = 0;
    double v = strtod(n->s, &end);
    if (end == n->s || *end || isnan(v) || (isinf(v) && errno != ERANGE))
        return gan_model_err(c, n, GAN_ERR_INVALID, "invalid value '%.40s' for %s (expected %s)", n->s, w, exp);
    if ((errno == ERANGE && fabs(v) > 1.0) || (single && fabs(v) > FLT_MAX))
        return gan_model_err(c, n, GAN_ERR_INVALID, "value %.40s out of range for %s (expected %s)", n->s, w, exp);
    if (single) v = (float)v;   /* check the value that will be used */
    if (!in_range(v, r))
        return gan_model_err(c, n, GAN_ERR_INVALID, "value %.40s out of range for %s (expected %s)", n->s, w, exp);
    *out = v;
    return GAN_OK;
}

gan_status gan_model_get_bool(const mctx *c, const ynode *n, const char *key, const char *where, int *out)
{
    char w[160];
    const char *exp = "true or false";
    what(w, sizeof w, key, where);
    gan_status st = need_plain(c, n, w, exp);
    if (st != GAN_OK) return st;
    if (strcmp(n->s, "true") == 0) *out = 1;
    else if (strcmp(n->s, "false") == 0) *out = 0;
    else return gan_model_err(c, n, GAN_ERR_INVALID, "invalid value '%.40s' for %s (expected %s)", n->s, w, exp);
    return GAN_OK;
}

/* "a, b, c" into buf */
static void join(char *buf, size_t n, const char *const *s, int count)
{
    size_t k = 0;
    buf[0] = 0;
    for (int i = 0; i < count && k < n; i++)
        k += (size_t)snprintf(buf + k, n - k, "%s%s", i ? ", " : "", s[i]);
}

gan_status gan_model_get_enum(const mctx *c, const ynode *n, const char *noun, const char *where,
                              const char *const *choices, int *out)
{
    char list[400], hint[96] = "", in[120] = "";
    int count = 0;
    while (choices[count]) count++;
    join(list, sizeof list, choices, count);
    if (where && where[0]) snprintf(in, sizeof in, " in %s", where);
    if (n->kind != Y_SCALAR || ytree_is_null(n))
        return gan_model_err(c, n, GAN_ERR_INVALID, "%s is not a valid %s%s (expected one of: %s)",
                             n->kind != Y_SCALAR ? ytree_kind_name(n->kind) : "an empty value", noun, in, list);
    for (int i = 0; i < count; i++)
        if (strcmp(n->s, choices[i]) == 0) {
            *out = i;
            return GAN_OK;
        }
    const char *s = gan_model_suggest(n->s, choices, count);
    if (s) snprintf(hint, sizeof hint, "; did you mean '%s'?", s);
    return gan_model_err(c, n, GAN_ERR_INVALID, "unknown %s '%.40s'%s (expected one of: %s%s)", noun,
                         n->s, in, list, hint);
}

/* Levenshtein distance of short strings (longer ones: "far") */
static int distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63) return 99;
    int d[64][64];
    for (size_t i = 0; i <= la; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            int del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
    return d[la][lb];
}

const char *gan_model_suggest(const char *s, const char *const *cands, int n)
{
    const char *best = NULL;
    int bestd = strlen(s) <= 3 ? 1 : 2;   /* short words: one edit at most */
    for (int i = 0; i < n; i++) {
        int d = distance(s, cands[i]);
        if (d <= bestd && (!best || d < distance(s, best))) best = cands[i];
    }
    return best;
}

/* YAML 1.1 (PyYAML and other common readers) reads a float only with a
 * '.' in its mantissa: "1e-08" would be a string there, "1.0e-08" is a
 * number everywhere.  %g exponents always carry a sign, as 1.1 wants. */
static void yaml11_float(char *buf, size_t n)
{
    char *e = strchr(buf, 'e');
    if (!e || memchr(buf, '.', (size_t)(e - buf)) || strlen(buf) + 3 > n) return;
    memmove(e + 2, e, strlen(e) + 1);
    e[0] = '.';
    e[1] = '0';
}

void gan_model_fmt_num(char *buf, size_t n, double x, int single)
{
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, n, "%.*g", p, x);
        double y = strtod(buf, NULL);
        if (single ? (float)y == (float)x : y == x) break;
    }
    yaml11_float(buf, n);
}
