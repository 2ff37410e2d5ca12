/* cmd_reproduce.c - `ganrun reproduce CHECKPOINT`: train again from step
 * 0 to the checkpoint's step, writing nothing, and compare every tensor
 * bit for bit. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

/* max |a - b| over a tensor; NaN-aware (a NaN mismatch counts as inf) */
static double max_diff(const float *a, const float *b, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - (double)b[i]);
        if (d != d) d = INFINITY;
        if (d > m) m = d;
    }
    return m;
}

static int compare_nets(const char *which, const gan_net *a, const gan_net *b)
{
    int same = 1;
    for (int i = 0; i < a->n; i++) {
        const gan_layer *la = &a->layers[i], *lb = &b->layers[i];
        for (int k = 0; k < la->ntensors; k++) {
            const gan_tensor_info *ti = &la->tensors[k];
            const float *pa = (ti->is_buffer ? la->bufs : la->params) + ti->offset;
            const float *pb = (ti->is_buffer ? lb->bufs : lb->params) + ti->offset;
            if (memcmp(pa, pb, ti->size * sizeof(float)) == 0) continue;
            same = 0;
            printf("%s.%d.%s.%s: max |difference| %.3g\n", which, i, la->type->name, ti->name,
                   max_diff(pa, pb, ti->size));
        }
    }
    return same;
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
    gan_model_spec *spec;
    if (gan_model_load_string(&spec, ref->cfg.model_text, strlen(ref->cfg.model_text), path, NULL, 0, &err) != GAN_OK ||
        gan_trainer_create(&t, spec, 1, &err) != GAN_OK) {
        cli_error(&err);
        gan_trainer_free(ref);
        return EXIT_ERR;
    }
    int quiet = 0;
    gan_run_notes(t, path, ref->loaded.data_fingerprint, 0, cli_say, &quiet);
    fprintf(stderr, "ganrun: re-running %ld steps of %s from step 0\n", ref->state.step, spec->name);
    /* the loop `ganrun train` runs (train.health and its snapshots before
     * each checkpoint included), writing nothing, so a run that rolled
     * back reproduces too */
    rc = cli_run(t, NULL, ref->state.step, GAN_RUN_NEW, 1);
    if (rc == EXIT_OK) {
        int same = compare_nets("g", t->G, ref->G) & compare_nets("d", t->D, ref->D);
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
