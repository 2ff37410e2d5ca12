/* gan/gan.h - umbrella header of libgan, the runtime behind ganrun. */
#ifndef GAN_GAN_H
#define GAN_GAN_H

#include "gan/api.h"

#include "gan/error.h"
#include "gan/rng.h"
#include "gan/layer.h"
#include "gan/net.h"
#include "gan/optim.h"
#include "gan/loss.h"
#include "gan/data.h"
#include "gan/model.h"
#include "gan/train.h"
#include "gan/ckpt.h"
#include "gan/classify.h"
#include "gan/dist.h"
#include "gan/health.h"
#include "gan/run.h"
#include "gan/report.h"
#include "gan/export.h"
#include "gan/par.h"
#include "gan/blas.h"
#include "gan/eval.h"

GAN_API const char *gan_version(void);

#endif
