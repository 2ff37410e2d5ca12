/* fuzz.h - shared by the fuzz harnesses (tests/fuzz/fuzz_*.c).
 *
 * Each harness defines `int fuzz_NAME(const uint8_t *data, size_t size)`
 * through FUZZ_TARGET(NAME).  Built by tests/fuzz/run.sh with clang
 * -fsanitize=fuzzer it is also LLVMFuzzerTestOneInput; built with
 * -DFUZZ_REPLAY (tests/fuzz/replay.c, part of `make check`) it is called on
 * the kept inputs in tests/data/fuzz/NAME/ by an ordinary program.
 *
 * A harness feeds the input to a loader and checks the contract: a clean
 * status (GAN_OK, or an error with a message) and nothing leaked.  A broken
 * contract is an abort(), which both libFuzzer and the replay report.
 */
#ifndef GAN_FUZZ_H
#define GAN_FUZZ_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "gan/gan.h"

#ifdef FUZZ_REPLAY
#define FUZZ_TARGET(name) \
    int fuzz_##name(const uint8_t *data, size_t size); \
    int fuzz_##name(const uint8_t *data, size_t size)
#else
#define FUZZ_TARGET(name) \
    int fuzz_##name(const uint8_t *data, size_t size); \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size); \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_##name(data, size); } \
    int fuzz_##name(const uint8_t *data, size_t size)
#endif

/* A private scratch folder for this process (removed at exit), and a path
 * in it; fuzz_write puts bytes in a file there (its path returned). */
const char *fuzz_dir(void);
const char *fuzz_path(const char *name);
const char *fuzz_write(const char *name, const void *data, size_t size);

/* abort() with a message unless st is GAN_OK, or an error whose message is
 * set (what every loader promises).  With FUZZ_VERBOSE set in the
 * environment, print every status (to see how far an input gets). */
void fuzz_check_status(const char *what, gan_status st, const gan_error *err);

#define FUZZ_ASSERT(cond) \
    do { if (!(cond)) { fprintf(stderr, "%s:%d: fuzz contract broken: %s\n", __FILE__, __LINE__, #cond); abort(); } } while (0)

/* Load a data set of this format from path (labels: "" or a label file),
 * checking: gan_data_shape agrees with the load, samples and labels are in
 * range, every value is finite (and in [-1, 1] for 8-bit sources). */
void fuzz_data(gan_data_format format, const char *path, const char *labels);
/* the same for a whole spec (format: images and its settings) */
void fuzz_data_spec(const gan_data_spec *spec);
#endif
