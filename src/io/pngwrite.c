/* pngwrite.c - gan_png_write_grid: samples as one 8-bit PNG.
 *
 * Images (1, H, W) or (3, H, W) - and vectors (K*K), drawn as K x K gray
 * images - are tiled row by row, ncols per row, with PAD white pixels
 * between tiles; values in [-1, 1] map to 0..255 (clamped).  2-D points
 * (shape (2)) become a scatter plot instead: a SCATTER_SIDE-pixel square
 * over [-SCATTER_LIM, SCATTER_LIM]^2, y up, one black dot per point.
 * Written atomically: a temporary file beside path, renamed on success.
 */
#include "config.h"
#include <math.h>
#include <png.h>
#include <stdlib.h>
#include <string.h>
#include "io/io.h"

#define PAD 2
#define PAD_VALUE 255
#define SCATTER_SIDE 512
#define SCATTER_LIM 6.0f
#define MAX_CANVAS_SIDE 100000
#define MAX_CANVAS_BYTES ((size_t)1 << 30)

typedef struct canvas {
    int W, H, C;
    unsigned char *px;   // (H, W, C), interleaved as PNG rows are
} canvas;

typedef struct png_out {
    io_out o;
    char msg[200];
} png_out;

static void on_error(png_structp png, png_const_charp msg)
{
    png_out *p = png_get_error_ptr(png);
    snprintf(p->msg, sizeof p->msg, "%s", msg);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

static void on_write(png_structp png, png_bytep data, size_t len)
{
    png_out *p = png_get_io_ptr(png);
    if (io_out_write(&p->o, data, len) != 0) png_error(png, "write failed");
}

static void on_flush(png_structp png)
{
    (void)png;
}

static gan_status write_png(const char *path, const canvas *cv, gan_error *err)
{
    png_bytep *rows = malloc((size_t)cv->H * sizeof *rows);   // (H)
    if (!rows) return gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    for (int y = 0; y < cv->H; y++) rows[y] = cv->px + (size_t)y * cv->W * cv->C;
    /* on the heap: libpng's callbacks change it before a longjmp */
    png_out *p = calloc(1, sizeof *p);
    gan_status st = p ? io_out_open(&p->o, path, err) : gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    if (st != GAN_OK) { free(p); free(rows); return st; }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, p, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_write_struct(png ? &png : NULL, NULL);
        io_out_abort(&p->o);
        free(p);
        free(rows);
        return gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(rows);
        io_out_abort(&p->o);
        if (p->o.err) st = gan_error_at(err, GAN_ERR_IO, path, 0, 0, "cannot write: %s", strerror(p->o.err));
        else st = gan_error_at(err, GAN_ERR_INVALID, path, 0, 0, "libpng: %s", p->msg);
        free(p);
        return st;
    }
    png_set_write_fn(png, p, on_write, on_flush);
    png_set_IHDR(png, info, (png_uint_32)cv->W, (png_uint_32)cv->H, 8,
                 cv->C == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    png_write_image(png, rows);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(rows);
    st = io_out_commit(&p->o, err);
    free(p);
    return st;
}

static gan_status canvas_new(canvas *cv, size_t W, size_t H, int C, int fill, const char *path, gan_error *err)
{
    if (W > MAX_CANVAS_SIDE || H > MAX_CANVAS_SIDE || W * H * (size_t)C > MAX_CANVAS_BYTES)
        return gan_error_at(err, GAN_ERR_INVALID, path, 0, 0, "picture of %zux%zu pixels is too large", W, H);
    cv->W = (int)W;
    cv->H = (int)H;
    cv->C = C;
    if (!(cv->px = malloc(W * H * (size_t)C)))
        return gan_error_set(err, GAN_ERR_NOMEM, "out of memory for a %zux%zu picture", W, H);
    memset(cv->px, fill, W * H * (size_t)C);
    return GAN_OK;
}

/* n points xy (n, 2): white square, gray axes, black 2x2 dots. */
static void draw_scatter(canvas *cv, const float *xy, int n)
{
    const int S = SCATTER_SIDE;
    const float scale = (float)S / (2 * SCATTER_LIM);
    for (int i = 0; i < S; i++) {   /* axes through (0, 0) */
        cv->px[(size_t)(S / 2) * S + i] = 200;
        cv->px[(size_t)i * S + S / 2] = 200;
    }
    for (int i = 0; i < n; i++) {
        float px = (xy[2 * i] + SCATTER_LIM) * scale, py = (SCATTER_LIM - xy[2 * i + 1]) * scale;
        if (!(px >= 0 && px < S && py >= 0 && py < S)) continue;   /* off the plot, or NaN */
        int cx = (int)px, cy = (int)py;
        for (int dy = 0; dy < 2; dy++)
            for (int dx = 0; dx < 2; dx++)
                if (cx + dx < S && cy + dy < S) cv->px[(size_t)(cy + dy) * S + cx + dx] = 0;
    }
}

/* Image i (C, H, W) of x into its tile. */
static void draw_tiles(canvas *cv, const float *x, int n, int C, int H, int W, int ncols)
{
    for (int i = 0; i < n; i++) {
        const float *im = x + (size_t)i * C * H * W;
        size_t x0 = (size_t)(i % ncols) * (W + PAD), y0 = (size_t)(i / ncols) * (H + PAD);
        for (int c = 0; c < C; c++)
            for (int y = 0; y < H; y++)
                for (int xx = 0; xx < W; xx++)
                    cv->px[((y0 + y) * cv->W + x0 + xx) * C + c] = io_byte(im[((size_t)c * H + y) * W + xx]);
    }
}

gan_status gan_png_write_grid(const char *path, const float *x, int n, gan_shape s, int ncols, gan_error *err)
{
    if (n < 1) return gan_error_at(err, GAN_ERR_INVALID, path, 0, 0, "no samples to draw");
    canvas cv = { 0, 0, 0, NULL };
    gan_status st;
    if (s.rank == 1 && s.d[0] == 2) {
        if ((st = canvas_new(&cv, SCATTER_SIDE, SCATTER_SIDE, 1, 255, path, err)) != GAN_OK) return st;
        draw_scatter(&cv, x, n);
    } else {
        int C, H, W;
        if (!gan_shape_image(s, &C, &H, &W)) {
            char b[64];
            gan_shape_str(s, b, sizeof b);
            return gan_error_at(err, GAN_ERR_SHAPE, path, 0, 0,
                                "cannot draw samples of shape %s: expected (1, H, W), (3, H, W), "
                                "(K*K) vectors or (2) points", b);
        }
        if (ncols <= 0) ncols = (int)ceil(sqrt((double)n));
        if (ncols > n) ncols = n;
        int nrows = (n + ncols - 1) / ncols;
        size_t CW = (size_t)ncols * W + (size_t)(ncols - 1) * PAD, CH = (size_t)nrows * H + (size_t)(nrows - 1) * PAD;
        if ((st = canvas_new(&cv, CW, CH, C, PAD_VALUE, path, err)) != GAN_OK) return st;
        draw_tiles(&cv, x, n, C, H, W, ncols);
    }
    st = write_png(path, &cv, err);
    free(cv.px);
    return st;
}
