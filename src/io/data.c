/* data.c - gan_data_load / gan_data_shape: check the spec, dispatch to the
 * loader of its format (idx.c, cifar.c, pngdir.c, csv.c, images.c,
 * mixture.c); the dataset they fill is dataset.c's. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "io/io.h"

const char *gan_data_format_name(gan_data_format f)
{
    switch (f) {
    case GAN_DATA_IDX: return "idx";
    case GAN_DATA_CIFAR10: return "cifar10";
    case GAN_DATA_PNGDIR: return "pngdir";
    case GAN_DATA_CSV: return "csv";
    case GAN_DATA_GRID: return "grid";
    case GAN_DATA_RING: return "ring";
    case GAN_DATA_IMAGES: return "images";
    }
    return "unknown";
}

static int is_mixture(gan_data_format f)
{
    return f == GAN_DATA_GRID || f == GAN_DATA_RING;
}

static gan_status check_spec(const gan_data_spec *spec, gan_error *err)
{
    if (!spec) return gan_error_set(err, GAN_ERR_INVALID, "no data spec");
    switch (spec->format) {
    case GAN_DATA_IDX: case GAN_DATA_CIFAR10: case GAN_DATA_PNGDIR: case GAN_DATA_CSV: case GAN_DATA_IMAGES:
        if (!spec->path[0])
            return gan_error_set(err, GAN_ERR_INVALID, "%s data needs a path",
                                 gan_data_format_name(spec->format));
        break;
    case GAN_DATA_GRID: case GAN_DATA_RING:
        break;
    default:
        return gan_error_set(err, GAN_ERR_INVALID, "unknown data format %d", (int)spec->format);
    }
    if (spec->format == GAN_DATA_IMAGES && spec->labels[0] && strcmp(spec->labels, "folders"))
        return gan_error_at(err, GAN_ERR_INVALID, spec->path, 0, 0,
                            "images take labels: folders or none, not \"%s\"", spec->labels);
    if (spec->limit < 0)
        return gan_error_set(err, GAN_ERR_INVALID, "data limit %ld is negative, expected >= 0", spec->limit);
    if (is_mixture(spec->format) && (spec->samples < 0 || spec->samples > IO_MAX_SAMPLES))
        return gan_error_set(err, GAN_ERR_INVALID, "mixture samples %ld out of range, expected 0..%ld",
                             spec->samples, IO_MAX_SAMPLES);
    return GAN_OK;
}

gan_status gan_data_load(gan_dataset **out, const gan_data_spec *spec, uint64_t seed, gan_error *err)
{
    *out = NULL;
    gan_status st = check_spec(spec, err);
    if (st != GAN_OK) return st;
    gan_dataset *d = calloc(1, sizeof *d);
    if (!d) return gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    switch (spec->format) {
    case GAN_DATA_IDX: st = io_idx_load(d, spec, err); break;
    case GAN_DATA_CIFAR10: st = io_cifar_load(d, spec, err); break;
    case GAN_DATA_PNGDIR: st = io_pngdir_load(d, spec, err); break;
    case GAN_DATA_CSV: st = io_csv_load(d, spec, err); break;
    case GAN_DATA_IMAGES: st = io_images_load(d, spec, seed, err); break;
    case GAN_DATA_GRID: case GAN_DATA_RING: st = io_mixture_load(d, spec, seed, err); break;
    }
    if (st != GAN_OK) {
        gan_data_free(d);
        return st;
    }
    *out = d;
    return GAN_OK;
}

gan_status gan_data_shape(const gan_data_spec *spec, gan_shape *shape, gan_error *err)
{
    gan_status st = check_spec(spec, err);
    if (st != GAN_OK) return st;
    switch (spec->format) {
    case GAN_DATA_IDX: return io_idx_shape(spec->path, shape, err);
    case GAN_DATA_CIFAR10: return io_cifar_shape(spec->path, shape, err);
    case GAN_DATA_PNGDIR: return io_pngdir_shape(spec->path, shape, err);
    case GAN_DATA_IMAGES: return io_images_shape(spec, shape, err);
    case GAN_DATA_CSV:
        st = io_csv_shape(spec->path, shape, err);
        if (st != GAN_OK || spec->label_column <= 0) return st;
        if (shape->d[0] < 2 || spec->label_column > shape->d[0])
            return gan_error_at(err, GAN_ERR_SHAPE, spec->path, 0, 0,
                                "label_column %d but rows have %d values (expected a label column and >= 1 value)",
                                spec->label_column, shape->d[0]);
        shape->d[0]--;
        return GAN_OK;
    case GAN_DATA_GRID: case GAN_DATA_RING:
        *shape = (gan_shape){ 1, { 2, 0, 0 } };
        return GAN_OK;
    }
    return GAN_ERR_INVALID;
}
