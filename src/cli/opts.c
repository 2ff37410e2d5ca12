/* opts.c - one option parser for every subcommand (cli.h): a table of the
 * options a subcommand takes, the model options (--set, --steps) where a
 * model file is read, and its positional arguments.  An option's value is
 * the next argument; "-" alone is positional (standard input/output). */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

static const cli_opt *find_opt(const cli_opt *opts, const char *a)
{
    for (const cli_opt *o = opts; o && o->name; o++)
        if (!strcmp(a, o->name) || (o->alias && !strcmp(a, o->alias))) return o;
    return NULL;
}

static int set_value(const char *sub, const cli_opt *o, const char *a, const char *v)
{
    char *end;
    switch (o->kind) {
    case CLI_STR:
        *(const char **)o->dst = v;
        return EXIT_OK;
    case CLI_LONG: {
        long x = cli_parse_long(v);
        if (x < 0 || x < (long)o->min || x > (long)o->max)
            return cli_usage(sub, "bad value '%s' for %s (expected %s)", v, a, o->what);
        *(long *)o->dst = x;
        return EXIT_OK;
    }
    case CLI_DOUBLE: {
        errno = 0;
        double x = strtod(v, &end);
        if (!*v || *end || errno || !(x >= o->min && x <= o->max))
            return cli_usage(sub, "bad value '%s' for %s (expected %s)", v, a, o->what);
        *(double *)o->dst = x;
        return EXIT_OK;
    }
    default:
        return cli_usage(sub, "option '%s' takes no value", a);
    }
}

int cli_parse(const char *sub, int argc, char **argv, const cli_opt *opts, cli_model_args *model,
              const char **pos, int maxpos, int *npos, const char *posname)
{
    int n = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--list-options")) {   /* this table, for tests/help.sh */
            for (const cli_opt *o = opts; o && o->name; o++) printf("%s\n", o->name);
            if (model) printf("--set\n--steps\n");
            return EXIT_LISTED;
        }
        const cli_opt *o = a[0] == '-' && a[1] ? find_opt(opts, a) : NULL;
        int is_model = model && (!strcmp(a, "--set") || !strcmp(a, "--steps"));
        if (!o && !is_model && a[0] == '-' && a[1]) return cli_usage(sub, "unknown option '%s'", a);
        if (!o && !is_model) {   /* positional */
            if (n >= maxpos) {
                if (maxpos == 1) return cli_usage(sub, "more than one %s ('%s' and '%s')", posname, pos[0], a);
                return cli_usage(sub, "too many arguments: at most %d (each a %s), '%s' is number %d", maxpos,
                                 posname, a, n + 1);
            }
            pos[n++] = a;
            continue;
        }
        if (o && o->kind == CLI_FLAG) {
            *(int *)o->dst = 1;
            continue;
        }
        if (i + 1 >= argc) return cli_usage(sub, "option '%s' needs a value", a);
        const char *v = argv[++i];
        if (o) {
            int rc = set_value(sub, o, a, v);
            if (rc != EXIT_OK) return rc;
            continue;
        }
        /* --set KEY=VALUE, --steps N (= --set train.steps=N) */
        if (model->nsets >= CLI_MAX_SETS) return cli_usage(sub, "too many --set options");
        if (!strcmp(a, "--set")) {
            model->sets[model->nsets++] = v;
        } else {
            if (cli_parse_long(v) < 1) return cli_usage(sub, "--steps needs a positive integer, not '%s'", v);
            snprintf(model->steps_set, sizeof model->steps_set, "train.steps=%s", v);
            model->sets[model->nsets++] = model->steps_set;
        }
    }
    if (npos) *npos = n;
    if (n == 0 && posname && maxpos > 0) return cli_usage(sub, "missing %s", posname);
    return EXIT_OK;
}

int cli_parse_ckpt(const char *sub, int argc, char **argv, const cli_opt *opts, char *path, size_t n)
{
    const char *ckpt = NULL;
    int rc = cli_parse(sub, argc, argv, opts, NULL, &ckpt, 1, NULL, "checkpoint");
    if (rc == EXIT_OK) cli_ckpt_path(ckpt, path, n);
    return rc;
}
