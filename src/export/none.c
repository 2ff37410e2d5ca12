/* none.c - gan/export.h in a libgan configured without ONNX support
 * (configure found no protoc-c, libprotobuf-c or onnx.proto). */
#include "config.h"
#include "gan/export.h"

int gan_export_onnx_supported(void)
{
    return 0;
}

gan_status gan_export_onnx(gan_trainer *t, int discriminator, const char *path, gan_error *err)
{
    (void)t;
    (void)discriminator;
    (void)path;
    return gan_error_set(err, GAN_ERR_INVALID, "this libgan was built without ONNX support (configure needs "
                         "protoc-c, libprotobuf-c and onnx.proto: Debian packages protobuf-c-compiler, "
                         "libprotobuf-c-dev, libonnx-dev)");
}
