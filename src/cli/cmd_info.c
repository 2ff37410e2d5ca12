/* cmd_info.c - `ganrun info CHECKPOINT`: what a checkpoint holds
 * (gan_ckpt_info). */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

int cmd_info(int argc, char **argv)
{
    const char *ckpt = NULL;
    int model = 0;
    const cli_opt opts[] = {
        { "--model", NULL, CLI_FLAG, &model, 0, 0, NULL },
        { NULL, NULL, CLI_FLAG, NULL, 0, 0, NULL },
    };
    int rc = cli_parse("info", argc, argv, opts, NULL, &ckpt, 1, NULL, "checkpoint");
    if (rc != EXIT_OK) return rc;
    char path[1200];
    cli_ckpt_path(ckpt, path, sizeof path);
    gan_error err;
    gan_error_clear(&err);
    if (gan_ckpt_info(path, stdout, model, &err) != GAN_OK) {
        cli_error(&err);
        return EXIT_ERR;
    }
    return EXIT_OK;
}
