/* ckpt_state.h - a trainer's state <-> checkpoint sections (private).
 *
 * The payload of every section is documented in src/ckpt/ckpt.c.  These
 * functions need only the structs of train.h, net.h and optim.h, so they
 * can be tested on a trainer assembled by hand.
 */
#ifndef GAN_CKPT_STATE_H
#define GAN_CKPT_STATE_H

#include "gan/train.h"
#include "ckpt/ckpt_file.h"

#define CKPT_TAG_MODL CKPT_TAG('M', 'O', 'D', 'L')
#define CKPT_TAG_BILD CKPT_TAG('B', 'I', 'L', 'D')
#define CKPT_TAG_STAT CKPT_TAG('S', 'T', 'A', 'T')
#define CKPT_TAG_ORDR CKPT_TAG('O', 'R', 'D', 'R')
#define CKPT_TAG_TENS CKPT_TAG('T', 'E', 'N', 'S')
#define CKPT_TAG_OPTG CKPT_TAG('O', 'P', 'T', 'G')
#define CKPT_TAG_OPTD CKPT_TAG('O', 'P', 'T', 'D')
#define CKPT_TAG_DIST CKPT_TAG('D', 'I', 'S', 'T')   /* optional: data-parallel run */
#define CKPT_TAG_EMAG CKPT_TAG('E', 'M', 'A', 'G')   /* optional: train.ema */
#define CKPT_TAG_AUGP CKPT_TAG('A', 'U', 'G', 'P')   /* optional: train.augment's p */
#define CKPT_TAG_DATA CKPT_TAG('D', 'A', 'T', 'A')   /* optional: fingerprint of the data */
#define CKPT_DTYPE_F32 0u
#define CKPT_MAX_RANK 4

/* Write every section of t (all but 'END ', which commit adds). */
gan_status ckpt_state_write(const gan_trainer *t, ckpt_writer *w, const char *path, gan_error *err);

/* Check that every section version 1 requires is present. */
gan_status ckpt_state_check_sections(const ckpt_reader *r, gan_error *err);

/* The embedded model text of r (verified against its hash), pointing
 * into r's memory: *text, *len. */
gan_status ckpt_state_model(const ckpt_reader *r, const char **text, size_t *len, uint64_t *hash,
                            gan_error *err);
/* A checkpoint's model text (into the reader's memory) and its hash. */
typedef struct ckpt_model_text {
    const char *text;
    size_t len;
    uint64_t hash;
} ckpt_model_text;
/* ckpt_reader_open of path, ckpt_state_check_sections and
 * ckpt_state_model: *r open (free with ckpt_reader_free) and its model
 * text *m, or an error and *r NULL. */
gan_status ckpt_state_open_model(ckpt_reader **r, const char *path, ckpt_model_text *m, gan_error *err);

/* Restore t (built from the embedded model) from r: every tensor by name
 * and shape, optimizer moments and t, step/epoch/pos, the data order
 * (checked against t->data->n when t->data is set; otherwise left NULL)
 * and the random streams.  Errors name r->path. */
gan_status ckpt_state_restore(gan_trainer *t, const ckpt_reader *r, gan_error *err);

/* The rank count of the run that wrote r: its optional 'DIST' section,
 * else 1. */
gan_status ckpt_state_nranks(const ckpt_reader *r, int *nranks, gan_error *err);

/* One tensor of a 'TENS' payload, pointing into it. */
typedef struct ckpt_tensor {
    char name[128];
    int rank;
    uint32_t dims[CKPT_MAX_RANK];
    size_t size;            /* product of dims */
    const uint8_t *data;    /* (size) little-endian f32 */
} ckpt_tensor;

/* "adam", "sgd", "rmsprop" (the optimizer kinds' codes in 'OPTG'/'OPTD') */
const char *ckpt_optim_name(uint32_t kind);

/* Parse a 'TENS' payload into a malloc'd array (*out, *n). */
gan_status ckpt_state_tensors(const ckpt_reader *r, ckpt_tensor **out, int *n, gan_error *err);

#endif
