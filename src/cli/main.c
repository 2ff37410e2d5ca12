/* main.c - ganrun: the table of subcommands, dispatch and help (the
 * helpers every subcommand uses are common.c's). */
#include "config.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli/cli.h"

static const cli_subcommand subs[] = {
    { "train", cmd_train,
      "ganrun [train] MODEL.yaml [--set KEY=VALUE]... [--steps N] [--out DIR] [--force] [--quiet]",
      "Train the generator and discriminator of MODEL.yaml against each other.\n"
      "  --set KEY=VALUE  override a model-file key (e.g. train.steps=200), validated as in the file\n"
      "  --steps N        shortcut for --set train.steps=N\n"
      "  --out DIR        run directory (default: output.dir of the model)\n"
      "  --force          a run already in DIR is moved aside to DIR.old-N (else refused)\n"
      "  --quiet          no progress output\n" },
    { "resume", cmd_resume, "ganrun resume CHECKPOINT [--steps N] [--quiet]",
      "Continue the run of CHECKPOINT in its run directory, bit-exactly.\n"
      "  --steps N  run N more steps (default: up to the model's train.steps)\n" },
    { "check", cmd_check, "ganrun check MODEL.yaml [--set KEY=VALUE]... [--steps N] [--expand | --dot]",
      "Validate MODEL.yaml and print each network's entries: type, output shape, parameter count,\n"
      "the entries it reads and its id.  --set and --steps as for train.\n"
      "  --expand  print the expanded model (blocks expanded, every default filled in) instead\n"
      "  --dot     print both networks as a Graphviz digraph instead (dot -Tsvg draws it)\n" },
    { "sample", cmd_sample,
      "ganrun sample RUN_OR_CHECKPOINT [-n N] [--seed S] [--class K] [-o FILE | -o DIR/] [--truncation T] [--no-ema]\n"
      "       [--latents FILE] [--labels FILE] [--latents-out FILE] [--force]",
      "Write N samples (default 64) of the generator: FILE.png is a grid, FILE.csv one vector per\n"
      "line, FILE.idx or *-idx3-ubyte an IDX file, FILE.npy a float32 array (N, C, H, W) or (N, F).\n"
      "DIR/ (a trailing slash, or an existing folder not named like those files) gets one PNG per\n"
      "sample: DIR/000000.png, DIR/000001.png, ... (the folder is created if missing).\n"
      "Same seed and checkpoint: identical bytes.\n"
      "A conditional model draws class r mod K on grid row r, or class K only with --class K.\n"
      "  --latents FILE      decode these noise vectors (CSV, or float32 .npy of shape (N, dim))\n"
      "                      instead of drawing them; N is their number\n"
      "  --labels FILE       the class of each sample (CSV, one per line, or int .npy of shape (N,))\n"
      "  --latents-out FILE  write the noise vectors used, as .npy or .csv\n"
      "  --truncation T  redraw noise components farther than T standard deviations from the mean\n"
      "  --no-ema        use the generator's raw weights, not their average (train.ema)\n"
      "  --force         write -o and --latents-out even over a run's own file, a file of another\n"
      "                  kind or a symbolic link (ganrun(1), OUTPUTS)\n" },
    { "interpolate", cmd_interpolate,
      "ganrun interpolate RUN_OR_CHECKPOINT [-o FILE.png] [--seeds A,B,...] [--steps N] [--no-ema] [--force]",
      "Write a PNG strip walking the noise space from seed to seed (default 1,2,3), N points per\n"
      "pair (default 8): row 1 linear (lerp), row 2 spherical (slerp) interpolation; the ends are\n"
      "the samples `ganrun sample --seed A -n 1` draws. Default FILE: interpolate.png.\n"
      "  --no-ema  use the generator's raw weights, not their average (train.ema)\n"
      "  --force   write -o even over a run's own file, a file of another kind or a link\n" },
    { "export", cmd_export, "ganrun export RUN_OR_CHECKPOINT -o FILE.onnx [--no-ema] [--discriminator] [--force]",
      "Write the generator as an ONNX model (opset 13) for ONNX Runtime and other tools: input z\n"
      "(N, dim) float32, plus label (N) int64 for a conditional model; output x (N, C, H, W) or\n"
      "(N, F), computed as `ganrun sample` does (batchnorm running statistics, averaged weights).\n"
      "  --no-ema          the generator's raw weights, not their average (train.ema)\n"
      "  --discriminator   the discriminator instead: input x (and label), output score (N, 1)\n"
      "  --force           write -o even over a run's own file, a file of another kind or a link\n" },
    { "eval", cmd_eval, "ganrun eval RUN_OR_CHECKPOINT [-n N] [--seed S] [--real PATH] [--classifier CLF.ckpt]\n"
      "                  [--features-out DIR] [--real-max M] [--no-ema] [--force]\n"
      "       ganrun eval --generated DIR --real PATH [--train PATH] [-n N] [--seed S] [--features-out DIR] [--force]",
      "For 2-D mixtures (grid, ring): modes captured, high-quality samples and reverse KL over N\n"
      "samples (default 2500).  For images: N generated images against the real images, one\n"
      "NAME VALUE line each: frechet, kid, kid_std (100 subsets of min(1000, N)), precision and\n"
      "recall (k 3), density and coverage (k 5) in the features of a fixed random-weight conv\n"
      "net that needs no labels (not Inception features), and nn_train_* (each generated image's\n"
      "distance to its nearest training image, in pixels).  With --classifier (from ganrun\n"
      "classify train) the metrics use that classifier's penultimate features, after its own\n"
      "lines: frechet_distance, the class histogram, modes covered and the mean confidence.\n"
      "  --real PATH          the real images: PATH (a folder of images, read at the model's\n"
      "                       sample shape, or an IDX images file); default: the model's data\n"
      "  --generated DIR      score the PNG/JPEG images of DIR (from any program) instead of a run,\n"
      "                       read at the size of its first image\n"
      "  --train PATH         with --generated: the training images for nn_train_* (default --real)\n"
      "  --features-out DIR   write DIR/generated.npy and DIR/real.npy (float32, a row per image)\n"
      "  --real-max M         at most M real images, picked by the seed (default 10000; 0: all)\n"
      "  --no-ema             use the generator's raw weights, not their average (train.ema)\n"
      "  --force              write --features-out's files even over a run's own file, a file of\n"
      "                       another kind or a link\n" },
    { "classify", cmd_classify, "ganrun classify train CLASSIFIER.yaml [-o FILE] [--steps N] [--quiet] [--force] | test CLF.ckpt",
      "train: train the classifier of CLASSIFIER.yaml (softmax cross-entropy, Adam) on its data,\n"
      "print its accuracy on its test set and save it to FILE (default NAME.clf.ckpt).\n"
      "test: print the test accuracy of a saved classifier.\n"
      "  --force  write -o even over a run's own file, a file of another kind or a link\n" },
    { "info", cmd_info, "ganrun info CHECKPOINT [--model]",
      "Print a checkpoint's step, hashes, build information and tensors; --model prints the\n"
      "embedded model file.\n" },
    { "reproduce", cmd_reproduce, "ganrun reproduce CHECKPOINT",
      "Re-run the experiment from step 0 using only the checkpoint and report whether the\n"
      "parameters match bit for bit (or the largest difference per tensor).\n" },
    { "report", cmd_report, "ganrun report RUN [RUN...] [-o FILE.html] [--force]",
      "Write RUN/report.html, one self-contained page: the losses and D(x), D(G(z)) over the\n"
      "steps of RUN/log.csv as charts, the health columns (gradient norms, diversity), the\n"
      "sample grids over time, the timings and the model.  With several runs (default FILE:\n"
      "report.html here): every run's curves overlaid, one colour each, their final figures,\n"
      "the model keys that differ and each run's latest sample grid.\n"
      "  --force  write -o even over a run's own file, a file of another kind or a link\n" },
};
#define NSUBS (int)(sizeof subs / sizeof subs[0])

static int help(const char *name)
{
    const cli_subcommand *s = cli_find_sub(name);
    if (!s) return cli_usage(NULL, "no subcommand '%s'", name);
    printf("usage: %s\n\n%s", s->synopsis, s->help);
    return EXIT_OK;
}

static int run(int argc, char **argv)
{
    cli_set_subcommands(subs, NSUBS);
    if (argc < 2) return cli_usage(NULL, "missing model file or subcommand");
    const char *a = argv[1];
    if (!strcmp(a, "--version") || !strcmp(a, "-V")) {
        gan_cpuid c;
        gan_cpuid_read(&c);
        const char *best = gan_blas_core_for(&c);
        printf("ganrun %s\nOpenBLAS kernels: %s\nthis CPU's best OpenBLAS core: %s\n", gan_version(),
               gan_blas_describe(), best ? best : "none above the generic ones");
        printf("train.gemm onednn: %s\n", gan_gemm_describe(GAN_GEMM_ONEDNN));
        return EXIT_OK;
    }
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
        cli_print_usage(stdout);
        return EXIT_OK;
    }
    if (!strcmp(a, "help")) {
        if (argc < 3) {
            cli_print_usage(stdout);
            return EXIT_OK;
        }
        return help(argv[2]);
    }
    const cli_subcommand *s = cli_find_sub(a);
    /* ganrun SUBCOMMAND --help (or -h): that subcommand's help, as ganrun help SUBCOMMAND */
    for (int i = 2; s && i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return help(a);
    if (s && s->fn != cmd_train && s->fn != cmd_resume) return s->fn(argc - 1, argv + 1);
    if (!s && a[0] == '-') return cli_usage(NULL, "unknown option '%s'", a);
    struct stat st;
    if (!s && stat(a, &st) != 0)   /* a mistyped subcommand as likely as a missing file: say both */
        return cli_usage(NULL, "no subcommand '%s' and no model file '%s' (%s)", a, a, strerror(errno));
    /* train and resume: data-parallel when started by mpirun (gan/dist.h) */
    gan_error err;
    gan_error_clear(&err);
    if (gan_dist_init(&argc, &argv, &err) != GAN_OK) {
        cli_error(&err);
        return EXIT_ERR;
    }
    /* ganrun MODEL.yaml == ganrun train MODEL.yaml */
    int rc = s ? s->fn(argc - 1, argv + 1) : cmd_train(argc, argv);
    gan_dist_finalize();
    return rc;
}

int main(int argc, char **argv)
{
    /* before any other OpenBLAS call: the best kernels this CPU takes
     * (may execute ganrun again, gan/blas.h) */
    gan_blas_select(argv);
    /* a write past the file-size limit (ulimit -f) fails with EFBIG and
     * its temporary file is removed, instead of the signal killing us
     * with the temporary file left behind */
    signal(SIGXFSZ, SIG_IGN);
    int rc = run(argc, argv);
    if (rc == EXIT_LISTED) rc = EXIT_OK;
    gan_par_shutdown();   /* join the worker threads (gan/par.h) */
    return rc;
}
