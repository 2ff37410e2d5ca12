/* gan/export.h - a network as an ONNX model (`ganrun export`).
 *
 * The model has opset 13 (IR version 7): input z (N, dim) float, plus label
 * (N) int64 when a layer reads class labels (embed, project); output x of
 * the network's output shape with the batch first, (N, C, H, W) or (N, F);
 * for the discriminator input x and output score (N, 1).  Each layer maps to
 * ONNX operators through one table (layer type name -> emitter); the
 * computation is the evaluation forward pass of `ganrun sample`: batchnorm
 * with its running statistics, dropout the identity, spectral-normalised
 * weights as W / sigma with the stored u, v.  Metadata: model name, ganrun
 * version, step, the expanded model text.
 *
 * The protobuf is written with protobuf-c from the C code protoc-c
 * generates from onnx.proto (Debian libonnx-dev; see ganrun(1)); a libgan
 * configured without them has no ONNX support (gan_export_onnx_supported).
 */
#ifndef GAN_EXPORT_H
#define GAN_EXPORT_H

#include "gan/api.h"
#include "gan/error.h"
#include "gan/train.h"

/* 1 when this libgan was built with ONNX support, 0 otherwise. */
GAN_API int gan_export_onnx_supported(void);
/* Write t's generator (discriminator when discriminator != 0) with the
 * weights it holds now to path, whole or not at all.  The caller swaps in
 * averaged weights first when it wants them (gan_trainer_ema_swap).  A
 * layer type without an ONNX mapping is an error naming the layer; without
 * ONNX support, an error saying so. */
GAN_API gan_status gan_export_onnx(gan_trainer *t, int discriminator, const char *path, gan_error *err);

#endif
