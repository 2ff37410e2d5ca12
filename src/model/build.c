/* build.c - networks from a spec, with the shape checks that tie them to
 * the data, and the `ganrun check` summary table.
 *
 *   G: (noise.dim) -> ... -> must be exactly the data shape
 *   D: data shape  -> ... -> must be (1): one raw score per sample
 */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include "gan/model.h"

static gan_status at_layer(gan_error *err, const gan_model_spec *m, const gan_layer_conf *c)
{
    if (err) {
        snprintf(err->file, sizeof err->file, "%s", m->source);
        if (c && !err->line) {
            err->line = c->line;
            err->col = c->col;
        }
    }
    return err ? err->code : GAN_ERR_INVALID;
}

gan_status gan_model_build(const gan_model_spec *m, gan_shape data_shape, int Bmax,
                           gan_net **G, gan_net **D, gan_error *err)
{
    char s1[64], s2[64];
    *G = *D = NULL;
    /* train.gemm: process-wide (gan/par.h), for every network from here on */
    gan_error ge;
    gan_error_clear(&ge);
    gan_status st = gan_gemm_set_engine(m->train.gemm, &ge);
    if (st != GAN_OK) return gan_error_at(err, st, m->source, 0, 0, "%s", ge.msg);
    gan_shape z = { 1, { m->noise.dim, 0, 0 } };
    st = gan_net_create(G, m->gen.layers, m->gen.n, z, Bmax, err);
    if (st != GAN_OK) return at_layer(err, m, NULL);
    const gan_layer_conf *glast = &m->gen.layers[m->gen.n - 1];
    if (!gan_shape_eq((*G)->out, data_shape)) {
        gan_shape_str((*G)->out, s1, sizeof s1);
        gan_shape_str(data_shape, s2, sizeof s2);
        gan_net_free(*G);
        *G = NULL;
        return gan_error_at(err, GAN_ERR_SHAPE, m->source, glast->line, glast->col,
                            "generator output %s does not match data shape %s "
                            "(expected the generator's last layer to produce the data shape)", s1, s2);
    }
    /* PacGAN (train.pack m): D sees m samples concatenated along their
     * first axis, (m C, H, W) or (m F) */
    gan_shape din = data_shape;
    if (m->train.pack > 1) din.d[0] *= m->train.pack;
    st = gan_net_create(D, m->disc.layers, m->disc.n, din, Bmax, err);
    if (st != GAN_OK) {
        gan_net_free(*G);
        *G = NULL;
        return at_layer(err, m, NULL);
    }
    const gan_layer_conf *dlast = &m->disc.layers[m->disc.n - 1];
    if ((*D)->out.rank != 1 || (*D)->out.d[0] != 1) {
        gan_shape_str((*D)->out, s1, sizeof s1);
        gan_net_free(*G);
        gan_net_free(*D);
        *G = *D = NULL;
        return gan_error_at(err, GAN_ERR_SHAPE, m->source, dlast->line, dlast->col,
                            "discriminator output %s is not one value per sample "
                            "(expected (1), e.g. a last layer dense: {units: 1})", s1);
    }
    /* G and D never run at once: one set of gradient buffers and scratch */
    st = gan_net_share_scratch(*G, *D, err);
    if (st != GAN_OK) {
        gan_net_free(*G);
        gan_net_free(*D);
        *G = *D = NULL;
    }
    return st;
}

/* "input", "3" or "2, 5" (the entries entry l reads) */
static void inputs_str(char *buf, size_t n, const gan_layer *l)
{
    size_t len = 0;
    buf[0] = 0;
    for (int k = 0; k < l->nin && len < n; k++) {
        if (l->src[k] < 0) len += (size_t)snprintf(buf + len, n - len, "%sinput", k ? ", " : "");
        else len += (size_t)snprintf(buf + len, n - len, "%s%d", k ? ", " : "", l->src[k]);
    }
}

static void table(FILE *f, const char *name, const gan_net *net)
{
    char s[64], in[96];
    gan_shape_str(net->in, s, sizeof s);
    fprintf(f, "%s: input %s\n", name, s);
    fprintf(f, "  %3s  %-12s %-16s %12s  %-10s %s\n", "#", "layer", "output", "params", "inputs", "id");
    for (int i = 0; i < net->n; i++) {
        const gan_layer *l = &net->layers[i];
        gan_shape_str(l->out, s, sizeof s);
        inputs_str(in, sizeof in, l);
        if (l->conf.id[0])
            fprintf(f, "  %3d  %-12s %-16s %12zu  %-10s %s\n", i, l->type->name, s, l->nparams, in, l->conf.id);
        else
            fprintf(f, "  %3d  %-12s %-16s %12zu  %s\n", i, l->type->name, s, l->nparams, in);
    }
    fprintf(f, "  %3s  %-12s %-16s %12zu", "", "total", "", net->nparams);
    if (net->nbufs) fprintf(f, "  (+%zu buffer values)", net->nbufs);
    fprintf(f, "\n");
}

void gan_model_print_summary(FILE *f, const gan_model_spec *m, const gan_net *G, const gan_net *D)
{
    fprintf(f, "model %s (%s)\n", m->name, m->source);
    if (G) table(f, "generator", G);
    if (D) table(f, "discriminator", D);
    if (G && D) fprintf(f, "total parameters: %zu\n", G->nparams + D->nparams);
}

/* DOT: one cluster per network, a node per entry, an edge per input */
static void dot_net(FILE *f, const char *title, char p, const char *input, const gan_net *net)
{
    char s[64];
    gan_shape_str(net->in, s, sizeof s);
    fprintf(f, "  subgraph cluster_%c {\n    label=\"%s\";\n", p, title);
    fprintf(f, "    %c_in [label=\"%s\\n%s\", shape=ellipse];\n", p, input, s);
    for (int i = 0; i < net->n; i++) {
        const gan_layer *l = &net->layers[i];
        gan_shape_str(l->out, s, sizeof s);
        fprintf(f, "    %c%d [label=\"%d %s%s%s\\n%s", p, i, i, l->type->name, l->conf.id[0] ? "\\n" : "",
                l->conf.id, s);
        if (l->nparams) fprintf(f, "\\n%zu params", l->nparams);
        fprintf(f, "\"%s];\n", gan_layer_multi_of(l->type) ? ", style=rounded" : "");
        for (int k = 0; k < l->nin; k++) {
            if (l->src[k] < 0) fprintf(f, "    %c_in -> %c%d;\n", p, p, i);
            else fprintf(f, "    %c%d -> %c%d;\n", p, l->src[k], p, i);
        }
    }
    fprintf(f, "  }\n");
}

void gan_model_print_dot(FILE *f, const gan_model_spec *m, const gan_net *G, const gan_net *D)
{
    fprintf(f, "digraph \"");
    for (const char *c = m->name; *c; c++) fprintf(f, "%s%c", *c == '"' || *c == '\\' ? "\\" : "", *c);
    fprintf(f, "\" {\n  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n");
    if (G) dot_net(f, "generator", 'g', "noise", G);
    if (D) dot_net(f, "discriminator", 'd', "sample", D);
    fprintf(f, "}\n");
}
