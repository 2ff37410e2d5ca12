/* train.c - libgan from C: train a model file the way `ganrun train` does
 * (the same loop, run directory, checkpoints and health checks), with ^C
 * stopping after the current step with a checkpoint.
 *   cc train.c $(pkg-config --cflags --libs libgan) -o train
 *   ./train models/grid.yaml runs/mine [STEPS] */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gan/gan.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    stop = sig;
}

static void progress(const gan_run_progress *p, void *user)
{
    (void)user;
    if (p->logged)
        printf("step %ld/%ld d_loss %.4f g_loss %.4f %.0f img/s\n", p->step, p->target, p->t->metrics.d_loss,
               p->t->metrics.g_loss, p->images_per_s);
}

int main(int argc, char **argv)
{
    gan_blas_select(argv);   // OpenBLAS's best kernels for this CPU (may start the program again, once)
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s MODEL.yaml RUN_DIR [STEPS]\n", argv[0]);
        return 2;
    }
    gan_error err;
    gan_error_clear(&err);
    gan_model_spec *spec = NULL;
    gan_trainer *t = NULL;
    gan_run *run = NULL;
    gan_status st = gan_model_load(&spec, argv[1], NULL, 0, &err);
    if (st == GAN_OK) st = gan_trainer_create(&t, spec, 1, &err);   // takes spec; 1: load the data
    if (st == GAN_OK) {
        signal(SIGINT, on_signal);
        gan_run_opts o = { .dir = argv[2], .target = argc > 3 ? atol(argv[3]) : t->cfg.spec->train.steps,
                           .mode = GAN_RUN_NEW, .stop = &stop, .on_progress = progress };
        st = gan_run_open(&run, t, &o, &err);   // refuses a directory that holds a run
    }
    if (run) {
        st = gan_run_until(run, &err);
        st = gan_run_close(run, st, &err);   // the last samples and checkpoint
    }
    if (st != GAN_OK) {
        char msg[2048];
        gan_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "%s\n", msg);
    }
    gan_trainer_free(t);
    gan_par_shutdown();   // join libgan's worker threads
    return st != GAN_OK ? 1 : stop ? 130 : 0;
}
