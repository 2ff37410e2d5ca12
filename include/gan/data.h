/* gan/data.h - datasets: IDX (gz or not), CIFAR-10 binary, a folder of PNG
 * files, folders of PNG and JPEG images of any size, CSV vectors, and built-in 2-D Gaussian mixtures.  All loaded whole
 * into memory, values scaled to [-1, 1] (images) or kept as given (CSV,
 * mixtures). */
#ifndef GAN_DATA_H
#define GAN_DATA_H

#include "gan/api.h"

#include <stdint.h>
#include "gan/layer.h"

typedef enum gan_data_format {
    GAN_DATA_IDX, GAN_DATA_CIFAR10, GAN_DATA_PNGDIR, GAN_DATA_CSV,
    GAN_DATA_GRID, GAN_DATA_RING, GAN_DATA_IMAGES
} gan_data_format;

typedef enum gan_crop { GAN_CROP_CENTER, GAN_CROP_RANDOM } gan_crop;
typedef enum gan_bad_file { GAN_BAD_ERROR, GAN_BAD_SKIP } gan_bad_file;

typedef struct gan_data_spec {
    gan_data_format format;
    char path[1024];        /* file or folder; "" for mixtures */
    char labels[1024];      /* optional label file (IDX labels), "" if none */
    long limit;             /* use at most this many samples; 0 = all */
    long samples;           /* mixtures: how many points to draw (default 100000) */
    int classes;            /* > 0: a conditional model over this many classes */
    int label_column;       /* CSV: 1-based column holding the class label, 0 none */
    /* images (images.c): every sample resized to (channels, height, width);
     * 0 = the generator's output (filled in by the trainer) */
    int height, width, channels;
    int crop;               /* gan_crop */
    int background;         /* gray level 0..255 that alpha is composited over */
    int on_bad_file;        /* gan_bad_file */
    int cache;              /* 1: read and write the decoded cache (see images.c) */
} gan_data_spec;

typedef struct gan_dataset {
    long n;             /* samples */
    gan_shape shape;    /* per sample */
    float *x;           /* (n, shape), scaled; NULL when u8 holds the data */
    uint8_t *u8;        /* (n, shape) raw bytes of 8-bit sources (IDX, CIFAR-10,
                         * PNG): kept as bytes (4x less memory), scaled to
                         * [-1, 1] as b / 127.5 - 1 by gan_data_get */
    int *labels;        /* (n) or NULL */
    int nclasses;
    char **class_names; /* (nclasses) names of class folders (images,
                         * labels: folders), NULL otherwise */
    long skipped;       /* images: bad files skipped (on_bad_file: skip) */
    char skip_note[600];/* images: the first skipped file's message */
    int from_cache;     /* images: 1 when read from the decoded cache */
    uint64_t fingerprint; /* images: hash of the file list, sizes, mtimes and
                           * the resize settings (0 for other formats) */
    char cache_note[700]; /* images: why a decoded cache there was not used
                           * (damaged, cut short, a FIFO, ...), "" if none */
} gan_dataset;

/* Load; mixtures are drawn from a stream of `seed`.  Errors name the file. */
GAN_API gan_status gan_data_load(gan_dataset **out, const gan_data_spec *spec, uint64_t seed, gan_error *err);
GAN_API void gan_data_free(gan_dataset *d);
/* Sample i (0 <= i < n) as floats: out (shape). */
GAN_API void gan_data_get(const gan_dataset *d, long i, float *out);
/* Convert byte storage to floats in place (x allocated, u8 freed). */
GAN_API gan_status gan_data_to_floats(gan_dataset *d, gan_error *err);
/* Per-sample shape without loading everything (reads headers only;
 * mixtures: (2)). */
GAN_API gan_status gan_data_shape(const gan_data_spec *spec, gan_shape *shape, gan_error *err);
GAN_API const char *gan_data_format_name(gan_data_format f);
/* The class names of `format: images` with `labels: folders` (the sorted
 * subfolders of spec->path, read without decoding anything) as a
 * NULL-terminated array; *n = 0 and *names = NULL for other data.  Free
 * with gan_data_free_names. */
GAN_API gan_status gan_data_class_names(const gan_data_spec *spec, char ***names, int *n, gan_error *err);
GAN_API void gan_data_free_names(char **names);

/* 2-D mixtures: the mode centres and sigma of a format (GRID: 25, RING: 8). */
GAN_API int gan_mixture_modes(gan_data_format f, float (*centres)[2], int max, float *sigma);


/* Writers. Values in [-1, 1] are mapped to 0..255. */
GAN_API gan_status gan_png_write_grid(const char *path, const float *x, int n, gan_shape s,
                              int ncols, gan_error *err);
GAN_API gan_status gan_idx_write(const char *path, const float *x, int n, gan_shape s, gan_error *err);
GAN_API gan_status gan_csv_write(const char *path, const float *x, int n, gan_shape s, gan_error *err);

/* ---- outputs (iofile.c, outpath.c) ------------------------------------
 * Every file libgan writes goes to a temporary file beside PATH, is
 * fsynced and renamed over PATH: a failure leaves the old PATH as it was,
 * a hard link to the old PATH keeps its bytes, and an existing PATH that
 * is not a regular file (a device, a FIFO, a folder) is refused.
 * gan_file_write writes buf (n bytes) that way. */
GAN_API gan_status gan_file_write(const char *path, const void *buf, size_t n, gan_error *err);
/* What an output is, for gan_output_check. */
typedef enum gan_out_kind {
    GAN_OUT_PNG, GAN_OUT_CSV, GAN_OUT_IDX, GAN_OUT_NPY, GAN_OUT_ONNX, GAN_OUT_HTML, GAN_OUT_CKPT,
} gan_out_kind;
/* The output-path guard, for a PATH a user names: GAN_OK when writing a
 * file of `kind` there destroys nothing it should not.  Refused (one
 * error naming PATH): a path that is one of a run directory's own files
 * (model.yaml, log.csv, events.csv, latest.ckpt, .lock, and what is in its
 * ckpt/, samples/ and superseded/), an existing file of another kind than
 * `kind` (by its first bytes; an empty file is of every kind), and a
 * symbolic link; with force, these are allowed.  A path that is not a
 * regular file or a link (a device, a FIFO, a folder) is refused even
 * with force. */
GAN_API gan_status gan_output_check(const char *path, gan_out_kind kind, int force, gan_error *err);
/* ---- samples to a file or a folder (writers.c) ---- */
/* The kind of samples file path names: .png (a grid), .csv, .idx or
 * -ubyte (IDX), .npy; -1 for none of them. */
GAN_API int gan_samples_kind(const char *path);
/* x (n, s) to path in the format gan_samples_kind names (a PNG grid of
 * ceil(sqrt(n)) columns; NumPy (n, s)).  Error: no such kind. */
GAN_API gan_status gan_samples_write(const char *path, const float *x, int n, gan_shape s, gan_error *err);
/* x (n, s) as dir/000000.png, dir/000001.png, ... (dir created unless it
 * exists, trailing slashes dropped), each past gan_output_check with
 * force.  s must be an image (gan_shape_image). */
GAN_API gan_status gan_samples_write_dir(const char *dir, const float *x, long n, gan_shape s, int force,
                                         gan_error *err);

/* ---- NumPy .npy arrays (npy.c) -------------------------------------
 * Read: format 1.0 or 2.0, descr '<f4', '<i8' or '<i4', fortran_order
 * False, at most GAN_NPY_MAXDIM dimensions, data exactly as long as the
 * shape says; anything else is one GAN_ERR_FORMAT error naming the file.
 * Write: float32 '<f4', C order, format 1.0 (numpy.load reads it). */
#define GAN_NPY_MAXDIM 4
typedef enum gan_npy_dtype { GAN_NPY_F32, GAN_NPY_I64, GAN_NPY_I32 } gan_npy_dtype;
typedef struct gan_npy {
    gan_npy_dtype dtype;
    int ndim;
    long shape[GAN_NPY_MAXDIM];
    size_t count;       /* prod(shape) */
    float *f32;         /* (count) for F32 (gan_alloc_floats), else NULL */
    int64_t *i64;       /* (count) for I64 and I32 (widened), else NULL */
} gan_npy;
GAN_API gan_status gan_npy_read(const char *path, gan_npy *a, gan_error *err);
GAN_API void gan_npy_free(gan_npy *a);
GAN_API gan_status gan_npy_write(const char *path, const float *x, int ndim, const long *shape, gan_error *err);
/* A float matrix x (rows, cols) from FILE.npy (float32, 2-D) or CSV (one
 * row per line, optional header); *x from gan_alloc_floats. */
GAN_API gan_status gan_matrix_read(const char *path, float **x, long *rows, long *cols, gan_error *err);
/* Class labels y (n), each in 0..65535, from FILE.npy (int64 or int32,
 * 1-D) or CSV (one whole number per line); *y malloc'd. */
GAN_API gan_status gan_labels_read(const char *path, int **y, long *n, gan_error *err);

#endif
