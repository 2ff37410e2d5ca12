### layers: one file per layer type, registry.c is the table
libgan_la_SOURCES += src/layers/layers.h src/layers/registry.c src/layers/conf.c \
	src/layers/im2col.c \
	src/layers/dense.c src/layers/relu.c src/layers/leaky_relu.c src/layers/elu.c \
	src/layers/tanh.c src/layers/sigmoid.c src/layers/dropout.c src/layers/reshape.c \
	src/layers/flatten.c src/layers/upsample.c src/layers/maxout.c \
	src/layers/conv2d.c src/layers/deconv2d.c src/layers/batchnorm.c

check_PROGRAMS += tests/check_layers
TESTS += tests/check_layers
tests_check_layers_SOURCES = tests/check_layers.c tests/gradcheck.c tests/gradcheck.h
tests_check_layers_CFLAGS = $(TEST_CFLAGS)
tests_check_layers_LDADD = $(TEST_LIBS)
