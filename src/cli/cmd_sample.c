/* cmd_sample.c - `ganrun sample`, and the options and drawing it shares
 * with `ganrun eval` (cmd_eval.c): a checkpoint's samples from seeds or
 * --latents, of --class K or --labels. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli/cli.h"
static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

int cli_sample_parse(const char *sub, int argc, char **argv, sample_args *a)
{
    long n = -1;
    const cli_opt common[] = {
        { "-n", NULL, CLI_LONG, &n, 1, 1000000, "1..1000000" },
        { "--seed", NULL, CLI_LONG, &a->seed, 0, 9e18, "an integer >= 0" },
        { "-o", NULL, CLI_STR, &a->outfile, 0, 0, NULL },
        { "--no-ema", NULL, CLI_FLAG, &a->no_ema, 0, 0, NULL },
    };
    const cli_opt sample_only[] = {
        { "--class", NULL, CLI_LONG, &a->cls, 0, 65535, "a class number" },
        { "--latents", NULL, CLI_STR, &a->latents, 0, 0, NULL },
        { "--labels", NULL, CLI_STR, &a->labels, 0, 0, NULL },
        { "--latents-out", NULL, CLI_STR, &a->latents_out, 0, 0, NULL },
        { "--truncation", NULL, CLI_DOUBLE, &a->truncation, 0.05, 100, "0.05..100 standard deviations" },
        { "--force", NULL, CLI_FLAG, &a->force, 0, 0, NULL },
    };
    const cli_opt eval_only[] = {
        { "--classifier", NULL, CLI_STR, &a->clf, 0, 0, NULL },
        { "--real", NULL, CLI_STR, &a->real, 0, 0, NULL },
        { "--generated", NULL, CLI_STR, &a->m.generated, 0, 0, NULL },
        { "--train", NULL, CLI_STR, &a->m.train, 0, 0, NULL },
        { "--features-out", NULL, CLI_STR, &a->m.features_out, 0, 0, NULL },
        { "--real-max", NULL, CLI_LONG, &a->m.real_max, 0, 1e8, "an integer >= 0 (0: all)" },
        { "--force", NULL, CLI_FLAG, &a->force, 0, 0, NULL },
    };
    cli_opt opts[16];
    int k = 0;
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
        if (strcmp(sub, "eval") || strcmp(common[i].name, "-o")) opts[k++] = common[i];   /* eval writes no file */
    if (!strcmp(sub, "sample"))
        for (size_t i = 0; i < sizeof sample_only / sizeof sample_only[0]; i++) opts[k++] = sample_only[i];
    else
        for (size_t i = 0; i < sizeof eval_only / sizeof eval_only[0]; i++) opts[k++] = eval_only[i];
    opts[k] = (cli_opt){ NULL, NULL, CLI_FLAG, NULL, 0, 0, NULL };
    int npos = 0, is_eval = !strcmp(sub, "eval");
    int rc = cli_parse(sub, argc, argv, opts, NULL, &a->src, 1, &npos, is_eval ? NULL : "run directory or checkpoint");
    if (rc != EXIT_OK) return rc;
    if (is_eval && !npos && !a->m.generated) return cli_usage(sub, "missing run directory or checkpoint (or --generated DIR)");
    if (is_eval && npos && a->m.generated) return cli_usage(sub, "give a run or --generated DIR, not both");
    if (n > 0) a->n = n, a->n_set = 1;
    if (a->latents && a->truncation > 0) return cli_usage(sub, "--truncation applies to drawn noise, not to --latents");
    if (a->labels && a->cls >= 0) return cli_usage(sub, "give --labels or --class, not both");
    if (a->latents_out && !ends_with(a->latents_out, ".npy") && !ends_with(a->latents_out, ".csv"))
        return cli_usage(sub, "--latents-out '%s' must end in .npy or .csv", a->latents_out);
    return EXIT_OK;
}

/* The class of each of the n samples into *yp (NULL for an unconditional
 * model): --labels FILE, --class K, or class r mod K on grid row r. */
static int sample_labels(const sample_args *a, const gan_trainer *t, long n, int **yp)
{
    *yp = NULL;
    if (!t->classes) {
        if (!a->labels && a->cls < 0) return EXIT_OK;
        fprintf(stderr, "%s: error: %s but the model has no classes (data.classes is 0)\n", a->src,
                a->labels ? "--labels" : "--class");
        return EXIT_ERR;
    }
    gan_error err;
    gan_error_clear(&err);
    int *y = NULL;
    if (a->labels) {
        long m;
        if (gan_labels_read(a->labels, &y, &m, &err) != GAN_OK) {
            cli_error(&err);
            return EXIT_ERR;
        }
        for (long i = 0; i < m && m == n; i++)
            if (y[i] >= t->classes) {
                fprintf(stderr, "%s: error: label %ld is %d but the model has %d classes (expected 0..%d)\n",
                        a->labels, i + 1, y[i], t->classes, t->classes - 1);
                free(y);
                return EXIT_ERR;
            }
        if (m != n) {
            fprintf(stderr, "%s: error: %ld labels for %ld samples (expected one per sample)\n", a->labels, m, n);
            free(y);
            return EXIT_ERR;
        }
    } else if (a->cls >= t->classes) {
        fprintf(stderr, "%s: error: --class %ld but the model has fewer classes (expected 0..%d)\n", a->src,
                a->cls, t->classes - 1);
        return EXIT_ERR;
    } else if ((y = malloc((size_t)n * sizeof *y))) {
        if (a->cls >= 0)
            for (long i = 0; i < n; i++) y[i] = (int)a->cls;
        else gan_cond_grid_labels(y, (int)n, (int)ceil(sqrt((double)n)), t->classes);
    }
    if (!y) {
        fprintf(stderr, "ganrun: error: out of memory for %ld labels\n", n);
        return EXIT_ERR;
    }
    *yp = y;
    return EXIT_OK;
}

/* The noise z (n, dim): --latents FILE (n its rows), else drawn from the
 * seed's stream as gan_trainer_sample draws it. */
static int sample_noise(sample_args *a, const gan_trainer *t, float **zp)
{
    int Z = t->spec->noise.dim;
    gan_error err;
    gan_error_clear(&err);
    *zp = NULL;
    if (a->latents) {
        long rows, cols;
        if (gan_matrix_read(a->latents, zp, &rows, &cols, &err) != GAN_OK) {
            cli_error(&err);
            return EXIT_ERR;
        }
        const char *why = cols != Z ? "dim" : rows > 1000000 ? "rows" : a->n_set && rows != a->n ? "n" : NULL;
        if (why) {
            if (*why == 'd')
                fprintf(stderr, "%s: error: latent vectors of %ld values but the model's noise.dim is %d\n",
                        a->latents, cols, Z);
            else if (*why == 'r')
                fprintf(stderr, "%s: error: %ld latent vectors (at most 1000000)\n", a->latents, rows);
            else
                fprintf(stderr, "%s: error: %ld latent vectors but -n %ld\n", a->latents, rows, a->n);
            gan_free_floats(*zp);
            *zp = NULL;
            return EXIT_ERR;
        }
        a->n = rows;
        return EXIT_OK;
    }
    if (!(*zp = gan_alloc_floats((size_t)a->n * Z))) {
        fprintf(stderr, "ganrun: error: out of memory for %ld samples\n", a->n);
        return EXIT_ERR;
    }
    gan_trainer_seed_noise(t, (uint64_t)a->seed, (int)a->n, t->truncation, *zp);
    return EXIT_OK;
}

/* load a checkpoint and draw a->n samples (a->n set from --latents);
 * *out malloc'd (n, shape) */
int cli_sample_draw(sample_args *a, gan_trainer **tp, float **out)
{
    char path[1200];
    *out = NULL;
    gan_trainer *t = *tp = cli_load(a->src, path, sizeof path);
    if (!t) return EXIT_ERR;
    gan_error err;
    gan_error_clear(&err);
    t->no_ema = a->no_ema;
    int swapped = gan_trainer_ema_swap(t);   /* the weights the samples come from */
    cli_warn_nonfinite(path, "generator", t->G);
    if (swapped) gan_trainer_ema_swap(t);
    t->truncation = (float)a->truncation;
    float *z = NULL;
    int *labels = NULL;
    int rc = sample_noise(a, t, &z);
    if (rc == EXIT_OK) rc = sample_labels(a, t, a->n, &labels);
    if (rc == EXIT_OK && !(*out = gan_alloc_floats((size_t)a->n * gan_shape_size(t->data_shape)))) {
        fprintf(stderr, "ganrun: error: out of memory for %ld samples\n", a->n);
        rc = EXIT_ERR;
    }
    if (rc == EXIT_OK && gan_trainer_generate(t, z, labels, (int)a->n, *out, &err) != GAN_OK) rc = EXIT_ERR;
    if (rc == EXIT_OK && a->latents_out) {
        long shape[2] = { a->n, t->spec->noise.dim };
        gan_shape zs = { 1, { t->spec->noise.dim, 0, 0 } };
        gan_status st = ends_with(a->latents_out, ".npy") ? gan_npy_write(a->latents_out, z, 2, shape, &err)
                                                          : gan_csv_write(a->latents_out, z, (int)a->n, zs, &err);
        if (st != GAN_OK) rc = EXIT_ERR;
    }
    if (rc != EXIT_OK && err.msg[0]) cli_error(&err);
    gan_free_floats(z);
    free(labels);
    return rc;
}

int cmd_sample(int argc, char **argv)
{
    sample_args a = { NULL, "samples.png", 64, 1, -1, NULL, NULL, 0, 0.0, NULL, NULL, NULL, 0, 0, { 0 } };
    int rc = cli_sample_parse("sample", argc, argv, &a);
    if (rc != EXIT_OK) return rc;
    int fmt = ends_with(a.outfile, ".png") ? 0 : ends_with(a.outfile, ".csv") ? 1
            : (ends_with(a.outfile, ".idx") || ends_with(a.outfile, "-ubyte")) ? 2
            : ends_with(a.outfile, ".npy") ? 3 : -1;
    /* a folder: a trailing slash, or an existing folder not named like a file */
    size_t len = strlen(a.outfile);
    struct stat sb;
    if ((len && a.outfile[len - 1] == '/') || (fmt < 0 && stat(a.outfile, &sb) == 0 && S_ISDIR(sb.st_mode))) {
        gan_trainer *t = NULL;   /* -o DIR/: one PNG per sample */
        float *x = NULL;
        if (a.latents_out && cli_output_ok(a.latents_out, ends_with(a.latents_out, ".npy") ? GAN_OUT_NPY : GAN_OUT_CSV,
                                           a.force) != EXIT_OK)
            return EXIT_ERR;
        rc = cli_sample_draw(&a, &t, &x);
        if (rc == EXIT_OK) rc = cli_sample_dir(a.outfile, x, a.n, t->data_shape, a.force);
        gan_free_floats(x);
        gan_trainer_free(t);
        return rc;
    }
    if (fmt < 0) return cli_usage("sample", "output '%s' must end in .png, .csv, .idx, -ubyte, .npy or / (a folder)", a.outfile);
    static const gan_out_kind kinds[4] = { GAN_OUT_PNG, GAN_OUT_CSV, GAN_OUT_IDX, GAN_OUT_NPY };
    if (cli_output_ok(a.outfile, kinds[fmt], a.force) != EXIT_OK ||
        (a.latents_out && cli_output_ok(a.latents_out, ends_with(a.latents_out, ".npy") ? GAN_OUT_NPY : GAN_OUT_CSV,
                                        a.force) != EXIT_OK))
        return EXIT_ERR;
    gan_trainer *t = NULL;
    float *x = NULL;
    rc = cli_sample_draw(&a, &t, &x);
    if (rc == EXIT_OK) {
        gan_error err;
        gan_error_clear(&err);
        gan_status st;
        int n = (int)a.n;
        if (fmt == 0) st = gan_png_write_grid(a.outfile, x, n, t->data_shape, (int)ceil(sqrt((double)n)), &err);
        else if (fmt == 1) st = gan_csv_write(a.outfile, x, n, t->data_shape, &err);
        else if (fmt == 3) {
            long shape[4] = { n, t->data_shape.d[0], t->data_shape.d[1], t->data_shape.d[2] };
            st = gan_npy_write(a.outfile, x, t->data_shape.rank + 1, shape, &err);
        }
        else st = gan_idx_write(a.outfile, x, n, t->data_shape, &err);
        if (st != GAN_OK) {
            cli_error(&err);
            rc = EXIT_ERR;
        }
    }
    gan_free_floats(x);
    gan_trainer_free(t);
    return rc;
}
