/* state.h - the trainer's state described once (private to libgan).
 *
 * One row for every piece of gan_trainer (include/gan/train.h): what it is,
 * the member of the struct it lives in ("state.step": in the lifetime group
 * state; "G": in a part), whether a checkpoint holds it (the
 * section) and whether the training-health snapshot holds it.  Members that
 * are neither (scratch, the model's configuration, the last step's
 * measurements) have rows too, saying why.  tests/check_state.c fails when
 * a member of gan_trainer has no row (the rows' members must tile the
 * struct and each group), when gan_trainer.state holds anything but
 * checkpointed snapshot rows or such a row lives outside it, and checks
 * every checkpointed row through a save and load and
 * every snapshot row through a rollback.
 *
 * Used by: the health snapshot (src/train/health.c copies exactly the
 * snapshot rows), the checkpoint's 'STAT' section (src/ckpt/ckpt_state.c
 * writes and reads its rows in table order) and `ganrun info` (each
 * section is listed with the rows it holds).
 */
#ifndef GAN_TRAIN_STATE_H
#define GAN_TRAIN_STATE_H

#include <stddef.h>
#include "gan/train.h"

typedef enum state_kind {
    STATE_LONG,     /* a long, as u64 in a checkpoint */
    STATE_RNG,      /* a gan_rng: 4 u64 */
    STATE_BYTES,    /* any other bytes: an array or a scalar */
    STATE_NONE,     /* nothing to copy: a row that is neither checkpointed nor snapshot */
    STATE_RESERVED, /* a checkpoint's 4 u64 of a stream no member holds: written as
                     * (model.seed, GAN_STREAM_RESERVED) seeds it, checked and
                     * dropped on reading (the old net_rng; no at, no bytes) */
} state_kind;

typedef struct state_field {
    const char *name;      /* "step", "G.params", "gopt.m", ... */
    const char *label;     /* for messages: "position", "noise random stream" */
    const char *member;    /* the gan_trainer member it lives in (or below) */
    size_t offset, size;   /* of that member in gan_trainer */
    state_kind kind;
    const char *ckpt;      /* checkpoint section ("STAT", "TENS", ...); NULL: not checkpointed */
    int snapshot;          /* 1: the health snapshot holds it */
    /* where its bytes are in t and how many (0: none now, e.g. no ema);
     * NULL for STATE_NONE */
    void *(*at)(const gan_trainer *t);
    size_t (*bytes)(const gan_trainer *t);
    const char *note;      /* what it is; for rows in neither, why not */
} state_field;

extern const state_field trainer_state[];
extern const int trainer_state_n;

/* The names of the rows section `tag` (4 chars) holds, comma-separated,
 * into buf ("" when none). */
void trainer_state_in_section(const char *tag, char *buf, size_t n);

#endif
