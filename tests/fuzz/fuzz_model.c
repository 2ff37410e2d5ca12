/* fuzz_model.c - model files: parse, expand, parse the expansion again
 * (which must succeed and expand to the same text), then build both
 * networks when they are small enough to build quickly, and print the
 * summary table.  The input is the YAML text up to the first NUL byte;
 * the NUL-separated strings after it (at most 8) are --set overrides. */
#include "fuzz.h"
#include <string.h>

/* floats one stack would allocate for batch B (params, grads, buffers,
 * activations, scratch), from the layers' setup alone; SIZE_MAX when a
 * layer refuses its input (gan_net_create reports that itself) */
static size_t stack_floats(const gan_stack_spec *s, gan_shape in, int B, gan_shape *out)
{
    size_t total = 0;
    gan_shape cur = in;
    gan_shape *outs = malloc((size_t)s->n * sizeof *outs);   /* entries' outputs, for from */
    if (!outs) return SIZE_MAX;
    for (int i = 0; i < s->n; i++) {
        gan_layer l;
        memset(&l, 0, sizeof l);
        l.type = s->layers[i].type;
        l.conf = s->layers[i];
        l.nin = l.conf.nfrom ? l.conf.nfrom : 1;
        for (int k = 0; k < l.nin; k++) {
            int j = l.conf.nfrom ? l.conf.from[k] : i - 1;
            if (j < -1 || j >= i) {
                free(outs);
                return SIZE_MAX;
            }
            l.ins[k] = j < 0 ? in : outs[j];
            l.in_name[k] = "x";
        }
        l.in = l.ins[0];
        gan_error err;
        gan_error_clear(&err);
        const gan_layer_multi *mt = gan_layer_multi_of(l.type);
        if ((mt ? mt->setup_n(&l, l.ins, l.nin, &err) : l.type->setup(&l, l.in, &err)) != GAN_OK) {
            free(outs);
            return SIZE_MAX;
        }
        if (l.type->destroy) l.type->destroy(&l);
        size_t o = gan_shape_size(l.out);
        if (o == 0 || o > ((size_t)1 << 28)) {
            free(outs);
            return SIZE_MAX;
        }
        total += 3 * l.nparams + l.nbufs + l.ws_fixed
               + (size_t)B * (3 * o + l.ws_per_sample + l.saved_per_sample);
        cur = outs[i] = l.out;
    }
    free(outs);
    *out = cur;
    return total;
}

FUZZ_TARGET(model)
{
    /* text, then overrides: copies, NUL-terminated */
    char *buf = malloc(size + 1);
    FUZZ_ASSERT(buf);
    memcpy(buf, data, size);
    buf[size] = '\0';
    size_t len = strlen(buf);
    const char *sets[8];
    int nsets = 0;
    for (size_t at = len + 1; at <= size && nsets < 8; at += strlen(buf + at) + 1) sets[nsets++] = buf + at;

    gan_error err;
    gan_error_clear(&err);
    gan_model_spec *m;
    gan_status st = gan_model_load_string(&m, buf, len, "fuzz.yaml", sets, nsets, &err);
    free(buf);
    fuzz_check_status("gan_model_load_string", st, &err);
    if (st != GAN_OK) {
        FUZZ_ASSERT(m == NULL);
        return 0;
    }
    /* the expansion is a model file that gives the same spec */
    char *text = gan_model_expand(m);
    FUZZ_ASSERT(text != NULL);
    gan_model_spec *m2;
    st = gan_model_load_string(&m2, text, strlen(text), "expanded.yaml", NULL, 0, &err);
    if (st != GAN_OK) {
        char line[1400];
        gan_error_format(&err, line, sizeof line);
        fprintf(stderr, "fuzz: the expansion does not load: %s\n%s\n", line, text);
        abort();
    }
    char *text2 = gan_model_expand(m2);
    FUZZ_ASSERT(text2 != NULL);
    if (strcmp(text, text2) != 0) {
        fprintf(stderr, "fuzz: expanding the expansion changes it:\n%s\n---\n%s\n", text, text2);
        abort();
    }
    free(text2);
    free(text);
    gan_model_free(m2);

    /* build, with G's output as the data shape, when it costs < 64 Mi floats */
    int B = m->train.batch > m->train.noise_batch ? m->train.batch : m->train.noise_batch;
    gan_shape zin = { 1, { m->noise.dim, 0, 0 } }, gout, dout;
    size_t fg = stack_floats(&m->gen, zin, B, &gout);
    size_t fd = fg == SIZE_MAX ? SIZE_MAX : stack_floats(&m->disc, gout, B, &dout);
    if (fg != SIZE_MAX && fd != SIZE_MAX && fg + fd < ((size_t)64 << 20)) {
        gan_net *G, *D;
        st = gan_model_build(m, gout, B, &G, &D, &err);
        fuzz_check_status("gan_model_build", st, &err);
        if (st == GAN_OK) {
            FUZZ_ASSERT(G && D && gan_shape_size(D->out) == 1);
            FILE *null = fopen("/dev/null", "w");
            FUZZ_ASSERT(null);
            gan_model_print_summary(null, m, G, D);
            fclose(null);
            gan_net_free(G);
            gan_net_free(D);
        } else {
            FUZZ_ASSERT(!G && !D);
        }
    }
    gan_model_free(m);
    return 0;
}
