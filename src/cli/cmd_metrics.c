/* cmd_metrics.c - the metrics half of `ganrun eval` (Frechet distance,
 * KID, precision/recall, density/coverage, the nearest training image)
 * for a run's samples or a folder of images from anywhere.  The sets and
 * the scores are src/eval's (gan/eval.h: gan_eval_run_sets,
 * gan_eval_folder_sets, gan_eval_score, gan_eval_memorisation); this file
 * prints them as NAME VALUE lines. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

/* The metrics of generated x (ng, s) against real set dr (named rname)
 * and training set dt (tname; may be dr). */
static int score(float *x, long ng, gan_shape s, const gan_dataset *dr, const char *rname, const gan_dataset *dt,
                 const char *tname, const cli_metrics_args *a)
{
    gan_error err;
    gan_error_clear(&err);
    gan_eval_opts o = { a->clf, a->real_max, (uint64_t)a->seed, a->features_out, a->force };
    gan_eval_scores r;
    if (gan_eval_score(x, ng, s, dr, &o, &r, &err) != GAN_OK) {
        cli_error(&err);
        return EXIT_ERR;
    }
    if (r.classifier) printf("features classifier %s (%s): %d values per image\n", r.features, a->clf, r.F);
    else printf("features %s (%d values per image: a fixed random-weight conv net, no labels)\n", r.features, r.F);
    printf("generated %ld\nreal %ld (%s)\n", ng, r.nr, rname);
    printf("frechet %.6g\n", r.frechet);
    printf("kid %.6g\nkid_std %.6g (%d subsets of %ld, seed %ld)\n", r.kid, r.kid_std, GAN_EVAL_KID_SUBSETS, r.kid_m,
           a->seed);
    printf("precision %.4f (k %d)\nrecall %.4f (k %d)\n", r.prdc.precision, GAN_EVAL_K_PR, r.prdc.recall,
           GAN_EVAL_K_PR);
    printf("density %.4f (k %d)\ncoverage %.4f (k %d)\n", r.prdc.density, GAN_EVAL_K_DC, r.prdc.coverage,
           GAN_EVAL_K_DC);
    fflush(stdout);
    /* memorisation: each generated image against every training image */
    if (dt->n < 2) {
        printf("nn_train_images %ld (%s: too few to compare)\n", dt->n, tname);
        return EXIT_OK;
    }
    gan_nn_summary nn;
    if (gan_eval_memorisation(x, ng, s, dt, dt == dr && r.real_all, (uint64_t)a->seed, &nn, &err) != GAN_OK) {
        cli_error(&err);
        return EXIT_ERR;
    }
    printf("nn_train_images %ld (%s; distances: root mean square difference per value, values in [-1, 1])\n",
           dt->n, tname);
    printf("nn_train_min %.6g\nnn_train_median %.6g\nnn_train_mean %.6g\n", nn.min, nn.median, nn.mean);
    printf("nn_train_ref_median %.6g (%ld training images to their nearest other)\n", nn.ref_median, nn.nref);
    printf("nn_train_closer %.4f (share of generated images nearer a training image than that)\n", nn.closer);
    return EXIT_OK;
}

int cli_eval_metrics(gan_trainer *t, float *x, long n, const cli_metrics_args *a)
{
    gan_shape s = t->cfg.data_shape;
    int C, H, W;
    if (!a->clf && !gan_shape_image(s, &C, &H, &W)) {
        char b[64];
        gan_shape_str(s, b, sizeof b);
        fprintf(stderr, "ganrun: error: eval without --classifier scores images (1 or 3, H, W); this model's samples "
                "are %s (expected --classifier CLF.ckpt from ganrun classify train)\n", b);
        return EXIT_ERR;
    }
    gan_error err;
    gan_error_clear(&err);
    gan_dataset *dr, *dt;
    if (gan_eval_run_sets(t, a->real, x, n, &dr, &dt, &err) != GAN_OK) {
        cli_error(&err);
        return EXIT_ERR;
    }
    int rc = score(x, n, s, dr ? dr : dt, a->real ? a->real : t->cfg.spec->data.path, dt, t->cfg.spec->data.path, a);
    gan_data_free(dr);
    gan_data_free(dt);
    return rc;
}

int cli_eval_folder(const cli_metrics_args *a, long n)
{
    gan_error err;
    gan_error_clear(&err);
    gan_shape s;
    gan_dataset *dr, *dt;
    float *x;
    long ng;
    if (gan_eval_folder_sets(a->generated, a->real, a->train, n, (uint64_t)a->seed, &x, &ng, &s, &dr, &dt, &err) !=
        GAN_OK) {
        cli_error(&err);
        return EXIT_ERR;
    }
    int rc = score(x, ng, s, dr, a->real, dt ? dt : dr, a->train ? a->train : a->real, a);
    gan_free_floats(x);
    gan_data_free(dr);
    gan_data_free(dt);
    return rc;
}
