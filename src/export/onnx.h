/* onnx.h - private to src/export: the ONNX writer (its contract is in
 * gan/export.h). */
#ifndef GAN_EXPORT_ONNX_H
#define GAN_EXPORT_ONNX_H

/* 1 when the layer type has an ONNX mapping. */
int onnx_maps(const char *type_name);

#endif
