/* fuzz_images.c - `format: images`: one PNG or JPEG file of any size,
 * decoded, converted and resized (imgdecode.c, images.c).  Byte 0 picks
 * the settings, the rest is the file, alone in its folder:
 *   bit 0      the name x.jpg (0) or x.png (1): the decoder goes by the
 *              first bytes, so a PNG named .jpg must load too
 *   bit 1      channels 1 (0) or 3 (1)
 *   bit 2      crop: center (0) or random (1)
 *   bits 3-4   the target (height, width): (4, 4), (7, 5), (1, 9), (16, 16)
 *   bit 5      background 0 (0) or 200 (1), under an alpha channel
 *   bit 6      on_bad_file: error (0) or skip (1)
 *   bit 7      labels: folders, the file in the class folder "c" (1)
 * No decoded cache (data.cache false): every input is decoded. */
#include "fuzz.h"
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

FUZZ_TARGET(images)
{
    static const int hw[4][2] = { { 4, 4 }, { 7, 5 }, { 1, 9 }, { 16, 16 } };
    if (size < 1) return 0;
    unsigned b = data[0];
    char dir[600], sub[700], file[800];
    snprintf(dir, sizeof dir, "%s", fuzz_path("img"));
    mkdir(dir, 0700);
    snprintf(sub, sizeof sub, "%s%s", dir, b & 128 ? "/c" : "");
    mkdir(sub, 0700);
    snprintf(file, sizeof file, "%s/x.%s", sub, b & 1 ? "png" : "jpg");
    FILE *f = fopen(file, "wb");
    FUZZ_ASSERT(f && (size == 1 || fwrite(data + 1, 1, size - 1, f) == size - 1) && fclose(f) == 0);
    gan_data_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.format = GAN_DATA_IMAGES;
    snprintf(spec.path, sizeof spec.path, "%s", dir);
    spec.channels = b & 2 ? 3 : 1;
    spec.crop = b & 4 ? GAN_CROP_RANDOM : GAN_CROP_CENTER;
    spec.height = hw[(b >> 3) & 3][0];
    spec.width = hw[(b >> 3) & 3][1];
    spec.background = b & 32 ? 200 : 0;
    spec.on_bad_file = b & 64 ? GAN_BAD_SKIP : GAN_BAD_ERROR;
    if (b & 128) snprintf(spec.labels, sizeof spec.labels, "folders");
    spec.cache = 0;
    fuzz_data_spec(&spec);
    unlink(file);
    if (b & 128) rmdir(sub);
    return 0;
}
