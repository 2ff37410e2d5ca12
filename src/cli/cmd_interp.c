/* cmd_interp.c - ganrun interpolate: the generator's samples along a
 * walk through its noise space between seeded noise vectors
 * (gan_trainer_interpolate, src/train/sample.c) as a PNG strip.
 *
 * The noise of seed s is the first vector `ganrun sample --seed s` draws,
 * so the strip's ends are those samples.  Row 0 interpolates linearly
 * (lerp), row 1 spherically (slerp); each consecutive pair of seeds gets
 * `steps` points from t = 0 to t = 1, the shared ends drawn once:
 * (nseeds - 1) * (steps - 1) + 1 columns.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

#define MAX_SEEDS 64

/* "1,2,3" -> seeds; the count, or -1 when malformed */
static int parse_seeds(const char *s, long *seeds)
{
    int n = 0;
    char buf[32];
    while (*s) {
        const char *c = strchr(s, ',');
        size_t len = c ? (size_t)(c - s) : strlen(s);
        if (len == 0 || len >= sizeof buf || n >= MAX_SEEDS) return -1;
        memcpy(buf, s, len);
        buf[len] = 0;
        long v = cli_parse_long(buf);
        if (v < 0) return -1;
        seeds[n++] = v;
        s += len;
        if (*s == ',' && !*++s) return -1;   /* trailing comma */
    }
    return n;
}

int cmd_interpolate(int argc, char **argv)
{
    const char *src = NULL, *outfile = "interpolate.png";
    long seeds[MAX_SEEDS] = { 1, 2, 3 };
    int nseeds = 3;
    long steps = 8;
    int no_ema = 0, force = 0;
    const char *seedlist = NULL;
    const cli_opt opts[] = {
        { "-o", NULL, CLI_STR, &outfile, 0, 0, NULL },
        { "--seeds", NULL, CLI_STR, &seedlist, 0, 0, NULL },
        { "--steps", NULL, CLI_LONG, &steps, 2, 1000, "2..1000" },
        { "--no-ema", NULL, CLI_FLAG, &no_ema, 0, 0, NULL },
        { "--force", NULL, CLI_FLAG, &force, 0, 0, NULL },
        { NULL, NULL, CLI_FLAG, NULL, 0, 0, NULL },
    };
    int usage = cli_parse("interpolate", argc, argv, opts, NULL, &src, 1, NULL, "run directory or checkpoint");
    if (usage != EXIT_OK) return usage;
    if (seedlist && (nseeds = parse_seeds(seedlist, seeds)) < 2)
        return cli_usage("interpolate", "bad value '%s' for --seeds (expected two or more "
                         "seeds >= 0, comma-separated, at most %d)", seedlist, MAX_SEEDS);
    size_t olen = strlen(outfile);
    if (olen < 4 || strcmp(outfile + olen - 4, ".png"))
        return cli_usage("interpolate", "output '%s' must end in .png", outfile);
    if (cli_output_ok(outfile, GAN_OUT_PNG, force) != EXIT_OK) return EXIT_ERR;

    char path[1200];
    gan_trainer *t = cli_load(src, no_ema, path, sizeof path);
    if (!t) return EXIT_ERR;
    gan_error err;
    gan_error_clear(&err);
    int cols = (nseeds - 1) * ((int)steps - 1) + 1, rc = EXIT_OK;
    float *x = NULL;
    if (gan_trainer_interpolate(t, seeds, nseeds, (int)steps, &x, &err) != GAN_OK ||
        gan_png_write_grid(outfile, x, 2 * cols, t->cfg.data_shape, cols, &err) != GAN_OK) {
        cli_error(&err);
        rc = EXIT_ERR;
    }
    gan_free_floats(x);
    gan_trainer_free(t);
    return rc;
}
