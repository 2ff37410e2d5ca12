/* gan/ckpt.h - checkpoints: compressed, self-describing, verified.
 * The format is documented field by field in ganrun-checkpoint(5) and at
 * the top of src/ckpt/ckpt.c. */
#ifndef GAN_CKPT_H
#define GAN_CKPT_H

#include "gan/api.h"

#include "gan/train.h"

/* Write t's whole state to path atomically (temp file in the same folder,
 * fsync, rename).  The previous file at path stays valid on any failure. */
GAN_API gan_status gan_ckpt_save(const gan_trainer *t, const char *path, gan_error *err);

/* Read and verify a checkpoint; build a trainer from the embedded model and
 * restore its state.  load_data: also load the data set (for resume). */
GAN_API gan_status gan_ckpt_load(gan_trainer **out, const char *path, int load_data, gan_error *err);

/* Summary for `ganrun info`: print step, hashes, build info, tensors. */
GAN_API gan_status gan_ckpt_info(const char *path, FILE *f, int model_only, gan_error *err);

/* Fault injection for tests: when set >= 0, the writer fails after that
 * many bytes of output (simulating a crash or a full disk). */
GAN_API void gan_ckpt_set_fault(long fail_after_bytes);

#endif
