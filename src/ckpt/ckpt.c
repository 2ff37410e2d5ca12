/* ckpt.c - checkpoints: save a trainer, load it back, bit for bit.
 *
 * FILE FORMAT, version 1 (also in ganrun-checkpoint(5)).  All integers are
 * little-endian; floats are IEEE-754 binary32 stored as the little-endian
 * bytes of their bit pattern; strings are a u32 byte count followed by that
 * many bytes (UTF-8, no terminating NUL).
 *
 *   header (20 bytes)
 *     0  u8[8]  magic     "GANRUNCK"
 *     8  u32    version   1
 *    12  u32    bom       0x01020304, i.e. bytes 04 03 02 01; a file with
 *                         01 02 03 04 here is big-endian and is refused
 *    16  u32    flags     0 (no flags are defined; readers refuse others)
 *
 *   then sections, back to back, until 'END ':
 *     0  u32    tag       four ASCII bytes in file order, e.g. "MODL"
 *     4  u64    ulen      payload bytes before compression (<= 4 GiB)
 *    12  u64    clen      compressed bytes that follow this 24-byte header
 *    20  u32    crc       CRC-32 (zlib's crc32, polynomial 0xEDB88320) of
 *                         the uncompressed payload
 *    24  u8[clen]         the payload as one zlib stream (RFC 1950); this
 *                         writer deflates at level 1 with the Z_RLE strategy,
 *                         readers take any valid zlib stream
 *   A tag appears at most once.  Sections with tags a reader does not know
 *   are verified (lengths, inflation, CRC) and skipped, so newer writers can
 *   add sections; every section below but 'DIST', 'EMAG', 'AUGP' and 'DATA' is
 *   required.  The last section is
 *   'END ' with an empty payload, and it ends the file.
 *
 *   payloads, in the order written:
 *   'MODL' the experiment
 *          u64 hash      FNV-1a 64 of the text (offset basis
 *                        0xcbf29ce484222325, prime 0x100000001b3)
 *          u64 len; u8[len] text   the expanded model YAML (every default
 *                        written out; `ganrun info --model` prints it)
 *   'BILD' who wrote it: str ganrun version, str compiler, str BLAS
 *          (openblas_get_config(), then ", N threads", then
 *          ", kernels CORE (how it was chosen)", gan/blas.h)
 *   'STAT' u64 step, u64 epoch, u64 pos (each <= 2^63 - 1; pos <= the
 *          order's length unless it is empty); then five random streams of four u64 each
 *          (xoshiro256** state s[0..3]): noise, data order, reserved (drawn
 *          by nothing: written as (seed, GAN_STREAM_RESERVED) sets it, read
 *          and dropped), G's dropout, D's dropout.  An all-zero state is
 *          refused.
 *   'ORDR' u64 n; u32[n] the current epoch's permutation of the data
 *          (0 entries when saved without data).  It must be a permutation
 *          of 0..n-1, and n must equal the data set's size on resume.
 *   'TENS' u32 count; then count tensors: str name, u32 dtype (0 = f32,
 *          the only one defined), u32 rank (1..4), u32 dims[rank],
 *          f32 data[product of dims], row-major.  Names are
 *          NET.LAYER.TYPE.TENSOR, e.g. "g.3.batchnorm.running_mean": NET is
 *          g or d, LAYER the 0-based index in the model's stack, TYPE the
 *          layer type and TENSOR its tensor's name.  G's then D's, layer by
 *          layer, parameters and buffers as each layer lists them.  On load
 *          every tensor of the model built from 'MODL' must be present
 *          once with the same rank and dims, and no other may be.
 *   'OPTG', 'OPTD' G's and D's optimizer
 *          u32 kind (0 adam, 1 sgd, 2 rmsprop); f32 lr, beta1, beta2, eps,
 *          weight_decay, momentum; u32 nesterov; f32 alpha; u64 t (steps
 *          taken); u64 n (parameters); u32 moments (bit 0: m follows,
 *          bit 1: v follows); f32 m[n] if bit 0; f32 v[n] if bit 1.
 *          m and v share the parameter arena's offsets.  The kind, n and
 *          moments must match the model's optimizer; the stored numbers
 *          replace its configuration so a resumed run uses the same bits.
 *   'DIST' optional, only from a data-parallel run of more than one rank
 *          (gan/dist.h): u32 ranks (1..2^24).  Absent means 1.  Such a file
 *          resumes bit for bit on that many ranks and loads on any other.
 *   'EMAG' optional, exactly when the model has train.ema (decay or half_life > 0):
 *          u64 np, u64 nb (G's parameter and buffer floats, must match);
 *          f32 ema[np + nb]: the averaged parameters, then the copied
 *          buffers, at the offsets of G's arenas.
 *   'AUGP' optional, exactly when the model has train.augment (flip or a
 *          policy): f32 p, the augmentation probability (ADA adapts it).
 *   'DATA' optional, when the data has a fingerprint (format: images):
 *          u64 the data set's fingerprint (src/io/images.c).  `ganrun
 *          resume` and `reproduce` warn when the data on disk has another.
 *   'END ' empty
 *
 * Readers cap the file at 16 GiB, a payload at 4 GiB and at 1032 times its
 * compressed size (deflate cannot do better), and grow the inflated buffer
 * only as data really inflates, so a hostile length costs nothing.
 *
 * Writes go to PATH.tmp.XXXXXX in the same folder (mode 0644): fflush,
 * fsync, fclose, rename over PATH, fsync the folder.  On any failure the
 * temporary file is removed and PATH is left as it was.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "gan/gan.h"
#include "ckpt/ckpt_state.h"

void gan_ckpt_set_fault(long fail_after_bytes)
{
    ckpt_file_set_fault(fail_after_bytes);
}

gan_status gan_ckpt_save(const gan_trainer *t, const char *path, gan_error *err)
{
    ckpt_writer *w;
    gan_status st = ckpt_writer_open(&w, path, 0, err);
    if (st != GAN_OK) return st;
    st = ckpt_state_write(t, w, path, err);
    if (st != GAN_OK) {
        ckpt_writer_abort(w);
        return st;
    }
    return ckpt_writer_commit(w, err);
}

gan_status gan_ckpt_load(gan_trainer **out, const char *path, int load_data, gan_error *err)
{
    *out = NULL;
    ckpt_reader *r;
    ckpt_model_text m;
    gan_status st = ckpt_state_open_model(&r, path, &m, err);
    if (st != GAN_OK) return st;
    gan_model_spec *spec = NULL;
    gan_trainer *t = NULL;
    char *copy = malloc(m.len + 1);
    if (!copy) st = gan_error_at(err, GAN_ERR_NOMEM, path, 0, 0, "out of memory");
    if (st == GAN_OK) {
        memcpy(copy, m.text, m.len);
        copy[m.len] = '\0';
        st = gan_model_load_string(&spec, copy, m.len, path, NULL, 0, err);
    }
    if (st == GAN_OK) st = gan_trainer_create(&t, spec, load_data, err);   /* owns spec */
    if (st == GAN_OK) st = ckpt_state_restore(t, r, err);
    if (st == GAN_OK) {
        /* keep the stored text, so a resumed run saves the same MODL */
        free(t->cfg.model_text);
        t->cfg.model_text = copy;
        copy = NULL;
    }
    free(copy);
    ckpt_reader_free(r);
    if (st != GAN_OK) {
        gan_trainer_free(t);
        if (err && !err->file[0]) snprintf(err->file, sizeof err->file, "%s", path);
        return st;
    }
    *out = t;
    return GAN_OK;
}
