/* state.c - the trainer's state described once (see state.h). */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include "train/state.h"

#define MEMBER(m) #m, offsetof(gan_trainer, m), sizeof(((gan_trainer *)0)->m)
/* a row that only describes a member: neither checkpointed nor snapshot */
#define NEITHER(m, note) { #m, #m, MEMBER(m), STATE_NONE, NULL, 0, NULL, NULL, note }

#define FIELD(fn, expr, nbytes)                                                     \
    static void *fn##_at(const gan_trainer *t) { return (void *)(expr); }          \
    static size_t fn##_bytes(const gan_trainer *t) { (void)t; return (nbytes); }
FIELD(step, &t->state.step, sizeof t->state.step)
FIELD(epoch, &t->state.epoch, sizeof t->state.epoch)
FIELD(pos, &t->state.pos, sizeof t->state.pos)
FIELD(noise_rng, &t->state.noise_rng, sizeof(gan_rng))
FIELD(data_rng, &t->state.data_rng, sizeof(gan_rng))
FIELD(g_rng, &t->G->rng, sizeof(gan_rng))
FIELD(d_rng, &t->D->rng, sizeof(gan_rng))
FIELD(order, t->state.order, t->state.order && t->data ? (size_t)t->data->n * sizeof *t->state.order : 0)
FIELD(g_params, t->G->params, t->G->nparams * sizeof(float))
FIELD(g_bufs, t->G->bufs, t->G->nbufs * sizeof(float))
FIELD(d_params, t->D->params, t->D->nparams * sizeof(float))
FIELD(d_bufs, t->D->bufs, t->D->nbufs * sizeof(float))
FIELD(gopt_m, t->gopt.m, t->gopt.m ? t->gopt.n * sizeof(float) : 0)
FIELD(gopt_v, t->gopt.v, t->gopt.v ? t->gopt.n * sizeof(float) : 0)
FIELD(gopt_t, &t->gopt.t, sizeof t->gopt.t)
FIELD(gopt_c, &t->gopt.c, sizeof t->gopt.c)
FIELD(dopt_m, t->dopt.m, t->dopt.m ? t->dopt.n * sizeof(float) : 0)
FIELD(dopt_v, t->dopt.v, t->dopt.v ? t->dopt.n * sizeof(float) : 0)
FIELD(dopt_t, &t->dopt.t, sizeof t->dopt.t)
FIELD(dopt_c, &t->dopt.c, sizeof t->dopt.c)
FIELD(ema, t->state.ema, t->state.ema ? (t->G->nparams + t->G->nbufs) * sizeof(float) : 0)
FIELD(aug_p, &t->state.aug_p, sizeof t->state.aug_p)
FIELD(model_text, t->cfg.model_text, t->cfg.model_text ? strlen(t->cfg.model_text) : 0)
FIELD(data_fingerprint, &t->cfg.data_fingerprint, sizeof t->cfg.data_fingerprint)
FIELD(nranks, &t->job.nranks, sizeof t->job.nranks)

#define ROW(name, label, m, kind, ckpt, snap, fn, note) \
    { name, label, MEMBER(m), kind, ckpt, snap, fn##_at, fn##_bytes, note }

/* 'STAT' holds its rows in this order (u64 words each).  The rows of
 * gan_trainer.state are exactly its checkpointed and snapshot fields; the
 * other checkpointed rows are the parts' own state (G, D, gopt, dopt) and
 * three records of where the state came from (cfg.model_text,
 * cfg.data_fingerprint, job.nranks), which a rollback leaves alone
 * (tests/check_state.c checks both). */
const state_field trainer_state[] = {
    ROW("step", "step", state.step, STATE_LONG, "STAT", 1, step, "training steps done"),
    ROW("epoch", "epoch", state.epoch, STATE_LONG, "STAT", 1, epoch, "passes over the data order"),
    ROW("pos", "position", state.pos, STATE_LONG, "STAT", 1, pos, "next index into the data order"),
    ROW("noise_rng", "noise random stream", state.noise_rng, STATE_RNG, "STAT", 1, noise_rng, "noise of D and G steps"),
    ROW("data_rng", "data random stream", state.data_rng, STATE_RNG, "STAT", 1, data_rng, "epoch shuffles"),
    /* the old gan_trainer.net_rng, drawn by nothing: its place in 'STAT' kept */
    { "net_rng", "reserved random stream", "", 0, 0, STATE_RESERVED, "STAT", 0, NULL, NULL,
      "(seed, GAN_STREAM_RESERVED) as every checkpoint before held it" },
    ROW("G.rng", "G dropout random stream", G, STATE_RNG, "STAT", 1, g_rng, "G's dropout masks"),
    ROW("D.rng", "D dropout random stream", D, STATE_RNG, "STAT", 1, d_rng, "D's dropout masks"),
    ROW("order", "data order", state.order, STATE_BYTES, "ORDR", 1, order, "this epoch's permutation"),
    ROW("G.params", "generator parameters", G, STATE_BYTES, "TENS", 1, g_params, "G's weights"),
    ROW("G.bufs", "generator buffers", G, STATE_BYTES, "TENS", 1, g_bufs,
        "batchnorm statistics, spectral-norm vectors"),
    ROW("D.params", "discriminator parameters", D, STATE_BYTES, "TENS", 1, d_params, "D's weights"),
    ROW("D.bufs", "discriminator buffers", D, STATE_BYTES, "TENS", 1, d_bufs,
        "batchnorm statistics, spectral-norm vectors"),
    ROW("gopt.m", "G optimizer first moments", gopt, STATE_BYTES, "OPTG", 1, gopt_m, "adam m, sgd/rmsprop momentum"),
    ROW("gopt.v", "G optimizer second moments", gopt, STATE_BYTES, "OPTG", 1, gopt_v, "adam v, rmsprop average"),
    ROW("gopt.t", "G optimizer steps", gopt, STATE_BYTES, "OPTG", 1, gopt_t, "steps taken"),
    ROW("gopt.c", "G optimizer configuration", gopt, STATE_BYTES, "OPTG", 0, gopt_c,
        "kind and rates; not in the snapshot: a rollback lowers lr on purpose"),
    ROW("dopt.m", "D optimizer first moments", dopt, STATE_BYTES, "OPTD", 1, dopt_m, "adam m, sgd/rmsprop momentum"),
    ROW("dopt.v", "D optimizer second moments", dopt, STATE_BYTES, "OPTD", 1, dopt_v, "adam v, rmsprop average"),
    ROW("dopt.t", "D optimizer steps", dopt, STATE_BYTES, "OPTD", 1, dopt_t, "steps taken"),
    ROW("dopt.c", "D optimizer configuration", dopt, STATE_BYTES, "OPTD", 0, dopt_c,
        "kind and rates; not in the snapshot: a rollback lowers lr on purpose"),
    ROW("ema", "averaged generator", state.ema, STATE_BYTES, "EMAG", 1, ema, "train.ema's average of G"),
    ROW("aug_p", "augmentation probability", state.aug_p, STATE_BYTES, "AUGP", 1, aug_p, "train.augment's p"),
    ROW("model_text", "model", cfg.model_text, STATE_BYTES, "MODL", 0, model_text,
        "the expanded model; the spec, nets and optimizers are built from it"),
    ROW("data_fingerprint", "data fingerprint", cfg.data_fingerprint, STATE_BYTES, "DATA", 0, data_fingerprint,
        "of the data trained on, compared on resume"),
    ROW("nranks", "rank count", job.nranks, STATE_BYTES, "DIST", 0, nranks,
        "of a data-parallel run (read back as ckpt_nranks)"),
    /* the rest of cfg: born with the model, read-only after */
    NEITHER(cfg.spec, "the model, parsed from model_text"),
    NEITHER(cfg.fixed_z, "drawn from the model's seed"),
    NEITHER(cfg.yfixed, "from the model"),
    NEITHER(cfg.data_shape, "from the data or the generator"),
    NEITHER(cfg.classes, "from the model"),
    NEITHER(cfg.no_ema, "a sampling option"),
    NEITHER(cfg.truncation, "a sampling option"),
    /* the parts' holder: the data set is loaded again, never saved */
    NEITHER(data, "the data set, loaded again from the model's data"),
    /* scratch */
    NEITHER(scratch.z, "scratch"),
    NEITHER(scratch.real, "scratch"),
    NEITHER(scratch.fake_grad, "scratch"),
    NEITHER(scratch.dout, "scratch"),
    NEITHER(scratch.gp_buf, "scratch"),
    NEITHER(scratch.rp_keep, "scratch"),
    NEITHER(scratch.aug, "train.augment's scratch"),
    NEITHER(scratch.yreal, "scratch"),
    NEITHER(scratch.yfake, "scratch"),
    /* the rest of job */
    NEITHER(job.rank, "of this MPI job"),
    NEITHER(job.Br, "of this MPI job"),
    NEITHER(job.Bf, "of this MPI job"),
    /* loaded */
    NEITHER(loaded.data_fingerprint, "what a loaded checkpoint's 'DATA' said"),
    NEITHER(loaded.nranks, "what a loaded checkpoint's 'DIST' said"),
    /* metrics */
    NEITHER(metrics.d_loss, "a measurement of the last step, logged"),
    NEITHER(metrics.g_loss, "a measurement of the last step, logged"),
    NEITHER(metrics.d_real, "a measurement of the last step, logged"),
    NEITHER(metrics.d_fake, "a measurement of the last step, logged"),
    NEITHER(metrics.d_grad_norm, "a measurement of the last step, logged"),
    NEITHER(metrics.g_grad_norm, "a measurement of the last step, logged"),
    NEITHER(metrics.aug_rt, "a measurement of the last D step, logged"),
};
const int trainer_state_n = (int)(sizeof trainer_state / sizeof trainer_state[0]);

void trainer_state_in_section(const char *tag, char *buf, size_t n)
{
    size_t at = 0;
    buf[0] = 0;
    for (int i = 0; i < trainer_state_n && at < n; i++) {
        const state_field *f = &trainer_state[i];
        if (!f->ckpt || strcmp(f->ckpt, tag)) continue;
        at += (size_t)snprintf(buf + at, n - at, "%s%s", at ? ", " : "", f->name);
    }
}
