/* seedgen.c - tiny valid inputs for the fuzz targets (run by run.sh):
 *   seedgen OUT [CKPT...]
 * writes OUT/idx/ (images, vectors, colour, labels, gzipped), OUT/cifar10/,
 * OUT/csv/, OUT/pngdir/ (gray, RGB, palette, 16-bit, alpha, interlaced),
 * OUT/images/ (those PNGs and JPEGs: gray, RGB, 4:2:0, progressive, with
 * restart markers, CMYK, cut short; each after fuzz_images's settings
 * byte) and, for each CKPT, OUT/ckpt/NAME.sections: fuzz_ckpt's odd form of its
 * sections (the raw files are copied by run.sh). */
#include <png.h>
#include <stdio.h>     /* before jpeglib.h, which needs FILE and size_t */
#include <jpeglib.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "ckpt/ckpt_file.h"

static const char *out;

static void put(const char *sub, const char *name, const void *p, size_t n)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s/%s", out, sub, name);
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(p, 1, n, f) != n) || fclose(f)) { perror(path); exit(1); }
}

static size_t idx(uint8_t *b, uint32_t type_rank, const uint32_t *dims, int rank)
{
    size_t n = 0, count = 1;
    b[n++] = 0; b[n++] = 0; b[n++] = (uint8_t)(type_rank >> 8); b[n++] = (uint8_t)type_rank;
    for (int i = 0; i < rank; i++) {
        for (int s = 24; s >= 0; s -= 8) b[n++] = (uint8_t)(dims[i] >> s);
        count *= dims[i];
    }
    for (size_t i = 0; i < count; i++) b[n++] = (uint8_t)(i * 29 + 7);
    return n;
}

static void idx_seeds(void)
{
    uint8_t b[256];
    uint32_t im[] = { 2, 3, 3 }, vec[] = { 3, 4 }, col[] = { 2, 3, 2, 2 }, lab[] = { 2 };
    size_t n = idx(b, 0x0803, im, 3);
    put("idx", "images", b, n);
    /* the same, gzipped */
    uint8_t z[512];
    z_stream s;
    memset(&s, 0, sizeof s);
    if (deflateInit2(&s, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK) exit(1);
    s.next_in = b; s.avail_in = (uInt)n; s.next_out = z; s.avail_out = sizeof z;
    if (deflate(&s, Z_FINISH) != Z_STREAM_END) exit(1);
    put("idx", "images.gz", z, sizeof z - s.avail_out);
    deflateEnd(&s);
    put("idx", "vectors", b, idx(b, 0x0802, vec, 2));
    put("idx", "colour", b, idx(b, 0x0804, col, 4));
    n = idx(b, 0x0801, lab, 1);
    b[8] = 3; b[9] = 9;
    put("idx", "labels", b, n);
}

static void cifar_seeds(void)
{
    static uint8_t b[2 * 3073];
    for (int r = 0; r < 2; r++) {
        b[r * 3073] = (uint8_t)(r * 7);
        for (int i = 1; i < 3073; i++) b[r * 3073 + i] = (uint8_t)(i * 13 + r);
    }
    put("cifar10", "one", b, 3073);
    put("cifar10", "two", b, sizeof b);
}

static void csv_seeds(void)
{
    const char *s[] = {
        "1,2\n3,4\n",
        "x,y\r\n0.5, -1.25\r\n\r\n1e3,2E-2\r\n",
        "  7 ,8,9\n-1,+2,.5\n",
        "a\n1\n2\n3\n",
    };
    char name[16];
    for (int i = 0; i < 4; i++) {
        snprintf(name, sizeof name, "csv%d", i);
        put("csv", name, s[i], strlen(s[i]));
    }
}

/* a w x h PNG of this colour type and bit depth, pixels a pattern */
static void png(const char *name, int w, int h, int color, int depth, int interlace)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/pngdir/%s", out, name);
    FILE *f = fopen(path, "wb");
    png_structp p = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(p);
    if (!f || !p || !info || setjmp(png_jmpbuf(p))) { fprintf(stderr, "seedgen: png %s\n", name); exit(1); }
    png_init_io(p, f);
    png_set_IHDR(p, info, (png_uint_32)w, (png_uint_32)h, depth, color,
                 interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (color == PNG_COLOR_TYPE_PALETTE) {
        png_color pal[4] = { { 0, 0, 0 }, { 255, 0, 0 }, { 0, 255, 0 }, { 10, 20, 30 } };
        png_set_PLTE(p, info, pal, 4);
        png_byte trans[2] = { 0, 128 };
        png_set_tRNS(p, info, trans, 2, NULL);
    }
    png_write_info(p, info);
    int ch = color == PNG_COLOR_TYPE_RGB ? 3 : color == PNG_COLOR_TYPE_RGB_ALPHA ? 4
           : color == PNG_COLOR_TYPE_GRAY_ALPHA ? 2 : 1;
    size_t rowbytes = ((size_t)w * ch * depth + 7) / 8;
    png_bytep row = calloc(1, rowbytes);
    int passes = png_set_interlace_handling(p);
    for (int pass = 0; pass < passes; pass++)
        for (int y = 0; y < h; y++) {
            for (size_t i = 0; i < rowbytes; i++) row[i] = (png_byte)(i * 41 + y * 7);
            if (color == PNG_COLOR_TYPE_PALETTE)
                for (size_t i = 0; i < rowbytes; i++) row[i] &= depth == 8 ? 3 : 0x55;
            png_write_row(p, row);
        }
    png_write_end(p, info);
    png_destroy_write_struct(&p, &info);
    free(row);
    fclose(f);
}

/* settings byte b (fuzz_images.c), then p, as OUT/images/name */
static void image_seed(const char *name, const void *p, size_t n, unsigned b)
{
    unsigned char *q = malloc(n + 1);
    if (!q) exit(1);
    q[0] = (unsigned char)b;
    memcpy(q + 1, p, n);
    put("images", name, q, n + 1);
    free(q);
}

/* the file at OUT/pngdir/name again as OUT/images/as, after settings
 * byte b */
static void png_to_images(const char *name, const char *as, unsigned b)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/pngdir/%s", out, name);
    FILE *f = fopen(path, "rb");
    static unsigned char buf[1 << 16];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (!f || fclose(f)) { perror(path); exit(1); }
    image_seed(as, buf, n, b);
}

/* a w x h JPEG of c components (1 gray, 3 RGB, 4 CMYK) into OUT/images/,
 * after settings byte b, its last `cut` bytes dropped */
static void jpeg(const char *name, int w, int h, int c, int progressive, int restart, int sub420,
                 size_t cut, unsigned b)
{
    struct jpeg_compress_struct ci;
    struct jpeg_error_mgr je;
    unsigned char *mem = NULL;
    unsigned long n = 0;
    ci.err = jpeg_std_error(&je);
    jpeg_create_compress(&ci);
    jpeg_mem_dest(&ci, &mem, &n);
    ci.image_width = (JDIMENSION)w;
    ci.image_height = (JDIMENSION)h;
    ci.input_components = c;
    ci.in_color_space = c == 1 ? JCS_GRAYSCALE : c == 3 ? JCS_RGB : JCS_CMYK;
    jpeg_set_defaults(&ci);
    jpeg_set_quality(&ci, 90, TRUE);
    if (progressive) jpeg_simple_progression(&ci);
    ci.restart_interval = (unsigned)restart;
    if (c == 3) {   /* 4:4:4 unless sub420 */
        ci.comp_info[0].h_samp_factor = ci.comp_info[0].v_samp_factor = sub420 ? 2 : 1;
        ci.comp_info[1].h_samp_factor = ci.comp_info[1].v_samp_factor = 1;
        ci.comp_info[2].h_samp_factor = ci.comp_info[2].v_samp_factor = 1;
    }
    jpeg_start_compress(&ci, TRUE);
    unsigned char *row = malloc((size_t)w * c);
    if (!row) exit(1);
    while (ci.next_scanline < ci.image_height) {
        for (int i = 0; i < w * c; i++) row[i] = (unsigned char)(i * 37 + (int)ci.next_scanline * 11);
        JSAMPROW r = row;
        jpeg_write_scanlines(&ci, &r, 1);
    }
    jpeg_finish_compress(&ci);
    jpeg_destroy_compress(&ci);
    free(row);
    image_seed(name, mem, cut < n ? n - cut : 0, b);
    free(mem);
}

static void image_seeds(void)
{
    /* settings bytes: name, channels, crop, size, background, on_bad_file,
     * labels (fuzz_images.c) */
    png_to_images("gray.png", "gray.png", 0x01);
    png_to_images("rgb.png", "rgb.png", 0x0b);
    png_to_images("rgba16.png", "rgba16.png", 0x27);
    png_to_images("gray1.png", "gray1.png", 0x11);
    png_to_images("graya.png", "graya.png", 0x39);
    png_to_images("palette.png", "palette.png", 0x1f);
    png_to_images("interlaced.png", "interlaced.png", 0x03);
    png_to_images("rgb.png", "rgb-folders.png", 0x8b);
    jpeg("gray.jpg", 5, 3, 1, 0, 0, 0, 0, 0x00);
    jpeg("rgb.jpg", 9, 7, 3, 0, 0, 0, 0, 0x0a);
    jpeg("rgb420.jpg", 17, 13, 3, 0, 0, 1, 0, 0x1e);
    jpeg("progressive.jpg", 12, 20, 3, 1, 0, 1, 0, 0x12);
    jpeg("restart.jpg", 40, 24, 3, 0, 1, 0, 0, 0x18);
    jpeg("cmyk.jpg", 2, 2, 4, 0, 0, 0, 0, 0x02);
    jpeg("short.jpg", 32, 32, 3, 0, 0, 1, 100, 0x1a);
    jpeg("short-skip.jpg", 32, 32, 3, 0, 0, 1, 100, 0x5a);
    jpeg("gray-folders.jpg", 6, 6, 1, 0, 0, 0, 0, 0x80);
}

static void png_seeds(void)
{
    png("gray.png", 3, 2, PNG_COLOR_TYPE_GRAY, 8, 0);
    png("rgb.png", 2, 2, PNG_COLOR_TYPE_RGB, 8, 0);
    png("rgba16.png", 2, 3, PNG_COLOR_TYPE_RGB_ALPHA, 16, 0);
    png("gray1.png", 9, 2, PNG_COLOR_TYPE_GRAY, 1, 0);
    png("graya.png", 2, 2, PNG_COLOR_TYPE_GRAY_ALPHA, 8, 0);
    png("palette.png", 4, 4, PNG_COLOR_TYPE_PALETTE, 2, 0);
    png("interlaced.png", 5, 5, PNG_COLOR_TYPE_RGB, 8, 1);
}

/* fuzz_ckpt's odd form: byte 1, then (tag, u32 len, payload) per section */
static void ckpt_seed(const char *path)
{
    gan_error err;
    ckpt_reader *r;
    if (ckpt_reader_open(&r, path, &err) != GAN_OK) { fprintf(stderr, "seedgen: %s: %s\n", path, err.msg); exit(1); }
    size_t n = 1;
    for (int i = 0; i < r->n; i++) n += 8 + r->s[i].len;
    uint8_t *b = malloc(n), *p = b;
    *p++ = 1;
    for (int i = 0; i < r->n; i++) {
        if (r->s[i].tag == CKPT_TAG_END) continue;
        for (int k = 0; k < 4; k++) *p++ = (uint8_t)(r->s[i].tag >> 8 * k);
        for (int k = 0; k < 4; k++) *p++ = (uint8_t)(r->s[i].len >> 8 * k);
        memcpy(p, r->s[i].data, r->s[i].len);
        p += r->s[i].len;
    }
    const char *base = strrchr(path, '/');
    char name[300];
    snprintf(name, sizeof name, "%s.sections", base ? base + 1 : path);
    put("ckpt", name, b, (size_t)(p - b));
    free(b);
    ckpt_reader_free(r);
}

int main(int argc, char **argv)
{
    if (argc < 2) { fprintf(stderr, "usage: seedgen OUT [CKPT...]\n"); return 2; }
    out = argv[1];
    idx_seeds();
    cifar_seeds();
    csv_seeds();
    png_seeds();
    image_seeds();
    for (int i = 2; i < argc; i++) ckpt_seed(argv[i]);
    return 0;
}
