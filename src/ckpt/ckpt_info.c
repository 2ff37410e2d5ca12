/* ckpt_info.c - `ganrun info`: what a checkpoint holds, without building
 * its networks.  The whole file is verified first (as for a load), so a
 * summary is never printed from a damaged file. */
#include "config.h"
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gan/gan.h"
#include "ckpt/ckpt_state.h"
#include "train/state.h"

/* str fields of 'BILD' into buf as "A, B, C" */
static void build_line(const ckpt_reader *r, char *buf, size_t n)
{
    const ckpt_section *s = ckpt_reader_find(r, CKPT_TAG_BILD);
    ckpt_cur c = { s->data, s->len, 0, 0 };
    buf[0] = '\0';
    for (int i = 0; i < 3; i++) {
        uint32_t len = ckpt_get_u32(&c);
        const uint8_t *p = ckpt_get_bytes(&c, len);
        if (!p) break;
        size_t at = strlen(buf);
        snprintf(buf + at, n - at, "%s%s%.*s", i ? ", " : "", i == 0 ? "ganrun " : "",
                 (int)(len < 200 ? len : 200), (const char *)p);
    }
    for (char *q = buf; *q; q++)   /* one line, printable */
        if ((unsigned char)*q < 0x20 || *q == 0x7f) *q = ' ';
}

static void stat_line(const ckpt_reader *r, FILE *f)
{
    const ckpt_section *s = ckpt_reader_find(r, CKPT_TAG_STAT), *o = ckpt_reader_find(r, CKPT_TAG_ORDR);
    ckpt_cur c = { s->data, s->len, 0, 0 }, d = { o->data, o->len, 0, 0 };
    uint64_t step = ckpt_get_u64(&c), epoch = ckpt_get_u64(&c), pos = ckpt_get_u64(&c);
    uint64_t n = ckpt_get_u64(&d);
    fprintf(f, "step        %" PRIu64 " (epoch %" PRIu64 ", position %" PRIu64 " of %" PRIu64 ")\n", step,
            epoch, pos, n);
}

static void optim_line(const ckpt_reader *r, uint32_t tag, const char *who, FILE *f)
{
    const ckpt_section *s = ckpt_reader_find(r, tag);
    ckpt_cur c = { s->data, s->len, 0, 0 };
    uint32_t kind = ckpt_get_u32(&c);
    float lr = ckpt_get_f32(&c);
    ckpt_get_bytes(&c, 4 * 5 + 4 + 4);   /* beta1 .. alpha */
    uint64_t t = ckpt_get_u64(&c), n = ckpt_get_u64(&c);
    fprintf(f, "%-12s%s, lr %g, %" PRIu64 " steps, %" PRIu64 " parameters\n", who, ckpt_optim_name(kind), lr,
            t, n);
}

/* mean, standard deviation and L2 norm, accumulated in double */
static void moments(const ckpt_tensor *t, double *mean, double *sd, double *norm)
{
    ckpt_cur c = { t->data, 4 * t->size, 0, 0 };
    double s = 0, ss = 0;
    for (size_t i = 0; i < t->size; i++) {
        double x = ckpt_get_f32(&c);
        s += x;
        ss += x * x;
    }
    size_t n = t->size ? t->size : 1;
    *mean = s / n;
    double var = ss / n - *mean * *mean;
    *sd = var > 0 ? sqrt(var) : 0;
    *norm = sqrt(ss);
}

/* train.augment's p ('AUGP'), the data's fingerprint ('DATA') and, for
 * images with labels: folders, the class names (from the folder, when it
 * is still there) */
static void data_lines(const ckpt_reader *r, const char *path, const char *text, size_t len, FILE *f)
{
    const ckpt_section *s = ckpt_reader_find(r, CKPT_TAG_AUGP);
    if (s && s->len == 4) {
        ckpt_cur c = { s->data, s->len, 0, 0 };
        fprintf(f, "augment     p %.6g\n", (double)ckpt_get_f32(&c));
    }
    if ((s = ckpt_reader_find(r, CKPT_TAG_DATA)) && s->len == 8) {
        ckpt_cur c = { s->data, s->len, 0, 0 };
        fprintf(f, "data        fingerprint %016" PRIx64 "\n", ckpt_get_u64(&c));
    }
    gan_model_spec *m;
    gan_error e;
    if (gan_model_load_string(&m, text, len, path, NULL, 0, &e) != GAN_OK) return;
    char **names;
    int n;
    if (gan_data_class_names(&m->data, &names, &n, &e) == GAN_OK && n > 0) {
        fprintf(f, "classes    ");
        for (int i = 0; i < n; i++) fprintf(f, "%s %s", i ? "," : "", names[i]);
        fputc('\n', f);
        gan_data_free_names(names);
    }
    gan_model_free(m);
}

gan_status gan_ckpt_info(const char *path, FILE *f, int model_only, gan_error *err)
{
    ckpt_reader *r;
    ckpt_model_text m;
    gan_status st = ckpt_state_open_model(&r, path, &m, err);
    if (st != GAN_OK) return st;
    ckpt_tensor *ts = NULL;
    int nts = 0;
    if (!model_only) st = ckpt_state_tensors(r, &ts, &nts, err);
    if (st != GAN_OK) {
        ckpt_reader_free(r);
        return st;
    }
    if (model_only) {
        fwrite(m.text, 1, m.len, f);
        if (m.len && m.text[m.len - 1] != '\n') fputc('\n', f);
        ckpt_reader_free(r);
        return GAN_OK;
    }
    char build[768];
    build_line(r, build, sizeof build);
    fprintf(f, "checkpoint  %s (%" PRIu64 " bytes, format %" PRIu32 ")\n", path, r->file_size, r->version);
    fprintf(f, "model       fnv1a64 %016" PRIx64 ", %zu bytes of YAML\n", m.hash, m.len);
    fprintf(f, "built by    %s\n", build);
    stat_line(r, f);
    optim_line(r, CKPT_TAG_OPTG, "G optim", f);
    optim_line(r, CKPT_TAG_OPTD, "D optim", f);
    int nranks;
    if (ckpt_reader_find(r, CKPT_TAG_DIST) && ckpt_state_nranks(r, &nranks, err) == GAN_OK)
        fprintf(f, "ranks       %d (data-parallel run)\n", nranks);
    data_lines(r, path, m.text, m.len, f);
    for (int i = 0; i < r->n; i++) {
        char tag[5];
        ckpt_tag_str(r->s[i].tag, tag);
        char holds[512];   /* the trainer state it holds (src/train/state.h) */
        trainer_state_in_section(tag, holds, sizeof holds);
        fprintf(f, "%-12s'%s' %zu bytes (%zu compressed), crc32 %08" PRIx32 "%s%s\n", i ? "" : "sections", tag,
                r->s[i].len, r->s[i].clen, r->s[i].crc, holds[0] ? ": " : "", holds);
    }
    size_t total = 0;
    for (int i = 0; i < nts; i++) total += ts[i].size;
    fprintf(f, "tensors     %d, %zu floats\n", nts, total);
    fprintf(f, "  %-34s %-20s %12s %12s %12s\n", "name", "shape", "mean", "std", "norm");
    for (int i = 0; i < nts; i++) {
        char shape[64] = "(";
        for (int d = 0; d < ts[i].rank; d++)
            snprintf(shape + strlen(shape), sizeof shape - strlen(shape), "%s%" PRIu32, d ? ", " : "",
                     ts[i].dims[d]);
        strcat(shape, ")");
        double mean, sd, norm;
        moments(&ts[i], &mean, &sd, &norm);
        fprintf(f, "  %-34s %-20s %12.5g %12.5g %12.5g\n", ts[i].name, shape, mean, sd, norm);
    }
    free(ts);
    ckpt_reader_free(r);
    return GAN_OK;
}
