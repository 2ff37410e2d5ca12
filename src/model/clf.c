/* clf.c - classifier files: the schema and the loader (see gan/classify.h).
 *
 *   name, seed
 *   data:   a data section (format, path, labels, label_column, limit,
 *           classes > 0): the labelled training set
 *   test:   the same keys, a labelled test set (classes is data's)
 *   layers: data shape -> (classes) logits (blocks: as in model files)
 *   train:  batch, steps, lr, weight_decay (Adam, betas 0.9, 0.999)
 *
 * The tables use the model file's machinery (parse.c), so messages read
 * the same: FILE:LINE:COL: error: ...
 */
#include "config.h"
#include <unistd.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "gan/classify.h"
#include "model/schema.h"
#include "core/file.h"

#define NONE 1e18
#define SZ(T, m) sizeof(((T *)0)->m)
#define IMAGES (1u << GAN_DATA_IMAGES)
#define FILES (1u << GAN_DATA_IDX | 1u << GAN_DATA_CIFAR10 | 1u << GAN_DATA_PNGDIR | 1u << GAN_DATA_CSV | IMAGES)
#define D(m) .off = offsetof(gan_data_spec, m), .size = SZ(gan_data_spec, m)

/* images: no generator to take the size from, so height, width and
 * channels are required */
#define DATA_FIELDS(name)                                                                                   \
    static const field name##_f[] = {                                                                       \
        { .key = "format", .kind = F_ENUM, .required = 1, .choices = gan_model_format_names, D(format),     \
          .doc = "idx, cifar10, pngdir, csv or images" },                                                   \
        { .key = "path", .kind = F_STR, .when = FILES, .required = 1, .min = 1, D(path),                    \
          .doc = "data file or folder" },                                                                   \
        { .key = "labels", .kind = F_STR, .when = FILES, D(labels),                                         \
          .doc = "IDX label file matching the images; images: folders (each subfolder a class)" },          \
        { .key = "label_column", .kind = F_INT, .when = 1u << GAN_DATA_CSV, .max = 65536, D(label_column),  \
          .doc = "1-based CSV column of the labels; 0 = none" },                                            \
        { .key = "limit", .kind = F_LONG, .max = NONE, D(limit),                                            \
          .doc = "use at most this many samples; 0 = all" },                                                \
        { .key = "classes", .kind = F_INT, .max = 65536, D(classes),                                        \
          .doc = "number of classes (data: required, > 0)" },                                               \
        { .key = "height", .kind = F_INT, .when = IMAGES, .required = 1, .min = 1, .max = 4096, D(height),  \
          .doc = "images are resized to this height" },                                                     \
        { .key = "width", .kind = F_INT, .when = IMAGES, .required = 1, .min = 1, .max = 4096, D(width),    \
          .doc = "images are resized to this width" },                                                      \
        { .key = "channels", .kind = F_INT, .when = IMAGES, .required = 1, .min = 1, .max = 3, D(channels), \
          .doc = "1 (gray) or 3 (RGB)" },                                                                   \
        { .key = "crop", .kind = F_ENUM, .when = IMAGES, .def = GAN_CROP_CENTER,                            \
          .choices = gan_model_crop_names, D(crop),                                                         \
          .doc = "center, or random after the shorter side is scaled" },                                    \
        { .key = "background", .kind = F_INT, .when = IMAGES, .def = 255, .max = 255, D(background),        \
          .doc = "gray level 0..255 that transparent pixels are composited over" },                         \
        { .key = "on_bad_file", .kind = F_ENUM, .when = IMAGES, .def = GAN_BAD_ERROR,                       \
          .choices = gan_model_bad_file_names, D(on_bad_file),                                              \
          .doc = "error, or skip (files that cannot be decoded are left out)" },                            \
        { .key = "cache", .kind = F_BOOL, .when = IMAGES, .def = 1, .max = 1, D(cache),                     \
          .doc = "keep the decoded images in the cache directory" },                                        \
    };                                                                                                      \
    static const section name##_s = { .path = #name, .f = name##_f, .n = NFIELDS(name##_f),                 \
                                      .has_variant = 1, .variant_noun = "data format" };
DATA_FIELDS(data)
DATA_FIELDS(test)

#define T(m) .off = offsetof(gan_clf_train_spec, m), .size = SZ(gan_clf_train_spec, m)
static const field train_f[] = {
    { .key = "batch", .kind = F_INT, .def = 64, .min = 1, .max = 65536, T(batch), .doc = "samples per step" },
    { .key = "steps", .kind = F_LONG, .required = 1, .min = 1, .max = 1e12, T(steps),
      .doc = "training steps" },
    { .key = "lr", .kind = F_FLOAT, .def = 1e-3, .max = 10, .min_open = 1, T(lr),
      .doc = "Adam learning rate" },
    { .key = "weight_decay", .kind = F_FLOAT, .max = 10, T(weight_decay),
      .doc = "L2 penalty added to the gradient" },
};
static const section train_s = { .path = "train", .f = train_f, .n = NFIELDS(train_f) };

#define M(m) .off = offsetof(gan_clf_spec, m), .size = SZ(gan_clf_spec, m)
static const field top_f[] = {
    { .key = "name", .kind = F_STR, .required = 1, .min = 1, M(name), .doc = "name of the classifier" },
    { .key = "seed", .kind = F_U64, .def = 1, .max = NONE, M(seed),
      .doc = "seeds initialisation and data order" },
    { .key = "data", .kind = F_SECTION, .required = 1, .off = offsetof(gan_clf_spec, data), .sub = &data_s,
      .doc = "labelled training data" },
    { .key = "test", .kind = F_SECTION, .required = 1, .off = offsetof(gan_clf_spec, test), .sub = &test_s,
      .doc = "labelled test data" },
    { .key = "layers", .kind = F_STACK, .required = 1, M(layers),
      .doc = "layers from a sample to one logit per class" },
    { .key = "train", .kind = F_SECTION, .required = 1, .off = offsetof(gan_clf_spec, train), .sub = &train_s,
      .doc = "batch, steps, learning rate" },
};
static const section clf_top = { .path = "", .f = top_f, .n = NFIELDS(top_f) };

void gan_clf_spec_free(gan_clf_spec *s)
{
    if (!s) return;
    free(s->layers.layers);
    free(s);
}

gan_status gan_clf_load_string(gan_clf_spec **out, const char *text, size_t len, const char *name,
                               gan_error *err)
{
    *out = NULL;
    mctx c = { name, NULL, err };
    ynode *root;
    gan_status st = ytree_parse(&root, text, len, name, 0, err);
    if (st != GAN_OK) return st;
    if (!root || root->kind != Y_MAP) {
        ytree_free(root);
        return gan_error_at(err, GAN_ERR_FORMAT, name, 1, 1,
                            "classifier file is not a mapping (expected name, data, test, layers, train)");
    }
    static const char *const stacks[1] = { "layers" };
    st = gan_model_expand_blocks(&c, root, stacks, 1);   /* blocks: as in model files */
    gan_clf_spec *s = calloc(1, sizeof *s);
    if (!s && st == GAN_OK) st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    if (st == GAN_OK) {
        snprintf(s->source, sizeof s->source, "%s", name);
        st = gan_model_parse_section(&c, root, root, &clf_top, s, NULL);
    }
    if (st == GAN_OK && s->data.classes < 1) {
        const ynode *at = ytree_path(root, "data");
        st = gan_model_err(&c, at ? at : root, GAN_ERR_INVALID,
                           "a classifier needs data.classes (expected the number of classes, > 0)");
    }
    if (st == GAN_OK) s->test.classes = s->data.classes;
    ytree_free(root);
    if (st != GAN_OK) {
        gan_clf_spec_free(s);
        return st;
    }
    *out = s;
    return GAN_OK;
}

gan_status gan_clf_load(gan_clf_spec **out, const char *path, gan_error *err)
{
    return gan_clf_load_text(out, NULL, path, err);
}

gan_status gan_clf_load_text(gan_clf_spec **out, char **text, const char *path, gan_error *err)
{
    *out = NULL;
    if (text) *text = NULL;
    const char *why = NULL;
    FILE *f = core_fopen_read(path, &why, NULL);   /* no FIFO, no /dev/zero */
    if (!f) return gan_error_at(err, GAN_ERR_IO, path, 0, 0, "cannot open classifier file: %s", why);
    char *buf = malloc((1 << 20) + 1);
    size_t len = buf ? fread(buf, 1, (1 << 20) + 1, f) : 0;
    fclose(f);
    gan_status st;
    if (!buf) st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    else if (len > (1 << 20)) st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "classifier file is larger than 1 MiB");
    else st = gan_clf_load_string(out, buf, len, path, err);
    if (st == GAN_OK && text) {
        buf[len] = 0;
        *text = buf;
        return GAN_OK;
    }
    free(buf);
    return st;
}

static void walk(const section *s, const char *prefix, void (*fn)(const char *, void *), void *ctx)
{
    char name[160];
    for (int i = 0; i < s->n; i++) {
        snprintf(name, sizeof name, "%s%s%s", prefix, prefix[0] ? "." : "", s->f[i].key);
        fn(name, ctx);
        if (s->f[i].kind == F_SECTION) walk(s->f[i].sub, name, fn, ctx);
    }
}

void gan_clf_each_key(void (*fn)(const char *key, void *ctx), void *ctx)
{
    walk(&clf_top, "", fn, ctx);
}
