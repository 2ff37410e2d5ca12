/* io.h - private to src/io: the loaders behind gan_data_load and the file
 * helpers the loaders and writers share.  Names here are io_* so that the
 * library's export list (^gan_) keeps them private. */
#ifndef GAN_IO_H
#define GAN_IO_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "gan/data.h"

/* Sane limits, checked before anything is allocated. */
#define IO_MAX_SAMPLES 100000000L          /* samples in one dataset */
#define IO_MAX_SAMPLE ((size_t)1 << 24)    /* values in one sample */
#define IO_MAX_BYTES ((size_t)1 << 31)     /* bytes of raw data read: 2 GiB */
#define IO_MAX_FLOATS ((size_t)1 << 29)    /* floats in one dataset: 2 GiB */
#define IO_MAX_SIDE 4096                   /* PNG width and height */
#define IO_IMG_MAX_SIDE 32768              /* images: width and height */
#define IO_IMG_MAX_PIXELS (1L << 26)       /* images: pixels in one file (64 Mi) */
#define IO_PNG_CHUNK_MAX (8L << 20)        /* PNG: bytes one ancillary chunk may take */
#define IO_JPEG_MAX_SCANS 256              /* JPEG: scans of one file */
#define IO_JPEG_MAX_MEMORY (512L << 20)    /* libjpeg's own allocations for one file (the
                                            * coefficients of a progressive 64 Mi-pixel
                                            * RGB image: 384 MiB) */

/* libpng's error and warning callbacks for readers (imgdecode.c): the error
 * one copies the message into the io_png_msg given as the error pointer and
 * longjmps; warnings are dropped.  (struct png_struct_def is libpng's
 * png_struct, so these match png_error_ptr without including png.h here.) */
typedef struct io_png_msg {
    char text[200];
} io_png_msg;
struct png_struct_def;
void io_png_on_error(struct png_struct_def *png, const char *msg);
void io_png_on_warning(struct png_struct_def *png, const char *msg);
/* A libpng reader (*png, *info) with these callbacks, its error message
 * going to *m (on the heap: the error callback writes it just before a
 * longjmp).  0, or -1 out of memory with nothing left allocated. */
struct png_info_def;
int io_png_reader(io_png_msg **m, struct png_struct_def **png, struct png_info_def **info);
/* libpng's limits for a reader, before it reads: sides, chunk count and
 * chunk memory (imgdecode.c) */
void io_png_limits(struct png_struct_def *png);

/* ---- loaders: each fills d->n, shape, x (gan_alloc_floats), labels and
 * nclasses, honouring spec->limit; on failure the caller frees d. ---- */
gan_status io_idx_load(gan_dataset *d, const gan_data_spec *spec, gan_error *err);
gan_status io_idx_shape(const char *path, gan_shape *shape, gan_error *err);
gan_status io_cifar_load(gan_dataset *d, const gan_data_spec *spec, gan_error *err);
gan_status io_cifar_shape(const char *path, gan_shape *shape, gan_error *err);
gan_status io_pngdir_load(gan_dataset *d, const gan_data_spec *spec, gan_error *err);
gan_status io_pngdir_shape(const char *path, gan_shape *shape, gan_error *err);
gan_status io_csv_load(gan_dataset *d, const gan_data_spec *spec, gan_error *err);
gan_status io_csv_shape(const char *path, gan_shape *shape, gan_error *err);
gan_status io_images_load(gan_dataset *d, const gan_data_spec *spec, uint64_t seed, gan_error *err);
gan_status io_images_shape(const gan_data_spec *spec, gan_shape *shape, gan_error *err);
gan_status io_mixture_load(gan_dataset *d, const gan_data_spec *spec, uint64_t seed,
                           gan_error *err);

/* ---- images (imgdecode.c) ---- */
typedef struct io_image {
    int w, h, c;          /* c: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA */
    unsigned char *px;    /* (h, w, c) interleaved, malloc'd */
} io_image;
/* Decode the PNG or JPEG at path (by signature); errors name the path. */
gan_status io_image_read(const char *path, io_image *im, gan_error *err);
/* To C = 1 or 3 channels, alpha composited over gray level bg. */
gan_status io_image_channels(io_image *im, int C, int bg, gan_error *err);
/* The size (rw, rh) a w x h image is scaled to before a tw x th crop. */
void io_resize_size(int w, int h, int tw, int th, int *rw, int *rh);
/* Scale im to io_resize_size and cut the tw x th window at (x0, y0) of the
 * scaled image into out (C, th, tw). */
gan_status io_resize_crop(const io_image *im, int tw, int th, int x0, int y0, unsigned char *out,
                          gan_error *err);

/* Free d->u8 (unmap it when it points into d->map). */
void io_free_u8(gan_dataset *d);

/* Byte to [-1, 1]: x / 127.5 - 1 (0 -> -1, 255 -> 1). */
static inline float io_unbyte(unsigned char b)
{
    return (float)b / 127.5f - 1.0f;
}
/* [-1, 1] to the nearest byte; clamped, NaN -> 0. */
static inline unsigned char io_byte(float x)
{
    float v = (x + 1.0f) * 127.5f;
    if (!(v > 0.0f)) return 0;
    if (v >= 255.0f) return 255;
    return (unsigned char)(v + 0.5f);
}

/* "cannot open: <strerror(errno)>" about path, with the Debian package to
 * install when path is one of the packaged datasets. */
gan_status io_open_error(gan_error *err, const char *path);

/* The entries of folder dir whose names pass keep(), sorted by strcmp, as
 * full paths "dir/name".  *names is NULL-terminated; free with
 * io_free_names. */
gan_status io_list_dir(const char *dir, int (*keep)(const char *name),
                       char ***names, long *n, gan_error *err);
void io_free_names(char **names);

/* Open path only if it is a regular file, not through a symbolic link
 * (O_NOFOLLOW) and without blocking on a FIFO: open(2) flags (O_RDONLY,
 * O_RDWR | O_CREAT, ...); the fd, or -1 with err set ("is a symbolic link
 * (to X): refusing to follow it", "is a FIFO, not a regular file", or
 * io_open_error's line) and errno (ENOENT for a missing file). */
int io_open_regular(const char *path, int flags, gan_error *err);
/* the same as a stdio stream; mode "r", "r+", "w" or "a" */
FILE *io_fopen_regular(const char *path, const char *mode, gan_error *err);

/* Every file a user names is read through one of these: a regular file
 * only (a link to one is followed), opened without blocking on a FIFO, its
 * size (fstat) in *size (may be NULL) for the reader to bound what it
 * allocates and reads; else NULL (GAN_ERR_IO) and one line: "is a
 * character device, not a regular file (expected a file to read)", or
 * io_open_error's.  io_input_check does the same by stat(2), for readers
 * that open the file themselves (gzopen). */
FILE *io_fopen_input(const char *path, uint64_t *size, gan_error *err);
gan_status io_input_check(const char *path, uint64_t *size, gan_error *err);

/* ---- atomic output: the one way libgan (and, through gan_file_write,
 * ganrun) writes a file.  Write to "path.tmp.XXXXXX" beside path, fsync
 * it, rename it over path, fsync the folder.  What is at path is never
 * opened, truncated or removed: a hard link to it (latest.ckpt and
 * ckpt/step-N.ckpt) keeps the old bytes, a failed write leaves the old
 * file as it was, and an existing path that is not a regular file or a
 * link (a device such as /dev/full, a FIFO, a folder) is refused.
 * io_out_write remembers the first failure (errno); io_out_commit flushes,
 * syncs, closes and renames, or removes the temporary file and reports the
 * first error with the path.  io_out_abort removes it without a word. ---- */
typedef struct io_out {
    FILE *fp;
    const char *path;
    char tmp[1100];
    int err;          /* first errno met, 0 if none */
} io_out;

gan_status io_out_open(io_out *o, const char *path, gan_error *err);
int io_out_write(io_out *o, const void *buf, size_t n);   /* 0 or -1 */
gan_status io_out_commit(io_out *o, gan_error *err);
void io_out_abort(io_out *o);
/* the whole of buf (n bytes) as path, through io_out */
gan_status io_write_file(const char *path, const void *buf, size_t n, gan_error *err);
/* fsync the folder holding path; 0 or the errno */
int io_sync_dir(const char *path);
/* what a file of mode m is, for messages: "a directory", "a FIFO", ... */
const char *io_node_kind(mode_t m);
/* the names of a run directory's own files and folders, NULL-ended
 * (outpath.c; the guard of gan_output_check) */
extern const char *const io_run_names[];

#endif
