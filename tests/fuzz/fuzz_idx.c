/* fuzz_idx.c - IDX files (plain or gzipped): the input as the image file;
 * then as the label file of a valid image file with as many 1x1 images as
 * the input's header claims labels (at most 4096), so label files that
 * parse reach the count and range checks. */
#include "fuzz.h"
#include <string.h>

FUZZ_TARGET(idx)
{
    const char *p = fuzz_write("in.idx", data, size);
    char in[600];
    snprintf(in, sizeof in, "%s", p);
    fuzz_data(GAN_DATA_IDX, in, "");

    uint32_t n = 1;
    if (size >= 8 && !memcmp(data, "\0\0\x08\x01", 4))
        n = (uint32_t)data[4] << 24 | (uint32_t)data[5] << 16 | (uint32_t)data[6] << 8 | data[7];
    if (n < 1 || n > 4096) n = 1;
    uint8_t img[16 + 4096];
    memcpy(img, "\0\0\x08\x03", 4);
    uint8_t dims[12] = { (uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n,
                         0, 0, 0, 1, 0, 0, 0, 1 };
    memcpy(img + 4, dims, 12);
    for (uint32_t i = 0; i < n; i++) img[16 + i] = (uint8_t)(i * 37);
    p = fuzz_write("images.idx", img, 16 + n);
    char im[600];
    snprintf(im, sizeof im, "%s", p);
    fuzz_data(GAN_DATA_IDX, im, in);
    return 0;
}
