/* imgdump.c - tests/images.sh's window on `format: images`: load a folder
 * with the options given and write what the loader made.
 *   imgdump DIR C H W [labels=folders] [skip] [random] [nocache] [limit=N] OUT.u8
 * stdout: "n N skipped K cache 0|1 fingerprint HEX classes a,b,c note ...";
 * OUT.u8: labels (n x int32, when classes) then the (n, C, H, W) bytes.
 * On failure: the error as ganrun prints it, exit status 1. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gan/data.h"

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: imgdump DIR C H W [options] OUT.u8\n");
        return 2;
    }
    gan_data_spec s;
    memset(&s, 0, sizeof s);
    s.format = GAN_DATA_IMAGES;
    snprintf(s.path, sizeof s.path, "%s", argv[1]);
    s.channels = atoi(argv[2]), s.height = atoi(argv[3]), s.width = atoi(argv[4]);
    s.background = 255, s.cache = 1;
    for (int i = 5; i < argc - 1; i++) {
        if (!strcmp(argv[i], "labels=folders")) snprintf(s.labels, sizeof s.labels, "folders");
        else if (!strcmp(argv[i], "skip")) s.on_bad_file = GAN_BAD_SKIP;
        else if (!strcmp(argv[i], "random")) s.crop = GAN_CROP_RANDOM;
        else if (!strcmp(argv[i], "nocache")) s.cache = 0;
        else if (!strncmp(argv[i], "limit=", 6)) s.limit = atol(argv[i] + 6);
        else if (!strncmp(argv[i], "classes=", 8)) s.classes = atoi(argv[i] + 8);
        else if (!strncmp(argv[i], "background=", 11)) s.background = atoi(argv[i] + 11);
        else { fprintf(stderr, "imgdump: unknown option %s\n", argv[i]); return 2; }
    }
    gan_dataset *d;
    gan_error err;
    gan_error_clear(&err);
    if (gan_data_load(&d, &s, 1, &err) != GAN_OK) {
        char buf[2048];
        gan_error_format(&err, buf, sizeof buf);
        fprintf(stderr, "%s\n", buf);
        return 1;
    }
    printf("n %ld skipped %ld cache %d fingerprint %016llx classes ", d->n, d->skipped, d->from_cache,
           (unsigned long long)d->fingerprint);
    for (int i = 0; d->class_names && i < d->nclasses; i++) printf("%s%s", i ? "," : "", d->class_names[i]);
    printf(" note %s\n", d->skip_note[0] ? d->skip_note : "-");
    if (d->cache_note[0]) fprintf(stderr, "warning: decoded-image cache %s\n", d->cache_note);
    FILE *f = fopen(argv[argc - 1], "wb");
    if (!f) return 1;
    if (d->labels) fwrite(d->labels, sizeof *d->labels, (size_t)d->n, f);
    fwrite(d->u8, 1, (size_t)d->n * gan_shape_size(d->shape), f);
    fclose(f);
    gan_data_free(d);
    return 0;
}
