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

/* load a checkpoint and draw a->n samples (a->n set from --latents);
 * *out malloc'd (n, shape) */
int cli_sample_draw(sample_args *a, gan_trainer **tp, float **out)
{
    char path[1200];
    *out = NULL;
    gan_trainer *t = *tp = cli_load(a->src, a->no_ema, path, sizeof path);
    if (!t) return EXIT_ERR;
    gan_error err;
    gan_error_clear(&err);
    int swapped = gan_trainer_ema_swap(t);   /* the weights the samples come from */
    cli_warn_nonfinite(path, "generator", t->G);
    if (swapped) gan_trainer_ema_swap(t);
    t->cfg.truncation = (float)a->truncation;
    float *z = NULL;
    int *labels = NULL, rc = EXIT_OK;
    if (gan_sample_latents(t, a->latents, &a->n, a->n_set, (uint64_t)a->seed, &z, &err) != GAN_OK ||
        gan_sample_labels(t, a->src, a->labels, a->cls, a->n, &labels, &err) != GAN_OK)
        rc = EXIT_ERR;
    if (rc == EXIT_OK && !(*out = gan_alloc_floats((size_t)a->n * gan_shape_size(t->cfg.data_shape)))) {
        gan_error_set(&err, GAN_ERR_NOMEM, "out of memory for %ld samples", a->n);
        rc = EXIT_ERR;
    }
    if (rc == EXIT_OK && gan_trainer_generate(t, z, labels, (int)a->n, *out, &err) != GAN_OK) rc = EXIT_ERR;
    if (rc == EXIT_OK && a->latents_out) {
        gan_shape zs = { 1, { t->cfg.spec->noise.dim, 0, 0 } };   /* .npy or .csv (cli_sample_parse) */
        if (gan_samples_write(a->latents_out, z, (int)a->n, zs, &err) != GAN_OK) rc = EXIT_ERR;
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
    int fmt = gan_samples_kind(a.outfile);
    /* a folder: a trailing slash, or an existing folder not named like a file */
    size_t len = strlen(a.outfile);
    struct stat sb;
    if ((len && a.outfile[len - 1] == '/') || (fmt < 0 && stat(a.outfile, &sb) == 0 && S_ISDIR(sb.st_mode))) {
        gan_trainer *t = NULL;   /* -o DIR/: one PNG per sample */
        float *x = NULL;
        if (a.latents_out && cli_output_ok(a.latents_out, (gan_out_kind)gan_samples_kind(a.latents_out),
                                           a.force) != EXIT_OK)
            return EXIT_ERR;
        rc = cli_sample_draw(&a, &t, &x);
        gan_error err;
        if (rc == EXIT_OK && gan_samples_write_dir(a.outfile, x, a.n, t->cfg.data_shape, a.force, &err) != GAN_OK) {
            cli_error(&err);
            rc = EXIT_ERR;
        }
        gan_free_floats(x);
        gan_trainer_free(t);
        return rc;
    }
    if (fmt < 0) return cli_usage("sample", "output '%s' must end in .png, .csv, .idx, -ubyte, .npy or / (a folder)", a.outfile);
    if (cli_output_ok(a.outfile, (gan_out_kind)fmt, a.force) != EXIT_OK ||
        (a.latents_out && cli_output_ok(a.latents_out, (gan_out_kind)gan_samples_kind(a.latents_out),
                                        a.force) != EXIT_OK))
        return EXIT_ERR;
    gan_trainer *t = NULL;
    float *x = NULL;
    rc = cli_sample_draw(&a, &t, &x);
    gan_error err;
    gan_error_clear(&err);
    if (rc == EXIT_OK && gan_samples_write(a.outfile, x, (int)a.n, t->cfg.data_shape, &err) != GAN_OK) {
        cli_error(&err);
        rc = EXIT_ERR;
    }
    gan_free_floats(x);
    gan_trainer_free(t);
    return rc;
}
