/* pngdir.c - a folder of PNG files as a dataset.
 *
 * Every *.png in the folder, in name order, all of one size: gray images
 * give samples (1, H, W), colour ones (3, H, W).  libpng converts what it
 * can to 8-bit gray or RGB: 16-bit samples are stripped to 8, palettes
 * expanded to RGB, low-bit gray expanded to 8, alpha channels and tRNS
 * transparency dropped (not composited).  Pixels become x / 127.5 - 1, channel-planar.
 */
#include "config.h"
#include <png.h>
#include <stdlib.h>
#include <string.h>
#include "io/io.h"

static int is_png(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && (!strcmp(name + n - 4, ".png") || !strcmp(name + n - 4, ".PNG"));
}

static void shape_str(gan_shape s, char *buf, size_t n)
{
    snprintf(buf, n, "%dx%d %s", s.d[2], s.d[1], s.d[0] == 1 ? "gray" : "RGB");
}

/* Read the PNG at path.  x == NULL: header only, sets *shape.  Otherwise
 * the image must have shape *shape (else an error naming `first`, the file
 * that set it) and its pixels go to x (C, H, W). */
static gan_status read_png(const char *path, gan_shape *shape, unsigned char *x, const char *first, gan_error *err)
{
    FILE *fp = io_fopen_input(path, NULL, err);
    if (!fp) return GAN_ERR_IO;
    unsigned char sig[8];
    if (fread(sig, 1, 8, fp) != 8 || png_sig_cmp(sig, 0, 8)) {
        fclose(fp);
        return gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "not a PNG file (bad signature)");
    }
    /* on the heap: io_png_on_error writes it just before a longjmp */
    io_png_msg *m;
    png_structp png;
    png_infop info;
    if (io_png_reader(&m, &png, &info) != 0) {
        fclose(fp);
        return gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    }
    /* changed after setjmp and used after a longjmp: volatile */
    unsigned char *volatile pix = NULL;   // (H, W, C) as libpng gives it
    png_bytep *volatile rows = NULL;      // (H) pointers into pix
    gan_status st = GAN_OK;
    if (setjmp(png_jmpbuf(png))) {
        st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "bad PNG: %s", m->text);
        goto done;
    }
    io_png_limits(png);
    png_init_io(png, fp);
    png_set_sig_bytes(png, 8);
    png_read_info(png, info);
    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    if (w < 1 || h < 1 || w > IO_MAX_SIDE || h > IO_MAX_SIDE) {
        st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "image is %ux%u, expected sides of 1 to %d pixels",
                          (unsigned)w, (unsigned)h, IO_MAX_SIDE);
        goto done;
    }
    int type = png_get_color_type(png, info), depth = png_get_bit_depth(png, info);
    if (type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (type == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (depth == 16) png_set_strip_16(png);
    /* expanding a palette turns a tRNS chunk into alpha as well */
    if ((type & PNG_COLOR_MASK_ALPHA) || png_get_valid(png, info, PNG_INFO_tRNS)) png_set_strip_alpha(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    int C = png_get_channels(png, info);
    size_t rowbytes = png_get_rowbytes(png, info);
    if ((C != 1 && C != 3) || rowbytes != (size_t)w * (size_t)C) {
        st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                          "cannot convert to 8-bit gray or RGB (%d channels, %zu bytes per row)", C, rowbytes);
        goto done;
    }
    gan_shape s = { 3, { C, (int)h, (int)w } };
    if (!x) {
        *shape = s;
        goto done;
    }
    if (!gan_shape_eq(s, *shape)) {
        char a[64], b[64];
        shape_str(s, a, sizeof a);
        shape_str(*shape, b, sizeof b);
        st = gan_error_at(err, GAN_ERR_SHAPE, path, 0, 0, "image is %s, expected %s like the first file %s",
                          a, b, first);
        goto done;
    }
    pix = malloc(h * rowbytes);
    rows = malloc(h * sizeof(png_bytep));
    if (!pix || !rows) {
        st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (png_uint_32 y = 0; y < h; y++) rows[y] = pix + y * rowbytes;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    /* interleaved (H, W, C) bytes -> planar (C, H, W) floats */
    for (int c = 0; c < C; c++)
        for (size_t i = 0; i < (size_t)h * w; i++)
            x[(size_t)c * h * w + i] = pix[i * C + c];
done:
    png_destroy_read_struct(&png, &info, NULL);
    free(m);
    free(pix);
    free(rows);
    fclose(fp);
    return st;
}

static gan_status list_pngs(const char *dir, char ***names, long *n, gan_error *err)
{
    gan_status st = io_list_dir(dir, is_png, names, n, err);
    if (st == GAN_OK && *n == 0) {
        io_free_names(*names);
        *names = NULL;
        return gan_error_at(err, GAN_ERR_IO, dir, 0, 0, "no *.png files in this folder");
    }
    return st;
}

gan_status io_pngdir_load(gan_dataset *d, const gan_data_spec *spec, gan_error *err)
{
    char **names;
    long n;
    gan_status st = list_pngs(spec->path, &names, &n, err);
    if (st != GAN_OK) return st;
    if (spec->limit > 0 && spec->limit < n) n = spec->limit;
    gan_shape s;
    if ((st = read_png(names[0], &s, NULL, NULL, err)) != GAN_OK) goto out;
    size_t size = gan_shape_size(s);
    if ((size_t)n > IO_MAX_FLOATS / size) {
        st = gan_error_at(err, GAN_ERR_INVALID, spec->path, 0, 0, "%ld images of %zu values is more than 2 GiB",
                          n, size);
        goto out;
    }
    if (!(d->u8 = malloc((size_t)n * size))) {                  // (n, C, H, W) bytes
        st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory for %ld images", n);
        goto out;
    }
    for (long i = 0; i < n && st == GAN_OK; i++)
        st = read_png(names[i], &s, d->u8 + (size_t)i * size, names[0], err);
    d->n = n;
    d->shape = s;
out:
    io_free_names(names);
    return st;
}

gan_status io_pngdir_shape(const char *path, gan_shape *shape, gan_error *err)
{
    char **names;
    long n;
    gan_status st = list_pngs(path, &names, &n, err);
    if (st != GAN_OK) return st;
    st = read_png(names[0], shape, NULL, NULL, err);
    io_free_names(names);
    return st;
}
