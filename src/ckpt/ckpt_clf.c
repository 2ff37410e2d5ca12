/* ckpt_clf.c - classifier checkpoints: the container of ckpt_file.c with
 * three sections of their own (ganrun-checkpoint(5), CLASSIFIER
 * CHECKPOINTS); a GAN checkpoint reader rejects them (no MODL), and
 * gan_classifier_load rejects GAN checkpoints (no CLFM).
 *
 *   CLFM  str text                     the classifier file as written
 *   CLFS  u64 step, f32 test_accuracy (-1: unknown), u32 classes,
 *         u32 features, u32 rank, u32 dims[3] (input shape),
 *         u64 nparams, u64 nbufs
 *   CLFT  f32 params[nparams], f32 bufs[nbufs]
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "gan/classify.h"
#include "ckpt/ckpt_file.h"

#define TAG_CLFM CKPT_TAG('C', 'L', 'F', 'M')
#define TAG_CLFS CKPT_TAG('C', 'L', 'F', 'S')
#define TAG_CLFT CKPT_TAG('C', 'L', 'F', 'T')

gan_status gan_classifier_save(const gan_classifier *c, const char *path, gan_error *err)
{
    ckpt_writer *w;
    gan_status st = ckpt_writer_open(&w, path, 0, err);
    if (st != GAN_OK) return st;
    ckpt_buf m = { 0 }, s = { 0 }, t = { 0 };
    ckpt_put_str(&m, c->text);
    ckpt_put_u64(&s, (uint64_t)c->step);
    ckpt_put_f32(&s, c->test_accuracy);
    ckpt_put_u32(&s, (uint32_t)c->classes);
    ckpt_put_u32(&s, (uint32_t)c->features);
    ckpt_put_u32(&s, (uint32_t)c->net->in.rank);
    for (int i = 0; i < 3; i++) ckpt_put_u32(&s, (uint32_t)c->net->in.d[i]);
    ckpt_put_u64(&s, c->net->nparams);
    ckpt_put_u64(&s, c->net->nbufs);
    ckpt_put_f32s(&t, c->net->params, c->net->nparams);
    ckpt_put_f32s(&t, c->net->bufs, c->net->nbufs);
    if (m.oom || s.oom || t.oom) st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    if (st == GAN_OK) st = ckpt_writer_section(w, TAG_CLFM, m.p, m.len, err);
    if (st == GAN_OK) st = ckpt_writer_section(w, TAG_CLFS, s.p, s.len, err);
    if (st == GAN_OK) st = ckpt_writer_section(w, TAG_CLFT, t.p, t.len, err);
    ckpt_buf_free(&m);
    ckpt_buf_free(&s);
    ckpt_buf_free(&t);
    if (st != GAN_OK) {
        ckpt_writer_abort(w);
        return st;
    }
    return ckpt_writer_commit(w, err);
}

gan_status gan_classifier_load(gan_classifier **out, const char *path, gan_error *err)
{
    *out = NULL;
    ckpt_reader *r;
    gan_status st = ckpt_reader_open(&r, path, err);
    if (st != GAN_OK) return st;
    const ckpt_section *sm = ckpt_reader_find(r, TAG_CLFM), *ss = ckpt_reader_find(r, TAG_CLFS),
                       *stt = ckpt_reader_find(r, TAG_CLFT);
    char *text = NULL;
    gan_classifier *c = NULL;
    gan_clf_spec *spec = NULL;
    if (!sm || !ss || !stt) {
        st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                          "not a classifier checkpoint (no %s section; expected one written by ganrun classify train)",
                          !sm ? "CLFM" : !ss ? "CLFS" : "CLFT");
        goto out;
    }
    ckpt_cur cm = { sm->data, sm->len, 0, 0 }, cs = { ss->data, ss->len, 0, 0 };
    int oom = 0;
    text = ckpt_get_str(&cm, &oom);
    long step = (long)ckpt_get_u64(&cs);
    float acc = ckpt_get_f32(&cs);
    uint32_t K = ckpt_get_u32(&cs), F = ckpt_get_u32(&cs);
    gan_shape in;
    in.rank = (int)ckpt_get_u32(&cs);
    for (int i = 0; i < 3; i++) in.d[i] = (int)ckpt_get_u32(&cs);
    uint64_t np = ckpt_get_u64(&cs), nb = ckpt_get_u64(&cs);
    if (!text || cm.bad || cs.bad || (in.rank != 1 && in.rank != 3)) {
        st = oom ? gan_error_set(err, GAN_ERR_NOMEM, "out of memory")
                 : gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "classifier sections CLFM/CLFS are truncated or bad");
        goto out;
    }
    if ((st = gan_clf_load_string(&spec, text, strlen(text), path, err)) != GAN_OK) goto out;
    st = gan_classifier_create(&c, spec, text, &in, err);
    spec = NULL;
    if (st != GAN_OK) goto out;
    if (c->net->nparams != np || c->net->nbufs != nb || (uint32_t)c->classes != K || (uint32_t)c->features != F ||
        stt->len != (np + nb) * sizeof(float)) {
        st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0,
                          "classifier tensors do not match its layers (%llu + %llu values saved, %zu + %zu built)",
                          (unsigned long long)np, (unsigned long long)nb, c->net->nparams, c->net->nbufs);
        goto out;
    }
    ckpt_cur ct = { stt->data, stt->len, 0, 0 };
    ckpt_get_f32s(&ct, c->net->params, np);
    ckpt_get_f32s(&ct, c->net->bufs, nb);
    c->step = step;
    c->test_accuracy = acc;
out:
    free(text);
    gan_clf_spec_free(spec);
    ckpt_reader_free(r);
    if (st != GAN_OK) {
        gan_classifier_free(c);
        return st;
    }
    *out = c;
    return GAN_OK;
}
