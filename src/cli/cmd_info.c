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
    int model = 0;
    const cli_opt opts[] = {
        { "--model", NULL, CLI_FLAG, &model, 0, 0, NULL },
        { NULL, NULL, CLI_FLAG, NULL, 0, 0, NULL },
    };
    char path[1200];
    int rc = cli_parse_ckpt("info", argc, argv, opts, path, sizeof path);
    if (rc != EXIT_OK) return rc;
    gan_error err;
    gan_error_clear(&err);
    if (gan_ckpt_info(path, stdout, model, &err) != GAN_OK) {
        cli_error(&err);
        return EXIT_ERR;
    }
    return EXIT_OK;
}
