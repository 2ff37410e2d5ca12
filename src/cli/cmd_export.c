/* cmd_export.c - ganrun export: a run's generator (or discriminator) as an
 * ONNX model (gan_export_onnx, gan/export.h); without ONNX support in
 * libgan it says so. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "gan/export.h"

int cmd_export(int argc, char **argv)
{
    const char *src = NULL, *out = NULL;
    int no_ema = 0, disc = 0, force = 0;
    const cli_opt opts[] = {
        { "-o", NULL, CLI_STR, &out, 0, 0, NULL },
        { "--no-ema", NULL, CLI_FLAG, &no_ema, 0, 0, NULL },
        { "--discriminator", NULL, CLI_FLAG, &disc, 0, 0, NULL },
        { "--force", NULL, CLI_FLAG, &force, 0, 0, NULL },
        { NULL, NULL, CLI_FLAG, NULL, 0, 0, NULL },
    };
    int usage = cli_parse("export", argc, argv, opts, NULL, &src, 1, NULL, "run directory or checkpoint");
    if (usage != EXIT_OK) return usage;
    if (!out) return cli_usage("export", "missing -o FILE.onnx");
    if (cli_output_ok(out, GAN_OUT_ONNX, force) != EXIT_OK) return EXIT_ERR;
    if (!gan_export_onnx_supported()) {
        fprintf(stderr, "ganrun export: error: this ganrun was built without ONNX support (configure needs "
                "protoc-c, libprotobuf-c and onnx.proto: Debian packages protobuf-c-compiler, "
                "libprotobuf-c-dev, libonnx-dev)\n");
        return EXIT_ERR;
    }
    char path[1200];
    gan_trainer *t = cli_load(src, no_ema, path, sizeof path);
    if (!t) return EXIT_ERR;
    gan_error err;
    gan_error_clear(&err);
    /* the weights `ganrun sample` uses: averaged unless --no-ema (G only) */
    int swapped = disc ? 0 : gan_trainer_ema_swap(t);
    cli_warn_nonfinite(path, disc ? "discriminator" : "generator", disc ? t->D : t->G);
    gan_status st = gan_export_onnx(t, disc, out, &err);
    if (swapped) gan_trainer_ema_swap(t);
    int rc = EXIT_OK;
    if (st != GAN_OK) {
        if (err.file[0]) cli_error(&err);
        else fprintf(stderr, "ganrun export: error: %s\n", err.msg);
        rc = EXIT_ERR;
    } else {
        fprintf(stderr, "ganrun: wrote %s (%s of %s at step %ld%s)\n", out, disc ? "discriminator" : "generator",
                t->cfg.spec->name, t->state.step, swapped ? ", averaged weights" : "");
    }
    gan_trainer_free(t);
    return rc;
}
