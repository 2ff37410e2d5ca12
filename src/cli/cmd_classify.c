/* cmd_classify.c - `ganrun classify train|test`, and the printing of the
 * image half of `ganrun eval` (gan_eval_classifier: Frechet distance in
 * the classifier's feature space, class histogram, confidence). */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "gan/classify.h"

static int fail(const gan_error *err)
{
    cli_error(err);
    return EXIT_ERR;
}

static int classify_train(int argc, char **argv)
{
    const char *file = NULL, *out = NULL;
    long steps = -1;
    int quiet = 0, force = 0;
    const cli_opt opts[] = {
        { "-o", NULL, CLI_STR, &out, 0, 0, NULL },
        { "--force", NULL, CLI_FLAG, &force, 0, 0, NULL },
        { "--steps", NULL, CLI_LONG, &steps, 1, 1e18, "a positive integer" },
        { "--quiet", "-q", CLI_FLAG, &quiet, 0, 0, NULL },
        { NULL, NULL, CLI_FLAG, NULL, 0, 0, NULL },
    };
    int usage = cli_parse("classify", argc - 1, argv + 1, opts, NULL, &file, 1, NULL, "classifier file");
    if (usage != EXIT_OK) return usage;
    gan_error err;
    gan_error_clear(&err);
    gan_clf_spec *spec;
    char *text;   /* the file's, for the checkpoint */
    if (gan_clf_load_text(&spec, &text, file, &err) != GAN_OK) return fail(&err);
    if (steps > 0) spec->train.steps = steps;
    char def[200];
    snprintf(def, sizeof def, "%s.clf.ckpt", spec->name);
    if (!out) out = def;
    gan_classifier *c = NULL;
    double acc;
    long ntest;
    int rc = cli_output_ok(out, GAN_OUT_CKPT, force);
    if (rc != EXIT_OK) {
        gan_clf_spec_free(spec);
    } else if (gan_classifier_fit(&c, spec, text, quiet ? 0 : 200, stderr, &acc, &ntest, &err) != GAN_OK) {
        rc = fail(&err);
    } else {
        printf("test accuracy %.2f%% (%ld test samples, step %ld)\n", 100 * acc, ntest, c->step);
        if (gan_classifier_save(c, out, &err) != GAN_OK) rc = fail(&err);
        else printf("saved %s\n", out);
    }
    free(text);
    gan_classifier_free(c);
    return rc;
}

static int classify_test(int argc, char **argv)
{
    if (argc != 3 || argv[2][0] == '-') return cli_usage("classify", "classify test takes one checkpoint");
    gan_error err;
    gan_error_clear(&err);
    gan_classifier *c;
    if (gan_classifier_load(&c, argv[2], &err) != GAN_OK) return fail(&err);
    gan_dataset *test = NULL;
    double acc;
    int rc = EXIT_OK;
    if (gan_data_load(&test, &c->spec->test, 1, &err) != GAN_OK ||
        gan_classifier_accuracy(c, test, &acc, &err) != GAN_OK) {
        cli_error(&err);
        rc = EXIT_ERR;
    } else {
        printf("classifier %s, step %ld: test accuracy %.2f%% (%ld test samples)\n", c->spec->name, c->step,
               100 * acc, test->n);
    }
    gan_data_free(test);
    gan_classifier_free(c);
    return rc;
}

int cmd_classify(int argc, char **argv)
{
    if (argc < 2) return cli_usage("classify", "missing action (train or test)");
    if (!strcmp(argv[1], "train")) return classify_train(argc, argv);
    if (!strcmp(argv[1], "test")) return classify_test(argc, argv);
    return cli_usage("classify", "unknown action '%s' (expected train or test)", argv[1]);
}

/* ---- ganrun eval for images: gan_eval_classifier's values ------------- */

int cli_eval_images(gan_trainer *t, const float *x, long n, const char *clfpath, const char *realpath, long seed)
{
    gan_error err;
    gan_error_clear(&err);
    gan_clf_scores c;
    if (gan_eval_classifier(t, x, n, clfpath, realpath, (uint64_t)seed, &c, &err) != GAN_OK) return fail(&err);
    printf("step %ld\nsamples %ld (real %ld%s%s)\n", t->state.step, n, c.nr, realpath ? " from " : "",
           realpath ? realpath : "");
    printf("classifier %s (%s): %d features, %d classes, test accuracy %.2f%%\n", c.name, clfpath, c.features,
           c.classes, 100.0 * c.test_accuracy);
    printf("frechet_distance %.4f\n", c.fd);
    if (isfinite(c.fd_real) && realpath)
        printf("frechet_distance_data %.4f (%ld images of the model's data vs the real samples)\n", c.fd_real, c.nt);
    else if (isfinite(c.fd_real))
        printf("frechet_distance_real %.4f (%ld test images vs the real samples)\n", c.fd_real, c.nt);
    if (isfinite(c.pos_data) && isfinite(c.pos_real))
        printf("d_positive_data %.4f (D's logit > 0 on %ld images of the model's data)\n"
               "d_positive_real %.4f (on %ld --real images; far below d_positive_data: D has memorised "
               "its data)\n", c.pos_data, c.used_data, c.pos_real, c.used_real);
    printf("confidence %.4f\nclasses", c.confidence);
    for (int k = 0; k < c.classes; k++) printf(" %ld", c.hist[k]);
    printf("\nmodes %d/%d\n", c.modes, c.classes);
    if (isfinite(c.class_match)) printf("class_match %.2f%%\n", 100.0 * c.class_match);
    printf("note: Frechet distance in this classifier's features, not Inception FID; compare only with the same classifier checkpoint\n");
    gan_clf_scores_free(&c);
    return EXIT_OK;
}
