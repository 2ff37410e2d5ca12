/* fuzz_ckpt.c - checkpoints: gan_ckpt_info (both forms) and gan_ckpt_load.
 *
 * Input byte 0 chooses the form of the rest:
 *   even: the rest is the file, as is (header, zlib, CRCs and all);
 *   odd:  the rest is a list of sections, each a 4-byte tag, a u32 length
 *         (little-endian, clipped to what is left) and the uncompressed
 *         payload; the harness writes them into a valid container (zlib,
 *         CRCs, 'END ') and fixes the hash of a 'MODL' payload, so the
 *         fuzzer reaches the section decoders behind the checksums.
 * A checkpoint that loads is saved again and that file must load too. */
#include "fuzz.h"
#include <string.h>
#include "ckpt/ckpt_state.h"

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* the odd form into a container at path; 0 when the writer refused it */
static int write_sections(const char *path, const uint8_t *p, size_t n)
{
    gan_error err;
    ckpt_writer *w;
    if (ckpt_writer_open(&w, path, 0, &err) != GAN_OK) abort();
    while (n >= 8) {
        uint32_t tag = le32(p), len = le32(p + 4);
        p += 8;
        n -= 8;
        if (len > n) len = (uint32_t)n;
        uint8_t *copy = malloc(len ? len : 1);
        FUZZ_ASSERT(copy);
        memcpy(copy, p, len);
        if (tag == CKPT_TAG_MODL && len >= 16) {
            uint64_t tl = 0;
            for (int i = 0; i < 8; i++) tl |= (uint64_t)copy[8 + i] << 8 * i;
            size_t have = len - 16;
            uint64_t h = ckpt_fnv1a64(copy + 16, tl < have ? (size_t)tl : have);
            for (int i = 0; i < 8; i++) copy[i] = (uint8_t)(h >> 8 * i);
        }
        gan_status st = ckpt_writer_section(w, tag, copy, len, &err);
        free(copy);
        if (st != GAN_OK) {
            ckpt_writer_abort(w);
            return 0;
        }
        p += len;
        n -= len;
    }
    return ckpt_writer_commit(w, &err) == GAN_OK;
}

FUZZ_TARGET(ckpt)
{
    if (size < 1) return 0;
    const char *path = fuzz_path("in.ckpt");
    if (data[0] & 1) {
        if (!write_sections(path, data + 1, size - 1)) return 0;
    } else {
        fuzz_write("in.ckpt", data + 1, size - 1);
    }
    char p[600];
    snprintf(p, sizeof p, "%s", path);

    FILE *null = fopen("/dev/null", "w");
    FUZZ_ASSERT(null);
    gan_error err;
    for (int model_only = 0; model_only <= 1; model_only++) {
        gan_error_clear(&err);
        gan_status st = gan_ckpt_info(p, null, model_only, &err);
        fuzz_check_status("gan_ckpt_info", st, &err);
    }
    fclose(null);

    gan_trainer *t;
    gan_error_clear(&err);
    gan_status st = gan_ckpt_load(&t, p, 0, &err);
    fuzz_check_status("gan_ckpt_load", st, &err);
    if (st != GAN_OK) {
        FUZZ_ASSERT(t == NULL);
        return 0;
    }
    /* what loads saves, and loads again */
    char p2[600];
    snprintf(p2, sizeof p2, "%s", fuzz_path("again.ckpt"));
    st = gan_ckpt_save(t, p2, &err);
    fuzz_check_status("gan_ckpt_save", st, &err);
    gan_trainer_free(t);
    if (st == GAN_OK) {
        st = gan_ckpt_load(&t, p2, 0, &err);
        if (st != GAN_OK) {
            char line[1400];
            gan_error_format(&err, line, sizeof line);
            fprintf(stderr, "fuzz: a re-saved checkpoint does not load: %s\n", line);
            abort();
        }
        gan_trainer_free(t);
    }
    return 0;
}
