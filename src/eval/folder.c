/* folder.c - the shape at which `ganrun eval --generated DIR` reads a
 * folder of images that did not come from a ganrun run: the size of its
 * first image (in strcmp order of the names), 3 channels unless that
 * image is gray (with or without alpha). */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "gan/eval.h"
#include "io/io.h"

static int is_image(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && (!strcasecmp(dot, ".png") || !strcasecmp(dot, ".jpg") || !strcasecmp(dot, ".jpeg"));
}

gan_status gan_images_folder_shape(const char *dir, gan_shape *shape, gan_error *err)
{
    char **names;
    long n;
    gan_status st = io_list_dir(dir, is_image, &names, &n, err);
    if (st != GAN_OK) return st;
    if (n == 0) {
        io_free_names(names);
        return gan_error_at(err, GAN_ERR_INVALID, dir, 0, 0, "no PNG or JPEG images in this folder");
    }
    io_image im;
    st = io_image_read(names[0], &im, err);
    if (st == GAN_OK) {
        *shape = (gan_shape){ 3, { im.c <= 2 ? 1 : 3, im.h, im.w } };
        free(im.px);
    }
    io_free_names(names);
    return st;
}
