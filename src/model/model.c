/* model.c - load a model file: read (bounded), YAML tree, --set overrides,
 * validation against the schema, cross-field checks.
 *
 * Overrides "a.b.c=VALUE" are applied to the tree before validation, so
 * they go through exactly the checks the file does; nodes they make carry
 * their index and errors at those nodes name the override (file "--set").
 * An index walks into a layer stack: generator.0.units=64 sets an option
 * of the stack's first layer.
 */
#include "config.h"
#include <unistd.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/schema.h"
#include "core/file.h"

#define MAXFILE (1 << 20)

void gan_model_free(gan_model_spec *m)
{
    if (!m) return;
    free(m->gen.layers);
    free(m->disc.layers);
    free(m);
}

/* ---- overrides ----------------------------------------------------------- */

static gan_status set_err(const mctx *c, int i, gan_status code, const char *fmt, const char *arg)
{
    char msg[400];
    snprintf(msg, sizeof msg, fmt, arg);
    return gan_error_at(c->err, code, "--set", 0, 0, "'%.200s': %s", c->sets[i], msg);
}

/* The override's value as a node: a scalar or a flow list of scalars. */
static gan_status set_value(const mctx *c, int i, const char *text, ynode **out)
{
    ynode *v = NULL;
    gan_error e;
    if (ytree_parse(&v, text, strlen(text), "--set", i + 1, &e) != GAN_OK)
        return set_err(c, i, e.code, "%s", e.msg);
    if (!v) v = ytree_scalar("", 1, i + 1);
    if (!v) return gan_error_set(c->err, GAN_ERR_NOMEM, "out of memory");
    int ok = v->kind == Y_SCALAR;
    if (v->kind == Y_SEQ) {
        ok = 1;
        for (int j = 0; j < v->n; j++) ok &= v->val[j]->kind == Y_SCALAR;
    }
    if (!ok) {
        ytree_free(v);
        return set_err(c, i, GAN_ERR_INVALID, "%s is not a scalar value (expected a number, word or [list])",
                       text);
    }
    *out = v;
    return GAN_OK;
}

/* The options mapping of layer entry *slot, made a mapping if the entry is
 * a bare TYPE or has empty options.  NULL if the entry is not a layer. */
static ynode *layer_options(ynode **slot, int origin)
{
    ynode *item = *slot;
    if (item->kind == Y_SCALAR && !ytree_is_null(item)) {
        ynode *m = ytree_new(Y_MAP, item->line, item->col, item->origin);
        if (!m || !ytree_append(m, item, NULL)) {
            free(m);
            return NULL;
        }
        *slot = item = m;
    }
    if (item->kind != Y_MAP || item->n != 1) return NULL;
    ynode **opts = &item->val[0];
    if (!*opts || ytree_is_null(*opts)) {
        ytree_free(*opts);
        *opts = ytree_new(Y_MAP, 0, 0, origin);
    }
    return *opts && (*opts)->kind == Y_MAP ? *opts : NULL;
}

static gan_status apply_override(const mctx *c, ynode *root, int i)
{
    const char *s = c->sets[i], *eq = strchr(s, '=');
    char key[256];
    if (!eq || eq == s || (size_t)(eq - s) >= sizeof key)
        return set_err(c, i, GAN_ERR_INVALID, "%sexpected KEY=VALUE with a dotted key such as train.steps=200", "");
    memcpy(key, s, (size_t)(eq - s));
    key[eq - s] = 0;
    /* strtok would skip empty parts: ".=1" set nothing without a word */
    if (key[0] == '.' || key[strlen(key) - 1] == '.' || strstr(key, ".."))
        return set_err(c, i, GAN_ERR_INVALID, "%sthe key has an empty part (expected a dotted key such as "
                       "train.steps=200)", "");
    ynode *node = root;
    char *save = NULL, *part = strtok_r(key, ".", &save);
    while (part) {
        char *next = strtok_r(NULL, ".", &save);
        if (node->kind == Y_SEQ) {
            if (node != ytree_get(root, "generator", NULL) && node != ytree_get(root, "discriminator", NULL))
                return set_err(c, i, GAN_ERR_INVALID, "'%s' indexes a list that is not a layer stack "
                                                      "(expected generator.N.KEY or discriminator.N.KEY)", part);
            char *end;
            long idx = strtol(part, &end, 10);
            if (*end || end == part || idx < 0 || idx >= node->n)
                return set_err(c, i, GAN_ERR_INVALID, "no layer '%s' in the stack (expected an index from 0)", part);
            if (!next)
                return set_err(c, i, GAN_ERR_INVALID, "%sa whole layer cannot be set (expected STACK.INDEX.KEY=VALUE)", "");
            node = layer_options(&node->val[idx], i + 1);
            if (!node)
                return set_err(c, i, GAN_ERR_INVALID, "layer %s is not a TYPE: {options} entry (expected a layer)", part);
            part = next;
            continue;
        }
        if (node->kind != Y_MAP)
            return set_err(c, i, GAN_ERR_INVALID, "'%s' is inside a value that is not a mapping (expected a section)", part);
        int at = -1;
        ynode *v = ytree_get(node, part, &at);
        if (next) {
            if (!v) {
                ynode *k = ytree_scalar(part, 1, i + 1), *m = ytree_new(Y_MAP, 0, 0, i + 1);
                if (!k || !m || !ytree_append(node, k, m)) {
                    ytree_free(k);
                    ytree_free(m);
                    return gan_error_set(c->err, GAN_ERR_NOMEM, "out of memory");
                }
                v = m;
            }
            node = v;
        } else {
            if (v && v->kind == Y_MAP)
                return set_err(c, i, GAN_ERR_INVALID, "'%s' is a section (expected a key inside it, such as SECTION.KEY=VALUE)", part);
            ynode *nv = NULL;
            gan_status st = set_value(c, i, eq + 1, &nv);
            if (st != GAN_OK) return st;
            if (v) {
                ytree_free(v);
                node->val[at] = nv;
                node->key[at]->origin = i + 1;
            } else {
                ynode *k = ytree_scalar(part, 1, i + 1);
                if (!k || !ytree_append(node, k, nv)) {
                    ytree_free(k);
                    ytree_free(nv);
                    return gan_error_set(c->err, GAN_ERR_NOMEM, "out of memory");
                }
            }
        }
        part = next;
    }
    return GAN_OK;
}

/* ---- cross-field checks ------------------------------------------------ */

static const ynode *blame(const ynode *root, const char *path, const char *fallback)
{
    const ynode *n = ytree_path(root, path);
    if (!n) n = ytree_path(root, fallback);
    return n ? n : root;
}

static gan_status cross_checks(const mctx *c, const ynode *root, gan_model_spec *m)
{
    const gan_noise_spec *z = &m->noise;
    if (z->dist == GAN_NOISE_UNIFORM && !(z->low < z->high))
        return gan_model_err(c, blame(root, "noise.high", "noise"), GAN_ERR_INVALID,
                             "noise low %g is not below high %g (expected low < high)", z->low, z->high);
    const char *who[2] = { "generator", "discriminator" };
    const gan_optim_conf *o[2] = { &m->train.gopt, &m->train.dopt };
    for (int i = 0; i < 2; i++)
        if (o[i]->kind == GAN_OPTIM_SGD && o[i]->nesterov && o[i]->momentum <= 0) {
            char p[64];
            snprintf(p, sizeof p, "train.optimizer.%s.nesterov", who[i]);
            return gan_model_err(c, blame(root, p, "train"), GAN_ERR_INVALID,
                                 "nesterov in the %s's sgd needs momentum (expected momentum > 0)", who[i]);
        }
    if (m->train.loss == GAN_LOSS_WGAN_GP)
        for (int i = 0; i < m->disc.n; i++)
            if (strcmp(m->disc.layers[i].type->name, "batchnorm") == 0) {
                ynode at = { .line = m->disc.layers[i].line, .col = m->disc.layers[i].col };
                return gan_model_err(c, &at, GAN_ERR_INVALID,
                                     "batchnorm in the discriminator with loss wgan-gp (expected no batchnorm: "
                                     "the gradient penalty is per sample)");
            }
    if (m->train.ema.half_life > 0.0f && m->train.ema.decay > 0.0f)
        return gan_model_err(c, blame(root, "train.ema.half_life", "train"), GAN_ERR_INVALID,
                             "train.ema has both decay and half_life (expected one of them)");
    const gan_aug_spec *au = &m->train.augment;
    if (au->schedule == GAN_LR_STEP || (au->schedule != GAN_LR_CONSTANT && au->ada_target > 0.0f))
        return gan_model_err(c, blame(root, "train.augment.schedule", "train"), GAN_ERR_INVALID,
                             "train.augment.schedule %s (expected constant, linear or cosine, and "
                             "constant with ada_target)", gan_model_lr_schedule_names[au->schedule]);
    const int rp_nb = m->train.noise_batch ? m->train.noise_batch : m->train.batch;
    if (m->train.loss == GAN_LOSS_RPGAN && rp_nb != m->train.batch)
        return gan_model_err(c, blame(root, "train.noise_batch", "train"), GAN_ERR_INVALID,
                             "loss rpgan pairs real i with fake i, but train.noise_batch %d is not "
                             "train.batch %d (expected equal batches)", rp_nb, m->train.batch);
    gan_error ge;
    gan_error_clear(&ge);
    if (gan_gemm_available(m->train.gemm, &ge) != GAN_OK)
        return gan_model_err(c, blame(root, "train.gemm", "train"), GAN_ERR_INVALID, "%s", ge.msg);
    gan_status st = model_cond_check(c, root, m);
    if (st != GAN_OK) return st;
    if (m->train.noise_batch == 0) m->train.noise_batch = m->train.batch;
    int pk = m->train.pack;
    if (pk > 1 && (m->train.batch % pk || m->train.noise_batch % pk))
        return gan_model_err(c, blame(root, "train.pack", "train"), GAN_ERR_INVALID,
                             "train.pack %d does not divide train.batch %d and train.noise_batch %d "
                             "(expected both multiples of pack)", pk, m->train.batch, m->train.noise_batch);
    int S = m->train.shards;
    if (S > 1 && (m->train.batch % S || m->train.noise_batch % S ||
                  (m->train.batch / S) % pk || (m->train.noise_batch / S) % pk))
        return gan_model_err(c, blame(root, "train.shards", "train"), GAN_ERR_INVALID,
                             "train.shards %d does not divide train.batch %d and train.noise_batch %d "
                             "into whole packs of %d (expected both multiples of shards * pack)",
                             S, m->train.batch, m->train.noise_batch, pk);
    /* a pack would mix classes under one score: not defined here */
    if (pk > 1 && m->data.classes > 0)
        return gan_model_err(c, blame(root, "train.pack", "train"), GAN_ERR_INVALID,
                             "train.pack %d with a conditional model (data.classes %d): packing "
                             "needs an unconditional model (expected pack 1)", pk, m->data.classes);
    if (!m->output.dir[0]) snprintf(m->output.dir, sizeof m->output.dir, "runs/%s", m->name);
    return GAN_OK;
}

/* ---- loading ----------------------------------------------------------- */

gan_status gan_model_load_string(gan_model_spec **out, const char *text, size_t len,
                                 const char *name, const char *const *overrides,
                                 int noverrides, gan_error *err)
{
    *out = NULL;
    mctx c = { name, overrides, err };
    if (len > MAXFILE)
        return gan_error_at(err, GAN_ERR_FORMAT, name, 0, 0, "model file of %zu bytes is too large (expected at most 1 MiB)", len);
    ynode *root;
    gan_status st = ytree_parse(&root, text, len, name, 0, err);
    if (st != GAN_OK) return st;
    if (!root || ytree_is_null(root)) {
        ytree_free(root);
        return gan_error_at(err, GAN_ERR_FORMAT, name, 1, 1, "empty model file (expected a YAML mapping with name, data, noise, generator, discriminator, train)");
    }
    if (root->kind != Y_MAP) {
        st = gan_model_err(&c, root, GAN_ERR_FORMAT, "model file is %s (expected a mapping of keys such as name: ...)",
                           ytree_kind_name(root->kind));
        ytree_free(root);
        return st;
    }
    for (int i = 0; i < noverrides && st == GAN_OK; i++) st = apply_override(&c, root, i);
    static const char *const stacks[2] = { "generator", "discriminator" };
    if (st == GAN_OK) st = gan_model_expand_blocks(&c, root, stacks, 2);
    gan_model_spec *m = calloc(1, sizeof *m);
    if (!m && st == GAN_OK) st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    if (st == GAN_OK) {
        snprintf(m->source, sizeof m->source, "%s", name);
        st = gan_model_parse_section(&c, root, root, &gan_model_top, m, m);
    }
    if (st == GAN_OK) st = cross_checks(&c, root, m);
    ytree_free(root);
    if (st != GAN_OK) {
        gan_model_free(m);
        return st;
    }
    *out = m;
    return GAN_OK;
}

gan_status gan_model_load(gan_model_spec **out, const char *path, const char *const *overrides,
                          int noverrides, gan_error *err)
{
    *out = NULL;
    const char *why = NULL;
    FILE *f = core_fopen_read(path, &why, NULL);   /* no FIFO, no /dev/zero */
    if (!f) return gan_error_at(err, GAN_ERR_IO, path, 0, 0, "cannot open model file: %s", why);
    char *buf = malloc(MAXFILE + 1);
    if (!buf) {
        fclose(f);
        return gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    }
    size_t len = fread(buf, 1, MAXFILE + 1, f);
    int bad = ferror(f);
    fclose(f);
    gan_status st;
    if (bad) st = gan_error_at(err, GAN_ERR_IO, path, 0, 0, "cannot read model file (expected a readable file)");
    else if (len > MAXFILE) st = gan_error_at(err, GAN_ERR_FORMAT, path, 0, 0, "model file is larger than 1 MiB (expected a small YAML file)");
    else st = gan_model_load_string(out, buf, len, path, overrides, noverrides, err);
    free(buf);
    return st;
}
