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
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "gan/classify.h"
#include "model/schema.h"

#define NONE 1e18
#define SZ(T, m) sizeof(((T *)0)->m)
#define IMAGES (1u << GAN_DATA_IMAGES)
#define FILES (1u << GAN_DATA_IDX | 1u << GAN_DATA_CIFAR10 | 1u << GAN_DATA_PNGDIR | 1u << GAN_DATA_CSV | IMAGES)
#define D(m) offsetof(gan_data_spec, m), SZ(gan_data_spec, m)

/* images: no generator to take the size from, so height, width and
 * channels are required */
#define DATA_FIELDS(name)                                                                           \
    static const field name##_f[] = {                                                              \
        { "format", F_ENUM, 0, 1, 0, 0, 0, 0, 0, 0, gan_model_format_names, D(format), NULL,      \
          "idx, cifar10, pngdir, csv or images" },                                                   \
        { "path", F_STR, FILES, 1, 0, 0, 1, 0, 0, 0, NULL, D(path), NULL, "data file or folder" }, \
        { "labels", F_STR, FILES, 0, 0, 0, 0, 0, 0, 0, NULL, D(labels), NULL,                      \
          "IDX label file matching the images; images: folders (each subfolder a class)" },         \
        { "label_column", F_INT, 1u << GAN_DATA_CSV, 0, 0, 0, 0, 65536, 0, 0, NULL, D(label_column), \
          NULL, "1-based CSV column of the labels; 0 = none" },                                     \
        { "limit", F_LONG, 0, 0, 0, 0, 0, NONE, 0, 0, NULL, D(limit), NULL,                          \
          "use at most this many samples; 0 = all" },                                                \
        { "classes", F_INT, 0, 0, 0, 0, 0, 65536, 0, 0, NULL, D(classes), NULL,                     \
          "number of classes (data: required, > 0)" },                                               \
        { "height", F_INT, IMAGES, 1, 0, 0, 1, 4096, 0, 0, NULL, D(height), NULL,                   \
          "images are resized to this height" },                                                     \
        { "width", F_INT, IMAGES, 1, 0, 0, 1, 4096, 0, 0, NULL, D(width), NULL,                     \
          "images are resized to this width" },                                                      \
        { "channels", F_INT, IMAGES, 1, 0, 0, 1, 3, 0, 0, NULL, D(channels), NULL,                  \
          "1 (gray) or 3 (RGB)" },                                                                   \
        { "crop", F_ENUM, IMAGES, 0, GAN_CROP_CENTER, 0, 0, 0, 0, 0, gan_model_crop_names, D(crop), \
          NULL, "center, or random after the shorter side is scaled" },                              \
        { "background", F_INT, IMAGES, 0, 255, 0, 0, 255, 0, 0, NULL, D(background), NULL,          \
          "gray level 0..255 that transparent pixels are composited over" },                         \
        { "on_bad_file", F_ENUM, IMAGES, 0, GAN_BAD_ERROR, 0, 0, 0, 0, 0, gan_model_bad_file_names, \
          D(on_bad_file), NULL, "error, or skip (files that cannot be decoded are left out)" },     \
        { "cache", F_BOOL, IMAGES, 0, 1, 0, 0, 1, 0, 0, NULL, D(cache), NULL,                        \
          "keep the decoded images in the cache directory" },                                        \
    };                                                                                             \
    static const section name##_s = { #name, name##_f, (int)(sizeof name##_f / sizeof name##_f[0]), 1, \
                                      "data format", NULL };
DATA_FIELDS(data)
DATA_FIELDS(test)

#define T(m) offsetof(gan_clf_train_spec, m), SZ(gan_clf_train_spec, m)
static const field train_f[] = {
    { "batch", F_INT, 0, 0, 64, 0, 1, 65536, 0, 0, NULL, T(batch), NULL, "samples per step" },
    { "steps", F_LONG, 0, 1, 0, 0, 1, 1e12, 0, 0, NULL, T(steps), NULL, "training steps" },
    { "lr", F_FLOAT, 0, 0, 1e-3, 0, 0, 10, 1, 0, NULL, T(lr), NULL, "Adam learning rate" },
    { "weight_decay", F_FLOAT, 0, 0, 0, 0, 0, 10, 0, 0, NULL, T(weight_decay), NULL,
      "L2 penalty added to the gradient" },
};
static const section train_s = { "train", train_f, 4, 0, NULL, NULL };

#define M(m) offsetof(gan_clf_spec, m), SZ(gan_clf_spec, m)
static const field top_f[] = {
    { "name", F_STR, 0, 1, 0, 0, 1, 0, 0, 0, NULL, M(name), NULL, "name of the classifier" },
    { "seed", F_U64, 0, 0, 1, 0, 0, NONE, 0, 0, NULL, M(seed), NULL, "seeds initialisation and data order" },
    { "data", F_SECTION, 0, 1, 0, 0, 0, 0, 0, 0, NULL, offsetof(gan_clf_spec, data), 0, &data_s,
      "labelled training data" },
    { "test", F_SECTION, 0, 1, 0, 0, 0, 0, 0, 0, NULL, offsetof(gan_clf_spec, test), 0, &test_s,
      "labelled test data" },
    { "layers", F_STACK, 0, 1, 0, 0, 0, 0, 0, 0, NULL, M(layers), NULL,
      "layers from a sample to one logit per class" },
    { "train", F_SECTION, 0, 1, 0, 0, 0, 0, 0, 0, NULL, offsetof(gan_clf_spec, train), 0, &train_s,
      "batch, steps, learning rate" },
};
static const section clf_top = { "", top_f, 6, 0, NULL, NULL };

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
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return gan_error_at(err, GAN_ERR_IO, path, 0, 0, "cannot open classifier file: %s", strerror(errno));
    char *buf = malloc((1 << 20) + 1);
    size_t len = buf ? fread(buf, 1, (1 << 20) + 1, f) : 0;
    fclose(f);
    gan_status st;
    if (!buf) st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    else if (len > (1 << 20)) st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "classifier file is larger than 1 MiB");
    else st = gan_clf_load_string(out, buf, len, path, err);
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
