/* common.c - what every subcommand uses: its error line, its usage
 * message (from main.c's table of subcommands, handed over at start), the
 * output-path guard, numbers and checkpoint paths from arguments. */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli/cli.h"

/* main.c's table (cli_set_subcommands): a pointer, not a call up */
static const cli_subcommand *subs;
static int nsubs;

/* Data-parallel runs (gan/dist.h) agree on their errors first, so only
 * rank 0 prints them. */
const char *cli_esc(const char *s)
{
    static char buf[4][2048];
    static int k;
    char *o = buf[k = (k + 1) % 4];
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && n + 5 < sizeof buf[0]; p++) {
        if (*p >= 0x20 && *p != 0x7f) o[n++] = (char)*p;
        else if (*p == '\n') o[n++] = '\\', o[n++] = 'n';
        else if (*p == '\t') o[n++] = '\\', o[n++] = 't';
        else if (*p == '\r') o[n++] = '\\', o[n++] = 'r';
        else n += (size_t)snprintf(o + n, 5, "\\x%02x", *p);
    }
    o[n] = 0;
    return o;
}

void cli_error(const gan_error *e)
{
    if (gan_dist_rank() != 0) return;
    char buf[2048];
    gan_error_format(e, buf, sizeof buf);
    fprintf(stderr, "%s\n", cli_esc(buf));   /* a file name with a newline stays one line */
}

void cli_warn_nonfinite(const char *path, const char *which, const gan_net *net)
{
    size_t bad = 0, total = net->nparams + net->nbufs;
    for (size_t i = 0; i < net->nparams; i++) bad += !isfinite(net->params[i]);
    for (size_t i = 0; i < net->nbufs; i++) bad += !isfinite(net->bufs[i]);
    if (bad && gan_dist_rank() == 0)
        fprintf(stderr, "%s: warning: %zu of the %s's %zu parameters and buffers are NaN or infinite "
                "(a run that diverged?): its outputs may be NaN\n", path, bad, which, total);
}

int cli_output_ok(const char *path, gan_out_kind kind, int force)
{
    gan_error err;
    gan_error_clear(&err);
    if (gan_output_check(path, kind, force, &err) == GAN_OK) return EXIT_OK;
    cli_error(&err);
    return EXIT_ERR;
}

void cli_set_subcommands(const cli_subcommand *table, int n)
{
    subs = table;
    nsubs = n;
}

const cli_subcommand *cli_find_sub(const char *name)
{
    for (int i = 0; i < nsubs; i++)
        if (strcmp(subs[i].name, name) == 0) return &subs[i];
    return NULL;
}

void cli_print_usage(FILE *f)
{
    fprintf(f, "usage:\n");
    for (int i = 0; i < nsubs; i++) fprintf(f, "  %s\n", subs[i].synopsis);
    fprintf(f, "  ganrun help [SUBCOMMAND]\n  ganrun --version\n");
}

int cli_usage(const char *sub, const char *fmt, ...)
{
    if (gan_dist_rank() != 0) return EXIT_USAGE;
    va_list ap;
    char msg[2048];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "ganrun: %s\n", cli_esc(msg));
    const cli_subcommand *s = sub ? cli_find_sub(sub) : NULL;
    if (s) fprintf(stderr, "usage: %s\n", s->synopsis);
    else cli_print_usage(stderr);
    return EXIT_USAGE;
}

long cli_parse_long(const char *s)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < 0) return -1;
    return v;
}

gan_trainer *cli_load(const char *arg, int no_ema, char *path, size_t n)
{
    cli_ckpt_path(arg, path, n);
    gan_error err;
    gan_error_clear(&err);
    gan_trainer *t;
    if (gan_ckpt_load(&t, path, 0, &err) == GAN_OK) {
        t->cfg.no_ema = no_ema;
        return t;
    }
    cli_error(&err);
    return NULL;
}

void cli_ckpt_path(const char *arg, char *buf, size_t n)
{
    struct stat st;
    if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) snprintf(buf, n, "%s/latest.ckpt", arg);
    else snprintf(buf, n, "%s", arg);
}

gan_model_spec *cli_model_load(const char *file, const cli_model_args *m)
{
    gan_error err;
    gan_error_clear(&err);
    gan_model_spec *spec;
    if (gan_model_load(&spec, file, m->sets, m->nsets, &err) == GAN_OK) return spec;
    cli_error(&err);
    return NULL;
}
