/* bench_step.c - time ganrun's training step on a model file.
 *
 *   bench/bench_step MODEL.yaml [--steps N] [--warmup W] [--set KEY=VALUE]...
 *
 * Prints one JSON line: ms_per_step_median, steps_per_s, images_per_s,
 * flops_per_step, gflops, peak_rss_mb.  FLOPs count the GEMM-shaped work
 * of one training step (d_steps = g_steps = 1 assumed in the count), in
 * multiply-adds x 2, from the network's own layers:
 *   per sample, dense: IN*O; conv2d: OC*OH*OW*C*K*K; deconv2d: C*H*W*OC*K*K
 *   D step: G fwd + 2 x (D fwd + D dW + D dx without the first layer)
 *   G step: G fwd + D fwd + D dx (all layers) + G dW + G dx without the first
 * The same count is applied to PyTorch's time by bench/run.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include "gan/gan.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double layer_macs(const gan_layer *l)
{
    const char *n = l->type->name;
    if (!strcmp(n, "dense")) return (double)gan_shape_size(l->in) * l->out.d[0];
    if (!strcmp(n, "conv2d")) {
        int K = (int)gan_conf_num(&l->conf, "kernel");
        return (double)l->out.d[0] * l->out.d[1] * l->out.d[2] * l->in.d[0] * K * K;
    }
    if (!strcmp(n, "deconv2d")) {
        int K = (int)gan_conf_num(&l->conf, "kernel");
        return (double)l->in.d[0] * l->in.d[1] * l->in.d[2] * l->out.d[0] * K * K;
    }
    return 0;
}

/* macs of the whole net, and of the net without its first layer */
static void net_macs(const gan_net *net, double *all, double *but_first)
{
    *all = *but_first = 0;
    for (int i = 0; i < net->n; i++) {
        double m = layer_macs(&net->layers[i]);
        *all += m;
        if (i) *but_first += m;
    }
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    gan_blas_select(argv);   /* the kernels ganrun would run (gan/blas.h) */
    const char *model = NULL, *sets[32];
    int nsets = 0, steps = 50, warmup = 10;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--steps") && i + 1 < argc) steps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--warmup") && i + 1 < argc) warmup = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--set") && i + 1 < argc && nsets < 32) sets[nsets++] = argv[++i];
        else model = argv[i];
    }
    if (!model || steps < 1) {
        fprintf(stderr, "usage: bench_step MODEL.yaml [--steps N] [--warmup W] [--set K=V]...\n");
        return 2;
    }
    gan_error err;
    gan_model_spec *spec;
    gan_trainer *t;
    char buf[2048];
    if (gan_model_load(&spec, model, sets, nsets, &err) != GAN_OK ||
        gan_trainer_create(&t, spec, 1, &err) != GAN_OK) {
        gan_error_format(&err, buf, sizeof buf);
        fprintf(stderr, "%s\n", buf);
        return 1;
    }
    double *ts = malloc((size_t)steps * sizeof *ts);
    for (int i = 0; i < warmup + steps; i++) {
        double t0 = now_s();
        if (gan_trainer_step(t, &err) != GAN_OK) {
            fprintf(stderr, "step: %s\n", err.msg);
            return 1;
        }
        if (i >= warmup) ts[i - warmup] = now_s() - t0;
    }
    qsort(ts, (size_t)steps, sizeof *ts, cmp);
    double med = ts[steps / 2];
    double g_all, g_bf, d_all, d_bf;
    net_macs(t->G, &g_all, &g_bf);
    net_macs(t->D, &d_all, &d_bf);
    double B = t->cfg.spec->train.batch;
    double macs = B * (g_all + 2 * (d_all + d_all + d_bf)        /* D step */
                       + g_all + d_all + d_all + g_all + g_bf);  /* G step */
    double flops = 2 * macs;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("{\"ms_per_step_median\": %.3f, \"steps_per_s\": %.2f, \"images_per_s\": %.1f, "
           "\"flops_per_step\": %.0f, \"gflops\": %.2f, \"peak_rss_mb\": %.1f, \"blas_core\": \"%s\"}\n",
           1e3 * med, 1 / med, B / med, flops, flops / med / 1e9, ru.ru_maxrss / 1024.0, gan_blas_core());
    free(ts);
    gan_trainer_free(t);
    return 0;
}
