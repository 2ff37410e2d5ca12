/* graph.c - the networks of a run drawn for `ganrun report`: one
 * inline SVG per network, no script, no network access.
 *
 * The model is rebuilt from the run's expanded model.yaml (shapes only:
 * the generator from the noise, the discriminator from the generator's
 * output), then drawn top to bottom: the input, then a box per entry with
 * its index, type, id and output shape.  An entry reading the one above
 * it gets a short arrow; any other input (a shortcut, a merge) a curve on
 * the right, in one of a few lanes so that parallel ones stay apart.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gan/gan.h"
#include "core/text.h"
#include "report/report.h"

#define ROW 34      /* px per row */
#define BOXW 250
#define BOXH 26
#define X0 10
#define LANES 6
#define LANEW 14

/* y of the top of row r (row 0: the input) */
static int row_y(int r)
{
    return 30 + r * ROW;
}

static void draw_net(gan_text *b, const gan_net *net, const char *title, const char *input)
{
    int W = X0 + BOXW + 20 + LANES * LANEW, H = row_y(net->n + 1) + 6;
    char s[64];
    gan_text_put(b, "<svg class=\"net\" width=\"%d\" height=\"%d\" "
                 "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">\n", W, H, W, H);
    gan_text_put(b, "<text x=\"%d\" y=\"16\" font-weight=\"bold\" font-size=\"13\">%s</text>\n", X0, title);
    gan_shape_str(net->in, s, sizeof s);
    gan_text_put(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"13\" fill=\"#eef3f8\" stroke=\"#555\"/>\n",
                 X0, row_y(0), BOXW, BOXH);
    gan_text_put(b, "<text x=\"%d\" y=\"%d\">%s %s</text>\n", X0 + 8, row_y(0) + 17, input, s);
    int lane = 0;
    for (int i = 0; i < net->n; i++) {
        const gan_layer *l = &net->layers[i];
        int y = row_y(i + 1), merge = gan_layer_multi_of(l->type) != NULL;
        gan_shape_str(l->out, s, sizeof s);
        gan_text_put(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"%d\" fill=\"%s\" stroke=\"#555\"/>\n",
                     X0, y, BOXW, BOXH, merge ? 13 : 3, merge ? "#fdf1e3" : l->nparams ? "#e8f1e4" : "#f6f6f6");
        gan_text_put(b, "<text x=\"%d\" y=\"%d\"><tspan fill=\"#888\">%d</tspan> %s", X0 + 6, y + 17, i, l->type->name);
        if (l->conf.id[0]) gan_text_put(b, " <tspan fill=\"#1f6fb4\">%s</tspan>", l->conf.id);
        gan_text_put(b, "</text>\n<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#555\">%s</text>\n",
                     X0 + BOXW - 6, y + 17, s);
        for (int k = 0; k < l->nin; k++) {
            int j = l->src[k], yj = row_y(j + 1);
            if (j == i - 1) {   /* the entry above */
                int cx = X0 + BOXW / 2;
                gan_text_put(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555\"/>"
                             "<path d=\"M%d,%d l-4,-7 l8,0 z\" fill=\"#555\"/>\n",
                             cx, yj + BOXH, cx, y - 6, cx, y);
                continue;
            }
            int x = X0 + BOXW, bend = x + 20 + (lane++ % LANES) * LANEW;
            gan_text_put(b, "<path d=\"M%d,%d C%d,%d %d,%d %d,%d\" fill=\"none\" stroke=\"#1f6fb4\"/>"
                         "<path d=\"M%d,%d l7,-4 l0,8 z\" fill=\"#1f6fb4\"/>\n", x, yj + BOXH / 2, bend, yj + BOXH / 2,
                         bend, y + BOXH / 2, x + 6, y + BOXH / 2, x, y + BOXH / 2);
        }
    }
    gan_text_put(b, "</svg>\n");
}

char *report_graph_html(const char *yaml, size_t len)
{
    gan_model_spec *m = NULL;
    gan_error err;
    gan_error_clear(&err);
    if (gan_model_load_string(&m, yaml, len, "model.yaml", NULL, 0, &err) != GAN_OK) return NULL;
    gan_net *G = NULL, *D = NULL;
    gan_shape z = { 1, { m->noise.dim, 0, 0 } };
    char *out = NULL;
    if (gan_net_create(&G, m->gen.layers, m->gen.n, z, 1, &err) == GAN_OK) {
        gan_shape din = G->out;
        if (m->train.pack > 1) din.d[0] *= m->train.pack;
        if (gan_net_create(&D, m->disc.layers, m->disc.n, din, 1, &err) == GAN_OK) {
            gan_text b = { 0 };
            gan_text_put(&b, "<div class=\"charts\" style=\"align-items: flex-start\">\n");
            draw_net(&b, G, "Generator", "noise");
            draw_net(&b, D, "Discriminator", "sample");
            gan_text_put(&b, "</div>\n");
            out = gan_text_take(&b);
        }
    }
    gan_net_free(G);
    gan_net_free(D);
    gan_model_free(m);
    return out;
}
