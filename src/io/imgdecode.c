/* imgdecode.c - one PNG or JPEG file to an 8-bit sample of a given size.
 *
 * Decoding: libpng or libjpeg(-turbo), chosen by the file's first bytes
 * (not its name).  PNG: palettes are expanded, gray below 8 bits widened,
 * 16-bit samples scaled to 8 (rounded), tRNS transparency made an alpha
 * channel.  JPEG: gray stays gray, everything else is decoded to RGB (CMYK
 * is refused); a JPEG that ends early is an error (libjpeg would pad it
 * with gray), other libjpeg warnings are ignored, as Pillow does.
 *
 * Channels: alpha is composited over a gray background b (0..255):
 * v' = (v a + b (255 - a) + 127) / 255 in integers.  Gray to RGB repeats
 * the gray; RGB to gray is Pillow's ITU-R 601-2 luma in fixed point,
 * L = (19595 R + 38470 G + 7471 B + 32768) >> 16.
 *
 * Resizing (io_resize_crop): the shorter side is scaled to the target first
 * (the other keeps the aspect ratio, rounded), then a window of the target
 * size is cut from the middle (or at a given offset).  The filter is a
 * separable triangle (tent) whose support grows with the downscale factor,
 * so that every input pixel contributes (an antialiased, area-like average;
 * plain bilinear interpolation when enlarging).  Coefficients follow
 * Pillow's Image.resize(..., BILINEAR): output pixel j of an axis scaled
 * from `in` to `out` has centre c = (j + 0.5) in/out, support s = max(in/out,
 * 1), inputs x in [floor(c - s + 0.5), floor(c + s + 0.5)) clipped to the
 * image, weights tri((x - c + 0.5) / s) normalised to sum 1.  The
 * horizontal pass runs first and is rounded to bytes, then the vertical
 * one, as Pillow does; tests/images.sh compares the two.
 */
#include "config.h"
#include <stdio.h>     /* before jpeglib.h, which needs FILE and size_t */
#include <jpeglib.h>
#include <jerror.h>
#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include "io/io.h"

/* ---- PNG ---------------------------------------------------------------- */
/* libpng reports through these (io.h): keep the message, jump back; stay
 * quiet on warnings (the library never prints). */
void io_png_on_error(png_structp png, png_const_charp msg)
{
    io_png_msg *m = png_get_error_ptr(png);
    snprintf(m->text, sizeof m->text, "%s", msg);
    png_longjmp(png, 1);
}

void io_png_on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

int io_png_reader(io_png_msg **m, png_structp *png, png_infop *info)
{
    *m = calloc(1, sizeof **m);
    *png = *m ? png_create_read_struct(PNG_LIBPNG_VER_STRING, *m, io_png_on_error, io_png_on_warning) : NULL;
    *info = *png ? png_create_info_struct(*png) : NULL;
    if (*info) return 0;
    png_destroy_read_struct(*png ? png : NULL, NULL, NULL);
    free(*m);
    *m = NULL;
    return -1;
}

void io_png_limits(png_structp png)
{
    /* libpng's own bounds, set before it reads a byte: sides (checked
     * again in pixels by the callers), ancillary chunks kept, and the
     * memory one chunk may take (a tiny file declaring a 2 GiB iTXt
     * chunk is an error, not a 2 GiB allocation) */
    png_set_user_limits(png, 1 << 20, 1 << 20);   /* size_check then names the pixel limit */
    png_set_chunk_cache_max(png, 1000);
    png_set_chunk_malloc_max(png, IO_PNG_CHUNK_MAX);
    /* libpng 1.6.39 still allocates a text chunk's declared length before
     * reading it: the chunks no decoder here uses are skipped unread
     * (libpng's manual, "ignore unused known chunks"), unknown ones too;
     * IHDR, PLTE, tRNS, IDAT and IEND stay */
    static const png_byte unused[] = {
        'b', 'K', 'G', 'D', 0, 'c', 'H', 'R', 'M', 0, 'e', 'X', 'I', 'f', 0, 'g', 'A', 'M', 'A', 0,
        'h', 'I', 'S', 'T', 0, 'i', 'C', 'C', 'P', 0, 'i', 'T', 'X', 't', 0, 'o', 'F', 'F', 's', 0,
        'p', 'C', 'A', 'L', 0, 'p', 'H', 'Y', 's', 0, 's', 'B', 'I', 'T', 0, 's', 'C', 'A', 'L', 0,
        's', 'P', 'L', 'T', 0, 's', 'R', 'G', 'B', 0, 's', 'T', 'E', 'R', 0, 't', 'E', 'X', 't', 0,
        't', 'I', 'M', 'E', 0, 'z', 'T', 'X', 't', 0,
    };
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, NULL, 0);
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, unused, (int)(sizeof unused / 5));
}

static gan_status size_check(const char *path, unsigned long w, unsigned long h, gan_error *err)
{
    if (w < 1 || h < 1 || w > IO_IMG_MAX_SIDE || h > IO_IMG_MAX_SIDE || w * h > IO_IMG_MAX_PIXELS)
        return gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                            "image is %lux%lu, expected sides of 1 to %d pixels and at most %ld pixels",
                            w, h, IO_IMG_MAX_SIDE, (long)IO_IMG_MAX_PIXELS);
    return GAN_OK;
}

static gan_status read_png(FILE *fp, const char *path, io_image *im, gan_error *err)
{
    io_png_msg *m;
    png_structp png;
    png_infop info;
    if (io_png_reader(&m, &png, &info) != 0) return gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    unsigned char *volatile pix = NULL;   // (H, W, C) as libpng gives it
    png_bytep *volatile rows = NULL;      // (H) pointers into pix
    gan_status st = GAN_OK;
    if (setjmp(png_jmpbuf(png))) {
        st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "bad PNG: %s", m->text);
        free(pix);
        pix = NULL;
        goto done;
    }
    io_png_limits(png);
    png_init_io(png, fp);
    png_read_info(png, info);
    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    if ((st = size_check(path, w, h, err)) != GAN_OK) goto done;
    int type = png_get_color_type(png, info), depth = png_get_bit_depth(png, info);
    if (type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (type == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    if (depth == 16) png_set_scale_16(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    int C = png_get_channels(png, info);
    size_t rowbytes = png_get_rowbytes(png, info);
    if (C < 1 || C > 4 || rowbytes != (size_t)w * (size_t)C) {
        st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                          "cannot convert to 8-bit samples (%d channels, %zu bytes per row)", C, rowbytes);
        goto done;
    }
    pix = malloc((size_t)h * rowbytes);
    rows = malloc((size_t)h * sizeof(png_bytep));
    if (!pix || !rows) {
        st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory for a %ux%u image", (unsigned)w, (unsigned)h);
        free(pix);
        pix = NULL;
        goto done;
    }
    for (png_uint_32 y = 0; y < h; y++) rows[y] = pix + y * rowbytes;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    im->w = (int)w, im->h = (int)h, im->c = C, im->px = pix;
done:
    png_destroy_read_struct(&png, &info, NULL);
    free(m);
    free(rows);
    return st;
}

/* ---- JPEG --------------------------------------------------------------- */
typedef struct jpeg_err {
    struct jpeg_error_mgr pub;
    jmp_buf jb;
    int truncated;
    char text[JMSG_LENGTH_MAX];
} jpeg_err;

static void jpeg_on_error(j_common_ptr c)
{
    jpeg_err *e = (jpeg_err *)c->err;
    c->err->format_message(c, e->text);
    longjmp(e->jb, 1);
}

/* libjpeg-turbo's advice for untrusted progressive files (libjpeg.txt,
 * "progress monitor"): a scan count past any real encoder's, checked as
 * each scan starts, so a file of 20,000 repeated scans stops at once */
static void jpeg_on_progress(j_common_ptr c)
{
    j_decompress_ptr d = (j_decompress_ptr)c;
    /* each scan costs a pass over the image: at most IO_JPEG_MAX_SCANS,
     * fewer for a large image (its scans times pixels at most 2^28, 16
     * scans at 4096 x 4096), never fewer than 16 */
    double px = (double)d->image_width * (double)d->image_height;
    int most = px * IO_JPEG_MAX_SCANS > 268435456.0 ? (int)(268435456.0 / (px > 1 ? px : 1)) : IO_JPEG_MAX_SCANS;
    if (most < 16) most = 16;
    if (d->input_scan_number > most) {
        jpeg_err *e = (jpeg_err *)c->err;
        snprintf(e->text, sizeof e->text, "more than %d scans for %ux%u pixels (a real progressive JPEG "
                 "has about 10)", most, (unsigned)d->image_width, (unsigned)d->image_height);
        longjmp(e->jb, 1);
    }
}

static void jpeg_on_message(j_common_ptr c, int level)
{
    jpeg_err *e = (jpeg_err *)c->err;
    if (level < 0 && c->err->msg_code == JWRN_JPEG_EOF) e->truncated = 1;
}

static gan_status read_jpeg(FILE *fp, const char *path, io_image *im, gan_error *err)
{
    struct jpeg_decompress_struct cinfo;
    jpeg_err *je = calloc(1, sizeof *je);
    if (!je) return gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    unsigned char *volatile pix = NULL;   // (H, W, C)
    gan_status st = GAN_OK;
    cinfo.err = jpeg_std_error(&je->pub);
    je->pub.error_exit = jpeg_on_error;
    je->pub.emit_message = jpeg_on_message;
    if (setjmp(je->jb)) {
        st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "bad JPEG: %s", je->text);
        free(pix);
        pix = NULL;
        goto done;
    }
    jpeg_create_decompress(&cinfo);
    struct jpeg_progress_mgr progress = { .progress_monitor = jpeg_on_progress };
    cinfo.progress = &progress;
    cinfo.mem->max_memory_to_use = IO_JPEG_MAX_MEMORY;
    jpeg_stdio_src(&cinfo, fp);
    jpeg_read_header(&cinfo, TRUE);
    if ((st = size_check(path, cinfo.image_width, cinfo.image_height, err)) != GAN_OK) goto done;
    if (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK) {
        st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "CMYK JPEG, expected gray or RGB");
        goto done;
    }
    cinfo.out_color_space = cinfo.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_start_decompress(&cinfo);
    int C = cinfo.output_components;
    size_t w = cinfo.output_width, h = cinfo.output_height;
    if (!(pix = malloc(h * w * (size_t)C))) {
        st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory for a %zux%zu image", w, h);
        goto done;
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = pix + (size_t)cinfo.output_scanline * w * C;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    if (je->truncated) {
        free(pix);
        pix = NULL;
        st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "bad JPEG: the file ends early (truncated)");
        goto done;
    }
    jpeg_finish_decompress(&cinfo);
    im->w = (int)w, im->h = (int)h, im->c = C, im->px = pix;
done:
    jpeg_destroy_decompress(&cinfo);
    free(je);
    return st;
}

gan_status io_image_read(const char *path, io_image *im, gan_error *err)
{
    memset(im, 0, sizeof *im);
    FILE *fp = io_fopen_input(path, NULL, err);
    if (!fp) return GAN_ERR_IO;
    unsigned char sig[8];
    size_t got = fread(sig, 1, 8, fp);
    gan_status st;
    if (got == 0) {
        st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "empty file (0 bytes), expected a PNG or JPEG image");
    } else if (got == 8 && !png_sig_cmp(sig, 0, 8)) {
        rewind(fp);
        st = read_png(fp, path, im, err);
    } else if (got >= 3 && sig[0] == 0xFF && sig[1] == 0xD8 && sig[2] == 0xFF) {
        rewind(fp);
        st = read_jpeg(fp, path, im, err);
    } else {
        st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "not a PNG or JPEG image (unknown signature)");
    }
    fclose(fp);
    return st;
}

/* ---- channels ----------------------------------------------------------- */
gan_status io_image_channels(io_image *im, int C, int bg, gan_error *err)
{
    size_t n = (size_t)im->w * im->h;
    int c0 = im->c, alpha = c0 == 2 || c0 == 4, color = c0 >= 3;
    if (c0 == C) return GAN_OK;
    unsigned char *out = malloc(n * (size_t)C);   // (H, W, C)
    if (!out) return gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    const unsigned char *p = im->px;
    for (size_t i = 0; i < n; i++, p += c0) {
        unsigned v[3];
        int k = color ? 3 : 1;
        for (int j = 0; j < k; j++) v[j] = p[j];
        if (alpha) {
            unsigned a = p[k];
            for (int j = 0; j < k; j++) v[j] = (v[j] * a + (unsigned)bg * (255 - a) + 127) / 255;
        }
        if (C == 1)
            out[i] = color ? (unsigned char)((19595 * v[0] + 38470 * v[1] + 7471 * v[2] + 32768) >> 16)
                           : (unsigned char)v[0];
        else
            for (int j = 0; j < 3; j++) out[i * 3 + j] = (unsigned char)(color ? v[j] : v[0]);
    }
    free(im->px);
    im->px = out;
    im->c = C;
    return GAN_OK;
}

/* ---- resize ------------------------------------------------------------- */
static double tri(double x)
{
    if (x < 0) x = -x;
    return x < 1 ? 1 - x : 0;
}

/* Coefficients of outputs off .. off+nout-1 of an axis scaled from in to
 * out: lo[j] first input, cnt[j] inputs, w[j * K ..] weights. */
static void coeffs(int in, int out, int off, int nout, int K, int *lo, int *cnt, float *w)
{
    double scale = (double)in / out, fs = scale > 1 ? scale : 1, support = fs;
    for (int j = 0; j < nout; j++) {
        double c = (off + j + 0.5) * scale;
        int x0 = (int)(c - support + 0.5), x1 = (int)(c + support + 0.5);
        if (x0 < 0) x0 = 0;
        if (x1 > in) x1 = in;
        if (x1 - x0 > K) x1 = x0 + K;
        double ww[x1 - x0 > 0 ? x1 - x0 : 1], sum = 0;
        for (int x = x0; x < x1; x++) sum += ww[x - x0] = tri((x - c + 0.5) / fs);
        lo[j] = x0, cnt[j] = x1 - x0;
        for (int x = x0; x < x1; x++) w[(size_t)j * K + (x - x0)] = sum > 0 ? (float)(ww[x - x0] / sum) : 0.0f;
    }
}

static unsigned char clip8(double v)
{
    if (!(v > 0)) return 0;
    if (v >= 255) return 255;
    return (unsigned char)(v + 0.5);
}

void io_resize_size(int w, int h, int tw, int th, int *rw, int *rh)
{
    /* the shorter side (relative to the target) becomes the target */
    if ((double)w * th >= (double)h * tw) {
        *rh = th;
        long v = lround((double)w * th / h);
        *rw = v < tw ? tw : (int)v;
    } else {
        *rw = tw;
        long v = lround((double)h * tw / w);
        *rh = v < th ? th : (int)v;
    }
}

gan_status io_resize_crop(const io_image *im, int tw, int th, int x0, int y0, unsigned char *out,
                          gan_error *err)
{
    int rw, rh, C = im->c, w = im->w, h = im->h;
    io_resize_size(w, h, tw, th, &rw, &rh);
    int Kx = 2 * (int)ceil(w > rw ? (double)w / rw : 1) + 1, Ky = 2 * (int)ceil(h > rh ? (double)h / rh : 1) + 1;
    int *lx = malloc(sizeof(int) * 2 * ((size_t)tw + th)), *cx = lx + tw, *ly = cx + tw, *cy = ly + th;
    float *wx = malloc(sizeof(float) * ((size_t)tw * Kx + (size_t)th * Ky)), *wy = wx + (size_t)tw * Kx;
    unsigned char *t = malloc((size_t)h * tw * C);   // (H, tw, C) after the horizontal pass
    gan_status st = GAN_OK;
    if (!lx || !wx || !t) {
        st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory resizing a %dx%d image", w, h);
        goto done;
    }
    coeffs(w, rw, x0, tw, Kx, lx, cx, wx);
    coeffs(h, rh, y0, th, Ky, ly, cy, wy);
    for (int y = 0; y < h; y++)
        for (int j = 0; j < tw; j++)
            for (int c = 0; c < C; c++) {
                const unsigned char *p = im->px + ((size_t)y * w + lx[j]) * C + c;
                const float *k = wx + (size_t)j * Kx;
                double s = 0;
                for (int i = 0; i < cx[j]; i++) s += k[i] * p[(size_t)i * C];
                t[((size_t)y * tw + j) * C + c] = clip8(s);
            }
    /* vertical pass, written channel-planar: out (C, th, tw) */
    for (int i = 0; i < th; i++)
        for (int j = 0; j < tw; j++)
            for (int c = 0; c < C; c++) {
                const unsigned char *p = t + ((size_t)ly[i] * tw + j) * C + c;
                const float *k = wy + (size_t)i * Ky;
                double s = 0;
                for (int r = 0; r < cy[i]; r++) s += k[r] * p[(size_t)r * tw * C];
                out[((size_t)c * th + i) * tw + j] = clip8(s);
            }
done:
    free(lx);
    free(wx);
    free(t);
    return st;
}
