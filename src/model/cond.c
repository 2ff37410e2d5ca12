/* cond.c - conditional models: tie the label layers (embed, project,
 * batchnorm with conditional: true) to data.classes.
 *
 * A label layer's `classes` defaults to data.classes (written into the spec
 * here, so the expanded model states it); a different explicit value, a
 * label layer in an unconditional model, or a conditional model whose
 * generator has no label layer is an error at the layer.
 */
#include "config.h"
#include <string.h>
#include "model/schema.h"

static gan_status check_stack(const mctx *c, gan_stack_spec *st, const char *name, int K, int *count)
{
    for (int i = 0; i < st->n; i++) {
        gan_layer_conf *l = &st->layers[i];
        int k = gan_layer_key_index(l->type, "classes");
        if (k < 0) continue;
        /* batchnorm is a label layer only with conditional: true */
        int cond = gan_layer_key_index(l->type, "conditional");
        if (cond >= 0 && l->v[cond].num == 0) continue;
        gan_key_value *v = &l->v[k];
        ynode at = { .line = v->set ? v->line : l->line, .col = v->set ? v->col : l->col };
        if (K == 0)
            return gan_model_err(c, &at, GAN_ERR_INVALID,
                                 "%s layer in the %s of an unconditional model (expected data.classes: N "
                                 "and labelled data)", l->type->name, name);
        if (v->set && (int)v->num != K)
            return gan_model_err(c, &at, GAN_ERR_INVALID, "%s classes %d differs from data.classes %d",
                                 l->type->name, (int)v->num, K);
        v->num = K;
        (*count)++;
    }
    return GAN_OK;
}

gan_status model_cond_check(const mctx *c, const ynode *root, gan_model_spec *m)
{
    int K = m->data.classes, ng = 0, nd = 0;
    gan_status st = check_stack(c, &m->gen, "generator", K, &ng);
    if (st == GAN_OK) st = check_stack(c, &m->disc, "discriminator", K, &nd);
    if (st != GAN_OK || K == 0) return st;
    if (ng == 0) {
        const ynode *at = ytree_path(root, "generator");
        return gan_model_err(c, at ? at : root, GAN_ERR_INVALID,
                             "data.classes is %d but the generator has no label layer "
                             "(expected e.g. - embed: {dim: 10} first)", K);
    }
    if (nd == 0) {
        const ynode *at = ytree_path(root, "discriminator");
        return gan_model_err(c, at ? at : root, GAN_ERR_INVALID,
                             "data.classes is %d but the discriminator has no label layer "
                             "(expected a last layer - project: {} or an - embed: {dim: N})", K);
    }
    return GAN_OK;
}
