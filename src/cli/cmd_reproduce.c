/* cmd_reproduce.c - `ganrun reproduce CHECKPOINT`: train again from step
 * 0 to the checkpoint's step, writing nothing, and compare every tensor
 * bit for bit. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

static void print_diff(const char *name, double max_diff, void *user)
{
    (void)user;
    printf("%s: max |difference| %.3g\n", name, max_diff);
}

int cmd_reproduce(int argc, char **argv)
{
    const char *ckpt = NULL;
    int rc = cli_parse("reproduce", argc, argv, NULL, NULL, &ckpt, 1, NULL, "checkpoint");
    if (rc != EXIT_OK) return rc;
    char path[1200];
    gan_trainer *ref = cli_load(ckpt, 0, path, sizeof path), *t;
    if (!ref) return EXIT_ERR;
    gan_error err;
    gan_error_clear(&err);
    if (gan_run_reproduce_load(&t, ref, path, &err) != GAN_OK) {
        cli_error(&err);
        gan_trainer_free(ref);
        return EXIT_ERR;
    }
    int quiet = 0;
    gan_run_notes(t, path, ref->loaded.data_fingerprint, 0, cli_say, &quiet);
    fprintf(stderr, "ganrun: re-running %ld steps of %s from step 0\n", ref->state.step, t->cfg.spec->name);
    /* the loop `ganrun train` runs (train.health and its snapshots before
     * each checkpoint included), writing nothing, so a run that rolled
     * back reproduces too */
    rc = cli_run(t, NULL, ref->state.step, GAN_RUN_NEW, 1);
    if (rc == EXIT_OK) {
        int same = gan_run_compare(t, ref, print_diff, NULL) == 0;
        if (same) printf("reproduced: step %ld, all parameters and buffers match bit for bit\n", ref->state.step);
        else
            printf("not reproduced: step %ld, the tensors above differ (bit-exact only on the same "
                   "build and OpenBLAS kernels: this run used %s kernels, "
                   "`ganrun info` shows the checkpoint's; OPENBLAS_CORETYPE sets them)\n",
                   ref->state.step, gan_blas_core());
        rc = same ? EXIT_OK : EXIT_ERR;
    }
    gan_trainer_free(t);
    gan_trainer_free(ref);
    return rc;
}
