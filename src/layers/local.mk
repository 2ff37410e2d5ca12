### layers: one file per layer type, registry.c is the table
# The layers are built on their own so that GCC vectorises their element-wise
# loops at -O2 (as src/train/libganoptim.la): the default -O2 cost model
# ("very-cheap") skips loops of unknown length and loops that need a runtime
# aliasing check, the math functions' errno path blocks others, and with
# trapping math a comparison (which may raise "invalid" on a NaN) keeps the
# activations' selects as branches.  None of the flags changes any result:
# nothing is reassociated or contracted, sqrt stays IEEE-exact.
noinst_LTLIBRARIES = src/layers/libganlayers.la
src_layers_libganlayers_la_SOURCES = src/layers/layers.h src/layers/registry.c src/layers/layer.c src/layers/conv_sched.c \
	src/layers/im2col.c \
	src/layers/dense.c src/layers/relu.c src/layers/leaky_relu.c src/layers/elu.c \
	src/layers/tanh.c src/layers/sigmoid.c src/layers/dropout.c src/layers/reshape.c \
	src/layers/flatten.c src/layers/upsample.c src/layers/maxout.c \
	src/layers/conv2d.c src/layers/deconv2d.c src/layers/batchnorm.c src/layers/specnorm.c \
	src/layers/embed.c src/layers/project.c \
	src/layers/add.c src/layers/concat.c src/layers/modulate.c \
	src/layers/avgpool.c src/layers/global_pool.c src/layers/attention.c \
	src/layers/layernorm.c src/layers/pixelnorm.c src/layers/minibatch_stddev.c \
	src/layers/slice.c src/layers/resample.c
src_layers_libganlayers_la_CFLAGS = $(AM_CFLAGS) -fno-math-errno -fno-trapping-math -fvect-cost-model=dynamic
libgan_la_LIBADD += src/layers/libganlayers.la

check_PROGRAMS += tests/check_layers
TESTS += tests/check_layers
# gan_im2col, gan_col2im and gan_conv_chunk_rows are internal (not exported): compiled into the test
tests_check_layers_SOURCES = tests/check_layers.c src/layers/im2col.c $(TEST_UTIL)
tests_check_layers_CFLAGS = $(TEST_CFLAGS)
tests_check_layers_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/check_layers2
TESTS += tests/check_layers2
tests_check_layers2_SOURCES = tests/check_layers2.c $(TEST_UTIL)

check_PROGRAMS += tests/check_r3layers
TESTS += tests/check_r3layers
tests_check_r3layers_SOURCES = tests/check_r3layers.c $(TEST_UTIL)
