/* cli.h - ganrun's subcommands.  Only src/cli prints usage or exits.
 * Exit statuses: 0 success, 1 error (bad input, failed run), 2 usage,
 * 130 / 143 stopped by SIGINT / SIGTERM after writing a checkpoint. */
#ifndef GAN_CLI_H
#define GAN_CLI_H

#include <stdio.h>
#include "gan/gan.h"

enum { EXIT_OK = 0, EXIT_ERR = 1, EXIT_USAGE = 2,
       EXIT_LISTED = 3 /* cli_parse listed its options (--list-options): main exits 0 */ };

/* ---- the helpers every subcommand uses (common.c) --------------------- */
typedef struct cli_subcommand {
    const char *name;
    int (*fn)(int, char **);
    const char *synopsis;
    const char *help;
} cli_subcommand;
/* main.c's table of subcommands, for the usage messages: set at start */
void cli_set_subcommands(const cli_subcommand *table, int n);
/* the subcommand named name, or NULL */
const cli_subcommand *cli_find_sub(const char *name);
/* "usage:" and every subcommand's synopsis */
void cli_print_usage(FILE *f);

/* s with control characters escaped (\n, \t, \r, \xNN; UTF-8 kept), so a
 * file or class name cannot split a line or drive the terminal; one of
 * four static buffers, at most 2047 bytes */
const char *cli_esc(const char *s);
/* print "ganrun: FILE:LINE:COL: error: MSG" style line to stderr, escaped */
void cli_error(const gan_error *e);
/* print a usage error and the subcommand's synopsis; returns EXIT_USAGE */
int cli_usage(const char *sub, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* parse a non-negative long option value; -1 on error */
long cli_parse_long(const char *s);

/* Train t up to step target through a gan_run (gan/run.h) in dir (NULL:
 * write nothing, no signals: reproduce), mode GAN_RUN_NEW, _FORCE or
 * _RESUME; progress and rollbacks on stderr; prints its error.  Returns
 * the exit status. */
int cli_run(gan_trainer *t, const char *dir, long target, int mode, int quiet);
/* print a line of gan_run_notes: a warning as it is, a note as "ganrun:
 * LINE" unless *(int *)quiet */
void cli_say(int note, const char *line, void *quiet);
/* ---- options, parsed one way for every subcommand (opts.c) ---------- */
typedef enum { CLI_FLAG, CLI_STR, CLI_LONG, CLI_DOUBLE } cli_kind;
typedef struct cli_opt {
    const char *name, *alias;   /* "--quiet", "-q" (alias may be NULL) */
    cli_kind kind;
    void *dst;                  /* int (FLAG: set to 1), const char *, long, double */
    double min, max;            /* LONG and DOUBLE: the accepted range */
    const char *what;           /* LONG and DOUBLE: the range in words, for the message */
} cli_opt;
#define CLI_MAX_SETS 64
/* --set KEY=VALUE and --steps N (--set train.steps=N) of the subcommands
 * that read a model file (train, check) */
typedef struct cli_model_args {
    const char *sets[CLI_MAX_SETS];
    int nsets;
    char steps_set[64];
} cli_model_args;
/* Parse argv[1..argc) by opts (ended by an entry with name NULL), the
 * model options when model is not NULL, and at most maxpos positional
 * arguments into pos (*npos: how many; none is a usage error "missing
 * POSNAME" unless posname is NULL).  Returns EXIT_OK, or the usage status
 * after printing the usage error.  --list-options prints the option names
 * it accepts (the table tests/help.sh checks the help and ganrun(1)
 * against) and returns EXIT_LISTED. */
int cli_parse(const char *sub, int argc, char **argv, const cli_opt *opts, cli_model_args *model,
              const char **pos, int maxpos, int *npos, const char *posname);
/* gan_model_load of file with m's --set overrides; NULL after printing
 * the error */
gan_model_spec *cli_model_load(const char *file, const cli_model_args *m);

int cmd_train(int argc, char **argv);
int cmd_resume(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_sample(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_reproduce(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_classify(int argc, char **argv);
/* ganrun eval for image models: Frechet distance, class histogram and
 * confidence of x (n, shape) in the features of classifier clfpath, against
 * n images of the model's data, or every image of realpath (an IDX images
 * file or a folder of images) when not NULL */
int cli_eval_images(gan_trainer *t, const float *x, long n, const char *clfpath, const char *realpath, long seed);
/* ---- eval's metrics on any data set (cmd_metrics.c) ---------------- */
typedef struct cli_metrics_args {
    const char *real;          /* --real PATH; NULL: the model's data */
    const char *train;         /* --train PATH (folder mode; default: --real) */
    const char *generated;     /* --generated DIR: score this folder, no run */
    const char *features_out;  /* --features-out DIR */
    const char *clf;           /* --classifier CLF.ckpt: its features instead */
    long real_max;             /* --real-max M: at most M reference images (0: all) */
    long seed;
    int force;                 /* --force: --features-out past the output-path guard */
} cli_metrics_args;
/* Frechet distance, KID, precision/recall, density/coverage (features of
 * the label-free extractor, or of a->clf) and the nearest training image
 * (pixels) of x (n, t's sample shape), drawn from run t, printed as NAME
 * VALUE lines.  Returns the exit status. */
int cli_eval_metrics(gan_trainer *t, float *x, long n, const cli_metrics_args *a);
/* The same for the images of folder a->generated (no run). */
int cli_eval_folder(const cli_metrics_args *a, long n);
int cmd_interpolate(int argc, char **argv);
int cmd_export(int argc, char **argv);

/* The output-path guard (gan_output_check) for -o PATH: EXIT_OK, or
 * EXIT_ERR after printing its one line. */
int cli_output_ok(const char *path, gan_out_kind kind, int force);

/* One warning line when net's parameters or buffers (batchnorm running
 * statistics) hold NaN or infinity (its outputs may be NaN). */
void cli_warn_nonfinite(const char *path, const char *which, const gan_net *net);

/* RUN directory or checkpoint file -> checkpoint path (RUN/latest.ckpt) */
void cli_ckpt_path(const char *arg, char *buf, size_t n);
/* cli_parse of a subcommand whose one argument is a checkpoint (or RUN),
 * its path (cli_ckpt_path) into path (n bytes) (opts.c) */
int cli_parse_ckpt(const char *sub, int argc, char **argv, const cli_opt *opts, char *path, size_t n);
/* the trainer of checkpoint or RUN arg (without its data), its file in
 * path (n bytes), t->cfg.no_ema set to no_ema (--no-ema: samples from G's raw
 * weights); NULL after printing the error */
gan_trainer *cli_load(const char *arg, int no_ema, char *path, size_t n);

/* ---- sample and eval's options and draw (cmd_sample.c) --------------- */
typedef struct sample_args {
    const char *src;
    const char *outfile;
    long n;
    long seed;
    long cls;     /* --class K: every sample of class K (conditional models); -1 none */
    const char *clf;   /* eval --classifier CLF.ckpt */
    const char *real;  /* eval --real PATH: the reference images */
    int no_ema;        /* --no-ema: G's raw weights even when the run averages them */
    double truncation; /* --truncation T (sample only): 0 = off */
    const char *latents;     /* --latents FILE (sample only): decode these (N, dim) */
    const char *labels;      /* --labels FILE (sample only): class of each sample */
    const char *latents_out; /* --latents-out FILE (sample only): write the (N, dim) used */
    int n_set;               /* -n given */
    int force;               /* --force: -o, --latents-out (sample), --features-out (eval) past the output-path guard */
    cli_metrics_args m;      /* eval only: --generated, --train, --features-out, --real-max */
} sample_args;
/* parse sample's or eval's (sub) options into a */
int cli_sample_parse(const char *sub, int argc, char **argv, sample_args *a);
/* load a->src and draw a->n samples (a->n set from --latents); *tp the
 * trainer, *out malloc'd (n, shape) */
int cli_sample_draw(sample_args *a, gan_trainer **tp, float **out);

#endif
