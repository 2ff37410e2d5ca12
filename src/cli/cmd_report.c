/* cmd_report.c - `ganrun report RUN [RUN...] [-o FILE.html]`: the page
 * gan_report_write (gan/report.h, src/report/) makes; the path written on
 * stdout.  Default output: RUN/report.html for one run, report.html in the
 * current directory for several; an existing file of another kind only
 * with --force (gan_output_check). */
#include "config.h"
#include <stdio.h>
#include "cli/cli.h"
#include "gan/report.h"

int cmd_report(int argc, char **argv)
{
    const char *runs[GAN_REPORT_MAX_RUNS], *out = NULL;
    int n = 0, force = 0;
    const cli_opt opts[] = {
        { "-o", NULL, CLI_STR, &out, 0, 0, NULL },
        { "--force", NULL, CLI_FLAG, &force, 0, 0, NULL },
        { NULL, NULL, CLI_FLAG, NULL, 0, 0, NULL },
    };
    int usage = cli_parse("report", argc, argv, opts, NULL, runs, GAN_REPORT_MAX_RUNS, &n, "run directory");
    if (usage != EXIT_OK) return usage;
    char path[1300];
    if (!out) {
        if (n == 1) snprintf(path, sizeof path, "%s/report.html", runs[0]);
        else snprintf(path, sizeof path, "report.html");
        out = path;
    }
    gan_error err;
    gan_error_clear(&err);
    if (gan_report_write(runs, n, out, force, &err) != GAN_OK) {
        cli_error(&err);
        return EXIT_ERR;
    }
    printf("%s\n", out);
    return EXIT_OK;
}
