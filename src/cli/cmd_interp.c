/* cmd_interp.c - ganrun interpolate: walks through the generator's noise
 * space between seeded noise vectors and writes them as a PNG strip.
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
    gan_trainer *t = cli_load(src, path, sizeof path);
    if (!t) return EXIT_ERR;
    gan_error err;
    gan_error_clear(&err);
    t->no_ema = no_ema;
    int Z = t->spec->noise.dim, cols = (nseeds - 1) * ((int)steps - 1) + 1, n = 2 * cols;
    size_t S = gan_shape_size(t->data_shape);
    float *ends = gan_alloc_floats((size_t)nseeds * Z);   /* (nseeds, Z) */
    float *z = gan_alloc_floats((size_t)n * Z);           /* (2, cols, Z) */
    float *x = gan_alloc_floats((size_t)n * S);           /* (2, cols, S) */
    int rc = EXIT_OK;
    if (!ends || !z || !x) {
        fprintf(stderr, "ganrun: error: out of memory\n");
        rc = EXIT_ERR;
    } else {
        for (int k = 0; k < nseeds; k++) gan_trainer_seed_noise(t, (uint64_t)seeds[k], 1, 0.0f, ends + (size_t)k * Z);
        for (int c = 0; c < cols; c++) {
            /* column c: pair k, position j of steps - 1 (the last column is the last seed) */
            int k = c / ((int)steps - 1), j = c % ((int)steps - 1);
            if (k == nseeds - 1) k--, j = (int)steps - 1;
            double u = (double)j / (double)(steps - 1);
            const float *a = ends + (size_t)k * Z, *b = a + Z;
            gan_noise_lerp(z + (size_t)c * Z, a, b, Z, u);
            gan_noise_slerp(z + ((size_t)cols + c) * Z, a, b, Z, u);
        }
        if (gan_trainer_generate(t, z, NULL, n, x, &err) != GAN_OK ||
            gan_png_write_grid(outfile, x, n, t->data_shape, cols, &err) != GAN_OK) {
            cli_error(&err);
            rc = EXIT_ERR;
        }
    }
    gan_free_floats(ends);
    gan_free_floats(z);
    gan_free_floats(x);
    gan_trainer_free(t);
    return rc;
}
