/* cmd_eval.c - `ganrun eval RUN`: a checkpoint's samples scored (the
 * built-in mixtures' modes, or image metrics through cli_eval_images and
 * cli_eval_metrics), or a folder of images with --generated. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

int cmd_eval(int argc, char **argv)
{
    sample_args a = { NULL, NULL, 2500, 1, -1, NULL, NULL, 0, 0.0, NULL, NULL, NULL, 0, 0, { 0 } };
    a.m.real_max = -1;
    int rc = cli_sample_parse("eval", argc, argv, &a);
    if (rc != EXIT_OK) return rc;
    a.m.real = a.real;
    a.m.clf = a.clf;
    a.m.seed = a.seed;
    a.m.force = a.force;
    if (a.m.real_max < 0) a.m.real_max = 10000;   /* features of 60,000 images take minutes */
    if (a.m.generated) {   /* a folder of images from anywhere */
        if (!a.real) return cli_usage("eval", "--generated needs --real PATH");
        if (a.clf || a.no_ema) return cli_usage("eval", "--generated takes no --classifier or --no-ema");
        return cli_eval_folder(&a.m, a.n_set ? a.n : 0);
    }
    if (a.m.train) return cli_usage("eval", "--train is for --generated DIR (a run's training images are its data)");
    gan_trainer *t = NULL;
    float *x = NULL;
    rc = cli_sample_draw(&a, &t, &x);
    if (rc == EXIT_OK) {
        gan_data_format f = t->cfg.spec->data.format;
        if (a.clf) {
            rc = cli_eval_images(t, x, a.n, a.clf, a.real, a.seed);
            if (rc == EXIT_OK) rc = cli_eval_metrics(t, x, a.n, &a.m);
        } else if (f != GAN_DATA_GRID && f != GAN_DATA_RING) {
            rc = cli_eval_metrics(t, x, a.n, &a.m);
        } else if (a.real || a.m.features_out || a.m.train) {
            fprintf(stderr, "%s: error: --real, --train and --features-out are for image models; this model's data is %s\n",
                    a.src, gan_data_format_name(f));
            rc = EXIT_ERR;
        } else {
            gan_mixture_eval ev;
            gan_mixture_evaluate(f, x, a.n, &ev);
            printf("step %ld\nsamples %ld\nmodes %d/%d\nhigh_quality %.2f%%\nreverse_kl %.4f\n", t->state.step, a.n,
                   ev.captured, ev.modes, 100.0 * ev.high_quality, ev.reverse_kl);
        }
    }
    gan_free_floats(x);
    gan_trainer_free(t);
    return rc;
}
