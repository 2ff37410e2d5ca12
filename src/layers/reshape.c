/* reshape.c - same floats, new per-sample shape.   x (B, in)  y (B, shape)
 * shape [F] gives rank 1, [C, H, W] rank 3 and [H, W] the one-channel
 * (1, H, W); the sizes must agree. */
#include "config.h"
#include "layers/layers.h"

static const gan_key_desc keys[] = {
    { "shape", GAN_KEY_INTLIST, 1, 0, 1, 1 << 28, 0, 0, NULL, 1, 3,
      "output shape per sample: [F], [H, W] (one channel) or [C, H, W]" },
};

static gan_status setup(gan_layer *l, gan_shape in, gan_error *err)
{
    const gan_key_value *v = gan_conf_val(&l->conf, "shape");
    char si[64], so[64];
    gan_shape_str(in, si, sizeof si);
    if (v->len < 1 || v->len > 3)
        return gan_error_set(err, GAN_ERR_INVALID, "reshape: shape needs 1 to 3 sizes, got %d", v->len);
    for (int i = 0; i < v->len; i++)
        if (v->list[i] < 1)
            return gan_error_set(err, GAN_ERR_INVALID, "reshape: shape sizes must be positive, got %d",
                                 v->list[i]);
    gan_shape out;
    if (v->len == 1) out = (gan_shape){ 1, { v->list[0], 0, 0 } };
    else if (v->len == 2) out = (gan_shape){ 3, { 1, v->list[0], v->list[1] } };
    else out = (gan_shape){ 3, { v->list[0], v->list[1], v->list[2] } };
    /* the product may overflow: stop as soon as it exceeds the input size */
    size_t want = gan_shape_size(in), have = 1;
    int fits = 1;
    for (int i = 0; i < out.rank && fits; i++) {
        if (have > want / (size_t)out.d[i]) fits = 0;
        have *= (size_t)out.d[i];
    }
    if (!fits || have != want) {
        gan_shape_str(out, so, sizeof so);
        return gan_error_set(err, GAN_ERR_SHAPE, "reshape: shape %s does not hold input %s "
                             "(sizes must be equal)", so, si);
    }
    l->out = out;
    return GAN_OK;
}

const gan_layer_type gan_layer_reshape = {
    "reshape", "reinterpret each sample with a new shape of the same size",
    keys, GAN_NKEYS(keys), setup, NULL, gan_copy_forward, gan_copy_backward, NULL,
    GAN_LAYER_Y_UNUSED | GAN_LAYER_ALIAS,
};
