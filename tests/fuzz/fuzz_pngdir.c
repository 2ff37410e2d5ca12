/* fuzz_pngdir.c - a folder of PNG files: the input is x.png, alone in its
 * folder (the scratch folder's sub-folder "png"). */
#include "fuzz.h"
#include <sys/stat.h>

FUZZ_TARGET(pngdir)
{
    char dir[600], file[700];
    snprintf(dir, sizeof dir, "%s", fuzz_path("png"));
    mkdir(dir, 0700);
    snprintf(file, sizeof file, "%s/x.png", dir);
    FILE *f = fopen(file, "wb");
    FUZZ_ASSERT(f && (size == 0 || fwrite(data, 1, size, f) == size) && fclose(f) == 0);
    fuzz_data(GAN_DATA_PNGDIR, dir, "");
    return 0;
}
