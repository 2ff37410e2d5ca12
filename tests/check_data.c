/* check_data.c - datasets (IDX, CIFAR-10, PNG folder, CSV, 2-D mixtures),
 * mixture metrics and the PNG/IDX/CSV writers.  Fixtures are written into
 * a fresh mkdtemp() folder for each test. */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <ftw.h>
#include <math.h>
#include <png.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "gan/gan.h"
#include "testutil.h"

/* ---- fixtures ------------------------------------------------------- */
static char dir[256];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "%s/check_data.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(p);
}

static void remove_dir(void)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* dir/name into a static buffer (one of four, so a test can hold a few) */
static const char *at(const char *name)
{
    static char buf[4][512];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof buf[i], "%s/%s", dir, name);
    return buf[i];
}

static const char *put(const char *name, const void *data, size_t n)
{
    const char *p = at(name);
    FILE *fp = fopen(p, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(data, 1, n, fp), n);
    ck_assert_int_eq(fclose(fp), 0);
    return p;
}

static const char *put_gz(const char *name, const void *data, size_t n)
{
    const char *p = at(name);
    gzFile gz = gzopen(p, "wb");
    ck_assert_ptr_nonnull(gz);
    ck_assert_int_eq(gzwrite(gz, data, (unsigned)n), (int)n);
    ck_assert_int_eq(gzclose(gz), Z_OK);
    return p;
}

static const char *put_text(const char *name, const char *text)
{
    return put(name, text, strlen(text));
}

/* IDX bytes: magic, dims, then payload; returns the length */
static size_t idx_bytes(unsigned char *out, uint32_t magic, const uint32_t *dims, int rank,
                        const unsigned char *payload, size_t n)
{
    size_t k = 0;
    uint32_t words[5] = { magic };
    for (int i = 0; i < rank; i++) words[i + 1] = dims[i];
    for (int i = 0; i <= rank; i++)
        for (int b = 3; b >= 0; b--) out[k++] = (unsigned char)(words[i] >> (8 * b));
    memcpy(out + k, payload, n);
    return k + n;
}

static gan_data_spec spec_of(gan_data_format f, const char *path)
{
    gan_data_spec s;
    memset(&s, 0, sizeof s);
    s.format = f;
    if (path) snprintf(s.path, sizeof s.path, "%s", path);
    return s;
}

static gan_dataset *load_ok(const gan_data_spec *s)
{
    gan_dataset *d = NULL;
    gan_error err;
    gan_status st = gan_data_load(&d, s, 1, &err);
    ck_assert_msg(st == GAN_OK, "load failed: %s: %s", err.file, err.msg);
    /* byte-backed sets are checked through their float values */
    ck_assert_int_eq(gan_data_to_floats(d, &err), GAN_OK);
    return d;
}

/* Loading fails with code and exactly msg about file (file NULL: any). */
static void load_fails(const gan_data_spec *s, gan_status code, const char *file, const char *msg)
{
    gan_dataset *d = (gan_dataset *)1;
    gan_error err;
    gan_error_clear(&err);
    gan_status st = gan_data_load(&d, s, 1, &err);
    ck_assert_ptr_null(d);
    ck_assert_msg(st == code, "status %d (%s), expected %d", st, err.msg, code);
    ck_assert_int_eq(err.code, code);
    if (file) ck_assert_str_eq(err.file, file);
    ck_assert_str_eq(err.msg, msg);
}

static float unbyte(int b)
{
    return (float)((double)b / 127.5 - 1.0);
}

/* 3 images 2 x 3 and their bytes (0 and 255 included) */
static const unsigned char pix[18] = { 0, 255, 1, 127, 128, 254, 10, 20, 30, 40, 50, 60, 200, 201, 202, 203, 204, 205 };
static const uint32_t dims3[3] = { 3, 2, 3 };

/* ---- IDX -------------------------------------------------------------- */
static void check_pix(const gan_dataset *d)
{
    ck_assert_int_eq(d->n, 3);
    ck_assert_int_eq(d->shape.rank, 3);
    ck_assert_int_eq(d->shape.d[0], 1);
    ck_assert_int_eq(d->shape.d[1], 2);
    ck_assert_int_eq(d->shape.d[2], 3);
    for (int i = 0; i < 18; i++) ck_assert_float_eq_tol(d->x[i], unbyte(pix[i]), 1e-6);
    ck_assert_float_eq(d->x[0], -1.0f);
    ck_assert_float_eq(d->x[1], 1.0f);
    ck_assert_ptr_null(d->labels);
}

START_TEST(test_idx_raw_images_scale_to_unit_range)
{
    unsigned char b[64];
    gan_data_spec s = spec_of(GAN_DATA_IDX, put("img", b, idx_bytes(b, 0x803, dims3, 3, pix, 18)));
    gan_dataset *d = load_ok(&s);
    check_pix(d);
    gan_data_free(d);
}
END_TEST

START_TEST(test_idx_gzipped_reads_the_same)
{
    unsigned char b[64];
    gan_data_spec s = spec_of(GAN_DATA_IDX, put_gz("img.gz", b, idx_bytes(b, 0x803, dims3, 3, pix, 18)));
    gan_dataset *d = load_ok(&s);
    check_pix(d);
    gan_data_free(d);
}
END_TEST

START_TEST(test_idx_images_kept_as_bytes_read_as_floats)
{
    unsigned char b[64];
    gan_data_spec s = spec_of(GAN_DATA_IDX, put("img8", b, idx_bytes(b, 0x803, dims3, 3, pix, 18)));
    gan_dataset *d = NULL;
    gan_error err;
    ck_assert_int_eq(gan_data_load(&d, &s, 1, &err), GAN_OK);
    ck_assert_ptr_nonnull(d->u8);   /* a quarter of the memory of floats */
    ck_assert_ptr_null(d->x);
    float one[6];
    for (int i = 0; i < 3; i++) {
        gan_data_get(d, i, one);
        for (int k = 0; k < 6; k++) ck_assert_float_eq_tol(one[k], unbyte(pix[i * 6 + k]), 1e-6);
    }
    gan_data_free(d);
}
END_TEST

START_TEST(test_idx_vectors_and_limit)
{
    unsigned char b[64];
    uint32_t dims[2] = { 3, 6 };
    gan_data_spec s = spec_of(GAN_DATA_IDX, put("vec", b, idx_bytes(b, 0x802, dims, 2, pix, 18)));
    s.limit = 2;
    gan_dataset *d = load_ok(&s);
    ck_assert_int_eq(d->n, 2);
    ck_assert_int_eq(d->shape.rank, 1);
    ck_assert_int_eq(d->shape.d[0], 6);
    for (int i = 0; i < 12; i++) ck_assert_float_eq_tol(d->x[i], unbyte(pix[i]), 1e-6);
    gan_data_free(d);
}
END_TEST

START_TEST(test_idx_bad_magic)
{
    unsigned char b[64];
    const char *p = put("bad", b, idx_bytes(b, 0x12345678, dims3, 3, pix, 18));
    gan_data_spec s = spec_of(GAN_DATA_IDX, p);
    load_fails(&s, GAN_ERR_FORMAT, p,
               "bad magic 0x12345678: not an IDX file (expected 0x00000803 images, "
               "0x00000802 vectors or 0x00000801 labels)");
    p = put("float", b, idx_bytes(b, 0xd03, dims3, 3, pix, 18));
    s = spec_of(GAN_DATA_IDX, p);
    load_fails(&s, GAN_ERR_FORMAT, p, "IDX element type 0x0d is not supported (expected 0x08, unsigned bytes)");
}
END_TEST

START_TEST(test_idx_truncated_pixels)
{
    unsigned char b[64];
    const char *p = put("short", b, idx_bytes(b, 0x803, dims3, 3, pix, 10));
    gan_data_spec s = spec_of(GAN_DATA_IDX, p);
    load_fails(&s, GAN_ERR_FORMAT, p, "truncated: expected 18 bytes of pixel data, got 10");
    p = put_gz("short.gz", b, idx_bytes(b, 0x803, dims3, 3, pix, 10));
    s = spec_of(GAN_DATA_IDX, p);
    load_fails(&s, GAN_ERR_FORMAT, p, "truncated: expected 18 bytes of pixel data, got 10");
    p = put("header", b, 10);
    s = spec_of(GAN_DATA_IDX, p);
    load_fails(&s, GAN_ERR_FORMAT, p, "truncated: expected 3 dimensions in the IDX header");
}
END_TEST

START_TEST(test_idx_hostile_headers_rejected_before_allocating)
{
    unsigned char b[64];
    uint32_t zero[3] = { 3, 0, 3 }, huge_n[3] = { 0xffffffffu, 28, 28 }, huge_img[3] = { 10, 65536, 65536 };
    const char *p = put("zero", b, idx_bytes(b, 0x803, zero, 3, pix, 0));
    gan_data_spec s = spec_of(GAN_DATA_IDX, p);
    load_fails(&s, GAN_ERR_FORMAT, p, "IDX dimension 2 is 0, expected >= 1");
    p = put("hugen", b, idx_bytes(b, 0x803, huge_n, 3, pix, 18));
    s = spec_of(GAN_DATA_IDX, p);
    load_fails(&s, GAN_ERR_FORMAT, p, "4294967295 samples is too many (at most 100000000)");
    p = put("hugeimg", b, idx_bytes(b, 0x803, huge_img, 3, pix, 18));
    s = spec_of(GAN_DATA_IDX, p);
    load_fails(&s, GAN_ERR_FORMAT, p, "samples of more than 16777216 values are not supported");
    /* a plausible header over a tiny file: read fails, nothing large allocated */
    uint32_t big[3] = { 100000000, 4, 5 };
    p = put("liar", b, idx_bytes(b, 0x803, big, 3, pix, 18));
    s = spec_of(GAN_DATA_IDX, p);
    load_fails(&s, GAN_ERR_FORMAT, p, "truncated: expected 2000000000 bytes of pixel data, got 18");
}
END_TEST

START_TEST(test_idx_labels_give_classes)
{
    unsigned char b[64], lab[3] = { 4, 9, 0 };
    uint32_t n3 = 3;
    gan_data_spec s = spec_of(GAN_DATA_IDX, put("img", b, idx_bytes(b, 0x803, dims3, 3, pix, 18)));
    snprintf(s.labels, sizeof s.labels, "%s", put_gz("lab.gz", b, idx_bytes(b, 0x801, &n3, 1, lab, 3)));
    gan_dataset *d = load_ok(&s);
    ck_assert_ptr_nonnull(d->labels);
    ck_assert_int_eq(d->labels[0], 4);
    ck_assert_int_eq(d->labels[1], 9);
    ck_assert_int_eq(d->labels[2], 0);
    ck_assert_int_eq(d->nclasses, 10);
    gan_data_free(d);
}
END_TEST

START_TEST(test_idx_labels_count_mismatch)
{
    unsigned char b[64], lab[2] = { 1, 2 };
    uint32_t n2 = 2;
    gan_data_spec s = spec_of(GAN_DATA_IDX, put("img", b, idx_bytes(b, 0x803, dims3, 3, pix, 18)));
    const char *lp = put("lab", b, idx_bytes(b, 0x801, &n2, 1, lab, 2));
    snprintf(s.labels, sizeof s.labels, "%s", lp);
    load_fails(&s, GAN_ERR_SHAPE, lp, "has 2 labels, the data file has 3 samples");
    /* and a labels file given as the data */
    gan_data_spec s2 = spec_of(GAN_DATA_IDX, lp);
    load_fails(&s2, GAN_ERR_FORMAT, lp,
               "holds labels (magic 0x00000801), expected images (0x00000803) or vectors (0x00000802)");
}
END_TEST

START_TEST(test_shape_reads_only_the_header)
{
    unsigned char b[64];
    uint32_t dims[3] = { 60000, 28, 28 };
    gan_data_spec s = spec_of(GAN_DATA_IDX, put("hdr", b, idx_bytes(b, 0x803, dims, 3, pix, 0)));
    gan_shape sh;
    gan_error err;
    ck_assert_int_eq(gan_data_shape(&s, &sh, &err), GAN_OK);
    ck_assert(gan_shape_eq(sh, (gan_shape){ 3, { 1, 28, 28 } }));
    gan_data_spec m = spec_of(GAN_DATA_RING, NULL);
    ck_assert_int_eq(gan_data_shape(&m, &sh, &err), GAN_OK);
    ck_assert(gan_shape_eq(sh, (gan_shape){ 1, { 2 } }));
}
END_TEST

START_TEST(test_missing_packaged_dataset_names_the_package)
{
    const char *p = "/usr/share/datasets/fashion-mnist/no-such-file-idx3-ubyte.gz";
    gan_data_spec s = spec_of(GAN_DATA_IDX, p);
    load_fails(&s, GAN_ERR_IO, p,
               "cannot open: No such file or directory (install the Debian package dataset-fashion-mnist)");
    s = spec_of(GAN_DATA_IDX, at("nothing"));
    load_fails(&s, GAN_ERR_IO, NULL, "cannot open: No such file or directory");
}
END_TEST

START_TEST(test_fashion_mnist_from_debian)
{
    const char *p = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";
    if (access(p, R_OK) != 0) {
        printf("skipped: %s not installed (Debian package dataset-fashion-mnist)\n", p);
        return;
    }
    gan_data_spec s = spec_of(GAN_DATA_IDX, p);
    snprintf(s.labels, sizeof s.labels, "/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz");
    gan_dataset *d = load_ok(&s);
    ck_assert_int_eq(d->n, 60000);
    ck_assert(gan_shape_eq(d->shape, (gan_shape){ 3, { 1, 28, 28 } }));
    ck_assert_int_eq(d->nclasses, 10);
    double sum = 0;
    float lo = 2, hi = -2;
    for (size_t i = 0; i < (size_t)60000 * 784; i++) {
        float v = d->x[i];
        sum += v;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
    }
    ck_assert_float_eq(lo, -1.0f);
    ck_assert_float_eq(hi, 1.0f);
    long count[10] = { 0 };
    for (long i = 0; i < d->n; i++) count[d->labels[i]]++;
    for (int k = 0; k < 10; k++) ck_assert_int_eq(count[k], 6000);   /* balanced classes */
    printf("fashion-mnist: %ld x (1, 28, 28), values in [%g, %g], mean %.4f\n", d->n, lo, hi,
           sum / (60000.0 * 784));
    gan_data_free(d);
}
END_TEST

/* ---- CIFAR-10 ---------------------------------------------------------- */
static void cifar_record(unsigned char *r, int label, int seed)
{
    r[0] = (unsigned char)label;
    for (int j = 0; j < 3072; j++) r[1 + j] = (unsigned char)((j * 7 + seed * 31) & 255);
}

START_TEST(test_cifar_folder_of_batches)
{
    static unsigned char b[3 * 3073];
    cifar_record(b, 3, 0);
    cifar_record(b + 3073, 7, 1);
    put("data_batch_1.bin", b, 2 * 3073);
    cifar_record(b, 9, 2);
    put("data_batch_2.bin", b, 3073);
    put("test_batch.bin", b, 5);           /* not a data batch: ignored */
    gan_data_spec s = spec_of(GAN_DATA_CIFAR10, dir);
    gan_dataset *d = load_ok(&s);
    ck_assert_int_eq(d->n, 3);
    ck_assert(gan_shape_eq(d->shape, (gan_shape){ 3, { 3, 32, 32 } }));
    ck_assert_int_eq(d->nclasses, 10);
    ck_assert_int_eq(d->labels[0], 3);
    ck_assert_int_eq(d->labels[1], 7);
    ck_assert_int_eq(d->labels[2], 9);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3072; j += 97)   /* planar: value j of record i */
            ck_assert_float_eq_tol(d->x[i * 3072 + j], unbyte((j * 7 + i * 31) & 255), 1e-6);
    gan_data_free(d);
    s.limit = 2;
    d = load_ok(&s);
    ck_assert_int_eq(d->n, 2);
    gan_data_free(d);
    s = spec_of(GAN_DATA_CIFAR10, at("data_batch_1.bin"));
    d = load_ok(&s);
    ck_assert_int_eq(d->n, 2);
    gan_data_free(d);
}
END_TEST

START_TEST(test_cifar_size_not_multiple_of_record)
{
    static unsigned char b[3074];
    const char *p = put("data_batch_1.bin", b, sizeof b);
    gan_data_spec s = spec_of(GAN_DATA_CIFAR10, p);
    load_fails(&s, GAN_ERR_FORMAT, p,
               "size 3074 is not a positive multiple of 3073 (1 label byte + 3x32x32 pixels per record)");
    b[0] = 12;
    p = put("data_batch_1.bin", b, 3073);
    load_fails(&s, GAN_ERR_FORMAT, p, "record 1 has label 12, expected a CIFAR-10 class 0..9");
    mkdir(at("empty"), 0755);
    s = spec_of(GAN_DATA_CIFAR10, at("empty"));
    load_fails(&s, GAN_ERR_IO, s.path, "no data_batch_*.bin files in this folder");
}
END_TEST

/* ---- PNG folder --------------------------------------------------------- */
/* A PNG written with libpng directly: rows of raw bytes as the type wants. */
static void write_png_file(const char *path, int w, int h, int depth, int type, const unsigned char *data,
                           const png_color *palette, int npal)
{
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png))) ck_abort_msg("libpng failed writing a fixture");
    png_init_io(png, fp);
    png_set_IHDR(png, info, w, h, depth, type, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    if (palette) png_set_PLTE(png, info, palette, npal);
    if (palette) {   /* palette entry 0 fully transparent: a tRNS chunk */
        png_byte alpha[1] = { 0 };
        png_set_tRNS(png, info, alpha, 1, NULL);
    }
    png_write_info(png, info);
    int ch = type == PNG_COLOR_TYPE_RGB ? 3 : type == PNG_COLOR_TYPE_RGB_ALPHA ? 4
           : type == PNG_COLOR_TYPE_GRAY_ALPHA ? 2 : 1;
    size_t rowbytes = (size_t)w * ch * depth / 8;
    for (int y = 0; y < h; y++) png_write_row(png, data + y * rowbytes);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    ck_assert_int_eq(fclose(fp), 0);
}

START_TEST(test_pngdir_gray_sorted_by_name)
{
    unsigned char a[12], b[12];
    for (int i = 0; i < 12; i++) a[i] = (unsigned char)(i * 20), b[i] = (unsigned char)(255 - i);
    write_png_file(at("b.png"), 4, 3, 8, PNG_COLOR_TYPE_GRAY, b, NULL, 0);
    write_png_file(at("a.png"), 4, 3, 8, PNG_COLOR_TYPE_GRAY, a, NULL, 0);
    put_text("notes.txt", "not an image");
    gan_data_spec s = spec_of(GAN_DATA_PNGDIR, dir);
    gan_dataset *d = load_ok(&s);
    ck_assert_int_eq(d->n, 2);
    ck_assert(gan_shape_eq(d->shape, (gan_shape){ 3, { 1, 3, 4 } }));
    for (int i = 0; i < 12; i++) {
        ck_assert_float_eq_tol(d->x[i], unbyte(a[i]), 1e-6);
        ck_assert_float_eq_tol(d->x[12 + i], unbyte(b[i]), 1e-6);
    }
    gan_data_free(d);
    gan_shape sh;
    gan_error err;
    ck_assert_int_eq(gan_data_shape(&s, &sh, &err), GAN_OK);
    ck_assert(gan_shape_eq(sh, (gan_shape){ 3, { 1, 3, 4 } }));
}
END_TEST

START_TEST(test_pngdir_rgb_is_channel_planar)
{
    unsigned char rgb[2 * 2 * 3];
    for (int i = 0; i < 12; i++) rgb[i] = (unsigned char)(i * 21);
    write_png_file(at("x.png"), 2, 2, 8, PNG_COLOR_TYPE_RGB, rgb, NULL, 0);
    gan_data_spec s = spec_of(GAN_DATA_PNGDIR, dir);
    gan_dataset *d = load_ok(&s);
    ck_assert(gan_shape_eq(d->shape, (gan_shape){ 3, { 3, 2, 2 } }));
    for (int c = 0; c < 3; c++)
        for (int p = 0; p < 4; p++) ck_assert_float_eq_tol(d->x[c * 4 + p], unbyte(rgb[p * 3 + c]), 1e-6);
    gan_data_free(d);
}
END_TEST

START_TEST(test_pngdir_converts_16bit_palette_lowbit_and_alpha)
{
    /* 16-bit gray + alpha, 1x2: high bytes 0x12, 0xfe; alpha dropped */
    unsigned char ga16[8] = { 0x12, 0x34, 0x00, 0x00, 0xfe, 0x01, 0xff, 0xff };
    write_png_file(at("a.png"), 2, 1, 16, PNG_COLOR_TYPE_GRAY_ALPHA, ga16, NULL, 0);
    gan_data_spec s = spec_of(GAN_DATA_PNGDIR, dir);
    gan_dataset *d = load_ok(&s);
    ck_assert(gan_shape_eq(d->shape, (gan_shape){ 3, { 1, 1, 2 } }));
    ck_assert_float_eq_tol(d->x[0], unbyte(0x12), 1e-6);
    ck_assert_float_eq_tol(d->x[1], unbyte(0xfe), 1e-6);
    gan_data_free(d);
    /* palette (with tRNS), 2x1, 8-bit indices -> RGB */
    remove(at("a.png"));
    png_color pal[2] = { { 10, 20, 30 }, { 200, 100, 0 } };
    unsigned char idx[2] = { 1, 0 };
    write_png_file(at("p.png"), 2, 1, 8, PNG_COLOR_TYPE_PALETTE, idx, pal, 2);
    d = load_ok(&s);
    ck_assert(gan_shape_eq(d->shape, (gan_shape){ 3, { 3, 1, 2 } }));
    const int want[6] = { 200, 10, 100, 20, 0, 30 };   /* (C, H, W) */
    for (int i = 0; i < 6; i++) ck_assert_float_eq_tol(d->x[i], unbyte(want[i]), 1e-6);
    gan_data_free(d);
    /* 2-bit gray, 4x1: levels 0..3 -> 0, 85, 170, 255 */
    remove(at("p.png"));
    unsigned char g2[1] = { 0x1b };   /* 00 01 10 11 */
    write_png_file(at("g.png"), 4, 1, 2, PNG_COLOR_TYPE_GRAY, g2, NULL, 0);
    d = load_ok(&s);
    ck_assert(gan_shape_eq(d->shape, (gan_shape){ 3, { 1, 1, 4 } }));
    for (int i = 0; i < 4; i++) ck_assert_float_eq_tol(d->x[i], unbyte(85 * i), 1e-6);
    gan_data_free(d);
}
END_TEST

START_TEST(test_pngdir_mixed_sizes_name_the_file)
{
    unsigned char z[60] = { 0 };
    write_png_file(at("a.png"), 4, 3, 8, PNG_COLOR_TYPE_GRAY, z, NULL, 0);
    write_png_file(at("b.png"), 4, 3, 8, PNG_COLOR_TYPE_GRAY, z, NULL, 0);
    write_png_file(at("c.png"), 5, 3, 8, PNG_COLOR_TYPE_GRAY, z, NULL, 0);
    gan_data_spec s = spec_of(GAN_DATA_PNGDIR, dir);
    char msg[600];
    snprintf(msg, sizeof msg, "image is 5x3 gray, expected 4x3 gray like the first file %s", at("a.png"));
    load_fails(&s, GAN_ERR_SHAPE, at("c.png"), msg);
    remove(at("c.png"));
    write_png_file(at("c.png"), 4, 3, 8, PNG_COLOR_TYPE_RGB, z, NULL, 0);
    snprintf(msg, sizeof msg, "image is 4x3 RGB, expected 4x3 gray like the first file %s", at("a.png"));
    load_fails(&s, GAN_ERR_SHAPE, at("c.png"), msg);
}
END_TEST

START_TEST(test_pngdir_bad_files)
{
    const char *p = put_text("a.png", "GIF89a, not a png at all");
    gan_data_spec s = spec_of(GAN_DATA_PNGDIR, dir);
    load_fails(&s, GAN_ERR_FORMAT, p, "not a PNG file (bad signature)");
    /* a real PNG cut short: libpng's error comes back, no crash */
    unsigned char z[256] = { 0 };
    write_png_file(at("full.png"), 16, 16, 8, PNG_COLOR_TYPE_GRAY, z, NULL, 0);
    FILE *fp = fopen(at("full.png"), "rb");
    unsigned char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    remove(at("full.png"));
    p = put("a.png", buf, n - 20);
    gan_dataset *d = NULL;
    gan_error err;
    ck_assert_int_eq(gan_data_load(&d, &s, 1, &err), GAN_ERR_FORMAT);
    ck_assert_str_eq(err.file, p);
    ck_assert_msg(!strncmp(err.msg, "bad PNG: ", 9), "%s", err.msg);
    remove(p);
    load_fails(&s, GAN_ERR_IO, dir, "no *.png files in this folder");
}
END_TEST

/* ---- CSV ---------------------------------------------------------------- */
START_TEST(test_csv_header_skipped_values_kept)
{
    gan_data_spec s = spec_of(GAN_DATA_CSV, put_text("v.csv", "x,y,z\n1,2,3\n\n4.5, -6 ,7e-1\r\n-0.25,1e3,0\n"));
    gan_dataset *d = load_ok(&s);
    ck_assert_int_eq(d->n, 3);
    ck_assert(gan_shape_eq(d->shape, (gan_shape){ 1, { 3 } }));
    const float want[9] = { 1, 2, 3, 4.5f, -6, 0.7f, -0.25f, 1000, 0 };
    for (int i = 0; i < 9; i++) ck_assert_float_eq(d->x[i], want[i]);
    gan_data_free(d);
    s.limit = 1;
    d = load_ok(&s);
    ck_assert_int_eq(d->n, 1);
    gan_data_free(d);
    gan_shape sh;
    gan_error err;
    ck_assert_int_eq(gan_data_shape(&s, &sh, &err), GAN_OK);
    ck_assert(gan_shape_eq(sh, (gan_shape){ 1, { 3 } }));
}
END_TEST

START_TEST(test_csv_ragged_row_names_the_line)
{
    const char *p = put_text("r.csv", "a,b,c\n1,2,3\n4,5\n");
    gan_data_spec s = spec_of(GAN_DATA_CSV, p);
    gan_dataset *d = NULL;
    gan_error err;
    ck_assert_int_eq(gan_data_load(&d, &s, 1, &err), GAN_ERR_FORMAT);
    ck_assert_str_eq(err.file, p);
    ck_assert_int_eq(err.line, 3);
    ck_assert_str_eq(err.msg, "line 3 has 2 values, expected 3");
}
END_TEST

START_TEST(test_csv_non_numeric_value)
{
    const char *p = put_text("n.csv", "1,2\n3, abc\n");
    gan_data_spec s = spec_of(GAN_DATA_CSV, p);
    gan_dataset *d = NULL;
    gan_error err;
    ck_assert_int_eq(gan_data_load(&d, &s, 1, &err), GAN_ERR_FORMAT);
    ck_assert_int_eq(err.line, 2);
    ck_assert_int_eq(err.col, 4);
    ck_assert_str_eq(err.msg, "value 2 'abc' is not a number");
    s = spec_of(GAN_DATA_CSV, put_text("e.csv", "1,2,\n"));
    load_fails(&s, GAN_ERR_FORMAT, s.path, "value 3 '' is not a number");
    s = spec_of(GAN_DATA_CSV, put_text("h.csv", "just a header\n"));
    load_fails(&s, GAN_ERR_FORMAT, s.path, "no data rows");
}
END_TEST

START_TEST(test_csv_rejects_nan_and_inf)
{
    gan_data_spec s = spec_of(GAN_DATA_CSV, put_text("nan.csv", "1,2\n3,nan\n"));
    load_fails(&s, GAN_ERR_NUMERIC, s.path, "value 2 'nan' is not a finite float");
    s = spec_of(GAN_DATA_CSV, put_text("inf.csv", "-inf,2\n"));
    load_fails(&s, GAN_ERR_NUMERIC, s.path, "value 1 '-inf' is not a finite float");
    s = spec_of(GAN_DATA_CSV, put_text("big.csv", "1e39,2\n"));
    load_fails(&s, GAN_ERR_NUMERIC, s.path, "value 1 '1e39' is not a finite float");
}
END_TEST

/* ---- mixtures ------------------------------------------------------------ */
static int nearest(const float (*c)[2], int m, float x, float y)
{
    int kb = 0;
    double best = INFINITY;
    for (int k = 0; k < m; k++) {
        double d = (x - c[k][0]) * (x - c[k][0]) + (y - c[k][1]) * (y - c[k][1]);
        if (d < best) best = d, kb = k;
    }
    return kb;
}

START_TEST(test_mixture_mode_centres)
{
    float c[25][2], sigma;
    ck_assert_int_eq(gan_mixture_modes(GAN_DATA_GRID, c, 25, &sigma), 25);
    ck_assert_float_eq(sigma, 0.05f);
    int seen[5][5] = { { 0 } };
    for (int k = 0; k < 25; k++) {
        int i = (int)lroundf((c[k][0] + 4) / 2), j = (int)lroundf((c[k][1] + 4) / 2);
        ck_assert(i >= 0 && i < 5 && j >= 0 && j < 5);
        ck_assert_float_eq(c[k][0], (float)(2 * i - 4));
        ck_assert_float_eq(c[k][1], (float)(2 * j - 4));
        seen[i][j]++;
    }
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++) ck_assert_int_eq(seen[i][j], 1);
    ck_assert_int_eq(gan_mixture_modes(GAN_DATA_RING, c, 25, &sigma), 8);
    ck_assert_float_eq(sigma, 0.01f);
    for (int k = 0; k < 8; k++) {
        ck_assert_double_lt(fabs(c[k][0] - cos(2 * M_PI * k / 8)), 1e-6);
        ck_assert_double_lt(fabs(c[k][1] - sin(2 * M_PI * k / 8)), 1e-6);
    }
    ck_assert_int_eq(gan_mixture_modes(GAN_DATA_CSV, c, 25, &sigma), 0);
}
END_TEST

/* Per-mode counts and spread of a drawn mixture match its definition. */
static void check_mixture_stats(gan_data_format f)
{
    float c[25][2], sigma;
    int m = gan_mixture_modes(f, c, 25, &sigma);
    gan_data_spec s = spec_of(f, NULL);   /* samples 0: default 100000 */
    gan_dataset *d = load_ok(&s);
    ck_assert_int_eq(d->n, 100000);
    ck_assert(gan_shape_eq(d->shape, (gan_shape){ 1, { 2 } }));
    long count[25] = { 0 };
    double ss = 0, mx = 0, my = 0;
    for (long i = 0; i < d->n; i++) {
        int k = nearest((const float (*)[2])c, m, d->x[2 * i], d->x[2 * i + 1]);
        double dx = d->x[2 * i] - c[k][0], dy = d->x[2 * i + 1] - c[k][1];
        count[k]++;
        ss += dx * dx + dy * dy;
        mx += dx;
        my += dy;
    }
    double emp = sqrt(ss / (2.0 * d->n));   /* per-coordinate standard deviation */
    double expect = (double)d->n / m, sd = sqrt(expect * (1 - 1.0 / m));
    for (int k = 0; k < m; k++) ck_assert_double_lt(fabs(count[k] - expect), 5 * sd);
    ck_assert_double_lt(fabs(emp / sigma - 1), 0.01);           /* sd of the ratio: 0.0016 */
    ck_assert_double_lt(fabs(mx / d->n), 5 * sigma / sqrt(d->n));
    ck_assert_double_lt(fabs(my / d->n), 5 * sigma / sqrt(d->n));
    printf("%s: %ld points, %d modes, empirical sigma %.5f (defined %.2f)\n", gan_data_format_name(f), d->n, m,
           emp, sigma);
    gan_data_free(d);
}

START_TEST(test_mixture_grid_draws_match_definition)
{
    check_mixture_stats(GAN_DATA_GRID);
}
END_TEST

START_TEST(test_mixture_ring_draws_match_definition)
{
    check_mixture_stats(GAN_DATA_RING);
}
END_TEST

START_TEST(test_mixture_same_seed_same_data)
{
    gan_data_spec s = spec_of(GAN_DATA_GRID, NULL);
    s.samples = 1000;
    gan_dataset *a, *b, *c;
    gan_error err;
    ck_assert_int_eq(gan_data_load(&a, &s, 7, &err), GAN_OK);
    ck_assert_int_eq(gan_data_load(&b, &s, 7, &err), GAN_OK);
    ck_assert_int_eq(gan_data_load(&c, &s, 8, &err), GAN_OK);
    ck_assert_int_eq(a->n, 1000);
    ck_assert_mem_eq(a->x, b->x, 2000 * sizeof(float));
    ck_assert(memcmp(a->x, c->x, 2000 * sizeof(float)) != 0);
    gan_data_free(a);
    gan_data_free(b);
    gan_data_free(c);
    s.limit = 10;
    ck_assert_int_eq(gan_data_load(&a, &s, 7, &err), GAN_OK);
    ck_assert_int_eq(a->n, 10);
    gan_data_free(a);
}
END_TEST

START_TEST(test_eval_all_modes_exactly)
{
    float c[25][2];
    gan_mixture_modes(GAN_DATA_GRID, c, 25, NULL);
    gan_mixture_eval ev;
    gan_mixture_evaluate(GAN_DATA_GRID, &c[0][0], 25, &ev);
    ck_assert_int_eq(ev.modes, 25);
    ck_assert_int_eq(ev.captured, 25);
    ck_assert_double_eq(ev.high_quality, 1.0);
    ck_assert_double_lt(fabs(ev.reverse_kl), 1e-12);
}
END_TEST

START_TEST(test_eval_five_modes_gives_log5)
{
    float c[25][2], xy[50][2];
    gan_mixture_modes(GAN_DATA_GRID, c, 25, NULL);
    for (int i = 0; i < 50; i++) {   /* 10 samples on each of modes 0, 5, 10, 15, 20, near the centre */
        xy[i][0] = c[(i % 5) * 5][0] + 0.01f;
        xy[i][1] = c[(i % 5) * 5][1] - 0.02f;
    }
    gan_mixture_eval ev;
    gan_mixture_evaluate(GAN_DATA_GRID, &xy[0][0], 50, &ev);
    ck_assert_int_eq(ev.captured, 5);
    ck_assert_double_eq(ev.high_quality, 1.0);
    ck_assert_double_lt(fabs(ev.reverse_kl - log(5.0)), 1e-12);
}
END_TEST

START_TEST(test_eval_far_samples_are_not_high_quality)
{
    float xy[20][2];
    for (int i = 0; i < 20; i++) xy[i][0] = 100, xy[i][1] = -3 + 0.1f * i;
    gan_mixture_eval ev;
    gan_mixture_evaluate(GAN_DATA_RING, &xy[0][0], 20, &ev);
    ck_assert_int_eq(ev.modes, 8);
    ck_assert_int_eq(ev.captured, 0);
    ck_assert_double_eq(ev.high_quality, 0.0);
    ck_assert_double_lt(fabs(ev.reverse_kl - log(8.0)), 1e-12);
}
END_TEST

START_TEST(test_eval_three_sigma_boundary)
{
    /* ring mode 0 at (1, 0), sigma 0.01: 2.9 sigma in, 3.1 sigma out */
    float xy[2][2] = { { 1.029f, 0 }, { 1, 0.031f } };
    gan_mixture_eval ev;
    gan_mixture_evaluate(GAN_DATA_RING, &xy[0][0], 2, &ev);
    ck_assert_int_eq(ev.captured, 1);
    ck_assert_double_eq(ev.high_quality, 0.5);
    ck_assert_double_lt(fabs(ev.reverse_kl - log(8.0)), 1e-12);   /* all on one mode */
}
END_TEST

/* ---- writers --------------------------------------------------------------- */
START_TEST(test_idx_writer_round_trip)
{
    /* values on the byte grid survive exactly; the header is MNIST's */
    float x[3 * 20];   // (3, 1, 4, 5)
    for (int i = 0; i < 60; i++) x[i] = unbyte((i * 37) % 256);
    x[7] = 3.0f;   /* clamped to 255 */
    x[8] = -3.0f;  /* clamped to 0 */
    gan_error err;
    const char *p = at("out-idx3-ubyte");
    gan_shape s = { 3, { 1, 4, 5 } };
    ck_assert_int_eq(gan_idx_write(p, x, 3, s, &err), GAN_OK);
    FILE *fp = fopen(p, "rb");
    unsigned char h[16];
    ck_assert_uint_eq(fread(h, 1, 16, fp), 16);
    fclose(fp);
    const unsigned char want[16] = { 0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5 };
    ck_assert_mem_eq(h, want, 16);
    gan_data_spec sp = spec_of(GAN_DATA_IDX, p);
    gan_dataset *d = load_ok(&sp);
    ck_assert_int_eq(d->n, 3);
    ck_assert(gan_shape_eq(d->shape, s));
    x[7] = 1;
    x[8] = -1;
    for (int i = 0; i < 60; i++) ck_assert_float_eq_tol(d->x[i], x[i], 1e-6);
    gan_data_free(d);
    /* colour images (rank 4) and vectors (rank 2) too */
    gan_shape rgb = { 3, { 3, 2, 2 } }, vec = { 1, { 6 } };
    ck_assert_int_eq(gan_idx_write(p, x, 5, rgb, &err), GAN_OK);
    d = load_ok(&sp);
    ck_assert_int_eq(d->n, 5);
    ck_assert(gan_shape_eq(d->shape, rgb));
    for (int i = 0; i < 60; i++) ck_assert_float_eq_tol(d->x[i], x[i], 1e-6);
    gan_data_free(d);
    ck_assert_int_eq(gan_idx_write(p, x, 10, vec, &err), GAN_OK);
    d = load_ok(&sp);
    ck_assert(gan_shape_eq(d->shape, vec));
    for (int i = 0; i < 60; i++) ck_assert_float_eq_tol(d->x[i], x[i], 1e-6);
    gan_data_free(d);
}
END_TEST

START_TEST(test_csv_writer_round_trip_is_exact)
{
    float x[4 * 3];
    gan_rng r;
    gan_rng_seed(&r, 5);
    gan_rng_fill_normal(&r, x, 12, 0, 1000);
    x[0] = 1e-30f;
    gan_error err;
    const char *p = at("out.csv");
    ck_assert_int_eq(gan_csv_write(p, x, 4, (gan_shape){ 1, { 3 } }, &err), GAN_OK);
    gan_data_spec s = spec_of(GAN_DATA_CSV, p);
    gan_dataset *d = load_ok(&s);
    ck_assert_int_eq(d->n, 4);
    ck_assert_mem_eq(d->x, x, sizeof x);
    gan_data_free(d);
}
END_TEST

/* Read a PNG back with libpng's simplified API: size and format. */
static unsigned char *read_png_back(const char *path, png_image *im)
{
    memset(im, 0, sizeof *im);
    im->version = PNG_IMAGE_VERSION;
    ck_assert_msg(png_image_begin_read_from_file(im, path), "%s", im->message);
    unsigned char *buf = malloc(PNG_IMAGE_SIZE(*im));
    ck_assert_msg(png_image_finish_read(im, NULL, buf, 0, NULL), "%s", im->message);
    return buf;
}

START_TEST(test_png_grid_layout_and_values)
{
    float x[5 * 12];   // (5, 1, 4, 3)
    for (int i = 0; i < 60; i++) x[i] = -1 + 2.0f * i / 59;
    x[0] = -7;   /* clamped to 0 */
    x[13] = 9;   /* clamped to 255 */
    gan_error err;
    const char *p = at("grid.png");
    ck_assert_int_eq(gan_png_write_grid(p, x, 5, (gan_shape){ 3, { 1, 4, 3 } }, 3, &err), GAN_OK);
    png_image im;
    unsigned char *px = read_png_back(p, &im);
    ck_assert_uint_eq(im.width, 3 * 3 + 2 * 2);    /* 3 columns, 2-pixel padding */
    ck_assert_uint_eq(im.height, 2 * 4 + 2);       /* 2 rows */
    ck_assert_uint_eq(im.format, PNG_FORMAT_GRAY);
    ck_assert_uint_eq(px[0], 0);
    for (int t = 0; t < 5; t++)   /* tile t's pixel (y, x) */
        for (int y = 0; y < 4; y++)
            for (int xx = 0; xx < 3; xx++) {
                int row = (t / 3) * 6 + y, col = (t % 3) * 5 + xx;
                float v = x[t * 12 + y * 3 + xx];
                int want = v <= -1 ? 0 : v >= 1 ? 255 : (int)lround((v + 1) * 127.5);
                ck_assert_int_eq(px[row * 13 + col], want);
            }
    ck_assert_uint_eq(px[0 * 13 + 3], 255);   /* padding */
    ck_assert_uint_eq(px[4 * 13 + 0], 255);
    free(px);
    /* RGB images and 2-D points */
    ck_assert_int_eq(gan_png_write_grid(p, x, 4, (gan_shape){ 3, { 3, 2, 2 } }, 0, &err), GAN_OK);
    px = read_png_back(p, &im);
    ck_assert_uint_eq(im.format, PNG_FORMAT_RGB);
    ck_assert_uint_eq(im.width, 2 * 2 + 2);
    ck_assert_uint_eq(px[0], 0);                                 /* red of pixel 0 = x[0] */
    ck_assert_uint_eq(px[1], (unsigned)lround((x[4] + 1) * 127.5));   /* green = x[4] */
    free(px);
    float pts[4] = { 0.5f, 0.5f, -5, 5 };
    ck_assert_int_eq(gan_png_write_grid(p, pts, 2, (gan_shape){ 1, { 2 } }, 0, &err), GAN_OK);
    px = read_png_back(p, &im);
    ck_assert_uint_eq(im.width, 512);
    ck_assert_uint_eq(im.height, 512);
    ck_assert_uint_eq(px[(256 - 22) * 512 + 256 + 21], 0);   /* the dot at (0.5, 0.5) */
    ck_assert_uint_eq(px[10 * 512 + 500], 255);              /* background */
    free(px);
    ck_assert_int_eq(gan_png_write_grid(p, x, 1, (gan_shape){ 1, { 5 } }, 0, &err), GAN_ERR_SHAPE);
}
END_TEST

static int count_entries(void)
{
    DIR *dp = opendir(dir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL) n += e->d_name[0] != '.';
    closedir(dp);
    return n;
}

START_TEST(test_writers_report_errors_and_leave_no_file)
{
    static float x[64 * 1024];   /* random: the PNG cannot compress it below the limit */
    gan_rng r;
    gan_rng_seed(&r, 2);
    gan_rng_fill_uniform(&r, x, 64 * 1024, -1, 1);
    gan_error err;
    gan_shape s = { 3, { 1, 256, 256 } };
    /* a full disk, as the file-size limit makes it: EFBIG instead of ENOSPC */
    struct rlimit old, lim = { 4096, 4096 };
    getrlimit(RLIMIT_FSIZE, &old);
    lim.rlim_max = old.rlim_max;
    signal(SIGXFSZ, SIG_IGN);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    const char *p = at("big-idx3-ubyte");
    gan_status a = gan_idx_write(p, x, 1, s, &err);
    char m1[768];
    snprintf(m1, sizeof m1, "%s", err.msg);
    gan_status b = gan_png_write_grid(at("big.png"), x, 1, s, 0, &err);
    char m2[768];
    snprintf(m2, sizeof m2, "%s", err.msg);
    gan_status c = gan_csv_write(at("big.csv"), x, 1, s, &err);
    setrlimit(RLIMIT_FSIZE, &old);
    ck_assert_int_eq(a, GAN_ERR_IO);
    ck_assert_str_eq(m1, "cannot write: File too large");
    ck_assert_int_eq(b, GAN_ERR_IO);
    ck_assert_str_eq(m2, "cannot write: File too large");
    ck_assert_int_eq(c, GAN_ERR_IO);
    ck_assert_str_eq(err.file, at("big.csv"));
    ck_assert_int_eq(count_entries(), 0);   /* neither the file nor a temporary */
    p = at("no/such/dir/out.png");
    ck_assert_int_eq(gan_png_write_grid(p, x, 1, s, 0, &err), GAN_ERR_IO);
    ck_assert_str_eq(err.file, p);
    ck_assert_str_eq(err.msg, "cannot create a temporary file beside it: No such file or directory");
}
END_TEST


/* gan_output_check tells the kinds by their first bytes: each file is
 * accepted for its own kind and refused for every other, an empty file is
 * of every kind, --force passes them all */
START_TEST(test_output_check_tells_kinds_by_first_bytes)
{
    float x[16] = { 0 };
    gan_shape s = { 3, { 1, 4, 4 } };
    long shape[2] = { 2, 8 };
    gan_error err;
    static char files[GAN_OUT_CKPT + 1][512];
    static const unsigned char onnx[] = { 0x08, 0x07, 0x12, 0x06, 'g', 'a', 'n', 'r', 'u', 'n' };
    const char html[] = "\n<!DOCTYPE html>\n<html lang=\"en\">";
    const char ck[] = "GANRUNCK\1\0\0\0";
    snprintf(files[GAN_OUT_PNG], 512, "%s", at("k.png"));
    snprintf(files[GAN_OUT_CSV], 512, "%s", at("k.csv"));
    snprintf(files[GAN_OUT_IDX], 512, "%s", at("k.idx"));
    snprintf(files[GAN_OUT_NPY], 512, "%s", at("k.npy"));
    snprintf(files[GAN_OUT_ONNX], 512, "%s", put("k.onnx", onnx, sizeof onnx));
    snprintf(files[GAN_OUT_HTML], 512, "%s", put("k.html", html, sizeof html - 1));
    snprintf(files[GAN_OUT_CKPT], 512, "%s", put("k.ckpt", ck, sizeof ck - 1));
    ck_assert_int_eq(gan_png_write_grid(files[GAN_OUT_PNG], x, 1, s, 0, &err), GAN_OK);
    ck_assert_int_eq(gan_csv_write(files[GAN_OUT_CSV], x, 1, s, &err), GAN_OK);
    ck_assert_int_eq(gan_idx_write(files[GAN_OUT_IDX], x, 1, s, &err), GAN_OK);
    ck_assert_int_eq(gan_npy_write(files[GAN_OUT_NPY], x, 2, shape, &err), GAN_OK);
    for (int f = 0; f <= GAN_OUT_CKPT; f++)
        for (int k = 0; k <= GAN_OUT_CKPT; k++) {
            gan_error_clear(&err);
            gan_status st = gan_output_check(files[f], (gan_out_kind)k, 0, &err);
            ck_assert_msg((st == GAN_OK) == (f == k), "file kind %d, writing kind %d: %s", f, k, err.msg);
            if (f != k) {
                ck_assert_str_eq(err.file, files[f]);
                ck_assert(strstr(err.msg, "refusing to replace it (--force replaces it)"));
            }
            ck_assert_int_eq(gan_output_check(files[f], (gan_out_kind)k, 1, &err), GAN_OK);
        }
    const char *log = put("log.csv", "step,d_loss\n1,0.5\n", 18);
    ck_assert_int_eq(gan_output_check(log, GAN_OUT_CSV, 0, &err), GAN_ERR_IO);
    ck_assert(strstr(err.msg, "exists and is not a CSV file of numbers"));
    const char *empty = put("empty", "", 0);
    for (int k = 0; k <= GAN_OUT_CKPT; k++) ck_assert_int_eq(gan_output_check(empty, (gan_out_kind)k, 0, &err), GAN_OK);
    ck_assert_int_eq(gan_output_check(at("new.png"), GAN_OUT_PNG, 0, &err), GAN_OK);
    /* a device: refused even with force, by the guard and by the writer */
    ck_assert_int_eq(gan_output_check("/dev/null", GAN_OUT_CSV, 1, &err), GAN_ERR_IO);
    ck_assert_str_eq(err.msg, "is a character device, not a regular file: refusing to replace it");
    ck_assert_int_eq(gan_csv_write("/dev/null", x, 1, s, &err), GAN_ERR_IO);
    ck_assert_str_eq(err.msg, "is a character device, not a regular file: refusing to replace it");
    ck_assert_int_eq(gan_file_write(dir, "x", 1, &err), GAN_ERR_IO);
    ck_assert_str_eq(err.msg, "is a directory, not a regular file: refusing to replace it");
}
END_TEST

/* the writer renames over the path: a hard link to the old file keeps
 * the old bytes (RUN/latest.ckpt and RUN/ckpt/step-N.ckpt) */
START_TEST(test_file_write_never_writes_through_a_hard_link)
{
    const char *a = put("a.bin", "old bytes", 9);
    char b[512];
    snprintf(b, sizeof b, "%s", at("b.bin"));
    ck_assert_int_eq(link(a, b), 0);
    gan_error err;
    ck_assert_int_eq(gan_file_write(a, "new", 3, &err), GAN_OK);
    char got[16] = "";
    FILE *f = fopen(b, "rb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fread(got, 1, sizeof got, f), 9);
    fclose(f);
    ck_assert_mem_eq(got, "old bytes", 9);
    f = fopen(a, "rb");
    ck_assert_uint_eq(fread(got, 1, sizeof got, f), 3);
    fclose(f);
    ck_assert_mem_eq(got, "new", 3);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("data");
    TCase *t = tcase_create("idx");
    tcase_set_timeout(t, 60);   /* all of Fashion-MNIST, also under sanitizers */
    tcase_add_checked_fixture(t, make_dir, remove_dir);
    tcase_add_test(t, test_idx_raw_images_scale_to_unit_range);
    tcase_add_test(t, test_idx_gzipped_reads_the_same);
    tcase_add_test(t, test_idx_images_kept_as_bytes_read_as_floats);
    tcase_add_test(t, test_idx_vectors_and_limit);
    tcase_add_test(t, test_idx_bad_magic);
    tcase_add_test(t, test_idx_truncated_pixels);
    tcase_add_test(t, test_idx_hostile_headers_rejected_before_allocating);
    tcase_add_test(t, test_idx_labels_give_classes);
    tcase_add_test(t, test_idx_labels_count_mismatch);
    tcase_add_test(t, test_shape_reads_only_the_header);
    tcase_add_test(t, test_missing_packaged_dataset_names_the_package);
    tcase_add_test(t, test_fashion_mnist_from_debian);
    suite_add_tcase(s, t);
    t = tcase_create("files");
    tcase_add_checked_fixture(t, make_dir, remove_dir);
    tcase_add_test(t, test_cifar_folder_of_batches);
    tcase_add_test(t, test_cifar_size_not_multiple_of_record);
    tcase_add_test(t, test_pngdir_gray_sorted_by_name);
    tcase_add_test(t, test_pngdir_rgb_is_channel_planar);
    tcase_add_test(t, test_pngdir_converts_16bit_palette_lowbit_and_alpha);
    tcase_add_test(t, test_pngdir_mixed_sizes_name_the_file);
    tcase_add_test(t, test_pngdir_bad_files);
    tcase_add_test(t, test_csv_header_skipped_values_kept);
    tcase_add_test(t, test_csv_ragged_row_names_the_line);
    tcase_add_test(t, test_csv_non_numeric_value);
    tcase_add_test(t, test_csv_rejects_nan_and_inf);
    suite_add_tcase(s, t);
    t = tcase_create("mixture");
    tcase_add_test(t, test_mixture_mode_centres);
    tcase_add_test(t, test_mixture_grid_draws_match_definition);
    tcase_add_test(t, test_mixture_ring_draws_match_definition);
    tcase_add_test(t, test_mixture_same_seed_same_data);
    tcase_add_test(t, test_eval_all_modes_exactly);
    tcase_add_test(t, test_eval_five_modes_gives_log5);
    tcase_add_test(t, test_eval_far_samples_are_not_high_quality);
    tcase_add_test(t, test_eval_three_sigma_boundary);
    suite_add_tcase(s, t);
    t = tcase_create("writers");
    tcase_add_checked_fixture(t, make_dir, remove_dir);
    tcase_add_test(t, test_idx_writer_round_trip);
    tcase_add_test(t, test_csv_writer_round_trip_is_exact);
    tcase_add_test(t, test_png_grid_layout_and_values);
    tcase_add_test(t, test_writers_report_errors_and_leave_no_file);
    tcase_add_test(t, test_output_check_tells_kinds_by_first_bytes);
    tcase_add_test(t, test_file_write_never_writes_through_a_hard_link);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return tu_run_suite(suite());
}
